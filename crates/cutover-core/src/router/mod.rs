//! The `run` router: given a component's mode, decides which side is
//! authoritative and which (if any) shadows it, runs them, compares them,
//! puts the authoritative outputs where CI expects them, and records the run.

mod routing;
mod run;

pub use routing::{RouteError, Routing, authoritative_side, bucket, route, run_key_from_env};
pub use run::{Delivery, RunError, RunReport, RunRequest, execute_run, record_execution};
