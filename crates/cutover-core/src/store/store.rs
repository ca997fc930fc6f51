//! [`Store`]: the state store's one interface, in domain terms.
//!
//! # The seam
//! Callers see these methods and domain types only — never SQL, rows or
//! rusqlite types. Today the one backend is the SQLite file behind
//! [`Database`]; each method opens one transaction (or reads) and calls the
//! table-family functions beside this file.
//!
//! The next backends (PostgreSQL; an HTTP client of `cutover serve`) join as
//! an enum of backends inside `Store` — `enum Backend { Sqlite(Database),
//! Postgres(..), Http(..) }` — with each method below matching on it. An
//! enum rather than a `dyn` trait because the set is closed and chosen by
//! one setting (`--state`): callers and the `Workspace` stay non-generic,
//! a backend-specific capability (copying the file for a drill) needs no
//! trait method the others must fake, and the compiler lists every method
//! a new backend still lacks.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;

use super::connection::{Database, Durability};
use super::error::StoreError;
use super::types::{
    ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeRecord, PreservedPath,
    RollbackJournal, RollbackStep, RunFinish, RunRecord, RunStart, Snapshot, SnapshotKind,
    TestRecord, WindowSamples,
};
use super::{decisions, drills, events, journal, modes, runs, samples, snapshots, test_results};
use crate::event::{DecisionOutcome, Event, EventRecord, NewEvent};
use crate::lifecycle::ModeState;
use crate::spec::Window;

/// The migration state: modes, runs, events, snapshots, journals, decisions.
#[derive(Debug)]
pub struct Store {
    database: Database,
}

/// A mode change to record with its restore point and its event.
#[derive(Debug, Clone)]
pub struct ModeUpdate<'a> {
    /// Component.
    pub component: &'a str,
    /// The mode the caller read (the change fails if it moved meanwhile).
    pub expected: ModeState,
    /// The new mode.
    pub new: ModeState,
    /// Digest of `legacy.sources` (recorded when entering shadow).
    pub sources_digest: Option<&'a str>,
    /// The preserved paths before the change (contents already saved).
    pub restore_point: &'a [PreservedPath],
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            database: Database::open(path)?,
        })
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.database.schema_version()
    }

    /// The mode of one component (legacy if never changed).
    pub fn mode(&self, component: &str) -> Result<ModeRecord, StoreError> {
        modes::read(self.database.read(), component)
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
        let changed = self.change_modes(vec![(update.clone(), event)])?;
        Ok(changed.and_then(|ids| ids.first().copied()))
    }

    /// Records several mode changes, each with its restore point and event,
    /// in ONE transaction: all of them or none (a phase advance killed
    /// halfway leaves every component where it was). Returns the restore
    /// point ids in order, or `None` (nothing written) when any component's
    /// mode moved away from its `expected` meanwhile.
    pub fn change_modes(
        &mut self,
        changes: Vec<(ModeUpdate<'_>, NewEvent)>,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let at = Timestamp::now();
        self.database.write(Durability::Synced, |tx| {
            for (update, _) in &changes {
                if modes::read(tx, update.component)?.state != update.expected {
                    return Ok(None);
                }
            }
            let mut ids = Vec::with_capacity(changes.len());
            for (update, mut event) in changes {
                ids.push(record_change(tx, &update, &mut event, at)?);
            }
            Ok(Some(ids))
        })
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
        let at = Timestamp::now();
        self.database.write(Durability::Synced, |tx| {
            if !modes::set_sources_digest(tx, component, digest)? {
                return Ok(false);
            }
            events::insert(tx, event, at)?;
            Ok(true)
        })
    }

    /// Appends an event to the audit log; `durability` says whether it must
    /// survive a power loss before this returns.
    pub fn append_event(
        &mut self,
        event: &NewEvent,
        durability: Durability,
    ) -> Result<i64, StoreError> {
        let at = Timestamp::now();
        self.database
            .write(durability, |tx| events::insert(tx, event, at))
    }

    /// The audit log, oldest first, optionally for one component; at most `limit` newest.
    pub fn events(
        &self,
        component: Option<&str>,
        limit: u32,
    ) -> Result<Vec<EventRecord>, StoreError> {
        events::list(self.database.read(), component, limit)
    }

    /// When a trigger last fired for a component (from the audit log).
    pub fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        events::last_trigger_firing(self.database.read(), component, trigger)
    }

    /// Records the start of a run (status `running`), so a run killed before
    /// it ends is visible as incomplete, never lost and never a success.
    pub fn begin_run(&mut self, run: &RunStart) -> Result<(), StoreError> {
        let at = Timestamp::now();
        self.database
            .write(Durability::Relaxed, |tx| runs::begin(tx, run, at))
    }

    /// Records the end of a run and every side execution, atomically.
    pub fn finish_run(&mut self, finish: &RunFinish) -> Result<(), StoreError> {
        let at = Timestamp::now();
        self.database
            .write(Durability::Relaxed, |tx| runs::finish(tx, finish, at))
    }

    /// Imports finished runs in one transaction (past CI history as
    /// baseline evidence, benchmarks), recorded as by [`Store::finish_run`].
    pub fn import_runs(&mut self, runs: &[ImportedRun]) -> Result<(), StoreError> {
        self.database
            .write(Durability::Relaxed, |tx| runs::import(tx, runs))?;
        self.database.truncate_wal()
    }

    /// Per-component run counts.
    pub fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
        runs::counts(self.database.read())
    }

    /// How many runs of `cutover run` started at or after the run id `mark`.
    pub fn runs_since(&self, mark: &str) -> Result<u64, StoreError> {
        runs::count_since(self.database.read(), mark)
    }

    /// Ids of runs still marked running, with their packed process
    /// identity (see [`crate::process_identity::ProcessIdentity`]).
    pub fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        runs::running_ids(self.database.read())
    }

    /// The most recent runs of a component, newest first.
    pub fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        runs::recent(self.database.read(), component, limit)
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
            Window::Runs(count) => runs::nth_latest_start(self.database.read(), component, count)?,
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
        let latest =
            runs::latest_start_of_other_implementation(self.database.read(), component, current)?;
        Ok(latest.and_then(|t| t.checked_add(jiff::SignedDuration::from_millis(1)).ok()))
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
        let mut window = WindowSamples::default();
        for sample in samples::read(self.database.read(), component, since_ms)? {
            samples::add_to_window(&mut window, &sample);
        }
        test_results::add_latest(self.database.read(), component, &mut window)?;
        Ok(window)
    }

    /// Records one acceptance or integration test result.
    pub fn record_test(&mut self, result: &TestRecord) -> Result<(), StoreError> {
        let at = Timestamp::now();
        self.database.write(Durability::Relaxed, |tx| {
            test_results::insert(tx, result, at)
        })
    }

    /// Records a snapshot; returns its id.
    pub fn insert_snapshot(
        &mut self,
        component: &str,
        kind: SnapshotKind,
        state: ModeState,
        files: &[PreservedPath],
    ) -> Result<i64, StoreError> {
        let at = Timestamp::now();
        self.database.write(Durability::Synced, |tx| {
            snapshots::insert(tx, component, kind, state, files, at)
        })
    }

    /// Snapshots of a component, newest first.
    pub fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError> {
        snapshots::of_component(self.database.read(), component)
    }

    /// One snapshot by id.
    pub fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        snapshots::by_id(self.database.read(), id)
    }

    /// Starts a rollback journal (synced); returns its id.
    pub fn begin_rollback(
        &mut self,
        target: &str,
        actor: &str,
        reason: Option<&str>,
        steps: &[RollbackStep],
    ) -> Result<i64, StoreError> {
        let at = Timestamp::now();
        self.database.write(Durability::Synced, |tx| {
            journal::begin(tx, target, actor, reason, steps, at)
        })
    }

    /// Unfinished journals, oldest first.
    pub fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError> {
        journal::unfinished(self.database.read())
    }

    /// Commits one step: the mode, the consumed snapshots, the event and the
    /// journal, all in one synced transaction — so a step is either fully
    /// done or not at all, and the journal says which.
    pub fn finish_rollback_step(
        &mut self,
        journal_id: i64,
        step_index: usize,
        event: &NewEvent,
    ) -> Result<(), StoreError> {
        let at = Timestamp::now();
        self.database.write(Durability::Synced, |tx| {
            let mut steps = journal::steps(tx, journal_id)?;
            let Some(step) = steps.get_mut(step_index) else {
                return Err(StoreError::Corrupt(format!(
                    "rollback {journal_id} has no step {step_index}"
                )));
            };
            if !step.done {
                modes::write(tx, &step.component, step.to, at, None)?;
                snapshots::consume(tx, &step.consumes, at)?;
                events::insert(tx, event, at)?;
                step.done = true;
            }
            journal::save_steps(tx, journal_id, &steps, at)
        })
    }

    /// Opens a decision point (an escalated trigger) with its event, unless
    /// one is open for the component; returns its id.
    pub fn open_decision(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
        actor: &str,
    ) -> Result<Option<i64>, StoreError> {
        let at = Timestamp::now();
        self.database.write(Durability::Synced, |tx| {
            if decisions::open_for(tx, component)?.is_some() {
                return Ok(None);
            }
            let id = decisions::open(tx, component, trigger, evidence, at)?;
            let event = NewEvent {
                component: Some(component.to_owned()),
                actor: actor.to_owned(),
                reason: Some(trigger.to_owned()),
                event: Event::DecisionOpened {
                    decision: id,
                    trigger: trigger.to_owned(),
                    evidence: evidence.to_owned(),
                },
            };
            events::insert(tx, &event, at)?;
            Ok(Some(id))
        })
    }

    /// The open decision point of a component, if any.
    pub fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError> {
        decisions::open_for(self.database.read(), component)
    }

    /// Closes a decision point and appends its event, in one synced transaction.
    pub fn decide(
        &mut self,
        decision: &Decision,
        outcome: DecisionOutcome,
        actor: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let at = Timestamp::now();
        let event = NewEvent {
            component: Some(decision.component.clone()),
            actor: actor.to_owned(),
            reason: Some(reason.to_owned()),
            event: Event::DecisionMade {
                decision: outcome,
                trigger: decision.trigger.clone(),
                evidence: decision.evidence.clone(),
            },
        };
        self.database.write(Durability::Synced, |tx| {
            decisions::close(tx, decision.id, outcome, actor, Some(reason), at)?;
            events::insert(tx, &event, at)?;
            Ok(())
        })
    }

    /// Records a drill with its event.
    pub fn record_drill(
        &mut self,
        drill: &DrillRecord,
        event: &NewEvent,
    ) -> Result<(), StoreError> {
        self.database.write(Durability::Relaxed, |tx| {
            drills::insert(tx, drill)?;
            events::insert(tx, event, drill.at)?;
            Ok(())
        })
    }

    /// Drills of a component, newest first.
    pub fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError> {
        drills::of_component(self.database.read(), component)
    }

    /// Copies the whole store to the file `path` (a consistent snapshot, for drills).
    pub fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        self.database.copy_to(path)
    }
}

/// One mode change inside a transaction: restore point, mode, event.
fn record_change(
    tx: &rusqlite::Transaction<'_>,
    update: &ModeUpdate<'_>,
    event: &mut NewEvent,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let snapshot = snapshots::insert(
        tx,
        update.component,
        SnapshotKind::RestorePoint,
        update.expected,
        update.restore_point,
        at,
    )?;
    if let Event::ModeAdvanced { snapshot: slot, .. } = &mut event.event {
        *slot = Some(snapshot);
    }
    modes::write(tx, update.component, update.new, at, update.sources_digest)?;
    events::insert(tx, event, at)?;
    Ok(snapshot)
}
