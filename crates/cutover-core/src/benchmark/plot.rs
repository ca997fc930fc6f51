//! SVG plot of a benchmark: each side's durations as dots on a common axis,
//! with a box from the 25th to the 75th percentile and a line at the median.

use std::fmt::Write;

use super::run::BenchResult;
use crate::criteria::stats::quantile;

const WIDTH: f64 = 720.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;

/// The plot as a standalone SVG document.
pub fn bench_svg(result: &BenchResult) -> String {
    let all = result.legacy.iter().chain(&result.dagger).copied();
    let max = all.clone().fold(0.0f64, f64::max).max(1e-3) * 1.05;
    let x = |value: f64| LEFT + value / max * (WIDTH - LEFT - RIGHT);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="200" viewBox="0 0 {WIDTH} 200" font-family="sans-serif" font-size="11" role="img" aria-label="Durations of legacy and Dagger runs">"#
    );
    for (row, (name, samples, colour)) in [
        ("legacy", &result.legacy, "#4e79a7"),
        ("dagger", &result.dagger, "#f28e2b"),
    ]
    .into_iter()
    .enumerate()
    {
        let y = 40.0 + row as f64 * 60.0;
        let _ = write!(svg, r#"<text x="8" y="{:.0}">{name}</text>"#, y + 4.0);
        if let (Some(q1), Some(median), Some(q3)) = (
            quantile(samples, 0.25),
            quantile(samples, 0.5),
            quantile(samples, 0.75),
        ) {
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{:.0}" width="{:.1}" height="24" fill="none" stroke="#555"/><line x1="{2:.1}" y1="{1:.0}" x2="{2:.1}" y2="{3:.0}" stroke="#000" stroke-width="2"/>"##,
                x(q1),
                y - 12.0,
                (x(q3) - x(q1)).max(1.0),
                y + 12.0
            );
            let _ = write!(
                svg,
                r##"<line x1="{:.1}" y1="{:.0}" x2="{0:.1}" y2="{:.0}" stroke="#000" stroke-width="2"/>"##,
                x(median),
                y - 12.0,
                y + 12.0
            );
        }
        for (i, value) in samples.iter().enumerate() {
            let jitter = ((i * 37) % 17) as f64 - 8.0;
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}" fill-opacity="0.7"/>"#,
                x(*value),
                y + jitter
            );
        }
    }
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="160" x2="{:.0}" y2="160" stroke="#333"/>"##,
        WIDTH - RIGHT
    );
    for tick in 0..=4 {
        let value = max * f64::from(tick) / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{0:.1}" y1="160" x2="{0:.1}" y2="165" stroke="#333"/><text x="{0:.1}" y="178" text-anchor="middle">{1:.3} s</text>"##,
            x(value),
            value
        );
    }
    svg.push_str(r##"<text x="8" y="195" fill="#555">box: 25th–75th percentile; bar: median; dots: runs</text></svg>"##);
    svg
}
