//! Statistics over duration samples.
//!
//! - Quantiles use linear interpolation between closest ranks (Hyndman & Fan
//!   type 7, the default of numpy and R): for sorted `x` of length `n`,
//!   `h = (n - 1) p`, `q = x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋])`.
//! - Mann-Whitney U with the normal approximation, tie correction and
//!   continuity correction — the same as scipy's
//!   `mannwhitneyu(method="asymptotic", use_continuity=True)`; checked against
//!   scipy's output in `tests/data/scipy_reference.json`.
//! - A percentile bootstrap confidence interval of the ratio of medians
//!   (Dagger over legacy), with a fixed seed so the same samples always give
//!   the same interval.

use statrs::distribution::{ContinuousCDF, Normal};

use crate::random::SplitMix64;

/// Quantile `p` (0–1) of unsorted samples, type 7; `None` when empty.
pub fn quantile(samples: &[f64], p: f64) -> Option<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, p)
}

/// Quantile of already sorted samples.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let low = h.floor() as usize;
    let high = (low + 1).min(n - 1);
    Some(sorted[low] + (h - low as f64) * (sorted[high] - sorted[low]))
}

/// Arithmetic mean; `None` when empty.
pub fn mean(samples: &[f64]) -> Option<f64> {
    (!samples.is_empty()).then(|| samples.iter().sum::<f64>() / samples.len() as f64)
}

/// Sample standard deviation (n − 1); `None` with fewer than two samples.
pub fn std_dev(samples: &[f64]) -> Option<f64> {
    let m = mean(samples)?;
    (samples.len() > 1).then(|| {
        (samples.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (samples.len() - 1) as f64).sqrt()
    })
}

/// The result of a Mann-Whitney U test of `x` against `y`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample (scipy's `statistic`).
    pub u: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// One-sided p-value for "x is stochastically less than y".
    pub p_less: f64,
}

/// Mann-Whitney U test; `None` if a sample is empty or all values tie.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|v| (*v, true))
        .chain(y.iter().map(|v| (*v, false)))
        .collect();
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let (mut rank_sum_x, mut tie_term) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        let ties = (j - i + 1) as f64;
        tie_term += ties.powi(3) - ties;
        rank_sum_x += all[i..=j].iter().filter(|(_, from_x)| *from_x).count() as f64 * average_rank;
        i = j + 1;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u1 = rank_sum_x - n1f * (n1f + 1.0) / 2.0;
    let u2 = n1f * n2f - u1;
    let mu = n1f * n2f / 2.0;
    let sigma = (n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    let normal = Normal::new(0.0, 1.0).ok()?;
    let sf = |u: f64| normal.sf((u - mu - 0.5) / sigma);
    Some(MannWhitney {
        u: u1,
        p_two_sided: (2.0 * sf(u1.max(u2))).min(1.0),
        p_less: sf(u2),
    })
}

/// A ratio with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioInterval {
    /// median(dagger) / median(legacy).
    pub ratio: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
}

/// Most samples per side `not_slower` looks at (the most recent ones), for
/// both its interval and its p-value, so gates stay fast over millions of runs.
pub const BOOTSTRAP_MAX_SAMPLES: usize = 2_000;
const BOOTSTRAP_RESAMPLES: usize = 2_000;

/// Percentile bootstrap interval of median(dagger) / median(legacy);
/// `None` with fewer than 5 samples per side or a zero legacy median.
pub fn median_ratio_interval(
    legacy: &[f64],
    dagger: &[f64],
    confidence: f64,
) -> Option<RatioInterval> {
    let tail = |s: &[f64]| s[s.len().saturating_sub(BOOTSTRAP_MAX_SAMPLES)..].to_vec();
    let (legacy, dagger) = (tail(legacy), tail(dagger));
    if legacy.len() < 5 || dagger.len() < 5 {
        return None;
    }
    let ratio = quantile(&dagger, 0.5)? / quantile(&legacy, 0.5).filter(|m| *m > 0.0)?;
    let mut random = SplitMix64::new(0x5EED_CAFE);
    let mut ratios = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut buffer_l = vec![0.0; legacy.len()];
    let mut buffer_d = vec![0.0; dagger.len()];
    for _ in 0..BOOTSTRAP_RESAMPLES {
        resample(&legacy, &mut buffer_l, &mut random);
        resample(&dagger, &mut buffer_d, &mut random);
        let median_l = median_in_place(&mut buffer_l);
        if median_l > 0.0 {
            ratios.push(median_in_place(&mut buffer_d) / median_l);
        }
    }
    ratios.sort_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    Some(RatioInterval {
        ratio,
        low: quantile_sorted(&ratios, alpha)?,
        high: quantile_sorted(&ratios, 1.0 - alpha)?,
        confidence,
    })
}

fn resample(from: &[f64], into: &mut [f64], random: &mut SplitMix64) {
    for slot in into.iter_mut() {
        *slot = from[random.below(from.len() as u64) as usize];
    }
}

fn median_in_place(values: &mut [f64]) -> f64 {
    let n = values.len();
    let mid = n / 2;
    let (_, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = values[..mid]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_brackets_the_true_ratio() {
        let legacy: Vec<f64> = (0..200).map(|i| 10.0 + (i % 17) as f64 * 0.1).collect();
        let dagger: Vec<f64> = legacy.iter().map(|x| x * 1.2).collect();
        let interval = median_ratio_interval(&legacy, &dagger, 0.95).expect("enough samples");
        assert!((interval.ratio - 1.2).abs() < 1e-9);
        assert!(interval.low <= 1.2 && 1.2 <= interval.high, "{interval:?}");
        assert!(interval.high - interval.low < 0.1);
        assert_eq!(
            median_ratio_interval(&legacy, &dagger, 0.95),
            Some(interval),
            "deterministic"
        );
        assert!(median_ratio_interval(&legacy[..3], &dagger, 0.95).is_none());
    }

    #[test]
    fn descriptive_statistics() {
        assert_eq!(mean(&[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(
            std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).map(|s| (s * 1e6).round() / 1e6),
            Some(2.13809)
        );
        assert_eq!(quantile(&[], 0.5), None);
    }
}
