//! The validated migration: what every command after `check` works with.
//!
//! Unlike the wire types, references are resolved (dependencies are indices
//! into [`Migration::components`]), durations are numbers and dates are dates.
//! A [`Migration`] is only built by [`super::validate`], so holding one means
//! the spec passed every check.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Weekday};
use serde::Serialize;

use super::comparison::ParitySettings;
use super::diagnostic::SourcePosition;
use super::duration::{WallDuration, WorkDays};
use crate::criteria::Expr;
use crate::graph::DependencyGraph;

/// A validated migration spec.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Human name.
    pub name: String,
    /// First day work may start.
    pub start: Date,
    /// Work days and holidays.
    pub calendar: Calendar,
    /// People porting components in parallel.
    pub capacity: u32,
    /// People per owner team; owners not listed share `capacity` only.
    pub teams: BTreeMap<String, u32>,
    /// Soak times and default gate.
    pub defaults: Defaults,
    /// Limits on phases.
    pub planning: Planning,
    /// Components in spec order; indices are stable identifiers.
    pub components: Vec<Component>,
    /// Rollback triggers and preserved paths.
    pub rollback: RollbackSettings,
    /// Per-phase gates and integration tests.
    pub phases: Vec<PhaseSettings>,
    /// What `cutover gc` keeps.
    pub retention: Retention,
    /// Stakeholders, channels, status-update schedule, escalation, links.
    pub communication: super::communication::model::Communication,
}

/// What `cutover gc` keeps (`retention:` in the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// The newest runs whose captured files are kept.
    pub runs_keep: u32,
    /// Captured run files older than this are pruned.
    pub runs_max_age: Option<WallDuration>,
    /// Safety snapshots whose contents are kept per component.
    pub keep_safety: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            runs_keep: 200,
            runs_max_age: Some(WallDuration {
                seconds: 30 * 86_400,
            }),
            keep_safety: 3,
        }
    }
}

/// Settings of one plan phase.
#[derive(Debug, Clone)]
pub struct PhaseSettings {
    /// Phase number.
    pub number: u32,
    /// Where `phase:` is written (checked against the plan).
    pub position: SourcePosition,
    /// Extra gate criteria for the phase's components.
    pub gate: Vec<Criterion>,
    /// Integration tests.
    pub integration: Vec<AcceptanceTest>,
}

/// Which runs a criterion looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "size")]
pub enum Window {
    /// Runs since the component entered its current mode (the default).
    SinceMode,
    /// Runs of the last N calendar days.
    Days(u32),
    /// The last N runs.
    Runs(u32),
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Window::SinceMode => f.write_str("since the current mode began"),
            Window::Days(1) => f.write_str("last day"),
            Window::Days(n) => write!(f, "last {n} days"),
            Window::Runs(n) => write!(f, "last {n} runs"),
        }
    }
}

/// A validated criterion.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// As written.
    pub text: String,
    /// Parsed.
    pub expr: Expr,
    /// `false`: observe only, never blocks.
    pub enforce: bool,
    /// Which runs it reads.
    pub window: Window,
}

/// A validated acceptance or integration test.
#[derive(Debug, Clone)]
pub struct AcceptanceTest {
    /// Name.
    pub name: String,
    /// Shell command line.
    pub run: String,
    /// Expected exit code.
    pub expect_exit: i32,
    /// Regex stdout must match.
    pub stdout: Option<String>,
    /// Files that must exist.
    pub files: Vec<String>,
    /// Time limit.
    pub timeout: Option<WallDuration>,
}

impl Migration {
    /// Index of the component with this id.
    pub fn component_index(&self, id: &str) -> Option<usize> {
        self.components.iter().position(|c| c.id == id)
    }

    /// The dependency graph, indexed like [`Migration::components`].
    pub fn dependency_graph(&self) -> DependencyGraph {
        DependencyGraph::new(
            self.components
                .iter()
                .map(|c| c.depends_on.clone())
                .collect(),
        )
    }
}

/// Which days are worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Worked week days, Monday first.
    pub workdays: [bool; 7],
    /// Dates not worked.
    pub holidays: BTreeSet<Date>,
}

impl Calendar {
    /// Whether `date` is a work day.
    pub fn is_workday(&self, date: Date) -> bool {
        let index = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
        self.workdays[index] && !self.holidays.contains(&date)
    }

    /// Worked week days as names, for documents.
    pub fn workday_names(&self) -> Vec<&'static str> {
        WEEKDAYS
            .iter()
            .zip(self.workdays)
            .filter(|(_, worked)| *worked)
            .map(|((name, _), _)| *name)
            .collect()
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            workdays: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
        }
    }
}

/// Day names accepted in `calendar.workdays`, Monday first.
pub const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// Defaults every component inherits.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// Work days in shadow mode.
    pub soak_shadow: WorkDays,
    /// Work days in canary mode.
    pub soak_canary: WorkDays,
    /// Work days in dagger mode before legacy may be retired.
    pub soak_dagger: WorkDays,
    /// Criteria every component must meet to advance.
    pub gate: Vec<Criterion>,
}

/// Planner limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planning {
    /// Most porting work one phase may hold.
    pub max_phase_effort: Option<WorkDays>,
    /// Most components one phase may hold.
    pub max_phase_components: Option<u32>,
    /// Most components in the pilot phase; 0 disables it.
    pub pilot_size: u32,
    /// What a component's porting waits for.
    pub porting_after: PortingAfter,
    /// Whether phase N+1 may be ported while phase N soaks.
    pub overlap: bool,
}

impl Default for Planning {
    fn default() -> Self {
        Planning {
            max_phase_effort: None,
            max_phase_components: None,
            pilot_size: 3,
            porting_after: PortingAfter::Ported,
            overlap: true,
        }
    }
}

/// What a component's porting waits for among its dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortingAfter {
    /// Their Dagger implementation exists (they are ported).
    Ported,
    /// They are cut over to Dagger.
    Cutover,
}

impl PortingAfter {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PortingAfter::Ported => "ported",
            PortingAfter::Cutover => "cutover",
        }
    }
}

/// Classification of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// A build or delivery pipeline.
    Pipeline,
    /// A single CI job.
    Job,
    /// A service feature switched by a flag.
    Service,
    /// Shared code.
    Library,
    /// Infrastructure.
    Infra,
}

impl Component {
    /// What parity of its two sides rests on: for a side-effecting
    /// component, whose shadow runs a dry run beside the real effect, only
    /// the exit code both share.
    pub fn parity_basis(&self) -> String {
        if self.side_effects {
            "exit code only (side effects: a real run is never compared with a dry run)".to_owned()
        } else {
            self.parity.basis(&self.outputs)
        }
    }
}

impl ComponentKind {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Pipeline => "pipeline",
            ComponentKind::Job => "job",
            ComponentKind::Service => "service",
            ComponentKind::Library => "library",
            ComponentKind::Infra => "infra",
        }
    }
}

/// Risk of moving a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Risk {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

/// One side's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implementation {
    /// Shell command line.
    pub run: String,
    /// Dry-run command used when shadowing a side-effecting component.
    pub shadow_run: Option<String>,
    /// Definition files.
    pub sources: Vec<String>,
    /// Legacy features used (from `cutover import`; read by `cutover audit`).
    pub features: Vec<String>,
    /// Where the component was imported from.
    pub origin: Option<super::wire::OriginSpec>,
}

/// One validated component.
#[derive(Debug, Clone)]
pub struct Component {
    /// Unique id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Classification.
    pub kind: ComponentKind,
    /// Owning team.
    pub owner: String,
    /// Indices of dependencies in [`Migration::components`], in spec order.
    pub depends_on: Vec<usize>,
    /// Porting work as estimated.
    pub effort: WorkDays,
    /// Risk.
    pub risk: Risk,
    /// Seen by people outside the platform team.
    pub user_facing: bool,
    /// The business depends on it.
    pub critical: bool,
    /// Phase pin, if any.
    pub phase_pin: Option<u32>,
    /// Where the phase pin is written, for problems only a plan reveals.
    pub phase_pin_at: Option<SourcePosition>,
    /// Legacy side.
    pub legacy: Option<Implementation>,
    /// Dagger side.
    pub dagger: Option<Implementation>,
    /// Deploys or publishes.
    pub side_effects: bool,
    /// Compared outputs.
    pub outputs: Vec<String>,
    /// What parity compares: stdout or not, and each output's comparator.
    pub parity: ParitySettings,
    /// Stdout rewrite rules `(regex, replacement)` applied before comparing.
    pub normalize: Vec<(String, String)>,
    /// Re-runs of the non-authoritative side on a mismatch.
    pub recheck: u32,
    /// When the shadowing side runs.
    pub shadow: super::side_settings::ShadowTiming,
    /// Where each side of a two-sided run works.
    pub workspace: super::side_settings::WorkspaceMode,
    /// Secret env var names.
    pub secrets: Vec<String>,
    /// Per-side time limit.
    pub timeout: Option<WallDuration>,
    /// Preserved paths.
    pub preserve: Vec<String>,
    /// Acceptance tests.
    pub acceptance: Vec<AcceptanceTest>,
    /// Extra gate criteria.
    pub gate: Vec<Criterion>,
}

/// Rollback settings.
#[derive(Debug, Clone, Default)]
pub struct RollbackSettings {
    /// Watched criteria.
    pub triggers: Vec<Trigger>,
    /// Paths saved before every mode change.
    pub preserve: Vec<String>,
}

/// What a trigger does when it fires.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TriggerAction {
    /// Roll back automatically.
    Rollback,
    /// Open a decision point.
    Escalate,
}

impl Trigger {
    /// `rollback` or `escalate`.
    pub fn action_name(&self) -> &'static str {
        match self.action {
            TriggerAction::Rollback => "rollback",
            TriggerAction::Escalate => "escalate",
        }
    }
}

/// One rollback trigger.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// When it fires.
    pub when: Criterion,
    /// Action.
    pub action: TriggerAction,
    /// Runs needed before firing.
    pub min_runs: u32,
    /// Quiet time after firing.
    pub cooldown: Option<WallDuration>,
    /// Who decides an escalation; `None`: the component's owner.
    pub decider: Option<String>,
    /// How fast the decision is due.
    pub decide_within: WallDuration,
    /// Modes in which it is evaluated.
    pub modes: Vec<TriggerMode>,
}

/// A mode a trigger may watch: one where the Dagger side runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerMode {
    /// Both run; legacy is authoritative.
    Shadow,
    /// Dagger is authoritative for a share of runs.
    Canary,
    /// Only Dagger runs.
    Dagger,
}

/// Modes a trigger watches unless it says otherwise: those where Dagger is
/// authoritative for some runs (a flaky shadow must not roll anything back).
pub const DEFAULT_TRIGGER_MODES: [TriggerMode; 2] = [TriggerMode::Canary, TriggerMode::Dagger];
