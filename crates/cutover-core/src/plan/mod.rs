//! The phased migration plan: phases from the dependency graph, a
//! resource-constrained schedule on the work calendar, the critical path and
//! milestones. Built from a validated [`crate::spec::Migration`]; never
//! touches the store.

mod bound;
mod calendar;
mod critical;
mod float;
mod leveling;
mod ordering;
mod phases;
mod pin_problem;
mod schedule;
mod what_if;

pub use bound::LowerBound;
pub use calendar::{WorkCalendar, work_days_before};
pub use critical::{Constraint, CriticalLink};
pub use ordering::{GATED_FROM, OutOfOrder, check_order};
pub use phases::{PhaseAssignment, PhaseError, PhaseRole, assign_phases};
pub use pin_problem::pin_problem;
pub use schedule::{
    ComponentSchedule, Milestone, MilestoneKind, Phase, Plan, PlanError, build_plan,
};
pub use what_if::{
    Change, Sensitivity, SoakMode, WhatIf, WhatIfError, apply, sensitivity, what_if,
};
