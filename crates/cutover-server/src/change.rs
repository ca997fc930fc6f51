//! [`Change`]: the latest change a server saw, counted by generation, that
//! the app publishes and the event streams and the watcher read.

use serde::Serialize;

/// The latest change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Increases with every change.
    pub generation: u64,
    /// What changed last.
    pub kind: ChangeKind,
}

/// What changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Nothing yet: the server started.
    #[default]
    Started,
    /// A run (or a test result) was recorded.
    Run,
    /// A mode, override, decision, snapshot or event changed.
    State,
    /// The server is stopping: streams end.
    Stopping,
}
