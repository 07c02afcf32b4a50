//! The oversight charts, drawn by `plotters` into SVG strings: seats per
//! expert, Lorenz curves, the region-to-region flow matrix, the pairs seen
//! together most often, and the figures per month.

use std::path::Path;

use anyhow::Context as _;
use expert_core::oversight::{
    MonthRow, PairCooccurrence, RegionFlow, SeatDistribution, flow_regions,
};
use expert_core::reference::Regions;
use plotters::prelude::*;

use crate::simulate::Outcome;

/// One colour per series, readable on white and in grey print.
const SERIES: [RGBColor; 4] = [
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x1f, 0x6f, 0xb4),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0x8e, 0x44, 0xad),
];

fn colour(i: usize) -> RGBColor {
    SERIES.get(i % SERIES.len()).copied().unwrap_or(BLACK)
}

fn fail<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart: {e:?}")
}

const FONT: &str = "sans-serif";

/// A region's short name (武汉 for 武汉市), or its code.
pub fn region_name(code: &str) -> String {
    Regions::builtin().get(code).map_or_else(
        || code.to_owned(),
        |r| {
            let n = r.name.as_str();
            n.strip_suffix('市')
                .or_else(|| n.strip_suffix("土家族苗族自治州"))
                .or_else(|| n.strip_suffix("林区"))
                .unwrap_or(n)
                .to_owned()
        },
    )
}

/// Experts by seats held: one bar per seat count (zero included when the
/// pool is known).
pub fn seat_histogram(d: &SeatDistribution, title: &str) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let max_seats = d.histogram.last().map_or(1, |h| h.0) + 1;
        let max_experts = d.histogram.iter().map(|h| h.1).max().unwrap_or(1) + 1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0u32..max_seats, 0u32..max_experts)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_desc("seats held (席位数)")
            .y_desc("experts (专家数)")
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(d.histogram.iter().map(|&(seats, experts)| {
                Rectangle::new([(seats, 0), (seats + 1, experts)], colour(1).filled())
            }))
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// The Lorenz curve of `d`: share of seats held by the lowest share of
/// experts, from the histogram.
fn lorenz_points(d: &SeatDistribution) -> Vec<(f64, f64)> {
    let experts: f64 = d.histogram.iter().map(|h| f64::from(h.1)).sum();
    let seats: f64 = d
        .histogram
        .iter()
        .map(|h| f64::from(h.0) * f64::from(h.1))
        .sum();
    let mut points = vec![(0.0, 0.0)];
    let (mut x, mut y) = (0.0, 0.0);
    for &(k, n) in &d.histogram {
        x += f64::from(n);
        y += f64::from(k) * f64::from(n);
        if experts > 0.0 && seats > 0.0 {
            points.push((x / experts, y / seats));
        }
    }
    points
}

/// Lorenz curves of several distributions with the line of equality.
pub fn lorenz(series: &[(&str, &SeatDistribution)]) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Lorenz curve of seats (席位洛伦兹曲线)", (FONT, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_desc("share of experts, fewest seats first")
            .y_desc("share of seats")
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.4)))
            .map_err(fail)?
            .label("equality")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.4)));
        for (i, (name, d)) in series.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(lorenz_points(d), c.stroke_width(2)))
                .map_err(fail)?
                .label(format!("{name} (Gini {:.3})", d.gini))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], c.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// The flow matrix: rows are project regions, columns expert regions,
/// each cell shaded by the share of the row's seats.
pub fn flow_matrix(flow: &RegionFlow, title: &str) -> anyhow::Result<String> {
    let regions = flow_regions(flow);
    let n = u32::try_from(regions.len()).unwrap_or(0).max(1);
    let index = |code: &str| {
        regions
            .iter()
            .position(|r| r == code)
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or(0)
    };
    let mut row_total = vec![0u64; regions.len()];
    for c in &flow.flow {
        if let Some(t) = row_total.get_mut(index(&c.project_region) as usize) {
            *t += c.seats;
        }
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 680)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let names = regions.clone();
        let label = move |v: &u32| {
            names
                .get(*v as usize)
                .map(|c| region_name(c))
                .unwrap_or_default()
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(70)
            .y_label_area_size(70)
            .build_cartesian_2d(0u32..n, 0u32..n)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n as usize)
            .y_labels(n as usize)
            .x_label_formatter(&label)
            .y_label_formatter(&label)
            .x_desc("expert's region (专家所在地)")
            .y_desc("project's region (项目所在地)")
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(flow.flow.iter().map(|c| {
                let (row, col) = (index(&c.project_region), index(&c.expert_region));
                let total = row_total.get(row as usize).copied().unwrap_or(1).max(1);
                let share = c.seats as f64 / total as f64;
                let colour = if row == col { colour(0) } else { colour(1) };
                // At least a tint, so a cell with a seat is never invisible.
                Rectangle::new(
                    [(col, row), (col + 1, row + 1)],
                    colour.mix(0.08 + 0.92 * share.sqrt()).filled(),
                )
            }))
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// The pairs seen together most often: observed panels against the
/// expected count.
pub fn top_pairs(pairs: &PairCooccurrence, title: &str) -> anyhow::Result<String> {
    let shown: Vec<_> = pairs.top.iter().take(10).collect();
    let n = u32::try_from(shown.len()).unwrap_or(0).max(1);
    let max = shown
        .iter()
        .map(|p| f64::from(p.together).max(p.expected))
        .fold(1.0, f64::max)
        * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let labels: Vec<String> = shown.iter().map(|p| format!("{}+{}", p.a, p.b)).collect();
        let label = move |v: &u32| labels.get(*v as usize).cloned().unwrap_or_default();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(150)
            .build_cartesian_2d(0f64..max, 0u32..n)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&label)
            .x_desc("panels shared (observed bar, expected mark)")
            .draw()
            .map_err(fail)?;
        chart
            .draw_series(shown.iter().enumerate().map(|(i, p)| {
                let y = u32::try_from(i).unwrap_or(0);
                Rectangle::new(
                    [(0.0, y), (f64::from(p.together), y + 1)],
                    colour(0).filled(),
                )
            }))
            .map_err(fail)?
            .label("observed")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], colour(0).filled()));
        chart
            .draw_series(shown.iter().enumerate().map(|(i, p)| {
                let y = u32::try_from(i).unwrap_or(0);
                Rectangle::new([(0.0, y), (p.expected, y + 1)], BLACK.mix(0.35).filled())
            }))
            .map_err(fail)?
            .label("expected by chance")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 15, y + 5)], BLACK.mix(0.35).filled())
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// One figure per month for several series (`value` picks it).
pub fn monthly(
    series: &[(&str, &[MonthRow])],
    title: &str,
    y_desc: &str,
    value: fn(&MonthRow) -> f64,
) -> anyhow::Result<String> {
    let months: Vec<String> = series
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| r.month.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let n = u32::try_from(months.len()).unwrap_or(0).max(1);
    let max = series
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(value))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let labels = months.clone();
        let label = move |v: &u32| labels.get(*v as usize).cloned().unwrap_or_default();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0u32..n, 0f64..max)
            .map_err(fail)?;
        chart
            .configure_mesh()
            .x_labels(n as usize)
            .x_label_formatter(&label)
            .y_desc(y_desc)
            .draw()
            .map_err(fail)?;
        for (i, (name, rows)) in series.iter().enumerate() {
            let c = colour(i);
            let points: Vec<(u32, f64)> = rows
                .iter()
                .filter_map(|r| {
                    let x = months.iter().position(|m| *m == r.month)?;
                    Some((u32::try_from(x).ok()?, value(r)))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
                .map_err(fail)?
                .label(*name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], c.stroke_width(2)));
            chart
                .draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))
                .map_err(fail)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// The simulation's charts, one file each, for `docs/FAIRNESS.md`.
pub fn write_comparison(dir: &Path, outcomes: &[Outcome]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, svg: String| {
        let path = dir.join(name);
        std::fs::write(&path, svg).with_context(|| format!("cannot write {}", path.display()))
    };
    let seats: Vec<(&str, &SeatDistribution)> = outcomes
        .iter()
        .map(|o| (o.policy.name.as_str(), &o.metrics.seats))
        .collect();
    write("lorenz.svg", lorenz(&seats)?)?;
    let months: Vec<(&str, &[MonthRow])> = outcomes
        .iter()
        .map(|o| (o.policy.name.as_str(), o.metrics.months.as_slice()))
        .collect();
    write(
        "months-outside.svg",
        monthly(
            &months,
            "Seats from outside the project's region, per month",
            "share of seats",
            |r| r.share_outside,
        )?,
    )?;
    write(
        "months-gini.svg",
        monthly(&months, "Gini of seats per month", "Gini", |r| r.gini)?,
    )?;
    for (i, o) in outcomes.iter().enumerate() {
        let tag = if i == 0 { "plain" } else { "default" };
        let name = &o.policy.name;
        write(
            &format!("seats-{tag}.svg"),
            seat_histogram(&o.metrics.seats, &format!("Seats per expert: {name}"))?,
        )?;
        write(
            &format!("flow-{tag}.svg"),
            flow_matrix(
                &o.metrics.regions,
                &format!("Where seats come from: {name}"),
            )?,
        )?;
        write(
            &format!("pairs-{tag}.svg"),
            top_pairs(
                &o.metrics.pairs,
                &format!("Pairs seen together most: {name}"),
            )?,
        )?;
    }
    Ok(())
}
