//! The side-by-side table of the simulation: one row per metric, one
//! column per policy, as aligned text for the terminal and as Markdown
//! for `docs/FAIRNESS.md`.

use expert_core::oversight::Metrics;

use super::Outcome;

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn n(x: u64) -> String {
    x.to_string()
}

type Row = (&'static str, fn(&Metrics) -> String);

const ROWS: &[Row] = &[
    ("draws (first, redraws, supplementary)", |m| {
        n(m.draws.draws)
    }),
    ("seats filled", |m| n(m.seats.seats)),
    ("experts in the pool / with a seat", |m| {
        format!("{} / {}", m.seats.experts_counted, m.seats.experts_seated)
    }),
    ("seats per expert: mean / max", |m| {
        format!("{:.2} / {}", m.seats.mean, m.seats.max)
    }),
    ("Gini of seats per expert", |m| {
        format!("{:.3}", m.seats.gini)
    }),
    ("share of seats, top 1 % of experts", |m| {
        pct(m.seats.top1_share)
    }),
    ("share of seats, top 10 % of experts", |m| {
        pct(m.seats.top10_share)
    }),
    ("seats from outside the project's region", |m| {
        pct(m.regions.share_outside)
    }),
    ("longest streak, same expert and tenderer", |m| {
        n(u64::from(m.streaks.longest))
    }),
    ("(expert, tenderer) streaks of 3 or more", |m| {
        n(u64::from(m.streaks.at_least_3))
    }),
    ("(expert, tenderer) with 2+ seats", |m| {
        n(u64::from(m.streaks.repeated))
    }),
    ("most seats of one expert with one tenderer", |m| {
        n(u64::from(m.streaks.max_seats_with_one_tenderer))
    }),
    ("pairs who sat together", |m| n(m.pairs.pairs)),
    ("pairs together 2+ times", |m| n(m.pairs.repeated)),
    ("pairs together 3+ times", |m| n(m.pairs.at_least_3)),
    ("pairs together 5+ times", |m| n(m.pairs.at_least_5)),
    ("most panels shared by one pair", |m| {
        n(u64::from(m.pairs.max_together))
    }),
    ("repeated pairs: panels shared, observed / expected", |m| {
        format!(
            "{} / {:.0}",
            m.pairs.repeated_together, m.pairs.repeated_expected
        )
    }),
    ("pairs flagged (3+, ratio 3+, p ≤ 0.001)", |m| {
        n(m.pairs.flagged)
    }),
    ("short draws / seats missing", |m| {
        format!("{} / {}", m.draws.short, m.draws.missing)
    }),
    ("relaxed redraws (looser policy)", |m| {
        n(m.draws.relaxations)
    }),
    ("draws with a parent (redraw, supplementary)", |m| {
        n(m.draws.with_parent)
    }),
    ("abandoned draws (never revealed)", |m| n(m.draws.abandoned)),
    ("declines / rate", |m| {
        format!("{} / {}", m.declines.declines, pct(m.declines.rate))
    }),
    ("declines by reason", |m| {
        m.declines
            .by_reason
            .iter()
            .map(|t| format!("{} {}", t.key, t.count))
            .collect::<Vec<_>>()
            .join(", ")
    }),
    ("sealed reads", |m| n(m.sealed_reads.reads)),
];

/// Rows of `(metric, value per outcome)`.
pub fn rows(outcomes: &[Outcome]) -> Vec<(String, Vec<String>)> {
    ROWS.iter()
        .map(|(label, f)| {
            (
                (*label).to_owned(),
                outcomes.iter().map(|o| f(&o.metrics)).collect(),
            )
        })
        .collect()
}

/// Aligned text for the terminal.
pub fn text(outcomes: &[Outcome]) -> String {
    let rows = rows(outcomes);
    let width = |s: &str| s.chars().count();
    let label_w = rows.iter().map(|r| width(&r.0)).max().unwrap_or(0);
    let col_w: Vec<usize> = (0..outcomes.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.1.get(i))
                .map(|s| width(s))
                .chain(outcomes.get(i).map(|o| width(&o.policy.name)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
    let mut out = pad("metric", label_w);
    for (o, w) in outcomes.iter().zip(&col_w) {
        out.push_str(" | ");
        out.push_str(&pad(&o.policy.name, *w));
    }
    out.push('\n');
    for (label, values) in &rows {
        out.push_str(&pad(label, label_w));
        for (v, w) in values.iter().zip(&col_w) {
            out.push_str(" | ");
            out.push_str(&pad(v, *w));
        }
        out.push('\n');
    }
    out
}

/// A Markdown table.
pub fn markdown(outcomes: &[Outcome]) -> String {
    let mut out = String::from("| metric |");
    for o in outcomes {
        out.push_str(&format!(" {} |", o.policy.name));
    }
    out.push_str("\n| --- |");
    for _ in outcomes {
        out.push_str(" ---: |");
    }
    out.push('\n');
    for (label, values) in rows(outcomes) {
        out.push_str(&format!("| {label} |"));
        for v in values {
            out.push_str(&format!(" {v} |"));
        }
        out.push('\n');
    }
    out
}
