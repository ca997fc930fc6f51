//! The latest benchmark of each component as the success-criteria
//! document shows it: the ratio of medians with its interval, the p-value,
//! the verdict against the component's `not_slower` margin, and a compact
//! plot of every interval against 1 and its margin (`<!-- chart: benchmarks -->`).

use std::fmt::Write;

use serde::Serialize;

use crate::criteria::{Expr, Verdict};
use crate::gate::gate_criteria;
use crate::spec::{Component, Migration};
use crate::store::BenchmarkRecord;
use crate::units::{human_duration, local_time};

/// One component's latest benchmark, in words and numbers.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkDoc {
    /// Component.
    pub component: String,
    /// When, in the migration's time zone.
    pub at: String,
    /// `dry runs` (side effects) or `real runs`.
    pub timed: &'static str,
    /// Measured executions per side: `10 / 10`.
    pub runs: String,
    /// Median durations: `1.2 s → 1.1 s` (legacy → Dagger).
    pub medians: String,
    /// median(Dagger) / median(legacy).
    pub ratio: Option<f64>,
    /// Its 95% interval.
    pub interval: Option<(f64, f64)>,
    /// Mann-Whitney p-value.
    pub p_value: Option<f64>,
    /// The margin `not_slower` allows (0.2 = 20%), when the gate has one.
    pub margin: Option<f64>,
    /// `pass`, `fail` or `inconclusive` against the margin; `no margin`.
    pub verdict: &'static str,
    /// The benchmarked Dagger implementation, shortened, and whether it is
    /// the current one: `3fa2c1d0e4b5 (current)`.
    pub implementation: String,
}

/// The document view of `record`, judged against `component`'s gate in `phase`.
pub fn benchmark_doc(
    migration: &Migration,
    component: &Component,
    phase: u32,
    record: &BenchmarkRecord,
    current: Option<&str>,
) -> BenchmarkDoc {
    let margin = gate_criteria(migration, component, phase)
        .into_iter()
        .find_map(|(criterion, _)| match criterion.expr {
            Expr::NotSlower { margin, .. } => Some(margin),
            _ => None,
        });
    let interval = record.ratio_low.zip(record.ratio_high);
    let verdict = match (margin, interval) {
        (None, _) => "no margin",
        (Some(_), None) => Verdict::Inconclusive.as_str(),
        (Some(margin), Some((_, high))) if high <= 1.0 + margin => Verdict::Pass.as_str(),
        (Some(margin), Some((low, _))) if low > 1.0 + margin => Verdict::Fail.as_str(),
        (Some(_), Some(_)) => Verdict::Inconclusive.as_str(),
    };
    let median = |value: Option<f64>| value.map_or_else(|| "–".to_owned(), human_duration);
    let implementation = match (&record.implementation, current) {
        (Some(digest), Some(now)) if digest == now => format!("{} (current)", short(digest)),
        (Some(digest), _) => format!("{} (an earlier one)", short(digest)),
        (None, _) => "not recorded".to_owned(),
    };
    BenchmarkDoc {
        component: component.id.clone(),
        at: local_time(record.at, &migration.timezone),
        timed: if record.dry_runs {
            "dry runs"
        } else {
            "real runs"
        },
        runs: format!("{} / {}", record.legacy_runs, record.dagger_runs),
        medians: format!(
            "{} → {}",
            median(record.legacy_median),
            median(record.dagger_median)
        ),
        ratio: record.ratio,
        interval,
        p_value: record.p_value,
        margin,
        verdict,
        implementation,
    }
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

const WIDTH: f64 = 900.0;
const LABELS: f64 = 190.0;
const RIGHT: f64 = 30.0;
const ROW: f64 = 28.0;
const TOP: f64 = 24.0;

/// Every benchmarked component's ratio interval on one axis, with a line
/// at 1 (equal speed) and a tick at its margin; `None` without any ratio.
pub fn benchmark_svg(benchmarks: &[BenchmarkDoc]) -> Option<String> {
    let rows: Vec<&BenchmarkDoc> = benchmarks.iter().filter(|b| b.ratio.is_some()).collect();
    if rows.is_empty() {
        return None;
    }
    let highest = rows
        .iter()
        .flat_map(|b| [b.interval.map(|i| i.1), b.margin.map(|m| 1.0 + m), b.ratio])
        .flatten()
        .fold(1.0f64, f64::max);
    let max = (highest * 1.15).max(1.2);
    let x = |value: f64| LABELS + value.clamp(0.0, max) / max * (WIDTH - LABELS - RIGHT);
    let height = TOP + ROW * rows.len() as f64 + 44.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12" role="img" aria-label="Benchmark ratios of Dagger to legacy with their 95% intervals">"#
    );
    let axis_bottom = TOP + ROW * rows.len() as f64;
    let _ = write!(
        svg,
        r##"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{axis_bottom}" stroke="#333" stroke-dasharray="4 3"/><text x="{0:.1}" y="16" text-anchor="middle">1 (equal)</text>"##,
        x(1.0)
    );
    for (index, row) in rows.iter().enumerate() {
        let y = TOP + ROW * index as f64 + ROW / 2.0;
        let colour = if row.verdict == Verdict::Pass.as_str() {
            "#2e7d32"
        } else if row.verdict == Verdict::Fail.as_str() {
            "#c62828"
        } else {
            "#555"
        };
        let _ = write!(
            svg,
            r#"<text x="8" y="{:.1}">{}</text>"#,
            y + 4.0,
            row.component
        );
        if let Some((low, high)) = row.interval {
            let _ = write!(
                svg,
                r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="3"/>"#,
                x(low),
                x(high)
            );
        }
        if let Some(ratio) = row.ratio {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{y:.1}" r="5" fill="{colour}"/>"#,
                x(ratio)
            );
        }
        if let Some(margin) = row.margin {
            let _ = write!(
                svg,
                r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#c62828" stroke-width="2"/>"##,
                x(1.0 + margin),
                y - 9.0,
                y + 9.0
            );
        }
    }
    for tick in 0..=4 {
        let value = max * f64::from(tick) / 4.0;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">×{value:.2}</text>"##,
            x(value),
            axis_bottom + 16.0
        );
    }
    let _ = write!(
        svg,
        r##"<text x="8" y="{:.1}" fill="#555">dot: median(Dagger) / median(legacy); bar: 95% interval (green: within the not_slower margin, red: beyond it); red tick: the margin</text></svg>"##,
        axis_bottom + 36.0
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(verdict: &'static str, ratio: f64) -> BenchmarkDoc {
        BenchmarkDoc {
            component: "build".into(),
            at: String::new(),
            timed: "real runs",
            runs: "10 / 10".into(),
            medians: String::new(),
            ratio: Some(ratio),
            interval: Some((ratio - 0.1, ratio + 0.1)),
            p_value: Some(0.5),
            margin: Some(0.2),
            verdict,
            implementation: String::new(),
        }
    }

    #[test]
    fn the_plot_draws_each_interval_and_margin() {
        let svg = benchmark_svg(&[doc("pass", 1.0), doc("fail", 1.5)]).expect("plot");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("#2e7d32") && svg.contains("#c62828"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(benchmark_svg(&[]), None);
    }
}
