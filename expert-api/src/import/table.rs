//! A roster as read from a file, before any field is interpreted: a header
//! row and data rows of typed cells, the same shape for CSV and XLSX.

use chrono::NaiveDate;

/// One cell. CSV gives only text; XLSX keeps what Excel stored, because a
/// number where text belongs (a resident ID) has already lost digits.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell Excel formats as a date.
    Date(NaiveDate),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number a spreadsheet shows (the header row is 1 in a CSV).
    pub number: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, index: Option<usize>) -> &Cell {
        index
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&Cell::Empty)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Data rows; blank rows are left out.
    pub rows: Vec<Row>,
}
