//! [`Backend`]: what a place that keeps the migration's state must do.
//!
//! [`super::Store`] is the one interface callers see; it holds one backend,
//! chosen by one setting (see [`super::StoreLocation`]): the SQLite file
//! (`sqlite.rs`, the default), and the team backends beside it. A trait
//! rather than an enum so each backend lives in its own module and the
//! compiler lists every method a new backend still lacks; the methods are
//! the store's primitive operations, and what every backend shares (window
//! arithmetic, the ordering of a mode change) stays in `Store`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;

use super::connection::Durability;
use super::error::StoreError;
use super::outbox_types::{DeliveryAttempt, OutboxFilter, OutboxMessage};
use super::types::{
    BenchmarkRecord, ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeOverride,
    ModeRecord, ModeUpdate, PreservedPath, RollbackJournal, RollbackStep, RunDelivery, RunFinish,
    RunRecord, RunStart, RunWrite, Snapshot, SnapshotKind, TestRecord, WindowSamples,
};
use crate::event::{DecisionOutcome, Event, EventRecord, NewEvent, NewMessage};
use crate::lifecycle::ModeState;

/// One backend of the state store; see [`super::Store`] for each method's contract.
pub(super) trait Backend: std::fmt::Debug + Send {
    /// The schema version of the open store.
    fn schema_version(&self) -> Result<i64, StoreError>;
    /// The mode of one component (legacy if never changed).
    fn mode(&self, component: &str) -> Result<ModeRecord, StoreError>;
    /// Records mode changes with restore points and events, and `also`
    /// (events of the whole batch, such as a phase starting), all or none.
    fn change_modes(
        &mut self,
        changes: Vec<(ModeUpdate<'_>, NewEvent)>,
        also: Vec<NewEvent>,
        at: Timestamp,
    ) -> Result<Option<Vec<i64>>, StoreError>;
    /// Sets a new drift baseline and records the event.
    fn acknowledge_drift(
        &mut self,
        component: &str,
        digest: &str,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Appends an event.
    fn append_event(
        &mut self,
        event: &NewEvent,
        durability: Durability,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// The audit log, oldest first, at most `limit` newest.
    fn events(&self, component: Option<&str>, limit: u32) -> Result<Vec<EventRecord>, StoreError>;
    /// When a trigger last fired for a component.
    fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// Records the start of a run. Idempotent by run id: a run already
    /// recorded is left as it is (spooled records may be delivered twice).
    fn begin_run(&mut self, run: &RunStart, at: Timestamp) -> Result<(), StoreError>;
    /// Records the end of a run and its side executions. Idempotent by run
    /// id: a run already finished is left as it is, sides not added again.
    fn finish_run(&mut self, finish: &RunFinish, at: Timestamp) -> Result<(), StoreError>;
    /// Records run starts and ends in order: in one transaction where the
    /// backend can (a server batching concurrent runners), else one by one.
    fn record_run_writes(&mut self, writes: &[RunWrite], at: Timestamp) -> Result<(), StoreError> {
        for write in writes {
            match write {
                RunWrite::Begin(run) => self.begin_run(run, at)?,
                RunWrite::Finish(finish) => self.finish_run(finish, at)?,
            }
        }
        Ok(())
    }
    /// Delivers runs with their own times, in one transaction where the
    /// backend can, waiting at most `wait` for other writers; each
    /// idempotent by run id like [`Backend::begin_run`] and
    /// [`Backend::finish_run`].
    fn deliver_runs(&mut self, runs: &[RunDelivery], wait: Duration) -> Result<(), StoreError> {
        let _ = wait;
        for run in runs {
            self.begin_run(&run.start, run.started_at)?;
            if let Some((finish, at)) = &run.end {
                self.finish_run(finish, *at)?;
            }
        }
        Ok(())
    }
    /// Moves what the store keeps aside for speed into its main file, and
    /// makes it durable (SQLite: checkpoints and truncates the WAL). A
    /// server or database keeps its own house: nothing to do.
    fn checkpoint(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Imports finished runs in one transaction, skipping ids already recorded.
    fn import_runs(&mut self, runs: &[ImportedRun]) -> Result<(), StoreError>;
    /// Per-component run counts.
    fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError>;
    /// How many runs started at or after the run id `mark`.
    fn runs_since(&self, mark: &str) -> Result<u64, StoreError>;
    /// Runs still marked running, with their packed process identity.
    fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError>;
    /// The most recent runs of a component, newest first.
    fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError>;
    /// The start of the `count`-th latest run of a component.
    fn nth_latest_start(
        &self,
        component: &str,
        count: u32,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// The start of the latest run of another Dagger implementation than `current`.
    fn latest_start_of_other_implementation(
        &self,
        component: &str,
        current: &str,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// Samples and parity counts of runs started at or after `since_ms`, with the latest tests.
    fn window_samples(&self, component: &str, since_ms: i64) -> Result<WindowSamples, StoreError>;
    /// Records one test result.
    fn record_test(&mut self, result: &TestRecord, at: Timestamp) -> Result<(), StoreError>;
    /// Records the summary of one benchmark, stamped `at`.
    fn record_benchmark(
        &mut self,
        benchmark: &BenchmarkRecord,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The latest benchmark of a component.
    fn latest_benchmark(&self, component: &str) -> Result<Option<BenchmarkRecord>, StoreError>;
    /// Records a snapshot; returns its id.
    fn insert_snapshot(
        &mut self,
        component: &str,
        kind: SnapshotKind,
        state: ModeState,
        files: &[PreservedPath],
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Snapshots of a component, newest first.
    fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError>;
    /// One snapshot by id.
    fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError>;
    /// Starts a rollback journal; returns its id.
    fn begin_rollback(
        &mut self,
        target: &str,
        actor: &str,
        reason: Option<&str>,
        steps: &[RollbackStep],
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Unfinished journals, oldest first.
    fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError>;
    /// Commits one rollback step with its mode, snapshots and events (the
    /// step's, then any of the whole rollback).
    fn finish_rollback_step(
        &mut self,
        journal_id: i64,
        step_index: usize,
        events: &[NewEvent],
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Opens a decision point with its event (carrying `messages`), unless
    /// one is open; its id.
    fn open_decision(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
        actor: &str,
        messages: Vec<NewMessage>,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError>;
    /// The open decision point of a component.
    fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError>;
    /// Closes a decision point and appends `event`.
    fn decide(
        &mut self,
        decision: &Decision,
        outcome: DecisionOutcome,
        actor: &str,
        reason: &str,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Records a drill with its event.
    fn record_drill(&mut self, drill: &DrillRecord, event: &NewEvent) -> Result<(), StoreError>;
    /// Drills of a component, newest first.
    fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError>;
    /// Every active override, by component.
    fn overrides(&self) -> Result<Vec<ModeOverride>, StoreError>;
    /// Sets an override with `event` (its `replaced` filled in), in one
    /// transaction, unless one at or behind `set.state` is already in place
    /// (false: nothing written).
    fn set_override(
        &mut self,
        set: &ModeOverride,
        event: NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Clears the override of `component` with `event`, in one transaction,
    /// if it still holds `expected` (false: nothing written).
    fn clear_override(
        &mut self,
        component: &str,
        expected: ModeState,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Copies the whole state into a fresh SQLite file at `path` (for drills).
    fn copy_to(&self, path: &Path) -> Result<(), StoreError>;
    /// Messages of the outbox matching `filter`, oldest first.
    fn outbox(&self, filter: &OutboxFilter) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Claims a pending message for one delivery: its next attempt moves
    /// from `seen` to `until` unless another sender moved it first; false
    /// then (or when it is no longer pending).
    fn claim_delivery(
        &mut self,
        id: i64,
        seen: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Records one delivery attempt of a pending message; false when it
    /// was no longer pending.
    fn record_delivery(
        &mut self,
        id: i64,
        attempt: &DeliveryAttempt,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Acknowledges a thread with `event`, in one transaction; false
    /// (nothing written) when it was acknowledged already.
    fn acknowledge_message(
        &mut self,
        thread: i64,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Moves an unacknowledged thread from `from_level` one level up with
    /// `event` (carrying the escalation's messages), in one transaction;
    /// false (nothing written) when it moved or was acknowledged meanwhile.
    fn escalate_message(
        &mut self,
        thread: i64,
        from_level: u32,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// Whether the override `set` may replace the `existing` one's state:
/// only when there is none or `set` is further back (an override only ever
/// tightens). When it may, `event`'s `replaced` records what it replaces.
pub(super) fn replaces(
    existing: Option<ModeState>,
    set: &ModeOverride,
    event: &mut NewEvent,
) -> bool {
    if existing.is_some_and(|e| !set.state.is_behind(e)) {
        return false;
    }
    if let Event::OverrideSet { replaced, .. } = &mut event.event {
        *replaced = existing;
    }
    true
}

/// The event every backend records when it opens decision point `id`.
pub(super) fn decision_opened(
    id: i64,
    component: &str,
    trigger: &str,
    evidence: &str,
    actor: &str,
) -> NewEvent {
    NewEvent::new(
        Some(component.to_owned()),
        actor,
        Some(trigger.to_owned()),
        Event::DecisionOpened {
            decision: id,
            trigger: trigger.to_owned(),
            evidence: evidence.to_owned(),
        },
    )
}
