//! The state store: the only module that speaks SQL.
//!
//! Embedded SQLite by default (`.cutover/state.db` beside the spec), in WAL
//! mode with a generous busy timeout so that many concurrent `cutover run`
//! processes can record safely. [`Store`] (in `store.rs`) is the one
//! interface, in domain terms; `connection.rs` opens, migrates and writes
//! (one `write` helper with a [`Durability`]); `codec.rs` is the one place
//! domain values are spelled as text; one file per table family holds its
//! SQL. Imports run one way: `store` → families → `codec`/`connection`.

pub mod api;
mod backend;
mod benchmarks;
mod codec;
mod connection;
mod decisions;
mod drills;
mod error;
mod events;
mod http;
mod journal;
mod location;
mod modes;
mod outbox;
mod outbox_types;
mod overrides;
mod postgres;
mod runs;
mod samples;
mod schema;
mod snapshots;
mod sqlite;
#[expect(
    clippy::module_inception,
    reason = "the facade is named after its type"
)]
mod store;
mod test_results;
mod types;

pub use connection::Durability;
pub use error::StoreError;
pub use http::{DEFAULT_TIMEOUT, TIMEOUT_VARIABLE, TOKEN_VARIABLE};
pub use location::StoreLocation;
pub use outbox_types::{DeliveryAttempt, MessageStatus, OutboxFilter, OutboxMessage};
pub use store::Store;
pub use types::{
    BenchmarkRecord, ComparisonCounts, ComponentRunCounts, Decision, DrillRecord, ImportedRun,
    JournalStatus, ModeOverride, ModeRecord, ModeUpdate, PreservedKind, PreservedPath,
    RollbackJournal, RollbackStep, RunDelivery, RunFinish, RunRecord, RunSource, RunStart,
    RunStatus, RunWrite, SideRecord, Snapshot, SnapshotKind, TestRecord, WindowSamples,
};

#[cfg(test)]
mod outbox_tests;
#[cfg(test)]
mod tests;
