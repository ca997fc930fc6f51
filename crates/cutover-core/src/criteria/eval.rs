//! Three-valued evaluation of criteria.
//!
//! A metric without data (a rate with no runs, a percentile with no
//! durations) is *unknown*, and unknown spreads: a comparison with it is
//! unknown, `false and unknown` is false, `true or unknown` is true. A
//! criterion that is true passes; unknown is inconclusive; false fails —
//! except a criterion that reads only evidence metrics (`runs`,
//! `tests_total`), which is inconclusive while unmet, since more runs may
//! still satisfy it. Inconclusive never lets anything advance.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ast::{BinaryOp, Expr, Scope};
use super::metrics::Metrics;
use super::stats::{BOOTSTRAP_MAX_SAMPLES, mann_whitney, median_ratio_interval};

/// A verdict.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// Not enough evidence either way.
    Inconclusive,
}

impl Verdict {
    /// The spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The outcome of one criterion with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionResult {
    /// The verdict.
    pub verdict: Verdict,
    /// Left-hand value of a top-level comparison.
    pub observed: Option<f64>,
    /// Right-hand value of a top-level comparison.
    pub threshold: Option<f64>,
    /// Every metric read, with its value (`null` = no data).
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Statistical detail (`not_slower`).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Number(f64),
    Truth(bool),
    Unknown,
}

/// Evaluates a criterion over metrics.
pub fn evaluate(expr: &Expr, metrics: &Metrics) -> CriterionResult {
    let mut detail = None;
    let value = eval(expr, metrics, &mut detail);
    let evidence_only = {
        let read = expr.metrics();
        !read.is_empty()
            && read.iter().all(|m| m.name.is_evidence())
            && !matches!(expr, Expr::NotSlower { .. })
    };
    let verdict = match value {
        Value::Truth(true) => Verdict::Pass,
        Value::Truth(false) if evidence_only => Verdict::Inconclusive,
        Value::Truth(false) => Verdict::Fail,
        Value::Number(_) | Value::Unknown => Verdict::Inconclusive,
    };
    let (observed, threshold) = match expr {
        Expr::Binary(op, left, right) if op.is_comparison() => (
            number(eval(left, metrics, &mut None)),
            number(eval(right, metrics, &mut None)),
        ),
        _ => (None, None),
    };
    let metrics_read = expr
        .metrics()
        .into_iter()
        .filter(|m| !(matches!(expr, Expr::NotSlower { .. }) && m.scope == Scope::Component))
        .map(|m| (m.to_string(), metrics.value(m)))
        .collect();
    CriterionResult {
        verdict,
        observed,
        threshold,
        metrics: metrics_read,
        detail,
    }
}

fn number(value: Value) -> Option<f64> {
    match value {
        Value::Number(n) => Some(n),
        _ => None,
    }
}

fn eval(expr: &Expr, metrics: &Metrics, detail: &mut Option<String>) -> Value {
    match expr {
        Expr::Number(n) => Value::Number(*n),
        Expr::Bool(b) => Value::Truth(*b),
        Expr::Metric(m) => metrics.value(*m).map_or(Value::Unknown, Value::Number),
        Expr::Not(inner) => match eval(inner, metrics, detail) {
            Value::Truth(b) => Value::Truth(!b),
            _ => Value::Unknown,
        },
        Expr::Negate(inner) => match eval(inner, metrics, detail) {
            Value::Number(n) => Value::Number(-n),
            _ => Value::Unknown,
        },
        Expr::Binary(op, left, right) => binary(
            *op,
            eval(left, metrics, detail),
            eval(right, metrics, detail),
        ),
        Expr::NotSlower { margin, confidence } => not_slower(metrics, *margin, *confidence, detail),
    }
}

fn binary(op: BinaryOp, left: Value, right: Value) -> Value {
    use Value::{Number, Truth, Unknown};
    match (op, left, right) {
        (BinaryOp::And, Truth(false), _) | (BinaryOp::And, _, Truth(false)) => Truth(false),
        (BinaryOp::And, Truth(true), Truth(true)) => Truth(true),
        (BinaryOp::Or, Truth(true), _) | (BinaryOp::Or, _, Truth(true)) => Truth(true),
        (BinaryOp::Or, Truth(false), Truth(false)) => Truth(false),
        (BinaryOp::And | BinaryOp::Or, _, _) => Unknown,
        (_, Number(a), Number(b)) => match op {
            BinaryOp::Add => Number(a + b),
            BinaryOp::Sub => Number(a - b),
            BinaryOp::Mul => Number(a * b),
            BinaryOp::Div if b != 0.0 => Number(a / b),
            BinaryOp::Div => Unknown,
            BinaryOp::Ge => Truth(a >= b - 1e-12),
            BinaryOp::Le => Truth(a <= b + 1e-12),
            BinaryOp::Gt => Truth(a > b),
            BinaryOp::Lt => Truth(a < b),
            BinaryOp::Eq => Truth((a - b).abs() <= 1e-12),
            BinaryOp::Ne => Truth((a - b).abs() > 1e-12),
            BinaryOp::And | BinaryOp::Or => Unknown,
        },
        (BinaryOp::Eq, Truth(a), Truth(b)) => Truth(a == b),
        (BinaryOp::Ne, Truth(a), Truth(b)) => Truth(a != b),
        _ => Unknown,
    }
}

/// Passes when the upper bound of the interval of median(dagger)/median(legacy)
/// is within `1 + margin`; fails when even its lower bound exceeds it;
/// otherwise inconclusive.
fn not_slower(
    metrics: &Metrics,
    margin: f64,
    confidence: f64,
    detail: &mut Option<String>,
) -> Value {
    let legacy = &metrics.legacy.samples().durations;
    let dagger = &metrics.dagger.samples().durations;
    let Some(interval) = median_ratio_interval(legacy, dagger, confidence) else {
        *detail = Some(format!(
            "needs at least 5 durations per side (legacy {}, dagger {})",
            legacy.len(),
            dagger.len()
        ));
        return Value::Unknown;
    };
    // The same most recent samples the interval used, so the p-value and the
    // interval describe one comparison and stay fast over millions of runs.
    let recent = |s: &[f64]| s[s.len().saturating_sub(BOOTSTRAP_MAX_SAMPLES)..].to_vec();
    let p = mann_whitney(&recent(dagger), &recent(legacy)).map(|m| m.p_two_sided);
    *detail = Some(format!(
        "median ratio dagger/legacy {:.3} ({:.0}% CI {:.3}–{:.3}), limit {:.3}{}",
        interval.ratio,
        confidence * 100.0,
        interval.low,
        interval.high,
        1.0 + margin,
        p.map(|p| format!(", Mann-Whitney p = {p:.4}"))
            .unwrap_or_default()
    ));
    if interval.high <= 1.0 + margin {
        Value::Truth(true)
    } else if interval.low > 1.0 + margin {
        Value::Truth(false)
    } else {
        Value::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::super::metrics::{SideMetrics, SideSamples};
    use super::super::parse::parse;
    use super::*;

    fn metrics(legacy_runs: u64, dagger_runs: u64, dagger_successes: u64) -> Metrics {
        Metrics {
            contended_left_out: 0,
            legacy: SideMetrics::new(SideSamples {
                executions: legacy_runs,
                successes: legacy_runs,
                durations: vec![1.0; legacy_runs as usize],
                ..SideSamples::default()
            }),
            dagger: SideMetrics::new(SideSamples {
                executions: dagger_runs,
                successes: dagger_successes,
                durations: vec![1.05; dagger_runs as usize],
                ..SideSamples::default()
            }),
            runs: dagger_runs,
            compared: dagger_runs,
            matched: dagger_runs,
            ..Metrics::default()
        }
    }

    fn verdict(text: &str, metrics: &Metrics) -> Verdict {
        evaluate(&parse(text).expect("parse"), metrics).verdict
    }

    #[test]
    fn too_little_evidence_is_inconclusive_not_failed() {
        let few = metrics(5, 5, 5);
        assert_eq!(verdict("dagger.runs >= 20", &few), Verdict::Inconclusive);
        assert_eq!(verdict("dagger.runs >= 5", &few), Verdict::Pass);
        let none = metrics(0, 0, 0);
        assert_eq!(
            verdict("dagger.success_rate >= 0.99", &none),
            Verdict::Inconclusive
        );
        assert_eq!(verdict("parity >= 0.99", &none), Verdict::Inconclusive);
    }

    #[test]
    fn unknown_spreads_only_where_it_must() {
        let none = metrics(0, 0, 0);
        assert_eq!(
            verdict("false and dagger.success_rate >= 1", &none),
            Verdict::Fail
        );
        assert_eq!(
            verdict("true or dagger.success_rate >= 1", &none),
            Verdict::Pass
        );
    }

    #[test]
    fn comparisons_report_observed_and_threshold() {
        let m = metrics(30, 30, 27);
        let result = evaluate(
            &parse("dagger.success_rate >= legacy.success_rate").expect("parse"),
            &m,
        );
        assert_eq!(result.verdict, Verdict::Fail);
        assert_eq!(result.observed, Some(0.9));
        assert_eq!(result.threshold, Some(1.0));
        assert_eq!(result.metrics.get("dagger.success_rate"), Some(&Some(0.9)));
    }

    #[test]
    fn not_slower_is_three_valued() {
        let m = metrics(30, 30, 30);
        assert_eq!(verdict("not_slower(10%)", &m), Verdict::Pass);
        assert_eq!(verdict("not_slower(1%)", &m), Verdict::Fail);
        assert_eq!(
            verdict("not_slower(10%)", &metrics(3, 3, 3)),
            Verdict::Inconclusive
        );
    }
}
