//! The migration at a glance, as `cutover serve` shows it at `/`: phases
//! and the Gantt chart, each component's mode, override, gate, drift and
//! decision, the recent runs with their mismatches, and the audit log.
//! Read from a [`crate::workspace::Workspace`] through the same functions
//! the commands use (`status`, `gate`, `drift`, the plan); it never writes,
//! and it renders nothing: the server serializes it, the page draws it.

mod read;
mod view;

pub use read::{DashboardError, dashboard};
pub use view::{
    ComponentView, DASHBOARD_FORMAT_VERSION, Dashboard, DecisionView, EventFilter, PlanView,
    RunView,
};
