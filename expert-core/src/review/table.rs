//! A plain-text rendering of a review report for a terminal, aligned for
//! Chinese text, which takes two columns per character.

use std::fmt::Write;

use super::{ReviewActionKind, ReviewReport};

const HEADERS: [&str; 4] = ["expert_id", "action", "new_status", "detail"];

impl ReviewReport {
    /// Columns: expert id, action, new status (or `-`), Chinese detail; then
    /// any problems and a line of counts per kind.
    pub fn to_table(&self) -> String {
        let rows: Vec<[String; 4]> = self
            .actions
            .iter()
            .map(|a| {
                [
                    a.expert_id.clone(),
                    a.kind.as_str().to_owned(),
                    a.new_status
                        .as_ref()
                        .map_or("-", |s| s.kind().as_str())
                        .to_owned(),
                    a.detail_zh.clone(),
                ]
            })
            .collect();
        let mut widths = HEADERS.map(width);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }

        let mut out = String::new();
        let _ = writeln!(out, "定期动态调整 / periodic review, as of {}", self.as_of);
        push_row(&mut out, &HEADERS.map(str::to_owned), &widths);
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        let _ = writeln!(out, "{}", rule.join("-+-"));
        if rows.is_empty() {
            let _ = writeln!(out, "（无 / none）");
        }
        for row in &rows {
            push_row(&mut out, row, &widths);
        }
        for p in &self.problems {
            let _ = writeln!(
                out,
                "! {}: {} / {}",
                p.expert_id, p.message_zh, p.message_en
            );
        }
        for p in &self.proposals {
            let _ = writeln!(out, "? {} {}: {}", p.expert_id, p.key, p.detail_zh);
        }
        let counts: Vec<String> = ReviewActionKind::ALL
            .iter()
            .map(|k| {
                format!(
                    "{} {}",
                    k.as_str(),
                    self.counts.get(k).copied().unwrap_or(0)
                )
            })
            .collect();
        let _ = writeln!(out, "total {}: {}", self.actions.len(), counts.join(", "));
        out
    }
}

fn push_row(out: &mut String, cells: &[String; 4], widths: &[usize; 4]) {
    let mut line = String::new();
    for (i, (cell, &w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str(" | ");
        }
        line.push_str(cell);
        if i + 1 < cells.len() {
            line.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
        }
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

/// Terminal columns of `s`: two for East Asian wide characters, none for
/// control characters, one otherwise.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0..=0x1f | 0x7f..=0x9f => 0,
            0x1100..=0x115f
            | 0x2e80..=0x303e
            | 0x3041..=0x33ff
            | 0x3400..=0x4dbf
            | 0x4e00..=0x9fff
            | 0xa000..=0xa4cf
            | 0xac00..=0xd7a3
            | 0xf900..=0xfaff
            | 0xfe30..=0xfe4f
            | 0xff00..=0xff60
            | 0xffe0..=0xffe6
            | 0x20000..=0x3fffd => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("武汉"), 4);
        assert_eq!(width("（无）"), 6);
        assert_eq!(width("a\tb"), 2);
    }
}
