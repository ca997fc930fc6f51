//! `cutover bench`: the performance benchmark method. Legacy and Dagger runs
//! are interleaved (A B A B …) so drift in the machine's load affects both
//! sides alike; warm-up runs are discarded; the result states both sides'
//! distributions, the ratio of medians with its 95% bootstrap interval and a
//! Mann-Whitney p-value, as a Markdown report with an SVG plot.

mod plot;
mod run;

pub use plot::bench_svg;
pub use run::{BenchError, BenchResult, SideStats, bench_markdown, run_benchmark};
