//! The syntax tree of a criterion.

use std::fmt;

/// Which side a metric belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// `legacy.*`
    Legacy,
    /// `dagger.*`
    Dagger,
    /// Component-wide (`parity`, `mismatches`, `drift`, `runs`, …).
    Component,
}

/// A metric name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricName {
    /// Executions in the window.
    Runs,
    /// Successful share of executions.
    SuccessRate,
    /// Failed share of executions.
    ErrorRate,
    /// Median duration (s).
    P50Duration,
    /// 90th percentile (s).
    P90Duration,
    /// 95th percentile (s).
    P95Duration,
    /// 99th percentile (s).
    P99Duration,
    /// Mean duration (s).
    MeanDuration,
    /// Longest duration (s).
    MaxDuration,
    /// Share of compared runs with parity (flaky counts as parity).
    Parity,
    /// Runs whose parity was a mismatch.
    Mismatches,
    /// Passing acceptance tests (latest result of each).
    TestsPassed,
    /// Acceptance tests with a result.
    TestsTotal,
    /// 1 when the legacy definition changed since shadow began, else 0.
    Drift,
    /// Passed rollback drills.
    DrillsPassed,
}

impl MetricName {
    /// Every metric with its spelling.
    pub const ALL: [(MetricName, &'static str); 15] = [
        (MetricName::Runs, "runs"),
        (MetricName::SuccessRate, "success_rate"),
        (MetricName::ErrorRate, "error_rate"),
        (MetricName::P50Duration, "p50_duration"),
        (MetricName::P90Duration, "p90_duration"),
        (MetricName::P95Duration, "p95_duration"),
        (MetricName::P99Duration, "p99_duration"),
        (MetricName::MeanDuration, "mean_duration"),
        (MetricName::MaxDuration, "max_duration"),
        (MetricName::Parity, "parity"),
        (MetricName::Mismatches, "mismatches"),
        (MetricName::TestsPassed, "tests_passed"),
        (MetricName::TestsTotal, "tests_total"),
        (MetricName::Drift, "drift"),
        (MetricName::DrillsPassed, "drills_passed"),
    ];

    /// The spelling.
    pub fn as_str(self) -> &'static str {
        MetricName::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map_or("?", |(_, s)| s)
    }

    /// Metrics that measure the *amount* of evidence: a criterion over only
    /// these that is not met yet is inconclusive, not failed.
    pub fn is_evidence(self) -> bool {
        matches!(self, MetricName::Runs | MetricName::TestsTotal)
    }
}

/// A metric reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Metric {
    /// Side or component.
    pub scope: Scope,
    /// Which metric.
    pub name: MetricName,
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope {
            Scope::Legacy => write!(f, "legacy.{}", self.name.as_str()),
            Scope::Dagger => write!(f, "dagger.{}", self.name.as_str()),
            Scope::Component => f.write_str(self.name.as_str()),
        }
    }
}

/// Binary operators, loosest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinaryOp {
    /// The spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Ge => ">=",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Lt => "<",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
        }
    }

    /// Whether it compares numbers into a truth value.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Ge | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Lt | BinaryOp::Eq | BinaryOp::Ne
        )
    }
}

/// A criterion expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number (percentages already divided by 100).
    Number(f64),
    /// `true` / `false`.
    Bool(bool),
    /// A metric.
    Metric(Metric),
    /// `not x`.
    Not(Box<Expr>),
    /// `-x`.
    Negate(Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `not_slower(margin[, confidence])`: Dagger's median duration is not
    /// more than `margin` above legacy's, at `confidence`.
    NotSlower {
        /// Allowed slowdown (0.10 = 10%).
        margin: f64,
        /// Confidence level (default 0.95).
        confidence: f64,
    },
}

impl Expr {
    /// Every metric the expression reads.
    pub fn metrics(&self) -> Vec<Metric> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect(&self, out: &mut Vec<Metric>) {
        match self {
            Expr::Metric(m) => out.push(*m),
            Expr::Not(e) | Expr::Negate(e) => e.collect(out),
            Expr::Binary(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::NotSlower { .. } => {
                out.push(Metric {
                    scope: Scope::Legacy,
                    name: MetricName::P50Duration,
                });
                out.push(Metric {
                    scope: Scope::Dagger,
                    name: MetricName::P50Duration,
                });
            }
            Expr::Number(_) | Expr::Bool(_) => {}
        }
    }
}
