//! The spec as written: serde types mirroring `migration.yaml` key for key.
//!
//! Every struct denies unknown keys, so a typo is an error with a location,
//! never a silently ignored setting. Values that later checks must point at
//! are wrapped in [`Spanned`]. No `untagged` or `flatten`: they would destroy
//! error locations. These types also generate the JSON Schema (`cutover schema`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::criterion_spec::CriterionSpec;
use super::duration::RawDuration;
use super::output_spec::{OutputEntry, StdoutSpec};

/// The whole `migration.yaml` document.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cutover migration spec")]
pub struct MigrationSpec {
    /// Spec format version; only `1` exists.
    #[schemars(with = "u32")]
    pub version: Spanned<u32>,
    /// Name, start date, calendar and capacity of the migration.
    pub migration: MigrationSection,
    /// Defaults every component inherits.
    #[serde(default)]
    pub defaults: Option<DefaultsSection>,
    /// Limits the planner respects when forming phases.
    #[serde(default)]
    pub planning: Option<PlanningSection>,
    /// The migratable units.
    pub components: Vec<ComponentSpec>,
    /// Rollback triggers and globally preserved paths.
    #[serde(default)]
    pub rollback: Option<RollbackSection>,
    /// How long cutover keeps what it captures (`cutover gc`).
    #[serde(default)]
    pub retention: Option<RetentionSection>,
    /// Who hears about the migration, in which wording, through which channels.
    #[serde(default)]
    pub stakeholders: Vec<super::communication::wire::StakeholderSpec>,
    /// How messages reach stakeholders: email, webhooks, a local inbox.
    #[serde(default)]
    pub channels: Vec<super::communication::wire::ChannelSpec>,
    /// When status updates go out, per group.
    #[serde(default)]
    pub schedule: Option<super::communication::wire::ScheduleSection>,
    /// Who hears of a message nobody acknowledged, and when.
    #[serde(default)]
    pub escalation: Option<super::communication::wire::EscalationSection>,
    /// Signed links to act on messages from the `cutover serve` dashboard.
    #[serde(default)]
    pub links: Option<super::communication::wire::LinksSection>,
    /// Per-phase gates and integration tests.
    #[serde(default)]
    pub phases: Vec<PhaseSpec>,
}

/// `phases:` — settings of one phase of the plan.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// The phase number in the plan (see `cutover plan`).
    #[schemars(with = "u32")]
    pub phase: Spanned<u32>,
    /// Criteria every component of the phase must meet, on top of its own.
    #[serde(default)]
    #[schemars(with = "Vec<CriterionSpec>")]
    pub gate: Vec<Spanned<CriterionSpec>>,
    /// Integration tests spanning the phase's components.
    #[serde(default)]
    pub integration: Vec<AcceptanceSpec>,
}

/// `migration:` — what is migrated, from when, by how many people.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationSection {
    /// Human name of the migration.
    pub name: String,
    /// First day work may start (YYYY-MM-DD).
    #[schemars(with = "String")]
    pub start: Spanned<String>,
    /// Work days and holidays.
    #[serde(default)]
    pub calendar: Option<CalendarSection>,
    /// People porting components in parallel (default 1).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub capacity: Option<Spanned<u32>>,
    /// People per owner team (`backend: 2`); a component is ported by its
    /// owner's people, within the global `capacity`. Owners not listed are
    /// limited by `capacity` only.
    #[serde(default)]
    #[schemars(with = "Option<std::collections::BTreeMap<String, u32>>")]
    pub teams: Option<std::collections::BTreeMap<String, Spanned<u32>>>,
}

/// `migration.calendar:` — which days are work days.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSection {
    /// Week days worked: `mon` … `sun` (default mon–fri).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub workdays: Option<Vec<Spanned<String>>>,
    /// Dates not worked (YYYY-MM-DD).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub holidays: Vec<Spanned<String>>,
}

/// `defaults:` — soak times and the gate every component must meet.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSection {
    /// Time a component spends in each mode.
    #[serde(default)]
    pub soak: Option<SoakSection>,
    /// Criteria every component must meet to advance.
    #[serde(default)]
    #[schemars(with = "Vec<CriterionSpec>")]
    pub gate: Vec<Spanned<CriterionSpec>>,
}

/// `defaults.soak:` — work days spent in shadow, canary and dagger modes.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SoakSection {
    /// Time in shadow mode (default 5d).
    #[serde(default)]
    #[schemars(with = "Option<RawDuration>")]
    pub shadow: Option<Spanned<RawDuration>>,
    /// Time in canary mode (default 3d).
    #[serde(default)]
    #[schemars(with = "Option<RawDuration>")]
    pub canary: Option<Spanned<RawDuration>>,
    /// Time in dagger mode before legacy may be retired (default 5d).
    #[serde(default)]
    #[schemars(with = "Option<RawDuration>")]
    pub dagger: Option<Spanned<RawDuration>>,
}

/// `planning:` — limits on the phases the planner forms.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningSection {
    /// Most porting work (work days) one phase may hold.
    #[serde(default)]
    #[schemars(with = "Option<RawDuration>")]
    pub max_phase_effort: Option<Spanned<RawDuration>>,
    /// Most components one phase may hold.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub max_phase_components: Option<Spanned<u32>>,
    /// Most components in the pilot phase (default 3; 0 disables the pilot).
    #[serde(default)]
    pub pilot_size: Option<u32>,
    /// When porting may start relative to dependencies: `ported` (default:
    /// once their Dagger implementation exists) or `cutover` (once they are
    /// cut over to Dagger).
    #[serde(default)]
    pub porting_after: Option<PortingAfterSpec>,
    /// Whether phases overlap (default true): phase N+1 is ported while
    /// phase N soaks, and cuts over only after phase N's gate. `false`: each
    /// phase starts only after the previous phase's gate.
    #[serde(default)]
    pub overlap: Option<bool>,
}

/// `planning.porting_after:` — what a component's porting waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortingAfterSpec {
    /// Dependencies are ported (their Dagger implementation exists).
    Ported,
    /// Dependencies are cut over to Dagger.
    Cutover,
}

/// How a component is classified; shapes where the planner puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KindSpec {
    /// A build or delivery pipeline.
    Pipeline,
    /// A single CI job.
    Job,
    /// A long-running service feature switched by a flag.
    Service,
    /// Shared code other components use.
    Library,
    /// Infrastructure: engines, runners, integration plumbing.
    Infra,
}

/// Risk of moving a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskSpec {
    /// Low risk.
    Low,
    /// Medium risk.
    Medium,
    /// High risk: gets a porting buffer.
    High,
}

/// One entry of `components:`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentSpec {
    /// Unique id: `[a-z0-9][a-z0-9_-]*`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Human name (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    // `kind`, `owner` and `effort` are required, but an absent one is
    // reported by the validate pass (serde leaves it `None`), so that every
    // missing key is reported at once with the other problems.
    /// What sort of unit this is.
    #[schemars(required, with = "KindSpec")]
    pub kind: Option<KindSpec>,
    /// Team or person owning it.
    #[schemars(required, with = "String")]
    pub owner: Option<String>,
    /// Ids of components that must move no later than this one.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub depends_on: Vec<Spanned<String>>,
    /// Porting work: `3d`, `2w` or a number of work days. When absent, the
    /// capability table's estimate from `legacy.features` (see `cutover audit`).
    #[serde(default)]
    #[schemars(with = "Option<RawDuration>")]
    pub effort: Option<Spanned<RawDuration>>,
    /// Risk of the move (default medium).
    #[serde(default)]
    pub risk: Option<RiskSpec>,
    /// Whether people outside the platform team see it.
    #[serde(default)]
    pub user_facing: bool,
    /// Whether the business depends on it.
    #[serde(default)]
    pub critical: bool,
    /// Optional phase pin; must not contradict `depends_on`.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub phase: Option<Spanned<u32>>,
    /// The legacy implementation.
    #[serde(default)]
    pub legacy: Option<ImplementationSpec>,
    /// The Dagger implementation.
    #[serde(default)]
    pub dagger: Option<ImplementationSpec>,
    /// Deploys or publishes: never performed twice.
    #[serde(default)]
    pub side_effects: bool,
    /// Files or directories compared for parity: a path, or a mapping
    /// `{ path, compare, ... }` naming the comparator.
    #[serde(default)]
    #[schemars(with = "Vec<OutputEntry>")]
    pub outputs: Vec<Spanned<OutputEntry>>,
    /// Whether stdout is compared (`ignore` turns it off).
    #[serde(default)]
    pub stdout: Option<StdoutSpec>,
    /// Rewrites applied to stdout before comparing.
    #[serde(default)]
    pub normalize: Vec<NormalizeSpec>,
    /// On a mismatch, re-run the non-authoritative side up to this many
    /// times; a mismatch that disappears is recorded as flaky.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub recheck: Option<Spanned<u32>>,
    /// When the shadowing side runs: `concurrent` (the default, at lowered
    /// priority) or `after` the authoritative side.
    #[serde(default)]
    pub shadow: Option<super::side_settings::ShadowTiming>,
    /// Where each side of a two-sided run works: `isolated` (the default,
    /// each in its own copy of the tracked files) or `shared`.
    #[serde(default)]
    pub workspace: Option<super::side_settings::WorkspaceMode>,
    /// Environment variables whose values are never recorded.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Per-side time limit: `90s`, `30m`, `2h`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    /// Paths saved before each mode change.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub preserve: Vec<Spanned<String>>,
    /// Acceptance tests of the component.
    #[serde(default)]
    pub acceptance: Vec<AcceptanceSpec>,
    /// Criteria added to `defaults.gate` for this component.
    #[serde(default)]
    #[schemars(with = "Vec<CriterionSpec>")]
    pub gate: Vec<Spanned<CriterionSpec>>,
}

/// `legacy:` / `dagger:` — how one side runs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementationSpec {
    /// Shell command line.
    #[schemars(with = "String")]
    pub run: Spanned<String>,
    /// Command used instead of `run` when shadowing a side-effecting component.
    #[serde(default)]
    pub shadow_run: Option<String>,
    /// Definition files (drift detection).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub sources: Vec<Spanned<String>>,
    /// Legacy features this side uses (`matrix`, `services`, `cache`, …),
    /// written by `cutover import` and read by `cutover audit`.
    #[serde(default)]
    pub features: Vec<String>,
    /// Where `cutover import` found this side: `cutover scaffold` reads it again from there.
    #[serde(default)]
    pub origin: Option<OriginSpec>,
}

/// `legacy.origin:` — the legacy definition a component was imported from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginSpec {
    /// The importer: `github-actions`, `gitlab`, `make`, `just`, `taskfile` or `compose`.
    pub from: String,
    /// The definition file, relative to the spec's directory.
    pub file: String,
    /// The job, target, recipe, task or service name inside that file.
    pub job: String,
}

/// One stdout rewrite rule applied before comparing.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NormalizeSpec {
    /// Regular expression.
    #[schemars(with = "String")]
    pub pattern: Spanned<String>,
    /// Replacement text.
    pub replace: String,
}

/// One acceptance or integration test.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptanceSpec {
    /// Test name.
    pub name: String,
    /// Shell command line; runs with `CUTOVER_SIDE` set to the side under test.
    pub run: String,
    /// Expected exit code (default 0).
    #[serde(default)]
    pub expect_exit: Option<i32>,
    /// A regular expression stdout must match.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub stdout: Option<Spanned<String>>,
    /// Files that must exist afterwards (relative to the spec's directory).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub files: Vec<Spanned<String>>,
    /// Time limit: `90s`, `5m`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
}

/// `rollback:` — triggers and globally preserved paths.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackSection {
    /// Criteria watched continuously.
    #[serde(default)]
    pub triggers: Vec<TriggerSpec>,
    /// Paths saved before every mode change.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub preserve: Vec<Spanned<String>>,
}

/// What a fired trigger does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerActionSpec {
    /// Roll back automatically.
    Rollback,
    /// Hold the component until someone decides.
    Escalate,
}

/// One rollback trigger.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerSpec {
    /// Criterion that fires the trigger when true.
    #[schemars(with = "CriterionSpec")]
    pub when: Spanned<CriterionSpec>,
    /// What happens when it fires.
    pub action: TriggerActionSpec,
    /// Runs needed before it may fire.
    #[serde(default)]
    pub min_runs: Option<u32>,
    /// Quiet time after firing: `30m`, `1h`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub cooldown: Option<Spanned<String>>,
    /// Who decides an escalation (default: the component's owner).
    #[serde(default)]
    pub decider: Option<String>,
    /// How fast the decision is due: `2h` (default 4h).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub decide_within: Option<Spanned<String>>,
    /// Modes in which it is evaluated (default: `[canary, dagger]`, the modes
    /// where Dagger is authoritative for some runs).
    #[serde(default)]
    pub modes: Option<Vec<TriggerModeSpec>>,
}

/// A mode a trigger may watch: one where Dagger runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerModeSpec {
    /// Both run; legacy is authoritative.
    Shadow,
    /// Dagger is authoritative for a share of runs.
    Canary,
    /// Only Dagger runs.
    Dagger,
}

/// `retention:` — what `cutover gc` (and `run`, once over the limit) prunes.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionSection {
    /// Captured files of runs (`.cutover/runs/<id>/`); run records are kept forever.
    #[serde(default)]
    pub runs: Option<RunRetentionSpec>,
    /// Snapshot contents no rollback can need any more.
    #[serde(default)]
    pub snapshots: Option<SnapshotRetentionSpec>,
}

/// `retention.runs:` — captured run files kept by count and by age.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRetentionSpec {
    /// The newest runs whose captured files are kept (default 200).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub keep: Option<Spanned<u32>>,
    /// Captured files older than this are pruned: `30d`, `12h` (default 30d).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub max_age: Option<Spanned<String>>,
}

/// `retention.snapshots:` — safety snapshots kept per component.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRetentionSpec {
    /// The newest safety snapshots (taken before each rollback) whose
    /// contents are kept per component (default 3, at least 1). Restore
    /// points not yet used by a rollback are always kept.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub keep_safety: Option<Spanned<u32>>,
}
