//! `cutover audit`: every component's legacy features mapped to Dagger
//! capabilities through the capability table, a summary, effort estimates,
//! every step the scaffold will wrap, a forecast of what shadow costs from
//! recorded runs, and the CI/CD impact. Reads the spec and the store; writes
//! nothing.

mod forecast;
mod render;
mod report;

pub use forecast::{Forecast, SideForecast, forecast};
pub use render::{render_json, render_markdown, render_table};
pub use report::{AuditReport, AuditSummary, ComponentAudit, FeatureAudit, audit};
