//! A minimal RFC 4180 reader for the embedded reference tables: the crate has
//! no csv dependency, and the tables are small and fixed.

use super::ReferenceError;

/// One record and the 1-based line it starts on, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Splits `text` into records. Accepts LF and CRLF, a leading UTF-8 BOM,
/// quoted fields with `""` escapes and line breaks; skips blank lines.
pub(super) fn parse(text: &str) -> Result<Vec<Record>, ReferenceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut in_quotes = false;
    // Whether the current field started with a quote; after its closing quote
    // only a separator may follow.
    let mut quoted = false;
    let mut chars = text.chars().peekable();

    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                end_record(&mut records, &mut fields, &mut field, record_line);
                quoted = false;
                line += 1;
                record_line = line;
            }
            '"' if field.is_empty() && !quoted => {
                in_quotes = true;
                quoted = true;
            }
            _ if quoted => return Err(ReferenceError::Malformed { line }),
            '"' => return Err(ReferenceError::Malformed { line }),
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(ReferenceError::Malformed { line: record_line });
    }
    end_record(&mut records, &mut fields, &mut field, record_line);
    Ok(records)
}

fn end_record(
    records: &mut Vec<Record>,
    fields: &mut Vec<String>,
    field: &mut String,
    line: usize,
) {
    let last = std::mem::take(field);
    if fields.is_empty() && last.is_empty() {
        return; // blank line
    }
    fields.push(last);
    records.push(Record {
        line,
        fields: std::mem::take(fields),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        parse(text).unwrap().into_iter().map(|r| r.fields).collect()
    }

    #[test]
    fn plain_crlf_bom_and_blank_lines() {
        assert_eq!(
            fields("\u{feff}a,b\r\n\r\n1,,3\n"),
            vec![vec!["a", "b"], vec!["1", "", "3"]]
        );
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(
            fields("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nx,\"\"\n"),
            vec![vec!["a,b", "say \"hi\"", "two\nlines"], vec!["x", ""]]
        );
        let lines: Vec<usize> = parse("\"a\nb\",c\nd\n")
            .unwrap()
            .iter()
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, vec![1, 3]);
    }

    #[test]
    fn malformed_quotes_are_errors() {
        assert_eq!(parse("a\"b\n"), Err(ReferenceError::Malformed { line: 1 }));
        assert_eq!(
            parse("x\n\"a\"b\n"),
            Err(ReferenceError::Malformed { line: 2 })
        );
        assert_eq!(
            parse("x\n\"open\n"),
            Err(ReferenceError::Malformed { line: 2 })
        );
    }
}
