//! The criteria language: gate conditions and rollback triggers such as
//! `dagger.success_rate >= legacy.success_rate` or `not_slower(10%)`.
//!
//! A small language of our own rather than CEL: it must tell *inconclusive*
//! (not enough evidence) from *fail*, report every metric it observed, point
//! at the exact column of a mistake inside the YAML, and offer a statistical
//! function over raw samples — none of which CEL's evaluator gives us.
//!
//! - [`parse`] owns syntax and names (unknown metrics, unknown functions).
//! - [`Metrics`] are computed from recorded samples ([`SideSamples`]).
//! - [`evaluate`] gives a three-valued [`Verdict`] with its evidence.

mod ast;
mod eval;
mod metrics;
mod parse;
pub mod stats;

pub use ast::{Expr, Metric, MetricName, Scope};
pub use eval::{CriterionResult, Verdict, evaluate};
pub use metrics::{Metrics, SideMetrics, SideSamples};
pub use parse::{ParseError, parse};
