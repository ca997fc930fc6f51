//! [`ParityVerdict`], [`ParityComparison`] and [`SideRole`]: what a run's
//! comparison concluded, what it compared, and the part each execution
//! played. Their spellings in storage live in `store/codec.rs` and nowhere
//! else.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::lifecycle::Side;

/// The parity verdict of a run whose two sides were compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParityVerdict {
    /// Same exit code, stdout and outputs.
    Match,
    /// A mismatch that disappeared when the shadow side ran again.
    Flaky,
    /// Something differs, and rechecks (if any) confirmed it.
    Mismatch,
}

impl ParityVerdict {
    /// Whether the run counts as having parity (flaky counts).
    pub fn has_parity(self) -> bool {
        matches!(self, ParityVerdict::Match | ParityVerdict::Flaky)
    }
}

/// The part one execution played in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SideRole {
    /// Its exit code and outputs are what CI sees.
    Authoritative,
    /// Ran beside the authoritative side, for comparison only.
    Shadow,
    /// The shadow side run again after a mismatch.
    Recheck,
    /// The authoritative side's dry run (its `shadow_run`), run beside its
    /// real run so that a side-effecting component's shadow, itself a dry
    /// run, is compared with like. Evidence of the comparison only: never
    /// counted as an execution of its side (runs, success rates, durations).
    AuthoritativeDryRun,
}

impl SideRole {
    /// The directory of one execution under its run's directory (see
    /// `router/run.rs`): `legacy`, `dagger-recheck-2`, `legacy-dry-run`.
    pub fn directory(self, side: Side, attempt: u32) -> String {
        match (self, attempt) {
            (SideRole::AuthoritativeDryRun, _) => format!("{side}-dry-run"),
            (_, 0) => side.as_str().to_owned(),
            (_, attempt) => format!("{side}-recheck-{attempt}"),
        }
    }
}

/// What a run's parity compared: which executions, and how much of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParityComparison {
    /// Both sides' real runs: exit code, stdout and outputs.
    Full,
    /// One side performed the real side effect and the other a dry run, so
    /// only their exit codes mean the same thing (no `shadow_run` declared
    /// for the authoritative side).
    ExitCode,
    /// A side-effecting component's dry runs on both sides (`legacy.shadow_run`
    /// and `dagger.shadow_run`), compared fully; the real run stays
    /// authoritative and is performed once.
    DryRuns,
}

impl ParityComparison {
    /// Every comparison, in the order reports list them.
    pub const ALL: [ParityComparison; 3] = [
        ParityComparison::DryRuns,
        ParityComparison::ExitCode,
        ParityComparison::Full,
    ];

    /// A table cell: `dry runs`, `exit code`, `full`.
    pub fn short(self) -> &'static str {
        match self {
            ParityComparison::Full => "full",
            ParityComparison::ExitCode => "exit code",
            ParityComparison::DryRuns => "dry runs",
        }
    }

    /// How people read it: `dry run vs dry run`, `exit code only`, `full`.
    pub fn describe(self) -> &'static str {
        match self {
            ParityComparison::Full => "full (real runs)",
            ParityComparison::ExitCode => "exit code only (real run vs dry run)",
            ParityComparison::DryRuns => "dry run vs dry run",
        }
    }
}

/// `full`, `exit_code` or `dry_runs`.
impl std::fmt::Display for ParityComparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}

/// `match`, `flaky` or `mismatch`.
impl std::fmt::Display for ParityVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}

/// `authoritative`, `shadow`, `recheck` or `authoritative_dry_run`.
impl std::fmt::Display for SideRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}
