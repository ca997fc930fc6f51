//! Domain records the store reads and writes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::exec::{ParityComparison, ParityVerdict, SideOutcome, SideRole};
use crate::lifecycle::{Mode, ModeState, Side};

/// A component's persisted mode; the default is a component never
/// changed (legacy, no history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeRecord {
    /// Mode and canary share.
    #[serde(flatten)]
    pub state: ModeState,
    /// When the component entered this mode.
    pub since: Option<Timestamp>,
    /// Digest of `legacy.sources` when it entered shadow (drift detection).
    pub sources_digest: Option<String>,
}

/// An override: the emergency brake a rollback sets in the store. Every
/// runner that reaches the store runs the component at most at `state`
/// (toward legacy), whatever its committed mode file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeOverride {
    /// Component.
    pub component: String,
    /// The furthest-forward mode allowed.
    #[serde(flatten)]
    pub state: ModeState,
    /// When it was set.
    pub set_at: Timestamp,
    /// Who set it (a person, or the trigger).
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
}

/// What is known when a run starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunStart {
    /// Run id.
    pub id: String,
    /// Component.
    pub component: String,
    /// Mode at start.
    pub mode: ModeState,
    /// Authoritative side.
    pub authoritative: Side,
    /// `cutover run`'s process, packed by
    /// [`crate::process_identity::ProcessIdentity::encode`] (incomplete-run
    /// detection that survives pid reuse).
    pub pid: i64,
    /// Run key (canary routing).
    pub run_key: Option<String>,
    /// W3C trace id shared by both sides.
    pub trace_id: String,
    /// What produced it.
    pub source: RunSource,
    /// Digest of the Dagger side's implementation it ran, when known
    /// ([`crate::exec::implementation_digest`]).
    pub implementation: Option<String>,
}

/// One side's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SideRecord {
    /// Which side.
    pub side: Side,
    /// The part it played.
    pub role: SideRole,
    /// 0 for the first execution, 1.. for rechecks.
    pub attempt: u32,
    /// How it ended.
    pub outcome: SideOutcome,
    /// Wall time in milliseconds (fractional: fast commands take under one).
    pub duration_ms: f64,
    /// Digest of normalized stdout.
    pub stdout_digest: Option<String>,
    /// Digest of the declared outputs.
    pub outputs_digest: Option<String>,
    /// Whether it ran while the other side of the run was running.
    pub overlapped: bool,
    /// Whether its duration is contended: it overlapped the other side,
    /// and the other side was not the one running at lowered priority.
    /// Duration criteria leave contended executions out.
    pub contended: bool,
    /// What lowered its priority (`nice 19, io idle`), if it was lowered.
    pub lowered: Option<String>,
}

/// What is known when a run ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunFinish {
    /// Run id.
    pub id: String,
    /// Exit code passed to CI.
    pub exit_code: i32,
    /// The parity verdict, or `None` when not compared.
    pub parity: Option<ParityVerdict>,
    /// What the parity compared (`None` when not compared, or recorded by
    /// a version that did not say).
    #[serde(default)]
    pub comparison: Option<ParityComparison>,
    /// Readable mismatch summary (secrets redacted).
    pub parity_summary: Option<String>,
    /// A trace URL printed by the Dagger side.
    pub trace_url: Option<String>,
    /// Every side execution.
    pub sides: Vec<SideRecord>,
}

/// One write of a run record, for [`super::Store::record_run_writes`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunWrite {
    /// A run started ([`super::Store::begin_run`]).
    Begin(RunStart),
    /// A run ended ([`super::Store::finish_run`]).
    Finish(RunFinish),
}

/// A run delivered late, with the times it really started and ended: a
/// record from the spool (see [`super::Store::deliver_runs`]).
#[derive(Debug, Clone)]
pub struct RunDelivery {
    /// What was known at the start.
    pub start: RunStart,
    /// When it started.
    pub started_at: jiff::Timestamp,
    /// Its end and when, once it ended; `None` for a run still running (or
    /// one whose process is gone: its `start.pid` says which).
    pub end: Option<(RunFinish, jiff::Timestamp)>,
}

/// Lifecycle of a run record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still running (its process is alive).
    Running,
    /// Finished and recorded.
    Complete,
    /// Its process died before recording an end (killed, crashed).
    Incomplete,
}

/// A stored run, for `cutover runs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run id.
    pub id: String,
    /// Component.
    pub component: String,
    /// Mode it ran in.
    pub mode: Mode,
    /// Canary share at the time.
    pub canary_percent: u8,
    /// Authoritative side.
    pub authoritative: Side,
    /// Status.
    pub status: RunStatus,
    /// Started.
    pub started_at: Timestamp,
    /// Finished.
    pub finished_at: Option<Timestamp>,
    /// Exit code CI saw.
    pub exit_code: Option<i32>,
    /// Parity verdict.
    pub parity: Option<ParityVerdict>,
    /// What the parity compared (null: not compared, or recorded before
    /// cutover said).
    #[serde(default)]
    pub comparison: Option<ParityComparison>,
    /// Mismatch summary.
    pub parity_summary: Option<String>,
    /// Trace id.
    pub trace_id: Option<String>,
    /// Trace URL.
    pub trace_url: Option<String>,
}

/// Run counts of one component, for `cutover status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRunCounts {
    /// Runs recorded (complete or not).
    pub total: u64,
    /// Executions of the legacy side.
    pub legacy: u64,
    /// Executions of the Dagger side.
    pub dagger: u64,
    /// Runs whose parity was a mismatch.
    pub mismatches: u64,
    /// Runs whose mismatch disappeared on recheck.
    pub flaky: u64,
    /// Runs compared with parity.
    pub matches: u64,
    /// Runs whose process died before recording an end.
    pub incomplete: u64,
    /// Compared runs by what their parity compared.
    #[serde(default)]
    pub compared_by: ComparisonCounts,
}

/// Compared runs counted by what their parity compared (see
/// [`ParityComparison`]); runs recorded before cutover said are `unrecorded`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonCounts {
    /// Both sides' real runs, compared fully.
    pub full: u64,
    /// A real run and a dry run: exit codes only.
    pub exit_code: u64,
    /// Both sides' dry runs, compared fully.
    pub dry_runs: u64,
    /// Compared before the comparison was recorded.
    pub unrecorded: u64,
}

impl ComparisonCounts {
    /// Counts one compared run.
    pub fn add(&mut self, comparison: Option<ParityComparison>) {
        match comparison {
            Some(ParityComparison::Full) => self.full += 1,
            Some(ParityComparison::ExitCode) => self.exit_code += 1,
            Some(ParityComparison::DryRuns) => self.dry_runs += 1,
            None => self.unrecorded += 1,
        }
    }

    /// How many runs compared this way.
    pub fn of(&self, comparison: ParityComparison) -> u64 {
        match comparison {
            ParityComparison::Full => self.full,
            ParityComparison::ExitCode => self.exit_code,
            ParityComparison::DryRuns => self.dry_runs,
        }
    }

    /// `dry run vs dry run (5 runs), exit code only (real run vs dry run) (2 runs)`;
    /// `None` when nothing was compared.
    pub fn describe(&self) -> Option<String> {
        let mut parts: Vec<String> = ParityComparison::ALL
            .into_iter()
            .filter(|c| self.of(*c) > 0)
            .map(|c| {
                format!(
                    "{} ({})",
                    c.describe(),
                    crate::text::count(self.of(c) as usize, "run")
                )
            })
            .collect();
        if self.unrecorded > 0 {
            parts.push(format!(
                "not recorded ({})",
                crate::text::count(self.unrecorded as usize, "run")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Raw samples of a component over a window, for criteria.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowSamples {
    /// Legacy executions.
    pub legacy: crate::criteria::SideSamples,
    /// Dagger executions.
    pub dagger: crate::criteria::SideSamples,
    /// Runs in the window.
    pub runs: u64,
    /// Runs compared for parity.
    pub compared: u64,
    /// Compared runs with parity (flaky included).
    pub matched: u64,
    /// Runs with a mismatch.
    pub mismatches: u64,
    /// Contended executions whose durations were left out.
    pub contended_left_out: u64,
    /// Benchmark executions whose durations were counted (never as runs).
    pub bench_durations: u64,
    /// Compared runs by what their parity compared.
    #[serde(default)]
    pub compared_by: ComparisonCounts,
}

/// The summary of one `cutover bench`, kept so the documents can show the
/// latest benchmark of each component. Durations in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRecord {
    /// Component.
    pub component: String,
    /// When it finished (the store's clock).
    pub at: Timestamp,
    /// Digest of the Dagger implementation benchmarked, when known.
    pub implementation: Option<String>,
    /// Whether the dry runs (`shadow_run`) were timed (side effects).
    pub dry_runs: bool,
    /// Measured legacy executions.
    pub legacy_runs: u32,
    /// Measured Dagger executions.
    pub dagger_runs: u32,
    /// Median legacy duration.
    pub legacy_median: Option<f64>,
    /// Median Dagger duration.
    pub dagger_median: Option<f64>,
    /// median(Dagger) / median(legacy).
    pub ratio: Option<f64>,
    /// Lower bound of its 95% bootstrap interval.
    pub ratio_low: Option<f64>,
    /// Upper bound of its 95% bootstrap interval.
    pub ratio_high: Option<f64>,
    /// Two-sided Mann-Whitney U p-value.
    pub p_value: Option<f64>,
}

/// One acceptance or integration test result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestRecord {
    /// Component tested (none for a phase's integration test).
    pub component: Option<String>,
    /// Phase of an integration test.
    pub phase: Option<u32>,
    /// Test name.
    pub test: String,
    /// Side under test.
    pub side: Side,
    /// Whether it passed.
    pub passed: bool,
    /// Wall time.
    pub duration_ms: u64,
    /// Why it failed.
    pub detail: Option<String>,
}

/// A finished run to import (see [`super::Store::import_runs`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportedRun {
    /// Run id.
    pub id: String,
    /// Component.
    pub component: String,
    /// Mode it ran in.
    pub mode: ModeState,
    /// Start.
    pub started_at: Timestamp,
    /// Parity verdict, if compared.
    pub parity: Option<ParityVerdict>,
    /// Sides: the authoritative first, with outcome and milliseconds.
    pub sides: Vec<(Side, SideOutcome, f64)>,
}

impl ImportedRun {
    /// The authoritative side (the first; legacy when none is listed).
    pub(super) fn authoritative(&self) -> Side {
        self.sides.first().map_or(Side::Legacy, |s| s.0)
    }

    /// The run's exit code: the authoritative side's (0 when none is listed).
    pub(super) fn exit_code(&self) -> i32 {
        self.sides.first().map_or(0, |s| s.1.exit_code())
    }

    /// Each side with its role: the first authoritative, the others shadows.
    pub(super) fn sides_with_roles(
        &self,
    ) -> impl Iterator<Item = (&(Side, SideOutcome, f64), SideRole)> + Clone {
        self.sides.iter().enumerate().map(|(index, side)| {
            let role = if index == 0 {
                SideRole::Authoritative
            } else {
                SideRole::Shadow
            };
            (side, role)
        })
    }
}

/// What produced a run record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunSource {
    /// `cutover run`.
    Run,
    /// `cutover record` (a service reported its own outcome).
    Record,
    /// `cutover bench`.
    Bench,
    /// Imported history.
    Import,
}

/// Why a snapshot was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotKind {
    /// Before an advance: the restore point a rollback returns to.
    RestorePoint,
    /// Before a rollback restores files: the files as they were, so edits
    /// made since are never lost.
    Safety,
}

/// What a preserved path was when saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreservedKind {
    /// A file, saved by digest.
    File,
    /// A directory, saved file by file.
    Dir,
    /// Nothing was there (restoring removes whatever is there now).
    Missing,
}

/// Where a journaled rollback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalStatus {
    /// Some steps are not done (interrupted, or running now).
    InProgress,
    /// Every step committed.
    Done,
}

/// One preserved path in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreservedPath {
    /// Path relative to the spec's directory.
    pub path: String,
    /// What was there.
    pub kind: PreservedKind,
    /// Content digest of a file.
    pub digest: Option<String>,
    /// Files of a directory: relative path and digest.
    #[serde(default)]
    pub entries: Vec<(String, String)>,
}

/// A snapshot: a component's mode and its preserved paths at one moment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// Id.
    pub id: i64,
    /// Component.
    pub component: String,
    /// Why it was taken.
    pub kind: SnapshotKind,
    /// The mode then.
    pub state: ModeState,
    /// When.
    pub created_at: Timestamp,
    /// When a rollback restored it.
    pub consumed_at: Option<Timestamp>,
    /// Preserved paths.
    pub files: Vec<PreservedPath>,
}

/// One step of a journaled rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackStep {
    /// Component.
    pub component: String,
    /// Snapshot restored (none: mode-only rollback).
    pub snapshot: Option<i64>,
    /// Mode before the rollback.
    pub from: ModeState,
    /// Mode restored.
    pub to: ModeState,
    /// Snapshot ids consumed by this step (the restored one and any later).
    pub consumes: Vec<i64>,
    /// Whether the step's final transaction committed.
    pub done: bool,
}

/// A journaled rollback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollbackJournal {
    /// Id.
    pub id: i64,
    /// What was asked for.
    pub target: String,
    /// Where it stands.
    pub status: JournalStatus,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// Steps, dependents first.
    pub steps: Vec<RollbackStep>,
}

/// An open or closed decision point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Decision {
    /// Id.
    pub id: i64,
    /// Component held.
    pub component: String,
    /// Trigger that opened it.
    pub trigger: String,
    /// When.
    pub opened_at: Timestamp,
    /// Evidence at the time.
    pub evidence: String,
    /// What was decided, once decided.
    pub decision: Option<crate::event::DecisionOutcome>,
}

/// A drill's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DrillRecord {
    /// Component.
    pub component: String,
    /// When.
    pub at: Timestamp,
    /// Whether the rollback and the legacy acceptance tests succeeded.
    pub passed: bool,
    /// Time to roll back, milliseconds.
    pub duration_ms: f64,
    /// Details.
    pub detail: serde_json::Value,
}

/// A mode change to record with its restore point and its event.
#[derive(Debug, Clone)]
pub struct ModeUpdate<'a> {
    /// Component.
    pub component: &'a str,
    /// The store's recorded mode the caller read (the change fails if it
    /// moved meanwhile).
    pub expected: ModeState,
    /// The effective mode before the change (the mode file's, after any
    /// override): what the restore point returns to. It differs from
    /// `expected` when the mode file says another mode than the store.
    pub from: ModeState,
    /// The new mode.
    pub new: ModeState,
    /// Digest of `legacy.sources` (recorded when entering shadow).
    pub sources_digest: Option<&'a str>,
    /// The preserved paths before the change (contents already saved).
    pub restore_point: &'a [PreservedPath],
}
