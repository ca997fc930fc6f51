//! What shadow mode will cost, from runs already recorded: how often the
//! component runs, how long each side takes (median and P90), how many runs
//! overlap, CI minutes per week now, and the extra minutes and wall time
//! once both sides run. Without recorded runs there is no forecast.

use serde::Serialize;

use crate::criteria::stats::quantile;
use crate::store::{Store, StoreError};

/// Most runs read per component.
const MAX_RUNS: u32 = 100_000;

/// The forecast for one component.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    /// Runs recorded.
    pub runs: usize,
    /// Runs per week over the recorded span (at least one day).
    pub runs_per_week: f64,
    /// Most runs that were in flight at once.
    pub max_concurrency: usize,
    /// Legacy side durations.
    pub legacy: Option<SideForecast>,
    /// Dagger side durations (when it has run).
    pub dagger: Option<SideForecast>,
    /// CI minutes per week spent on the legacy side today.
    pub ci_minutes_per_week: f64,
    /// Extra CI minutes per week once both sides run (shadow).
    pub shadow_extra_minutes_per_week: f64,
    /// Extra wall time per run in shadow, seconds (the slower side decides).
    pub shadow_extra_wall_seconds: f64,
}

/// Durations of one side.
#[derive(Debug, Clone, Serialize)]
pub struct SideForecast {
    /// Executions.
    pub executions: usize,
    /// Median duration, seconds.
    pub median_seconds: f64,
    /// 90th percentile duration, seconds.
    pub p90_seconds: f64,
}

/// The forecast from `component`'s recorded runs, or `None` without runs.
pub fn forecast(store: &Store, component: &str) -> Result<Option<Forecast>, StoreError> {
    let runs = store.recent_runs(component, MAX_RUNS)?;
    if runs.is_empty() {
        return Ok(None);
    }
    let samples = store.window_samples(component, None)?;
    let side = |durations: &[f64]| -> Option<SideForecast> {
        Some(SideForecast {
            executions: durations.len(),
            median_seconds: quantile(durations, 0.5)?,
            p90_seconds: quantile(durations, 0.9)?,
        })
    };
    let legacy = side(&samples.legacy.durations);
    let dagger = side(&samples.dagger.durations);
    let intervals: Vec<(i64, i64)> = runs
        .iter()
        .map(|r| {
            let start = r.started_at.as_millisecond();
            let end = r.finished_at.map_or(start, |t| t.as_millisecond());
            (start, end.max(start))
        })
        .collect();
    let span_days = span_days(&intervals);
    #[expect(clippy::cast_precision_loss, reason = "run counts are far below 2^52")]
    let runs_per_week = runs.len() as f64 / span_days * 7.0;
    let legacy_median = legacy.as_ref().map_or(0.0, |s| s.median_seconds);
    let dagger_median = dagger.as_ref().map_or(legacy_median, |s| s.median_seconds);
    Ok(Some(Forecast {
        runs: runs.len(),
        runs_per_week: round(runs_per_week),
        max_concurrency: max_concurrency(&intervals),
        legacy,
        dagger,
        ci_minutes_per_week: round(runs_per_week * legacy_median / 60.0),
        shadow_extra_minutes_per_week: round(runs_per_week * dagger_median / 60.0),
        shadow_extra_wall_seconds: round((dagger_median - legacy_median).max(0.0)),
    }))
}

fn span_days(intervals: &[(i64, i64)]) -> f64 {
    let first = intervals.iter().map(|i| i.0).min().unwrap_or(0);
    let last = intervals.iter().map(|i| i.1).max().unwrap_or(0);
    #[expect(
        clippy::cast_precision_loss,
        reason = "milliseconds over years fit in f64"
    )]
    let days = (last - first) as f64 / 86_400_000.0;
    days.max(1.0)
}

/// The most intervals that overlap at any instant.
fn max_concurrency(intervals: &[(i64, i64)]) -> usize {
    let mut edges: Vec<(i64, i32)> = intervals
        .iter()
        .flat_map(|&(s, e)| [(s, 1), (e, -1)])
        .collect();
    // Ends sort before starts at the same instant: back-to-back runs do not overlap.
    edges.sort_by_key(|&(t, d)| (t, d));
    let (mut now, mut most) = (0i32, 0i32);
    for (_, delta) in edges {
        now += delta;
        most = most.max(now);
    }
    usize::try_from(most).unwrap_or(0)
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_counts_overlaps_only() {
        assert_eq!(max_concurrency(&[(0, 10), (10, 20)]), 1);
        assert_eq!(max_concurrency(&[(0, 10), (5, 20), (6, 7)]), 3);
        assert_eq!(max_concurrency(&[]), 0);
    }
}
