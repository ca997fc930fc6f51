//! How the two sides of a two-sided run (shadow, canary) are placed beside
//! each other: when the shadowing side runs ([`ShadowTiming`]) and in which
//! directory each side works ([`WorkspaceMode`]). Both are written as-is in
//! the spec and used as-is by the run; serde rejects any other spelling with
//! its line and column.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `shadow:` — when the shadowing side runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShadowTiming {
    /// Beside the authoritative side, at lowered CPU and I/O priority (and
    /// under a CPU quota where a cgroup can be created).
    #[default]
    Concurrent,
    /// After the authoritative side has finished, at normal priority: no
    /// contention at all, for CI with time to spare (the job lasts both).
    After,
}

/// `workspace:` — where each side of a two-sided run works.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceMode {
    /// Each side in its own clean copy of the repository's tracked files
    /// (of the project directory when it is not in a git repository).
    #[default]
    Isolated,
    /// Both sides in the project directory itself.
    Shared,
}
