//! The per-row error report: one line per failed rule, naming the row, the
//! column and the rule, in Chinese and English; written as CSV on request.
//!
//! No value of an identifier is ever part of a report line.

use std::io::Write;

use expert_core::expert::FieldError;

use super::columns::Column;
use super::values::CellError;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row number a spreadsheet shows (header = 1).
    pub row: usize,
    pub column: Option<Column>,
    /// The API's field path (`profile/specialties/1`) or the column name.
    pub field: String,
    /// A stable code: the API's rule (`check_character`) or an import rule
    /// (`required`, `number_not_text`, `duplicate_in_file`, ...).
    pub rule: String,
    pub message_zh: String,
    pub message_en: String,
}

impl RowError {
    pub fn from_cell(row: usize, column: Column, e: CellError) -> Self {
        RowError {
            row,
            column: Some(column),
            field: column.name().to_owned(),
            rule: e.rule.to_owned(),
            message_zh: e.message_zh,
            message_en: e.message_en,
        }
    }

    pub fn from_field(row: usize, e: FieldError) -> Self {
        RowError {
            row,
            column: Column::for_field(&e.field),
            rule: e.rule.as_str().to_owned(),
            field: e.field,
            message_zh: e.message_zh,
            message_en: e.message_en,
        }
    }

    pub fn region_not_allowed(row: usize) -> Self {
        RowError {
            row,
            column: Some(Column::Region),
            field: Column::Region.name().to_owned(),
            rule: "region_not_allowed".into(),
            message_zh: format!("只能导入本地区的专家（第{row}行未导入）"),
            message_en: format!(
                "operators import their own region's experts only (row {row} is not imported)"
            ),
        }
    }

    pub fn duplicate_in_file(row: usize, first: usize) -> Self {
        RowError {
            row,
            column: Some(Column::ResidentId),
            field: Column::ResidentId.name().to_owned(),
            rule: "duplicate_in_file".into(),
            message_zh: format!("身份证号与第{first}行重复（第{row}行未导入）"),
            message_en: format!("same resident ID as row {first} (row {row} is not imported)"),
        }
    }

    /// The row errors for a refusal by the store; `None` for failures that
    /// are not about the row (the database), which end the import.
    pub fn from_store(row: usize, e: StoreError) -> Result<Vec<RowError>, StoreError> {
        match e {
            StoreError::Invalid(errors) => Ok(errors
                .into_iter()
                .map(|e| RowError::from_field(row, e))
                .collect()),
            StoreError::Conflict { rule, message } => {
                let zh = match rule {
                    "already_registered" => "该身份证号已在专家库中登记".to_owned(),
                    "duplicate" => "身份证号在同一批次中重复".to_owned(),
                    _ => message.clone(),
                };
                Ok(vec![RowError {
                    row,
                    column: Some(Column::ResidentId),
                    field: Column::ResidentId.name().to_owned(),
                    rule: rule.to_owned(),
                    message_zh: zh,
                    message_en: message,
                }])
            }
            other => Err(other),
        }
    }

    pub fn column_name(&self) -> &'static str {
        self.column.map_or("", Column::name)
    }
}

/// The report as CSV with a header: row, column, field, rule, message_zh,
/// message_en. UTF-8 with a byte-order mark so that Excel shows the
/// Chinese text correctly when the file is double-clicked.
pub fn write_csv(out: impl Write, errors: &[RowError]) -> Result<(), ::csv::Error> {
    let mut out = out;
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(["row", "column", "field", "rule", "message_zh", "message_en"])?;
    for e in errors {
        w.write_record([
            e.row.to_string().as_str(),
            e.column_name(),
            &e.field,
            &e.rule,
            &e.message_zh,
            &e.message_en,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// One line for the terminal.
pub fn line(e: &RowError) -> String {
    let column = if e.column.is_some() {
        e.column_name()
    } else {
        e.field.as_str()
    };
    format!(
        "row {:<6} {:<24} {:<28} {} / {}",
        e.row, column, e.rule, e.message_zh, e.message_en
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use expert_core::expert::Rule;

    #[test]
    fn csv_report_names_row_column_and_rule() {
        let errors = vec![
            RowError::from_field(
                3,
                FieldError::new(
                    "resident_id",
                    Rule::CheckCharacter,
                    "校验位错误",
                    "bad check",
                ),
            ),
            RowError::duplicate_in_file(9, 4),
        ];
        let mut out = Vec::new();
        write_csv(&mut out, &errors).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "row,column,field,rule,message_zh,message_en");
        assert_eq!(
            lines[1],
            "3,resident_id,resident_id,check_character,校验位错误,bad check"
        );
        assert!(lines[2].starts_with("9,resident_id,resident_id,duplicate_in_file,"));
        assert!(lines[2].contains("row 4"));
    }

    #[test]
    fn conflicts_become_row_errors_and_database_errors_do_not() {
        let e = StoreError::Conflict {
            rule: "already_registered",
            message: "this resident ID is already registered as expert E0000001".into(),
        };
        let rows = RowError::from_store(5, e).unwrap();
        assert_eq!(rows[0].rule, "already_registered");
        assert_eq!(rows[0].column, Some(Column::ResidentId));
        assert!(RowError::from_store(5, StoreError::Corrupt("x".into())).is_err());
    }
}
