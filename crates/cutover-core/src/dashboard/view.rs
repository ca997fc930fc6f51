//! The shapes of [`Dashboard`]: what the page receives as JSON.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::{EventKind, EventRecord};
use crate::gate::GateReport;
use crate::lifecycle::{Mode, ModeState};
use crate::report::PhaseContext;
use crate::status::ComponentStatus;
use crate::store::RunRecord;

/// Version of the dashboard JSON.
pub const DASHBOARD_FORMAT_VERSION: u32 = 1;

/// Which events the audit log shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Only this component's events.
    pub component: Option<String>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events by this actor.
    pub actor: Option<String>,
}

/// Everything the page shows.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// Format version.
    pub format_version: u32,
    /// The migration's name.
    pub migration: String,
    /// When this was read (the server's clock).
    pub generated_at: Timestamp,
    /// The phases and the Gantt chart (none when the plan cannot be built).
    pub plan: Option<PlanView>,
    /// Why there is no plan.
    pub plan_error: Option<String>,
    /// The committed mode file the server routes by (null: none yet).
    pub mode_file: Option<String>,
    /// One entry per component, in spec order.
    pub components: Vec<ComponentView>,
    /// The newest runs of every component, newest first.
    pub runs: Vec<RunView>,
    /// Open decision points, soonest deadline first.
    pub decisions: Vec<DecisionView>,
    /// The audit log as filtered, newest first.
    pub events: Vec<EventRecord>,
    /// The filter applied to `events`.
    pub filter: EventFilter,
    /// Every event kind, for the filter's choices.
    pub event_kinds: Vec<EventKind>,
    /// Every mode, in lifecycle order, for the advance form's choices.
    pub modes: Vec<Mode>,
}

/// The phased plan.
#[derive(Debug, Serialize)]
pub struct PlanView {
    /// The last work day of the plan.
    pub end: String,
    /// Each phase with its dates and members.
    pub phases: Vec<PhaseContext>,
    /// The plan's SVG Gantt chart, with a line at today.
    pub gantt_svg: String,
}

/// One component.
#[derive(Debug, Serialize)]
pub struct ComponentView {
    /// Its status as `cutover status --format json` gives it: effective
    /// mode, committed mode, override, runs, parity, drift, held.
    pub status: ComponentStatus,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner: String,
    /// Its planned phase (none when the plan cannot be built).
    pub phase: Option<u32>,
    /// The mode the store last recorded for it (an advance or rollback
    /// from any checkout, through the store).
    pub recorded: ModeState,
    /// Whether the store recorded a mode the mode file here does not say
    /// yet: a change made from another checkout, waiting for its commit.
    pub recorded_elsewhere: bool,
    /// The next mode forward, if any (what a plain advance asks for).
    pub next: Option<Mode>,
    /// Its gate with every criterion and its evidence (none when the plan
    /// cannot be built).
    pub gate: Option<GateReport>,
    /// The legacy source files changed since it entered shadow.
    pub drifted_files: Vec<String>,
}

/// One recent run.
#[derive(Debug, Serialize)]
pub struct RunView {
    /// The run as stored.
    #[serde(flatten)]
    pub run: RunRecord,
    /// Whether it counts as having parity (none: not compared).
    pub has_parity: Option<bool>,
    /// The first lines of its mismatch summary (secrets were redacted
    /// before it was recorded).
    pub difference: Vec<String>,
}

/// An open decision point.
#[derive(Debug, Serialize)]
pub struct DecisionView {
    /// Its id.
    pub id: i64,
    /// The component it holds.
    pub component: String,
    /// The trigger that opened it.
    pub trigger: String,
    /// When it opened.
    pub opened_at: Timestamp,
    /// The evidence it opened with.
    pub evidence: String,
    /// When the decision is due (`decide_within` of the trigger).
    pub deadline: Option<Timestamp>,
    /// Who decides (the trigger's `decider`, else the component's owner).
    pub decider: String,
    /// Whether the deadline has passed.
    pub overdue: bool,
}
