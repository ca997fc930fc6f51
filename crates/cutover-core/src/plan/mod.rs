//! The phased migration plan: phases from the dependency graph, a
//! resource-constrained schedule on the work calendar, the critical path and
//! milestones. Built from a validated [`crate::spec::Migration`]; never
//! touches the store.

mod calendar;
mod phases;
mod schedule;

pub use calendar::WorkCalendar;
pub use phases::{PhaseAssignment, PhaseError, PhaseRole, assign_phases};
pub use schedule::{
    ComponentSchedule, Milestone, MilestoneKind, Phase, Plan, PlanError, build_plan,
};
