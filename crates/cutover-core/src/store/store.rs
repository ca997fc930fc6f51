//! [`Store`]: the state store's one interface, in domain terms.
//!
//! # The seam
//! Callers see these methods and domain types only — never SQL, rows or
//! driver types. `Store` holds one [`Backend`] chosen by a
//! [`StoreLocation`] (`--state`): the SQLite file by default (`sqlite.rs`),
//! the team backends beside it. A boxed trait keeps callers and the
//! `Workspace` non-generic while each backend lives in its own module.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::backend::Backend;
use super::connection::{Database, Durability};
use super::error::StoreError;
use super::location::StoreLocation;
use super::outbox_types::{DeliveryAttempt, OutboxFilter, OutboxMessage};
use super::postgres::Postgres;
use super::types::{
    BenchmarkRecord, ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeOverride,
    ModeRecord, ModeUpdate, PreservedPath, RollbackJournal, RollbackStep, RunDelivery, RunFinish,
    RunRecord, RunStart, RunWrite, Snapshot, SnapshotKind, TestRecord, WindowSamples,
};
use crate::event::{DecisionOutcome, Event, EventRecord, NewEvent, NewMessage, Notifier};
use crate::lifecycle::ModeState;
use crate::spec::Window;

/// The migration state: modes, runs, events, snapshots, journals,
/// decisions, and the stakeholder outbox.
///
/// # Events and their messages
/// Every batch of events a method writes (one transaction) is first given
/// to the [`Notifier`] installed with [`Store::set_notifier`] (the
/// workspace installs the `comms` engine), which attaches the messages the
/// events make; the backend writes events and messages together. Events
/// that already carry messages keep them: a `cutover serve` server, which
/// has no spec, writes what its client prepared.
#[derive(Debug)]
pub struct Store {
    /// `None` for a store never opened ([`Store::closed`]).
    backend: Option<Box<dyn Backend>>,
    notifier: Option<Arc<dyn Notifier>>,
}

impl Store {
    /// Opens (creating if needed) the SQLite store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::with(Box::new(Database::open(path)?)))
    }

    /// Opens the store a `--state` setting names.
    pub fn open_location(location: &StoreLocation) -> Result<Store, StoreError> {
        match location {
            StoreLocation::File(path) => Store::open(path),
            StoreLocation::Postgres(url) => Ok(Store::with(Box::new(Postgres::open(
                url,
                &location.to_string(),
            )?))),
            StoreLocation::Server(url) => Ok(Store::with(Box::new(
                super::http::HttpBackend::connect(url)?,
            ))),
        }
    }

    /// A store that is not opened: what a `cutover run` holds when it needs
    /// no store at all (a component the committed mode file keeps in
    /// legacy, on a local store: see [`crate::router`]). Opening a store
    /// costs a run more than anything else it does. Every call fails with
    /// [`StoreError::Closed`].
    pub fn closed() -> Store {
        Store {
            backend: None,
            notifier: None,
        }
    }

    /// Whether this store was opened (see [`Store::closed`]).
    pub fn is_open(&self) -> bool {
        self.backend.is_some()
    }

    fn with(backend: Box<dyn Backend>) -> Store {
        Store {
            backend: Some(backend),
            notifier: None,
        }
    }

    fn backend(&self) -> Result<&dyn Backend, StoreError> {
        self.backend.as_deref().ok_or(StoreError::Closed)
    }

    fn backend_mut(&mut self) -> Result<&mut dyn Backend, StoreError> {
        match &mut self.backend {
            Some(backend) => Ok(backend.as_mut()),
            None => Err(StoreError::Closed),
        }
    }

    /// Installs what turns every batch of events into their messages.
    pub fn set_notifier(&mut self, notifier: Arc<dyn Notifier>) {
        self.notifier = Some(notifier);
    }

    /// Attaches the messages a batch makes, to events that carry none yet.
    fn notify(&self, batch: &mut [NewEvent]) {
        if let Some(notifier) = &self.notifier
            && batch.iter().all(|event| event.messages.is_empty())
        {
            notifier.notify(batch);
        }
    }

    /// `event` with its messages attached.
    fn notified(&self, event: &NewEvent) -> NewEvent {
        let mut batch = [event.clone()];
        self.notify(&mut batch);
        let [event] = batch;
        event
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.backend()?.schema_version()
    }

    /// The mode of one component (legacy if never changed).
    pub fn mode(&self, component: &str) -> Result<ModeRecord, StoreError> {
        self.backend()?.mode(component)
    }

    /// Changes a component's mode, records its restore point and appends the
    /// event (its `snapshot` filled in), in one synced transaction. Returns
    /// the restore point's id, or `None` when the mode moved since
    /// `update.expected` was read (a concurrent change; nothing written).
    pub fn change_mode(
        &mut self,
        update: &ModeUpdate<'_>,
        event: NewEvent,
    ) -> Result<Option<i64>, StoreError> {
        let changed = self.change_modes(vec![(update.clone(), event)], Vec::new())?;
        Ok(changed.and_then(|ids| ids.first().copied()))
    }

    /// Records several mode changes, each with its restore point and event,
    /// in ONE transaction: all of them or none (a phase advance killed
    /// halfway leaves every component where it was). Returns the restore
    /// point ids in order, or `None` (nothing written) when any component's
    /// mode moved away from its `expected` meanwhile. `also` are events of
    /// the whole batch (a phase starting), written in the same transaction.
    pub fn change_modes(
        &mut self,
        changes: Vec<(ModeUpdate<'_>, NewEvent)>,
        also: Vec<NewEvent>,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let (updates, mut events): (Vec<_>, Vec<_>) = changes.into_iter().unzip();
        let count = events.len();
        events.extend(also);
        self.notify(&mut events);
        let also = events.split_off(count);
        let changes = updates.into_iter().zip(events).collect();
        self.backend_mut()?
            .change_modes(changes, also, Timestamp::now())
    }

    /// Makes `digest` the new baseline of a component's legacy definition
    /// and records `event`, in one transaction; false (nothing written) when
    /// the component has no recorded state.
    pub fn acknowledge_drift(
        &mut self,
        component: &str,
        digest: &str,
        event: &NewEvent,
    ) -> Result<bool, StoreError> {
        let event = self.notified(event);
        self.backend_mut()?
            .acknowledge_drift(component, digest, &event, Timestamp::now())
    }

    /// Appends an event to the audit log; `durability` says whether it must
    /// survive a power loss before this returns.
    pub fn append_event(
        &mut self,
        event: &NewEvent,
        durability: Durability,
    ) -> Result<i64, StoreError> {
        let event = self.notified(event);
        self.backend_mut()?
            .append_event(&event, durability, Timestamp::now())
    }

    /// The audit log, oldest first, optionally for one component; at most `limit` newest.
    pub fn events(
        &self,
        component: Option<&str>,
        limit: u32,
    ) -> Result<Vec<EventRecord>, StoreError> {
        self.backend()?.events(component, limit)
    }

    /// When a trigger last fired for a component (from the audit log).
    pub fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.backend()?.last_trigger_firing(component, trigger)
    }

    /// Records the start of a run (status `running`), so a run killed before
    /// it ends is visible as incomplete, never lost and never a success.
    pub fn begin_run(&mut self, run: &RunStart) -> Result<(), StoreError> {
        self.backend_mut()?.begin_run(run, Timestamp::now())
    }

    /// Records the end of a run and every side execution, atomically.
    pub fn finish_run(&mut self, finish: &RunFinish) -> Result<(), StoreError> {
        self.backend_mut()?.finish_run(finish, Timestamp::now())
    }

    /// Records the start of a run at the time it really started (a spooled
    /// record delivered later, see [`crate::spool`]). Idempotent by run id:
    /// a run already recorded is left as it is.
    pub fn begin_run_at(&mut self, run: &RunStart, at: Timestamp) -> Result<(), StoreError> {
        self.backend_mut()?.begin_run(run, at)
    }

    /// Records the end of a run at the time it really ended. Idempotent by
    /// run id: a run already finished is left as it is, so a record
    /// delivered twice is stored once.
    pub fn finish_run_at(&mut self, finish: &RunFinish, at: Timestamp) -> Result<(), StoreError> {
        self.backend_mut()?.finish_run(finish, at)
    }

    /// Records run starts and ends, in order, in one transaction where the
    /// backend can: `cutover serve` gathers the writes of concurrent runners
    /// into one commit. All or none; on an error the caller may retry the
    /// writes one by one to find the one that failed.
    pub fn record_run_writes(&mut self, writes: &[RunWrite]) -> Result<(), StoreError> {
        self.backend_mut()?
            .record_run_writes(writes, Timestamp::now())
    }

    /// Delivers runs recorded late (spooled records, see
    /// [`crate::spool::deliver::absorb`]) with the times they really
    /// started and ended, in one transaction where the backend can; a
    /// SQLite file held by another writer for longer than `wait` fails busy
    /// (see [`StoreError::is_busy`]) and nothing is written. Idempotent by
    /// run id, like [`Store::begin_run_at`] and [`Store::finish_run_at`].
    pub fn deliver_runs(&mut self, runs: &[RunDelivery], wait: Duration) -> Result<(), StoreError> {
        self.backend_mut()?.deliver_runs(runs, wait)
    }

    /// Checkpoints the store: a SQLite file's WAL goes into the file, synced,
    /// and is truncated, unless readers hold it (then it is left for later).
    /// What `gc` does last; synced writes do it by themselves.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.backend()?.checkpoint()
    }

    /// Imports finished runs in one transaction (past CI history as
    /// baseline evidence, benchmarks), recorded as by [`Store::finish_run`].
    pub fn import_runs(&mut self, runs: &[ImportedRun]) -> Result<(), StoreError> {
        self.backend_mut()?.import_runs(runs)
    }

    /// Per-component run counts.
    pub fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
        self.backend()?.run_counts()
    }

    /// How many runs of `cutover run` started at or after the run id `mark`.
    pub fn runs_since(&self, mark: &str) -> Result<u64, StoreError> {
        self.backend()?.runs_since(mark)
    }

    /// Ids of runs still marked running, with their packed process
    /// identity (see [`crate::process_identity::ProcessIdentity`]).
    pub fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        self.backend()?.running_runs()
    }

    /// The most recent runs of a component, newest first.
    pub fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        self.backend()?.recent_runs(component, limit)
    }

    /// The earliest start time a window includes, or `None` for "all runs".
    pub fn window_start(
        &self,
        component: &str,
        window: Window,
        mode_since: Option<Timestamp>,
    ) -> Result<Option<Timestamp>, StoreError> {
        Ok(match window {
            Window::SinceMode => mode_since,
            Window::Days(days) => Some(
                Timestamp::now()
                    .checked_sub(jiff::SignedDuration::from_hours(i64::from(days) * 24))
                    .unwrap_or(Timestamp::UNIX_EPOCH),
            ),
            Window::Runs(count) => self.backend()?.nth_latest_start(component, count)?,
        })
    }

    /// When the runs of the current Dagger implementation (digest
    /// `current`) begin: just after the latest run of another one, or
    /// `None` when no run of another implementation is recorded.
    pub fn implementation_start(
        &self,
        component: &str,
        current: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        let latest = self
            .backend()?
            .latest_start_of_other_implementation(component, current)?;
        Ok(latest.and_then(|t| t.checked_add(jiff::SignedDuration::from_millis(1)).ok()))
    }

    /// The start of the latest run of another Dagger implementation than
    /// `current` (the primitive behind [`Store::implementation_start`]).
    pub fn latest_start_of_other_implementation(
        &self,
        component: &str,
        current: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.backend()?
            .latest_start_of_other_implementation(component, current)
    }

    /// Samples of both sides and parity counts of runs started at or after
    /// `since` (all runs when `None`), with the latest test results.
    /// Rechecks are not counted as executions.
    pub fn window_samples(
        &self,
        component: &str,
        since: Option<Timestamp>,
    ) -> Result<WindowSamples, StoreError> {
        let since_ms = since.map_or(i64::MIN, |t| t.as_millisecond());
        self.backend()?.window_samples(component, since_ms)
    }

    /// Records one acceptance or integration test result.
    pub fn record_test(&mut self, result: &TestRecord) -> Result<(), StoreError> {
        self.backend_mut()?.record_test(result, Timestamp::now())
    }

    /// Records the summary of a `cutover bench` (its `at` is the store's
    /// clock: now here, the server's through `cutover serve`).
    pub fn record_benchmark(&mut self, benchmark: &BenchmarkRecord) -> Result<(), StoreError> {
        self.backend_mut()?
            .record_benchmark(benchmark, Timestamp::now())
    }

    /// The latest benchmark of a component, if it was ever benchmarked
    /// (the success-criteria document shows it).
    pub fn latest_benchmark(&self, component: &str) -> Result<Option<BenchmarkRecord>, StoreError> {
        self.backend()?.latest_benchmark(component)
    }

    /// Records a snapshot; returns its id.
    pub fn insert_snapshot(
        &mut self,
        component: &str,
        kind: SnapshotKind,
        state: ModeState,
        files: &[PreservedPath],
    ) -> Result<i64, StoreError> {
        self.backend_mut()?
            .insert_snapshot(component, kind, state, files, Timestamp::now())
    }

    /// Snapshots of a component, newest first.
    pub fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError> {
        self.backend()?.snapshots(component)
    }

    /// One snapshot by id.
    pub fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        self.backend()?.snapshot(id)
    }

    /// Starts a rollback journal (synced); returns its id.
    pub fn begin_rollback(
        &mut self,
        target: &str,
        actor: &str,
        reason: Option<&str>,
        steps: &[RollbackStep],
    ) -> Result<i64, StoreError> {
        self.backend_mut()?
            .begin_rollback(target, actor, reason, steps, Timestamp::now())
    }

    /// Unfinished journals, oldest first.
    pub fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError> {
        self.backend()?.unfinished_rollbacks()
    }

    /// Commits one step: the mode, the consumed snapshots, the events (the
    /// step's, then the rollback's own on its last step) and the journal,
    /// all in one synced transaction — so a step is either fully done or
    /// not at all, and the journal says which.
    pub fn finish_rollback_step(
        &mut self,
        journal_id: i64,
        step_index: usize,
        mut events: Vec<NewEvent>,
    ) -> Result<(), StoreError> {
        self.notify(&mut events);
        self.backend_mut()?
            .finish_rollback_step(journal_id, step_index, &events, Timestamp::now())
    }

    /// Opens a decision point (an escalated trigger) with its event and the
    /// messages that tell its decider at once, unless one is open for the
    /// component; returns its id.
    pub fn open_decision(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
        actor: &str,
    ) -> Result<Option<i64>, StoreError> {
        self.open_decision_with_messages(component, trigger, evidence, actor, Vec::new())
    }

    /// [`Store::open_decision`] with its messages prepared by a client
    /// (none: the notifier's).
    pub fn open_decision_with_messages(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
        actor: &str,
        mut messages: Vec<NewMessage>,
    ) -> Result<Option<i64>, StoreError> {
        if messages.is_empty() {
            let opened = super::backend::decision_opened(0, component, trigger, evidence, actor);
            messages = self.notified(&opened).messages;
        }
        self.backend_mut()?.open_decision(
            component,
            trigger,
            evidence,
            actor,
            messages,
            Timestamp::now(),
        )
    }

    /// The open decision point of a component, if any.
    pub fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError> {
        self.backend()?.open_decision_for(component)
    }

    /// Closes a decision point and appends its event, in one synced transaction.
    pub fn decide(
        &mut self,
        decision: &Decision,
        outcome: DecisionOutcome,
        actor: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.decide_with_messages(decision, outcome, actor, reason, Vec::new())
    }

    /// [`Store::decide`] with its messages prepared by a client (none: the notifier's).
    pub fn decide_with_messages(
        &mut self,
        decision: &Decision,
        outcome: DecisionOutcome,
        actor: &str,
        reason: &str,
        messages: Vec<NewMessage>,
    ) -> Result<(), StoreError> {
        let event = NewEvent {
            component: Some(decision.component.clone()),
            actor: actor.to_owned(),
            reason: Some(reason.to_owned()),
            event: Event::DecisionMade {
                decision: outcome,
                trigger: decision.trigger.clone(),
                evidence: decision.evidence.clone(),
            },
            messages,
        };
        let event = self.notified(&event);
        self.backend_mut()?
            .decide(decision, outcome, actor, reason, &event, Timestamp::now())
    }

    /// Records a drill with its event.
    pub fn record_drill(
        &mut self,
        drill: &DrillRecord,
        event: &NewEvent,
    ) -> Result<(), StoreError> {
        let event = self.notified(event);
        self.backend_mut()?.record_drill(drill, &event)
    }

    /// Drills of a component, newest first.
    pub fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError> {
        self.backend()?.drills(component)
    }

    /// Every active override, by component, in one call: the only store
    /// read `cutover run` needs to route (a backend bounds its wait).
    pub fn overrides(&self) -> Result<Vec<ModeOverride>, StoreError> {
        self.backend()?.overrides()
    }

    /// Sets the override `set` (the emergency brake) with its event, in one
    /// synced transaction. False (nothing written) when an override at or
    /// behind `set.state` is already in place: an override only ever moves
    /// a component toward legacy.
    pub fn set_override(&mut self, set: &ModeOverride) -> Result<bool, StoreError> {
        let event = NewEvent {
            component: Some(set.component.clone()),
            actor: set.actor.clone(),
            reason: set.reason.clone(),
            event: Event::OverrideSet {
                to: set.state,
                replaced: None,
            },
            messages: Vec::new(),
        };
        let event = self.notified(&event);
        self.backend_mut()?
            .set_override(set, event, Timestamp::now())
    }

    /// Clears the override of `component` if it still holds `expected`
    /// (a stricter one set meanwhile stays), recording that the mode file
    /// now says `file`; false when nothing was cleared.
    pub fn clear_override(
        &mut self,
        component: &str,
        expected: ModeState,
        file: ModeState,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let event = NewEvent {
            component: Some(component.to_owned()),
            actor: actor.to_owned(),
            reason: None,
            event: Event::OverrideCleared { to: expected, file },
            messages: Vec::new(),
        };
        let event = self.notified(&event);
        self.backend_mut()?
            .clear_override(component, expected, &event, Timestamp::now())
    }

    /// Copies the whole store to the SQLite file `path` (a consistent snapshot, for drills).
    pub fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        self.backend()?.copy_to(path)
    }

    /// Messages of the outbox matching `filter`, oldest first.
    pub fn outbox(&self, filter: &OutboxFilter) -> Result<Vec<OutboxMessage>, StoreError> {
        self.backend()?.outbox(filter)
    }

    /// Claims a pending message for one delivery, so two senders at once
    /// never deliver it both: its next attempt moves from `seen` (what the
    /// sender read) to `until`, unless another sender moved it first —
    /// false then, and the caller leaves it alone. A sender that dies after
    /// claiming leaves the message pending, due again at `until`. No fsync:
    /// a lost claim can only mean one more delivery.
    pub fn claim_delivery(
        &mut self,
        id: i64,
        seen: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        self.backend_mut()?.claim_delivery(id, seen, until)
    }

    /// Records one delivery attempt of a pending message (no fsync: a lost
    /// record means one more delivery, which the idempotency key makes
    /// harmless). False when the message was no longer pending.
    pub fn record_delivery(
        &mut self,
        id: i64,
        attempt: &DeliveryAttempt,
    ) -> Result<bool, StoreError> {
        self.backend_mut()?
            .record_delivery(id, attempt, Timestamp::now())
    }

    /// Acknowledges the thread `thread` (its first message and every
    /// escalation) with its event, in one synced transaction; false when
    /// it was acknowledged already.
    pub fn acknowledge_message(&mut self, thread: i64, actor: &str) -> Result<bool, StoreError> {
        let event = NewEvent::new(
            None,
            actor,
            None,
            Event::MessageAcknowledged { message: thread },
        );
        let event = self.notified(&event);
        self.backend_mut()?
            .acknowledge_message(thread, &event, Timestamp::now())
    }

    /// Moves the unacknowledged thread `thread` from `from_level` one level
    /// up, with `event` and the escalation's messages it carries, in one
    /// synced transaction; false (nothing written) when it moved or was
    /// acknowledged meanwhile, so a second `escalate` does nothing.
    pub fn escalate_message(
        &mut self,
        thread: i64,
        from_level: u32,
        event: &NewEvent,
    ) -> Result<bool, StoreError> {
        let event = self.notified(event);
        self.backend_mut()?
            .escalate_message(thread, from_level, &event, Timestamp::now())
    }
}
