//! Reference tables the rules check against: Hubei's administrative regions
//! (GB/T 2260) and the evaluation-expert specialty tree, embedded at build time.

// Both tables are parsed once on first use. A table that fails to parse
// yields an empty table instead of a panic; the tests prove the embedded
// files parse, so that fallback is never reached in a released build.

mod csv;
mod regions;
mod specialties;

pub use regions::{Region, RegionLevel, Regions};
pub use specialties::{Specialty, SpecialtyTree};

/// Why a reference table could not be loaded. Lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("第{line}行引号不匹配 / line {line}: malformed quoting")]
    Malformed { line: usize },
    #[error("表头应为“{expected}” / header must be `{expected}`")]
    Header { expected: &'static str },
    #[error(
        "第{line}行应有{expected}列，实际{found}列 / line {line}: expected {expected} fields, found {found}"
    )]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("第{line}行“{field}”不合法 / line {line}: invalid `{field}`")]
    InvalidField { line: usize, field: &'static str },
    #[error("第{line}行代码{code}重复 / line {line}: duplicate code {code}")]
    Duplicate { line: usize, code: String },
    #[error(
        "第{line}行代码{code}的上级{parent}不存在 / line {line}: parent {parent} of {code} is not in the table"
    )]
    UnknownParent {
        line: usize,
        code: String,
        parent: String,
    },
    #[error(
        "第{line}行代码{code}的层级与上级不一致 / line {line}: level of {code} does not follow its parent's"
    )]
    Level { line: usize, code: String },
}

/// Checks the header and field count of every record.
fn records_with_header(
    text: &str,
    header: &'static str,
) -> Result<Vec<csv::Record>, ReferenceError> {
    let mut records = csv::parse(text)?.into_iter();
    let expected: Vec<&str> = header.split(',').collect();
    match records.next() {
        Some(first) if first.fields == expected => {}
        _ => return Err(ReferenceError::Header { expected: header }),
    }
    let records: Vec<csv::Record> = records.collect();
    for r in &records {
        if r.fields.len() != expected.len() {
            return Err(ReferenceError::FieldCount {
                line: r.line,
                expected: expected.len(),
                found: r.fields.len(),
            });
        }
    }
    Ok(records)
}
