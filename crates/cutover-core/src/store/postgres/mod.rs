//! The PostgreSQL backend: `--state postgres://…`, a store many CI runners
//! share.
//!
//! Same schema and version numbers as the SQLite file (`schema.rs` here
//! translates `../schema.rs`), same spellings of values (`../codec.rs`),
//! same guarantees: each [`Backend`] method is one transaction. Writers
//! that read before they write take a transaction-scoped advisory lock, so
//! PostgreSQL's default isolation (read committed) is enough:
//! - mode changes, rollback steps, drift baselines and decision points lock
//!   [`MODES_LOCK`]: two concurrent advances cannot both see the old mode;
//! - appending samples locks its component ([`SAMPLES_LOCK`]): concurrent
//!   runs extend the last chunk one after the other, never over each other;
//! - migrating locks [`SCHEMA_LOCK`]: runners opening a new database at once
//!   create the schema once.
//!
//! Reads run in one read-only repeatable-read transaction, so a method that
//! reads twice sees one state. Evidence (runs, tests, drills) commits with
//! `synchronous_commit = off`, as the SQLite file relaxes its sync: it
//! survives any crash of the server process, and a power loss may drop the
//! last few commits; decided changes wait for the WAL flush.
//!
//! The connection is plain TCP (no TLS): see the README's "Dependencies and
//! why". Connecting gives up after [`CONNECT_TIMEOUT`].

mod copy;
mod events;
mod outbox;
mod overrides;
mod records;
mod runs;
pub(in crate::store) mod schema;
mod state;
#[cfg(test)]
pub(super) mod testing;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use postgres::{Client, Config, IsolationLevel, NoTls, Transaction};

use super::backend::{Backend, decision_opened, replaces};
use super::connection::Durability;
use super::error::StoreError;
use super::outbox_types::{DeliveryAttempt, OutboxFilter, OutboxMessage};
use super::types::{
    BenchmarkRecord, ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeOverride,
    ModeRecord, ModeUpdate, PreservedPath, RollbackJournal, RollbackStep, RunFinish, RunRecord,
    RunStart, RunWrite, Snapshot, SnapshotKind, TestRecord, WindowSamples,
};
use crate::event::{DecisionOutcome, Event, EventRecord, NewEvent, NewMessage};
use crate::lifecycle::ModeState;

/// How long connecting may take before the store is reported unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long sent data may stay unacknowledged before the connection is
/// given up (Linux `TCP_USER_TIMEOUT`; a URL's `tcp_user_timeout` wins).
const UNACKNOWLEDGED_TIMEOUT: Duration = Duration::from_secs(10);

/// Advisory lock (class, key) held while migrating.
const SCHEMA_LOCK: (i32, i32) = (0x6375_7400, 0);
/// Advisory lock held by every change that checks modes before writing.
const MODES_LOCK: (i32, i32) = (0x6375_7400, 1);
/// Advisory lock class of sample appends; the key is the component's hash.
const SAMPLES_LOCK: i32 = 0x6375_7401;

/// An open PostgreSQL store.
pub(super) struct Postgres {
    /// One connection; `RefCell` because reads take `&self` and the driver
    /// needs `&mut` for every query. Never borrowed twice: no method calls
    /// another while it holds the connection.
    client: RefCell<Client>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").finish_non_exhaustive()
    }
}

impl Postgres {
    /// Connects to `url` (shown to people as `shown`, without its password)
    /// and brings the schema up to date.
    pub(super) fn open(url: &str, shown: &str) -> Result<Postgres, StoreError> {
        let connect_error =
            |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Connect {
                store: shown.to_owned(),
                source,
            };
        let mut config = Config::from_str(url).map_err(|e| connect_error(Box::new(e)))?;
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("cutover");
        if !url.contains("tcp_user_timeout") {
            // A server host that vanishes mid-run fails the next query after
            // this long instead of leaving a CI job waiting on TCP retries.
            config.tcp_user_timeout(UNACKNOWLEDGED_TIMEOUT);
        }
        let client = connect_within(config, CONNECT_TIMEOUT).map_err(connect_error)?;
        let store = Postgres {
            client: RefCell::new(client),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let current = schema::MIGRATIONS.len() as i64;
        if self.read(read_version)? == Some(current) {
            return Ok(());
        }
        self.write(Durability::Synced, |tx| {
            lock(tx, SCHEMA_LOCK)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS cutover_schema (version BIGINT NOT NULL)",
            )?;
            let version = read_version(tx)?.unwrap_or(0);
            if version > current {
                return Err(StoreError::TooNew {
                    found: version,
                    supported: current,
                });
            }
            for (index, migration) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.batch_execute(migration)?;
                tx.execute("DELETE FROM cutover_schema", &[])?;
                tx.execute(
                    "INSERT INTO cutover_schema (version) VALUES ($1)",
                    &[&(index as i64 + 1)],
                )?;
            }
            Ok(())
        })
    }

    /// Runs `body` in one read-only, repeatable-read transaction.
    fn read<T>(
        &self,
        body: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let value = body(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `body` in one read-committed transaction and commits it with
    /// `durability`; rolls back when `body` fails.
    fn write<T>(
        &self,
        durability: Durability,
        body: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.transaction()?;
        if durability == Durability::Relaxed {
            tx.batch_execute("SET LOCAL synchronous_commit TO OFF")?;
        }
        let value = body(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// Connects, giving up after `limit` even when the server accepts the
/// connection and then never answers (the driver's own timeout covers only
/// the TCP connect). On timeout the connecting thread is left to finish on
/// its own; its connection, if it ever comes, is dropped.
fn connect_within(
    config: Config,
    limit: Duration,
) -> Result<Client, Box<dyn std::error::Error + Send + Sync>> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || drop(send.send(config.connect(NoTls))));
    match receive.recv_timeout(limit) {
        Ok(connected) => Ok(connected?),
        Err(_) => Err(format!("the server did not answer within {} s", limit.as_secs()).into()),
    }
}

/// The applied schema version, `None` before the first migration.
fn read_version(tx: &mut Transaction<'_>) -> Result<Option<i64>, StoreError> {
    let exists: bool = tx
        .query_one("SELECT to_regclass('cutover_schema') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(None);
    }
    let row = tx.query_opt("SELECT MAX(version) FROM cutover_schema", &[])?;
    Ok(match row {
        Some(row) => row.try_get::<_, Option<i64>>(0)?,
        None => None,
    })
}

/// Takes a transaction-scoped advisory lock.
fn lock(tx: &mut Transaction<'_>, (class, key): (i32, i32)) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&class, &key])?;
    Ok(())
}

impl Backend for Postgres {
    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.read(read_version)?.unwrap_or(0))
    }

    fn mode(&self, component: &str) -> Result<ModeRecord, StoreError> {
        self.read(|tx| state::mode(tx, component))
    }

    fn change_modes(
        &mut self,
        changes: Vec<(ModeUpdate<'_>, NewEvent)>,
        also: Vec<NewEvent>,
        at: Timestamp,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        self.write(Durability::Synced, |tx| {
            lock(tx, MODES_LOCK)?;
            for (update, _) in &changes {
                if state::mode(tx, update.component)?.state != update.expected {
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
            lock(tx, MODES_LOCK)?;
            if !state::set_sources_digest(tx, component, digest)? {
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
        self.read(|tx| events::list(tx, component, limit))
    }

    fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.read(|tx| events::last_trigger_firing(tx, component, trigger))
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

    fn import_runs(&mut self, imported: &[ImportedRun]) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| runs::import(tx, imported))
    }

    fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
        self.read(runs::counts)
    }

    fn runs_since(&self, mark: &str) -> Result<u64, StoreError> {
        self.read(|tx| runs::count_since(tx, mark))
    }

    fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        self.read(runs::running_ids)
    }

    fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        self.read(|tx| runs::recent(tx, component, limit))
    }

    fn nth_latest_start(
        &self,
        component: &str,
        count: u32,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.read(|tx| runs::nth_latest_start(tx, component, count))
    }

    fn latest_start_of_other_implementation(
        &self,
        component: &str,
        current: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.read(|tx| runs::latest_start_of_other_implementation(tx, component, current))
    }

    fn window_samples(&self, component: &str, since_ms: i64) -> Result<WindowSamples, StoreError> {
        self.read(|tx| {
            let mut window = WindowSamples::default();
            for sample in runs::samples(tx, component, since_ms)? {
                super::samples::add_to_window(&mut window, &sample);
            }
            records::add_latest_tests(tx, component, &mut window)?;
            Ok(window)
        })
    }

    fn record_test(&mut self, result: &TestRecord, at: Timestamp) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            records::insert_test(tx, result, at)
        })
    }

    fn record_benchmark(
        &mut self,
        benchmark: &BenchmarkRecord,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            records::insert_benchmark(tx, benchmark, at)
        })
    }

    fn latest_benchmark(&self, component: &str) -> Result<Option<BenchmarkRecord>, StoreError> {
        self.read(|tx| records::latest_benchmark(tx, component))
    }

    fn insert_snapshot(
        &mut self,
        component: &str,
        kind: SnapshotKind,
        mode: ModeState,
        files: &[PreservedPath],
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        self.write(Durability::Synced, |tx| {
            state::insert_snapshot(tx, component, kind, mode, files, at)
        })
    }

    fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError> {
        self.read(|tx| state::snapshots_of(tx, component))
    }

    fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        self.read(|tx| state::snapshot_by_id(tx, id))
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
            state::begin_journal(tx, target, actor, reason, steps, at)
        })
    }

    fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError> {
        self.read(state::unfinished_journals)
    }

    fn finish_rollback_step(
        &mut self,
        journal_id: i64,
        step_index: usize,
        step_events: &[NewEvent],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(Durability::Synced, |tx| {
            lock(tx, MODES_LOCK)?;
            let mut steps = state::journal_steps(tx, journal_id)?;
            let Some(step) = steps.get_mut(step_index) else {
                return Err(StoreError::Corrupt(format!(
                    "rollback {journal_id} has no step {step_index}"
                )));
            };
            if !step.done {
                state::write_mode(tx, &step.component, step.to, at, None)?;
                state::consume_snapshots(tx, &step.consumes, at)?;
                for event in step_events {
                    events::insert(tx, event, at)?;
                }
                step.done = true;
            }
            state::save_journal_steps(tx, journal_id, &steps, at)
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
            lock(tx, MODES_LOCK)?;
            if records::open_decision_for(tx, component)?.is_some() {
                return Ok(None);
            }
            let id = records::open_decision(tx, component, trigger, evidence, at)?;
            let mut event = decision_opened(id, component, trigger, evidence, actor);
            event.messages = messages;
            events::insert(tx, &event, at)?;
            Ok(Some(id))
        })
    }

    fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError> {
        self.read(|tx| records::open_decision_for(tx, component))
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
            records::close_decision(tx, decision.id, outcome, actor, Some(reason), at)?;
            events::insert(tx, event, at)?;
            Ok(())
        })
    }

    fn record_drill(&mut self, drill: &DrillRecord, event: &NewEvent) -> Result<(), StoreError> {
        self.write(Durability::Relaxed, |tx| {
            records::insert_drill(tx, drill)?;
            events::insert(tx, event, drill.at)?;
            Ok(())
        })
    }

    fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError> {
        self.read(|tx| records::drills_of(tx, component))
    }

    fn overrides(&self) -> Result<Vec<ModeOverride>, StoreError> {
        self.read(overrides::list)
    }

    fn set_override(
        &mut self,
        set: &ModeOverride,
        mut event: NewEvent,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(Durability::Synced, |tx| {
            lock(tx, MODES_LOCK)?;
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
            lock(tx, MODES_LOCK)?;
            if overrides::get(tx, component)?.map(|o| o.state) != Some(expected) {
                return Ok(false);
            }
            overrides::delete(tx, component)?;
            events::insert(tx, event, at)?;
            Ok(true)
        })
    }

    fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        self.read(|tx| copy::to_sqlite(tx, path))
    }

    fn outbox(&self, filter: &OutboxFilter) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|tx| outbox::list(tx, filter))
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
    tx: &mut Transaction<'_>,
    update: &ModeUpdate<'_>,
    event: &mut NewEvent,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let snapshot = state::insert_snapshot(
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
    state::write_mode(tx, update.component, update.new, at, update.sources_digest)?;
    events::insert(tx, event, at)?;
    Ok(snapshot)
}
