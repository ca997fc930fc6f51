//! Domain records the store reads and writes.

use serde::Serialize;

use crate::exec::SideOutcome;
use crate::lifecycle::{Mode, ModeState, Side};

/// A component's persisted mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModeRecord {
    /// Mode and canary share.
    #[serde(flatten)]
    pub state: ModeState,
    /// When the component entered this mode (RFC 3339, UTC).
    pub since: Option<String>,
    /// Digest of `legacy.sources` when it entered shadow (drift detection).
    pub sources_digest: Option<String>,
}

/// A new audit-log event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// What happened: `advance`, `rollback`, `run_incomplete`, …
    pub kind: String,
    /// The component concerned, if any.
    pub component: Option<String>,
    /// Who did it.
    pub actor: String,
    /// Why, as given with `--reason`.
    pub reason: Option<String>,
    /// Details as JSON.
    pub detail: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    /// Sequence number.
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What happened.
    pub kind: String,
    /// The component concerned.
    pub component: Option<String>,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// Details.
    pub detail: serde_json::Value,
}

/// What is known when a run starts.
#[derive(Debug, Clone)]
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
    /// `run` or `record`.
    pub source: &'static str,
}

/// One side's result.
#[derive(Debug, Clone, Serialize)]
pub struct SideRecord {
    /// Which side.
    pub side: Side,
    /// `authoritative`, `shadow` or `recheck`.
    pub role: &'static str,
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
}

/// What is known when a run ends.
#[derive(Debug, Clone)]
pub struct RunFinish {
    /// Run id.
    pub id: String,
    /// Exit code passed to CI.
    pub exit_code: i32,
    /// `match`, `mismatch`, `flaky`, or `None` when not compared.
    pub parity: Option<&'static str>,
    /// Readable mismatch summary (secrets redacted).
    pub parity_summary: Option<String>,
    /// A trace URL printed by the Dagger side.
    pub trace_url: Option<String>,
    /// Every side execution.
    pub sides: Vec<SideRecord>,
}

/// Lifecycle of a run record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
    /// Started (RFC 3339).
    pub started_at: String,
    /// Finished (RFC 3339).
    pub finished_at: Option<String>,
    /// Exit code CI saw.
    pub exit_code: Option<i32>,
    /// Parity verdict.
    pub parity: Option<String>,
    /// Mismatch summary.
    pub parity_summary: Option<String>,
    /// Trace id.
    pub trace_id: Option<String>,
    /// Trace URL.
    pub trace_url: Option<String>,
}

/// Run counts of one component, for `cutover status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
}

/// Raw samples of a component over a window, for criteria.
#[derive(Debug, Clone, Default, PartialEq)]
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
}

/// One acceptance or integration test result.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct ImportedRun {
    /// Run id.
    pub id: String,
    /// Component.
    pub component: String,
    /// Mode it ran in.
    pub mode: ModeState,
    /// Start (RFC 3339).
    pub started_at: String,
    /// Parity verdict, if compared.
    pub parity: Option<&'static str>,
    /// Sides: the authoritative first, with outcome and milliseconds.
    pub sides: Vec<(Side, SideOutcome, f64)>,
}
