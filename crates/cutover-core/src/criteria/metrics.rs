//! Metrics of a component over a window of recorded runs.

use super::ast::{Metric, MetricName, Scope};
use super::stats::mean;

/// Raw samples of one side in the window.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SideSamples {
    /// Executions (authoritative or shadow; rechecks excluded).
    pub executions: u64,
    /// Executions that succeeded.
    pub successes: u64,
    /// Durations in seconds, oldest first.
    pub durations: Vec<f64>,
    /// Acceptance tests passing (latest result of each).
    pub tests_passed: u64,
    /// Acceptance tests with a result.
    pub tests_total: u64,
}

/// Computed metrics of one side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideMetrics {
    samples: SideSamples,
    /// p50, p90, p95, p99 (type 7), mean and max of the durations.
    durations: Option<[f64; 6]>,
}

/// The quantiles precomputed for every side.
const QUANTILES: [f64; 4] = [0.50, 0.90, 0.95, 0.99];

impl SideMetrics {
    /// Computes from samples in linear time: the order statistics the
    /// quantiles need are selected in increasing order on ever smaller
    /// slices, never sorting the whole sample.
    pub fn new(samples: SideSamples) -> Self {
        let durations = summarize(&samples.durations);
        SideMetrics { samples, durations }
    }

    /// The raw samples.
    pub fn samples(&self) -> &SideSamples {
        &self.samples
    }

    fn value(&self, name: MetricName) -> Option<f64> {
        let s = &self.samples;
        let rate = |n: u64| (s.executions > 0).then(|| n as f64 / s.executions as f64);
        match name {
            MetricName::Runs => Some(s.executions as f64),
            MetricName::SuccessRate => rate(s.successes),
            MetricName::ErrorRate => rate(s.executions - s.successes.min(s.executions)),
            MetricName::P50Duration => self.durations.map(|d| d[0]),
            MetricName::P90Duration => self.durations.map(|d| d[1]),
            MetricName::P95Duration => self.durations.map(|d| d[2]),
            MetricName::P99Duration => self.durations.map(|d| d[3]),
            MetricName::MeanDuration => self.durations.map(|d| d[4]),
            MetricName::MaxDuration => self.durations.map(|d| d[5]),
            MetricName::TestsPassed => Some(s.tests_passed as f64),
            MetricName::TestsTotal => Some(s.tests_total as f64),
            _ => None,
        }
    }
}

/// Quantiles (type 7), mean and max without a full sort.
fn summarize(durations: &[f64]) -> Option<[f64; 6]> {
    let n = durations.len();
    if n == 0 {
        return None;
    }
    let mut values = durations.to_vec();
    let mut out = [0.0; 6];
    // Everything left of `floor` is already known to be smaller.
    let mut floor = 0;
    for (slot, p) in QUANTILES.iter().enumerate() {
        let h = (n - 1) as f64 * p;
        let low = (h.floor() as usize).max(floor);
        let (_, nth, _) = values[floor..].select_nth_unstable_by(low - floor, f64::total_cmp);
        let low_value = *nth;
        let high_value = if low + 1 < n {
            values[low + 1..]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
        } else {
            low_value
        };
        out[slot] = low_value + (h - h.floor()) * (high_value - low_value);
        floor = low;
    }
    out[4] = mean(durations).unwrap_or(0.0);
    out[5] = durations.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(out)
}

/// Everything a criterion can read about one component.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Legacy side.
    pub legacy: SideMetrics,
    /// Dagger side.
    pub dagger: SideMetrics,
    /// Runs in the window.
    pub runs: u64,
    /// Runs compared for parity.
    pub compared: u64,
    /// Compared runs with parity (flaky included).
    pub matched: u64,
    /// Runs with a mismatch.
    pub mismatches: u64,
    /// Contended durations left out of the duration metrics.
    pub contended_left_out: u64,
    /// Whether the legacy definition drifted.
    pub drift: bool,
    /// Passed rollback drills.
    pub drills_passed: u64,
}

impl Metrics {
    /// The value of a metric; `None` when there is no data for it yet.
    pub fn value(&self, metric: Metric) -> Option<f64> {
        match (metric.scope, metric.name) {
            (_, MetricName::Parity) => {
                (self.compared > 0).then(|| self.matched as f64 / self.compared as f64)
            }
            (_, MetricName::Mismatches) => Some(self.mismatches as f64),
            (_, MetricName::Drift) => Some(if self.drift { 1.0 } else { 0.0 }),
            (_, MetricName::DrillsPassed) => Some(self.drills_passed as f64),
            (Scope::Legacy, name) => self.legacy.value(name),
            (Scope::Dagger, name) => self.dagger.value(name),
            (Scope::Component, MetricName::Runs) => Some(self.runs as f64),
            (Scope::Component, MetricName::TestsPassed) => {
                Some((self.legacy.samples.tests_passed + self.dagger.samples.tests_passed) as f64)
            }
            (Scope::Component, MetricName::TestsTotal) => {
                Some((self.legacy.samples.tests_total + self.dagger.samples.tests_total) as f64)
            }
            (Scope::Component, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criteria::stats::quantile;

    #[test]
    fn linear_time_quantiles_equal_the_sorted_definition() {
        let mut state = 7u64;
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let durations: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 40) as f64 / 1000.0
                })
                .collect();
            let summary = summarize(&durations).expect("non-empty");
            for (slot, p) in QUANTILES.iter().enumerate() {
                assert_eq!(
                    summary[slot],
                    quantile(&durations, *p).expect("q"),
                    "n={n} p={p}"
                );
            }
        }
    }
}
