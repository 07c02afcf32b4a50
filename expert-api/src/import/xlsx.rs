//! Reading an XLSX roster with calamine: the first sheet or a named one,
//! keeping numbers, booleans and dates as Excel stored them.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;

use super::Unusable;
use super::table::{Cell, Row, Table};

pub fn read(path: &Path, sheet: Option<&str>) -> Result<Table, Unusable> {
    let book: Xlsx<_> = open_workbook(path).map_err(|e| {
        Unusable(format!(
            "{} cannot be read as an XLSX workbook: {e}",
            path.display()
        ))
    })?;
    from_book(book, sheet)
}

/// An uploaded workbook (the HTTP import).
pub fn read_bytes(bytes: &[u8], sheet: Option<&str>) -> Result<Table, Unusable> {
    let book = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        Unusable(format!(
            "无法读取 XLSX 文件 / the upload cannot be read as an XLSX workbook: {e}"
        ))
    })?;
    from_book(book, sheet)
}

fn from_book<R: std::io::Read + std::io::Seek>(
    mut book: Xlsx<R>,
    sheet: Option<&str>,
) -> Result<Table, Unusable> {
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                Unusable(format!(
                    "工作表不存在 / there is no sheet {wanted:?}; the workbook has: {}",
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Unusable("the workbook has no sheets".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| Unusable(format!("sheet {name:?} cannot be read: {e}")))?;
    // The range starts at the first used cell; row numbers stay those Excel shows.
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut table = Table::default();
    for (i, cells) in range.rows().enumerate() {
        if i == 0 {
            table.headers = cells.iter().map(header_text).collect();
            continue;
        }
        let cells: Vec<Cell> = cells.iter().map(cell).collect();
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        table.rows.push(Row {
            number: first_row + i + 1,
            cells,
        });
    }
    Ok(table)
}

fn header_text(d: &Data) -> String {
    match cell(d) {
        Cell::Text(s) => s,
        Cell::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        // i64 to f64 may round, exactly as Excel itself does past 15 digits.
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            // Handles both the 1900 and the 1904 date system of the workbook.
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day))
                .map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}
