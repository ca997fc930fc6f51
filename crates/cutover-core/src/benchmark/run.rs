//! Running a benchmark and summarizing it.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::criteria::stats::{
    RatioInterval, mann_whitney, mean, median_ratio_interval, quantile, std_dev,
};
use crate::exec::{SideCommand, SideOutcome, run_side, secret_values};
use crate::lifecycle::Side;
use crate::spec::Component;
use crate::store::BenchmarkRecord;

/// Why a benchmark cannot run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A side is missing from the spec.
    #[error("`{component}` has no `{side}.run` to benchmark")]
    MissingSide {
        /// Component.
        component: String,
        /// Side.
        side: Side,
    },
    /// Benchmarking would repeat side effects.
    #[error(
        "`{component}` has side effects; benchmarking would perform them again and again, and `{side}.shadow_run` is not set"
    )]
    SideEffects {
        /// Component.
        component: String,
        /// Side without a dry run.
        side: Side,
    },
    /// Zero measured runs.
    #[error("--runs must be at least 1")]
    NoRuns,
}

/// Descriptive statistics of one side (seconds).
#[derive(Debug, Clone, Serialize)]
pub struct SideStats {
    /// Measured runs.
    pub n: usize,
    /// Failed runs (measured anyway).
    pub failures: usize,
    /// Fastest.
    pub min: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 95th percentile (type 7).
    pub p95: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub std_dev: Option<f64>,
}

impl SideStats {
    fn of(samples: &[f64], failures: usize) -> Self {
        SideStats {
            n: samples.len(),
            failures,
            min: samples.iter().copied().reduce(f64::min),
            median: quantile(samples, 0.5),
            p95: quantile(samples, 0.95),
            mean: mean(samples),
            std_dev: std_dev(samples),
        }
    }
}

/// A finished benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    /// Component.
    pub component: String,
    /// Warm-up runs per side (discarded).
    pub warmup: u32,
    /// Legacy durations (s), in run order.
    pub legacy: Vec<f64>,
    /// Dagger durations (s), in run order.
    pub dagger: Vec<f64>,
    /// Legacy statistics.
    pub legacy_stats: SideStats,
    /// Dagger statistics.
    pub dagger_stats: SideStats,
    /// Ratio of medians (dagger/legacy) with its 95% interval.
    pub ratio: Option<RatioSummary>,
    /// Two-sided Mann-Whitney p-value.
    pub p_value: Option<f64>,
    /// Whether the dry runs (`shadow_run`) were timed: the component has
    /// side effects, so its real runs are never benchmarked.
    pub dry_runs: bool,
    /// Every measured execution: side, duration, exit code (for recording).
    #[serde(skip)]
    pub executions: Vec<(Side, Duration, i32)>,
}

/// Serializable ratio interval.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RatioSummary {
    /// Point estimate.
    pub ratio: f64,
    /// Lower 95% bound.
    pub low: f64,
    /// Upper 95% bound.
    pub high: f64,
}

impl From<RatioInterval> for RatioSummary {
    fn from(r: RatioInterval) -> Self {
        RatioSummary {
            ratio: r.ratio,
            low: r.low,
            high: r.high,
        }
    }
}

/// Runs `warmup` + `runs` interleaved pairs; `progress(done, total)` after each execution.
pub fn run_benchmark(
    component: &Component,
    base_dir: &Path,
    work_dir: &Path,
    runs: u32,
    warmup: u32,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BenchResult, BenchError> {
    if runs == 0 {
        return Err(BenchError::NoRuns);
    }
    let commands = [
        command_for(component, Side::Legacy)?,
        command_for(component, Side::Dagger)?,
    ];
    // Benchmark captures land under the state directory: redacted like runs.
    let redact = secret_values([component]);
    let total = u64::from(runs + warmup) * 2;
    let mut done = 0;
    let (mut legacy, mut dagger, mut failures, mut executions) =
        (Vec::new(), Vec::new(), [0usize; 2], Vec::new());
    for round in 0..(runs + warmup) {
        for (index, side) in [Side::Legacy, Side::Dagger].into_iter().enumerate() {
            let dir = work_dir.join(format!("{round}-{side}"));
            let _ = std::fs::create_dir_all(dir.join("out"));
            let execution = run_side(&SideCommand {
                line: commands[index].clone(),
                working_dir: base_dir.to_owned(),
                env: vec![
                    ("CUTOVER_SIDE".into(), side.as_str().into()),
                    ("CUTOVER_COMPONENT".into(), component.id.clone()),
                    ("CUTOVER_OUT".into(), dir.join("out").display().to_string()),
                ],
                stdout_file: Some(dir.join("stdout")),
                stderr_file: Some(dir.join("stderr")),
                live: false,
                timeout: component.timeout.map(|t| Duration::from_secs(t.seconds)),
                redact: redact.clone(),
            });
            done += 1;
            progress(done, total);
            if round < warmup {
                continue;
            }
            let seconds = execution.duration.as_secs_f64();
            if !matches!(execution.outcome, SideOutcome::Succeeded) {
                failures[index] += 1;
            }
            executions.push((side, execution.duration, execution.outcome.exit_code()));
            if side == Side::Legacy {
                legacy.push(seconds)
            } else {
                dagger.push(seconds)
            }
        }
    }
    Ok(BenchResult {
        component: component.id.clone(),
        warmup,
        legacy_stats: SideStats::of(&legacy, failures[0]),
        dagger_stats: SideStats::of(&dagger, failures[1]),
        ratio: median_ratio_interval(&legacy, &dagger, 0.95).map(Into::into),
        p_value: mann_whitney(&dagger, &legacy).map(|m| m.p_two_sided),
        legacy,
        dagger,
        dry_runs: component.side_effects,
        executions,
    })
}

impl BenchResult {
    /// What the store keeps of it (see [`crate::store::Store::record_benchmark`]):
    /// medians, the ratio with its interval, the p-value and the sample
    /// counts, for the Dagger implementation `implementation` digests.
    pub fn summary(&self, implementation: Option<String>) -> BenchmarkRecord {
        BenchmarkRecord {
            component: self.component.clone(),
            at: jiff::Timestamp::now(),
            implementation,
            dry_runs: self.dry_runs,
            legacy_runs: u32::try_from(self.legacy.len()).unwrap_or(u32::MAX),
            dagger_runs: u32::try_from(self.dagger.len()).unwrap_or(u32::MAX),
            legacy_median: self.legacy_stats.median,
            dagger_median: self.dagger_stats.median,
            ratio: self.ratio.map(|r| r.ratio),
            ratio_low: self.ratio.map(|r| r.low),
            ratio_high: self.ratio.map(|r| r.high),
            p_value: self.p_value,
        }
    }
}

fn command_for(component: &Component, side: Side) -> Result<String, BenchError> {
    let implementation = match side {
        Side::Legacy => component.legacy.as_ref(),
        Side::Dagger => component.dagger.as_ref(),
    }
    .ok_or_else(|| BenchError::MissingSide {
        component: component.id.clone(),
        side,
    })?;
    match (component.side_effects, &implementation.shadow_run) {
        (false, _) => Ok(implementation.run.clone()),
        (true, Some(dry_run)) => Ok(dry_run.clone()),
        (true, None) => Err(BenchError::SideEffects {
            component: component.id.clone(),
            side,
        }),
    }
}

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.3} s"))
}

/// The benchmark as a Markdown report (the plot is referenced as `plot`).
pub fn bench_markdown(result: &BenchResult, plot: &str) -> String {
    let mut text = format!("# Benchmark: `{}`\n\n", result.component);
    text.push_str(&format!(
        "Method: {} interleaved legacy/Dagger pairs (A B A B …, so load drift hits both sides alike) after {} discarded warm-up pair{}. \
         Durations are wall time of each side's command. Ratio = median(Dagger) / median(legacy), with a 95% percentile-bootstrap \
         interval (2,000 resamples, fixed seed); p-value from a two-sided Mann-Whitney U test (normal approximation with tie and continuity correction).\n\n",
        result.legacy.len().max(result.dagger.len()),
        result.warmup,
        if result.warmup == 1 { "" } else { "s" }
    ));
    if result.dry_runs {
        text.push_str("Timed: each side's dry run (`shadow_run`), not its real run: the component has side effects.\n\n");
    }
    text.push_str("| Side | Runs | Failures | Min | Median | p95 | Mean | Std dev |\n|---|---|---|---|---|---|---|---|\n");
    for (name, stats) in [
        ("legacy", &result.legacy_stats),
        ("dagger", &result.dagger_stats),
    ] {
        text.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |\n",
            stats.n,
            stats.failures,
            seconds(stats.min),
            seconds(stats.median),
            seconds(stats.p95),
            seconds(stats.mean),
            seconds(stats.std_dev)
        ));
    }
    text.push('\n');
    match result.ratio {
        Some(r) => text.push_str(&format!(
            "**Ratio (Dagger / legacy):** {:.3} (95% CI {:.3}–{:.3}) — Dagger is {} by {:.1}%.\n\n",
            r.ratio,
            r.low,
            r.high,
            if r.ratio > 1.0 { "slower" } else { "faster" },
            (r.ratio - 1.0).abs() * 100.0
        )),
        None => text.push_str("**Ratio:** not enough runs (at least 5 per side).\n\n"),
    }
    if let Some(p) = result.p_value {
        text.push_str(&format!(
            "**Mann-Whitney p-value:** {p:.4} ({}).\n\n",
            if p < 0.05 {
                "the difference is significant at 5%"
            } else {
                "no significant difference at 5%"
            }
        ));
    }
    text.push_str(&format!("![Distribution of durations]({plot})\n"));
    text
}
