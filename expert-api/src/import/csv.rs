//! Reading a CSV roster: UTF-8 with or without a byte-order mark. Other
//! encodings (GBK from older Excel "CSV (逗号分隔)") are refused with advice,
//! never guessed: a wrong guess would silently garble names.

use super::Unusable;
use super::table::{Cell, Row, Table};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn read(bytes: &[u8]) -> Result<Table, Unusable> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(not_utf8("the file is UTF-16 (Excel's \"Unicode text\")"));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(not_utf8(&format!(
            "the bytes at offset {} are not UTF-8 (GBK?)",
            e.valid_up_to()
        )));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Table::default();
    let mut header = true;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Unusable(format!("the CSV cannot be read: {e}")))?;
        if header {
            table.headers = record.iter().map(str::to_owned).collect();
            header = false;
            continue;
        }
        let cells: Vec<Cell> = record
            .iter()
            .map(|s| {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_owned())
                }
            })
            .collect();
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        table.rows.push(Row {
            number: i + 1,
            cells,
        });
    }
    Ok(table)
}

fn not_utf8(why: &str) -> Unusable {
    Unusable(format!(
        "文件不是UTF-8编码，请在Excel中另存为“CSV UTF-8（逗号分隔）(*.csv)” / {why}: save the roster as \"CSV UTF-8 (Comma delimited) (*.csv)\" and try again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_blank_rows_and_ragged_rows() {
        let t = read("\u{feff}name,mobile\n张三,13812345678\n,\n李四\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["name", "mobile"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].number, 2);
        assert_eq!(t.rows[1].number, 4);
        assert_eq!(t.rows[1].cells, [Cell::Text("李四".into())]);
    }

    #[test]
    fn quoted_cells_with_separators() {
        let t = read(b"name,specialties\n\"Wang, Jun\",\"A;B\"\n").unwrap();
        assert_eq!(
            t.rows[0].cells,
            [Cell::Text("Wang, Jun".into()), Cell::Text("A;B".into())]
        );
    }

    #[test]
    fn gbk_is_refused_with_advice() {
        // "姓名" in GBK.
        let err = read(b"\xD0\xD5\xC3\xFB,mobile\n").unwrap_err();
        assert!(err.0.contains("UTF-8"), "{}", err.0);
        assert!(err.0.contains("CSV UTF-8"), "{}", err.0);
        assert!(read(b"\xFF\xFEn\x00").is_err());
    }
}
