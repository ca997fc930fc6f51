//! The SQLite backend: the store's default, one file beside the spec.
//!
//! Each method opens one transaction (or reads) through [`Database`] and
//! calls the table-family functions beside this file.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;

use super::backend::{Backend, decision_opened, replaces};
use super::connection::{Database, Durability};
use super::error::StoreError;
use super::outbox_types::{DeliveryAttempt, OutboxFilter, OutboxMessage};
use super::types::{
    BenchmarkRecord, ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeOverride,
    ModeRecord, ModeUpdate, PreservedPath, RollbackJournal, RollbackStep, RunDelivery, RunFinish,
    RunRecord, RunStart, RunWrite, Snapshot, SnapshotKind, TestRecord, WindowSamples,
};
use super::{
    benchmarks, decisions, drills, events, journal, modes, outbox, overrides, runs, samples,
    snapshots, test_results,
};
use crate::event::{DecisionOutcome, Event, EventRecord, NewEvent, NewMessage};
use crate::lifecycle::ModeState;

impl Backend for Database {
    fn overrides(&self) -> Result<Vec<ModeOverride>, StoreError> {
        overrides::list(self.read())
    }

    fn set_override(
        &mut self,
        set: &ModeOverride,
        mut event: NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Synced, |tx| {
            let existing = overrides::get(tx, &set.component)?.map(|o| o.state);
            if !replaces(existing, set, &mut event) {
                return Ok(false);
            }
            overrides::put(tx, set)?;
            events::insert(tx, &event, at)?;
            Ok(true)
        })
    }

    fn clear_override(
        &mut self,
        component: &str,
        expected: ModeState,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Synced, |tx| {
            if overrides::get(tx, component)?.map(|o| o.state) != Some(expected) {
                return Ok(false);
            }
            overrides::delete(tx, component)?;
            events::insert(tx, event, at)?;
            Ok(true)
        })
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        Database::schema_version(self)
    }

    fn mode(&self, component: &str) -> Result<ModeRecord, StoreError> {
        modes::read(self.read(), component)
    }

    fn change_modes(
        &mut self,
        changes: Vec<(ModeUpdate<'_>, NewEvent)>,
        also: Vec<NewEvent>,
        at: Timestamp,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        self.write(Durability::Synced, |tx| {
            for (update, _) in &changes {
                if modes::read(tx, update.component)?.state != update.expected {
                    return Ok(None);
                }
            }
            let mut ids = Vec::with_capacity(changes.len());
            for (update, mut event) in changes {
                ids.push(record_change(tx, &update, &mut event, at)?);
            }
            for event in &also {
                events::insert(tx, event, at)?;
            }
            Ok(Some(ids))
        })
    }

    fn acknowledge_drift(
        &mut self,
        component: &str,
        digest: &str,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Synced, |tx| {
            if !modes::set_sources_digest(tx, component, digest)? {
                return Ok(false);
            }
            events::insert(tx, event, at)?;
            Ok(true)
        })
    }

    fn append_event(
        &mut self,
        event: &NewEvent,
        durability: Durability,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        self.write(durability, |tx| events::insert(tx, event, at))
    }

    fn events(&self, component: Option<&str>, limit: u32) -> Result<Vec<EventRecord>, StoreError> {
        events::list(self.read(), component, limit)
    }

    fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        events::last_trigger_firing(self.read(), component, trigger)
    }

    fn begin_run(&mut self, run: &RunStart, at: Timestamp) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| runs::begin(tx, run, at))
    }

    fn finish_run(&mut self, finish: &RunFinish, at: Timestamp) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| runs::finish(tx, finish, at))
    }

    fn record_run_writes(&mut self, writes: &[RunWrite], at: Timestamp) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            for write in writes {
                match write {
                    RunWrite::Begin(run) => runs::begin(tx, run, at)?,
                    RunWrite::Finish(finish) => runs::finish(tx, finish, at)?,
                }
            }
            Ok(())
        })
    }

    fn deliver_runs(
        &mut self,
        delivered: &[RunDelivery],
        wait: Duration,
    ) -> Result<(), StoreError> {
        self.write_within(wait, Durability::Relaxed, |tx| {
            for run in delivered {
                runs::begin(tx, &run.start, run.started_at)?;
                if let Some((finish, at)) = &run.end {
                    runs::finish(tx, finish, *at)?;
                }
            }
            Ok(())
        })
    }

    fn checkpoint(&self) -> Result<(), StoreError> {
        self.truncate_wal()
    }

    fn import_runs(&mut self, imported: &[ImportedRun]) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| runs::import(tx, imported))?;
        self.truncate_wal()
    }

    fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
        runs::counts(self.read())
    }

    fn runs_since(&self, mark: &str) -> Result<u64, StoreError> {
        runs::count_since(self.read(), mark)
    }

    fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        runs::running_ids(self.read())
    }

    fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        runs::recent(self.read(), component, limit)
    }

    fn nth_latest_start(
        &self,
        component: &str,
        count: u32,
    ) -> Result<Option<Timestamp>, StoreError> {
        runs::nth_latest_start(self.read(), component, count)
    }

    fn latest_start_of_other_implementation(
        &self,
        component: &str,
        current: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        runs::latest_start_of_other_implementation(self.read(), component, current)
    }

    fn window_samples(&self, component: &str, since_ms: i64) -> Result<WindowSamples, StoreError> {
        let mut window = WindowSamples::default();
        for sample in samples::read(self.read(), component, since_ms)? {
            samples::add_to_window(&mut window, &sample);
        }
        test_results::add_latest(self.read(), component, &mut window)?;
        Ok(window)
    }

    fn record_test(&mut self, result: &TestRecord, at: Timestamp) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            test_results::insert(tx, result, at)
        })
    }

    fn record_benchmark(
        &mut self,
        benchmark: &BenchmarkRecord,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            benchmarks::insert(tx, benchmark, at)
        })
    }

    fn latest_benchmark(&self, component: &str) -> Result<Option<BenchmarkRecord>, StoreError> {
        benchmarks::latest(self.read(), component)
    }

    fn insert_snapshot(
        &mut self,
        component: &str,
        kind: SnapshotKind,
        state: ModeState,
        files: &[PreservedPath],
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        self.write(Durability::Synced, |tx| {
            snapshots::insert(tx, component, kind, state, files, at)
        })
    }

    fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError> {
        snapshots::of_component(self.read(), component)
    }

    fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        snapshots::by_id(self.read(), id)
    }

    fn begin_rollback(
        &mut self,
        target: &str,
        actor: &str,
        reason: Option<&str>,
        steps: &[RollbackStep],
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        self.write(Durability::Synced, |tx| {
            journal::begin(tx, target, actor, reason, steps, at)
        })
    }

    fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError> {
        journal::unfinished(self.read())
    }

    fn finish_rollback_step(
        &mut self,
        journal_id: i64,
        step_index: usize,
        step_events: &[NewEvent],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(Durability::Synced, |tx| {
            let mut steps = journal::steps(tx, journal_id)?;
            let Some(step) = steps.get_mut(step_index) else {
                return Err(StoreError::Corrupt(format!(
                    "rollback {journal_id} has no step {step_index}"
                )));
            };
            if !step.done {
                modes::write(tx, &step.component, step.to, at, None)?;
                snapshots::consume(tx, &step.consumes, at)?;
                for event in step_events {
                    events::insert(tx, event, at)?;
                }
                step.done = true;
            }
            journal::save_steps(tx, journal_id, &steps, at)
        })
    }

    fn open_decision(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
        actor: &str,
        messages: Vec<NewMessage>,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        self.write(Durability::Synced, |tx| {
            if decisions::open_for(tx, component)?.is_some() {
                return Ok(None);
            }
            let id = decisions::open(tx, component, trigger, evidence, at)?;
            let mut event = decision_opened(id, component, trigger, evidence, actor);
            event.messages = messages;
            events::insert(tx, &event, at)?;
            Ok(Some(id))
        })
    }

    fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError> {
        decisions::open_for(self.read(), component)
    }

    fn decide(
        &mut self,
        decision: &Decision,
        outcome: DecisionOutcome,
        actor: &str,
        reason: &str,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(Durability::Synced, |tx| {
            decisions::close(tx, decision.id, outcome, actor, Some(reason), at)?;
            events::insert(tx, event, at)?;
            Ok(())
        })
    }

    fn record_drill(&mut self, drill: &DrillRecord, event: &NewEvent) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            drills::insert(tx, drill)?;
            events::insert(tx, event, drill.at)?;
            Ok(())
        })
    }

    fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError> {
        drills::of_component(self.read(), component)
    }

    fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        Database::copy_to(self, path)
    }

    fn outbox(&self, filter: &OutboxFilter) -> Result<Vec<OutboxMessage>, StoreError> {
        outbox::list(self.read(), filter)
    }

    fn claim_delivery(
        &mut self,
        id: i64,
        seen: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Relaxed, |tx| {
            outbox::claim_delivery(tx, id, seen, until)
        })
    }

    fn record_delivery(
        &mut self,
        id: i64,
        attempt: &DeliveryAttempt,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Relaxed, |tx| {
            outbox::record_delivery(tx, id, attempt, at)
        })
    }

    fn acknowledge_message(
        &mut self,
        thread: i64,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Synced, |tx| {
            if !outbox::acknowledge(tx, thread, &event.actor, at)? {
                return Ok(false);
            }
            events::insert(tx, event, at)?;
            Ok(true)
        })
    }

    fn escalate_message(
        &mut self,
        thread: i64,
        from_level: u32,
        event: &NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Synced, |tx| {
            if !outbox::escalate(tx, thread, from_level, at)? {
                return Ok(false);
            }
            events::insert(tx, event, at)?;
            Ok(true)
        })
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
        update.from,
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
