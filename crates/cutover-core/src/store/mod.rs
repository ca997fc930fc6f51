//! The state store: the only module that speaks SQL.
//!
//! Embedded SQLite by default (`.cutover/state.db` beside the spec), in WAL
//! mode with a generous busy timeout so that many concurrent `cutover run`
//! processes can record safely; every write is one `BEGIN IMMEDIATE`
//! transaction. Callers see [`Store`] methods and domain types only, never
//! SQL or rusqlite types, so another backend (PostgreSQL, with the same
//! schema) can be added behind the same methods.

mod rollback_records;
mod samples;
mod schema;
mod sqlite;
mod types;

pub use rollback_records::{
    Decision, DrillRecord, PreservedPath, RollbackJournal, RollbackStep, Snapshot,
};
pub use sqlite::{Store, StoreError, now as now_timestamp};
pub use types::{
    ComponentRunCounts, EventRecord, ImportedRun, ModeRecord, NewEvent, RunFinish, RunRecord,
    RunStart, RunStatus, SideRecord, TestRecord, WindowSamples,
};
