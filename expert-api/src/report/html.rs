//! The report as one HTML page: inline CSS and inline SVG charts, no
//! script and nothing fetched, so it opens offline and prints as it is.

use std::fmt::Write as _;

use expert_core::oversight::{MonthRow, Tally};

use super::ReportData;
use super::charts::{self, region_name};

/// `&`, `<`, `>`, `"` and `'` as entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f4f4f4;padding:.5rem;overflow-x:auto}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}.muted{color:#666}";

struct Page {
    html: String,
}

impl Page {
    fn h2(&mut self, zh: &str, en: &str) {
        let _ = write!(self.html, "<h2>{} · {}</h2>", escape(zh), escape(en));
    }

    fn p(&mut self, text: &str) {
        let _ = write!(self.html, "<p>{}</p>", escape(text));
    }

    /// A table whose first row is the header; cells that parse as numbers
    /// are aligned right.
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.html.push_str("<table><tr>");
        for h in header {
            let _ = write!(self.html, "<th>{}</th>", escape(h));
        }
        self.html.push_str("</tr>");
        for row in rows {
            self.html.push_str("<tr>");
            for cell in row {
                let numeric = cell
                    .trim_end_matches(" %")
                    .replace(['.', '/', ' '], "")
                    .chars()
                    .all(|c| c.is_ascii_digit())
                    && !cell.is_empty();
                let class = if numeric { " class=\"n\"" } else { "" };
                let _ = write!(self.html, "<td{class}>{}</td>", escape(cell));
            }
            self.html.push_str("</tr>");
        }
        self.html.push_str("</table>");
    }

    /// A chart made by `charts` (SVG from plotters), inline.
    fn figure(&mut self, svg: anyhow::Result<String>, caption: &str) -> anyhow::Result<()> {
        let svg = svg?;
        // The XML prolog, if any, does not belong inside HTML.
        let start = svg.find("<svg").unwrap_or(0);
        let body = svg.get(start..).unwrap_or_default();
        let _ = write!(
            self.html,
            "<figure>{body}<figcaption class=\"muted\">{}</figcaption></figure>",
            escape(caption)
        );
        Ok(())
    }
}

fn tallies(list: &[Tally]) -> Vec<Vec<String>> {
    list.iter()
        .map(|t| vec![t.key.clone(), t.count.to_string()])
        .collect()
}

/// The whole report. `origin` is the log's checkpoint origin, for the
/// verify command.
pub fn render(data: &ReportData) -> anyhow::Result<String> {
    let m = &data.metrics;
    let scope = data.region.as_deref().map_or_else(
        || "全省 / whole province".to_owned(),
        |r| format!("{} ({r})", region_name(r)),
    );
    let mut page = Page {
        html: String::with_capacity(200_000),
    };
    let _ = write!(
        page.html,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>专家抽取监督分析报告 {from} – {to}</title><style>{STYLE}</style></head><body>\
<h1>评标专家抽取监督分析报告<br><small>Oversight report on expert draws</small></h1>\
<p>期间 Period: <b>{from}</b> – <b>{to}</b>（北京时间, both days included）<br>范围 Scope: {scope}<br>生成 Generated: {generated} UTC</p>",
        from = data.from,
        to = data.to,
        scope = escape(&scope),
        generated = data.generated_at.format("%Y-%m-%d %H:%M:%S"),
    );

    page.h2("主要指标", "Key figures");
    let rows = vec![
        vec!["抽取次数 draws".into(), m.draws.draws.to_string()],
        vec!["席位 seats filled".into(), m.seats.seats.to_string()],
        vec![
            "专家（库内/有席位） experts (pool / seated)".into(),
            format!("{} / {}", m.seats.experts_counted, m.seats.experts_seated),
        ],
        vec![
            "基尼系数 Gini of seats per expert".into(),
            format!("{:.3}", m.seats.gini),
        ],
        vec![
            "前1%专家席位占比 top 1 % share".into(),
            pct(m.seats.top1_share),
        ],
        vec![
            "前10%专家席位占比 top 10 % share".into(),
            pct(m.seats.top10_share),
        ],
        vec![
            "异地专家席位占比 seats from outside the project's region".into(),
            pct(m.regions.share_outside),
        ],
        vec![
            "同一招标人最长连续 longest streak with one tenderer".into(),
            m.streaks.longest.to_string(),
        ],
        vec![
            "重复同组专家对 pairs together 2+ / 3+ times".into(),
            format!("{} / {}", m.pairs.repeated, m.pairs.at_least_3),
        ],
        vec![
            "预警专家对 pairs flagged".into(),
            m.pairs.flagged.to_string(),
        ],
        vec![
            "不足额抽取 short draws / seats missing".into(),
            format!("{} / {}", m.draws.short, m.draws.missing),
        ],
        vec![
            "放宽条件重抽 relaxations".into(),
            m.draws.relaxations.to_string(),
        ],
        vec![
            "放弃的抽取 abandoned draws".into(),
            m.draws.abandoned.to_string(),
        ],
        vec![
            "拒绝邀请 declines / rate".into(),
            format!("{} / {}", m.declines.declines, pct(m.declines.rate)),
        ],
        vec![
            "密封数据查看 sealed reads".into(),
            m.sealed_reads.reads.to_string(),
        ],
    ];
    page.table(&["指标 metric", "数值 value"], &rows);

    page.h2("席位分布", "Seats per expert");
    page.figure(
        charts::seat_histogram(&m.seats, "Seats per expert (每位专家席位数)"),
        "Experts by the number of seats they held in the period.",
    )?;
    let rows: Vec<Vec<String>> = m
        .seats
        .top
        .iter()
        .map(|e| vec![e.expert.clone(), e.seats.to_string()])
        .collect();
    page.table(&["专家 expert", "席位 seats"], &rows);

    page.h2("地区流向", "Region-to-region flow");
    page.figure(
        charts::flow_matrix(&m.regions, "Seats by project region and expert region"),
        "Rows: the project's region; columns: the expert's region. Red: local seats; blue: seats from another region; darker is a larger share of the row.",
    )?;

    page.h2("同组专家对", "Pairs seen together");
    page.p(&format!(
        "{} panels with two or more seats; {} distinct pairs, {} together twice or more ({} panels shared, {:.1} expected by chance), most panels shared by one pair: {}.",
        m.pairs.panels,
        m.pairs.pairs,
        m.pairs.repeated,
        m.pairs.repeated_together,
        m.pairs.repeated_expected,
        m.pairs.max_together
    ));
    if !m.pairs.top.is_empty() {
        page.figure(
            charts::top_pairs(&m.pairs, "Pairs seen together most (observed vs expected)"),
            "Expected: the sum over panels of both experts' chances of a seat from each draw's statement.",
        )?;
    }
    let rows: Vec<Vec<String>> = m
        .pairs
        .top
        .iter()
        .map(|p| {
            vec![
                format!("{} + {}", p.a, p.b),
                p.together.to_string(),
                format!("{:.2}", p.expected),
                format!("{:.4}", p.p_value),
            ]
        })
        .collect();
    page.table(
        &["专家对 pair", "同组 together", "期望 expected", "p"],
        &rows,
    );

    page.h2("同一招标人", "The same expert with the same tenderer");
    page.p(&format!(
        "{} tenderers; {} (expert, tenderer) pairs with two or more seats; {} streaks of three or more consecutive panels.",
        m.streaks.tenderers, m.streaks.repeated, m.streaks.at_least_3
    ));
    let rows: Vec<Vec<String>> = m
        .streaks
        .top
        .iter()
        .map(|s| {
            vec![
                s.expert.clone(),
                s.tenderer.clone(),
                s.length.to_string(),
                format!("{} – {}", s.from, s.to),
            ]
        })
        .collect();
    page.table(
        &[
            "专家 expert",
            "招标人 tenderer",
            "连续 streak",
            "期间 dates",
        ],
        &rows,
    );

    page.h2("按月趋势", "Trend per month");
    let months: [(&str, &[MonthRow]); 1] = [("seats", &m.months)];
    page.figure(
        charts::monthly(&months, "Seats per month (每月席位)", "seats", |r| {
            r.seats as f64
        }),
        "Seats filled per month.",
    )?;
    let months_outside: [(&str, &[MonthRow]); 1] = [("from outside", &m.months)];
    page.figure(
        charts::monthly(
            &months_outside,
            "Seats from outside the project's region (异地席位占比)",
            "share",
            |r| r.share_outside,
        ),
        "Share of the month's seats held by experts of another region.",
    )?;
    let rows: Vec<Vec<String>> = m
        .months
        .iter()
        .map(|r| {
            vec![
                r.month.clone(),
                r.draws.to_string(),
                r.seats.to_string(),
                pct(r.share_outside),
                format!("{:.3}", r.gini),
                r.declines.to_string(),
            ]
        })
        .collect();
    page.table(
        &[
            "月份 month",
            "抽取 draws",
            "席位 seats",
            "异地 outside",
            "Gini",
            "拒绝 declines",
        ],
        &rows,
    );

    page.h2("抽取异常", "Shortfalls, relaxations, abandoned draws");
    page.table(
        &[
            "不足额 short",
            "缺额 missing",
            "放宽 relaxed",
            "有上级抽取 with parent",
            "放弃 abandoned",
        ],
        &[vec![
            m.draws.short.to_string(),
            m.draws.missing.to_string(),
            m.draws.relaxations.to_string(),
            m.draws.with_parent.to_string(),
            m.draws.abandoned.to_string(),
        ]],
    );

    page.h2("拒绝邀请", "Declines");
    page.table(
        &["原因 reason", "次数 count"],
        &tallies(&m.declines.by_reason),
    );
    page.table(
        &["专家 expert", "次数 count"],
        &tallies(&m.declines.top_experts),
    );

    page.h2("密封数据查看", "Reads of sealed data");
    page.table(
        &["查看者 actor", "次数 reads"],
        &tallies(&m.sealed_reads.by_actor),
    );

    page.h2("预警信号", "Flags from the signals");
    page.p(&format!(
        "Score deviation: {} experts flagged; same company first against the panel: {}; pairs beyond what the draws explain: {}.",
        data.deviations.len(),
        data.favourites.len(),
        data.pair_flags.len()
    ));
    let rows: Vec<Vec<String>> = data
        .deviations
        .iter()
        .map(|d| {
            vec![
                d.expert_id.clone(),
                d.evaluations.to_string(),
                format!("{:.2}", d.mean_abs_deviation),
            ]
        })
        .collect();
    page.table(
        &[
            "专家 expert",
            "评标次数 evaluations",
            "平均偏离 mean |deviation|",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = data
        .favourites
        .iter()
        .map(|f| {
            vec![
                f.expert_id.clone(),
                f.bidder_id.clone(),
                format!("{} / {}", f.times, f.opportunities),
            ]
        })
        .collect();
    page.table(&["专家 expert", "投标人 bidder", "次数 times"], &rows);
    let rows: Vec<Vec<String>> = data
        .pair_flags
        .iter()
        .map(|p| {
            vec![
                format!("{} + {}", p.a, p.b),
                p.together.to_string(),
                format!("{:.2}", p.expected),
                format!("{:.2e}", p.p_value),
            ]
        })
        .collect();
    page.table(
        &["专家对 pair", "同组 together", "期望 expected", "p"],
        &rows,
    );

    page.h2("处理决定", "Sanctions decided");
    let rows: Vec<Vec<String>> = data
        .sanctions
        .iter()
        .map(|s| {
            vec![
                s.case_no.clone(),
                s.expert_id.clone(),
                s.decided_on.map(|d| d.to_string()).unwrap_or_default(),
                s.outcome.clone(),
                s.stage.clone(),
            ]
        })
        .collect();
    page.table(
        &[
            "案号 case",
            "专家 expert",
            "决定日 decided",
            "决定 outcome",
            "阶段 stage",
        ],
        &rows,
    );

    page.h2(
        "日志检查点",
        "The log's checkpoint at the end of the period",
    );
    match &data.checkpoint {
        Some((size, note)) => {
            let _ = write!(
                page.html,
                "<p>checkpoint: tree size {size}</p><pre>{}</pre>",
                escape(note)
            );
            let _ = write!(
                page.html,
                "<p>Check it offline (保存上面的检查点为 cp.txt):</p><pre>curl -s \"$SERVER/api/v1/audit/export?to={size}\" -H \"Authorization: Bearer $T\" &gt; log.jsonl\n\
draw-audit verify --export log.jsonl --vkey @log.vkey --checkpoint cp.txt</pre>"
            );
        }
        None => page.p("No checkpoint was kept before the end of the period."),
    }
    page.html.push_str("</body></html>\n");
    Ok(page.html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{Province, SimPolicy, run};
    use chrono::{NaiveDate, TimeZone, Utc};
    use expert_core::oversight::{MetricsOptions, metrics};

    /// The report of a simulated half-year (January to June): every
    /// section, its numbers, real SVG charts and the checkpoint.
    #[test]
    fn a_simulated_half_year() {
        let province = Province::generate(3, 500, 1_200, 2026);
        let mut records = run(&province, SimPolicy::system_default(), 3).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        records.seats.retain(|s| s.date <= end);
        records.draws.retain(|d| d.date <= end);
        records.declines.retain(|d| d.date <= end);
        let m = metrics(&records, &MetricsOptions::default());
        let note = "expert-draw.local/log\n4242\nq0bnYz1bbIY0nHBNQsnGxTlY3ZxDOA8VhLj1lQwVHlk=\n\n— expert-draw.local/log AAAA\n";
        let data = ReportData {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: end,
            region: None,
            generated_at: Utc.with_ymd_and_hms(2026, 7, 1, 2, 0, 0).unwrap(),
            metrics: m.clone(),
            deviations: vec![],
            favourites: vec![],
            pair_flags: vec![],
            sanctions: vec![],
            checkpoint: Some((4242, note.to_owned())),
        };
        let html = render(&data).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("2026-01-01") && html.contains("2026-06-30"));
        // The figures as the metrics give them.
        for figure in [
            format!("{:.3}", m.seats.gini),
            pct(m.seats.top1_share),
            pct(m.regions.share_outside),
            m.seats.seats.to_string(),
            m.draws.draws.to_string(),
        ] {
            assert!(html.contains(&figure), "missing {figure}");
        }
        // Six months in the trend table.
        for month in ["2026-01", "2026-03", "2026-06"] {
            assert!(html.contains(&format!("<td>{month}</td>")), "{month}");
        }
        assert!(!html.contains("<td>2026-07</td>"));
        // Charts are plotters' SVG, inline: histogram bars, flow cells,
        // trend lines.
        assert!(html.matches("<svg").count() >= 5, "charts");
        assert!(html.matches("<rect").count() > 50);
        assert!(html.contains("<polyline") || html.contains("<path"));
        assert!(!html.contains("<?xml"));
        assert!(html.contains("武汉"), "region names in the flow matrix");
        // The checkpoint and the offline check.
        assert!(html.contains("tree size 4242"));
        assert!(html.contains("q0bnYz1bbIY0nHBNQsnGxTlY3ZxDOA8VhLj1lQwVHlk="));
        assert!(html.contains("draw-audit verify --export log.jsonl --vkey @log.vkey"));
        assert!(html.contains("audit/export?to=4242"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
