//! [`ParityVerdict`] and [`SideRole`]: what a run's comparison concluded and
//! the part each execution played. Their spellings in storage live in
//! `store/codec.rs` and nowhere else.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
}

/// `match`, `flaky` or `mismatch`.
impl std::fmt::Display for ParityVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}

/// `authoritative`, `shadow` or `recheck`.
impl std::fmt::Display for SideRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}
