//! [`Store`] on SQLite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::rollback_records::{PreservedPath, insert_snapshot_in};
use super::samples::{self, Sample, millis, parity_code};
use super::schema::{BACKFILL_SAMPLES_AT, MIGRATIONS, current_version};
use super::types::{
    ComponentRunCounts, EventRecord, ImportedRun, ModeRecord, NewEvent, RunFinish, RunRecord,
    RunStart, RunStatus, TestRecord, WindowSamples,
};
use crate::lifecycle::{Mode, ModeState, Side};
use crate::spec::Window;

/// How long a writer waits for another before giving up. Runs write twice,
/// briefly; a minute covers hundreds of concurrent CI jobs on one file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("failed to open the state store `{}`", path.display())]
    Open {
        /// Path of the database.
        path: PathBuf,
        /// Cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database was written by a newer cutover.
    #[error(
        "the state store has schema version {found}, newer than this cutover understands ({supported}); upgrade cutover"
    )]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Version this build writes.
        supported: i64,
    },
    /// A query failed.
    #[error("state store query failed")]
    Query(#[from] rusqlite::Error),
    /// A stored value could not be read back.
    #[error("the state store holds an unreadable value: {0}")]
    Corrupt(String),
}

/// The migration state: modes, runs, events and the outbox.
#[derive(Debug)]
pub struct Store {
    pub(super) connection: Connection,
}

/// Now as RFC 3339 UTC with milliseconds; sorts as text.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_error(Box::new(e)))?;
        }
        let connection = Connection::open(path).map_err(|e| open_error(Box::new(e)))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(Box::new(e)))?;
        // Switching a new file to WAL takes an exclusive lock and reports
        // "database is locked" without consulting the busy handler when
        // another process is creating the same file: retry it ourselves. WAL
        // is persistent, so files already in WAL skip the switch.
        retry_while_busy(|| {
            let mode: String = connection.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                connection.pragma_update(None, "journal_mode", "WAL")?;
            }
            connection.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        })
        .map_err(|e| open_error(Box::new(e)))?;
        let mut store = Store { connection };
        retry_while_busy(|| match store.migrate() {
            Err(StoreError::Query(error)) => Err(error),
            Err(other) => Ok(Err(other)),
            Ok(()) => Ok(Ok(())),
        })
        .map_err(StoreError::Query)??;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .connection
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == current_version() {
            return Ok(());
        }
        if version > current_version() {
            return Err(StoreError::TooNew {
                found: version,
                supported: current_version(),
            });
        }
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(migration)?;
            let reached = index as i64 + 1;
            if reached == BACKFILL_SAMPLES_AT {
                samples::backfill(&tx)?;
            }
            tx.pragma_update(None, "user_version", reached)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// The mode of one component (legacy if never changed).
    pub fn mode(&self, component: &str) -> Result<ModeRecord, StoreError> {
        let row = self
            .connection
            .prepare_cached("SELECT mode, canary_percent, since, sources_digest FROM component_state WHERE component = ?1")?
            .query_row([component], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
            })
            .optional()?;
        match row {
            None => Ok(ModeRecord {
                state: ModeState::default(),
                since: None,
                sources_digest: None,
            }),
            Some((mode, percent, since, digest)) => Ok(ModeRecord {
                state: ModeState {
                    mode: parse_mode(&mode)?,
                    canary_percent: percent.clamp(0, 100) as u8,
                },
                since: Some(since),
                sources_digest: digest,
            }),
        }
    }

    /// Changes a component's mode and logs the event, atomically. Fails if
    /// the mode changed since `expected` was read (a concurrent change).
    ///
    /// The restore point (the mode before and the preserved paths, whose
    /// contents are already saved as objects) is recorded in the same
    /// transaction, so a crash never leaves one without the other. Returns
    /// the restore point's id, or `None` after a concurrent change.
    pub fn change_mode(
        &mut self,
        component: &str,
        expected: ModeState,
        new: ModeState,
        sources_digest: Option<&str>,
        restore_point: &[PreservedPath],
        event: &NewEvent,
    ) -> Result<Option<i64>, StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<(String, i64)> = tx
            .query_row(
                "SELECT mode, canary_percent FROM component_state WHERE component = ?1",
                [component],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let current_state = match current {
            None => ModeState::default(),
            Some((mode, percent)) => ModeState {
                mode: parse_mode(&mode)?,
                canary_percent: percent.clamp(0, 100) as u8,
            },
        };
        if current_state != expected {
            return Ok(None);
        }
        let snapshot = insert_snapshot_in(&tx, component, "advance", expected, restore_point)?;
        let mut event = event.clone();
        if let Some(detail) = event.detail.as_object_mut() {
            detail.insert("snapshot".into(), snapshot.into());
        }
        let at = now();
        tx.execute(
            "INSERT INTO component_state (component, mode, canary_percent, since, sources_digest)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (component) DO UPDATE SET mode = ?2, canary_percent = ?3, since = ?4,
                 sources_digest = COALESCE(?5, sources_digest)",
            params![
                component,
                new.mode.as_str(),
                new.canary_percent,
                at,
                sources_digest
            ],
        )?;
        insert_event(&tx, &event, &at)?;
        tx.commit()?;
        Ok(Some(snapshot))
    }

    /// Appends an event to the audit log.
    pub fn append_event(&mut self, event: &NewEvent) -> Result<i64, StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_event(&tx, event, &now())?;
        tx.commit()?;
        Ok(id)
    }

    /// Records the start of a run (status `running`), so a run killed before
    /// it ends is visible as incomplete, never lost and never a success.
    pub fn begin_run(&mut self, run: &RunStart) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO runs (id, component, mode, canary_percent, authoritative, status, source,
                               started_at, pid, run_key, trace_id)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7, ?8, ?9, ?10)",
            params![
                run.id,
                run.component,
                run.mode.mode.as_str(),
                run.mode.canary_percent,
                run.authoritative.as_str(),
                run.source,
                now(),
                run.pid,
                run.run_key,
                run.trace_id
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records the end of a run and every side execution, atomically.
    pub fn finish_run(&mut self, finish: &RunFinish) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE runs SET status = 'complete', finished_at = ?2, exit_code = ?3, parity = ?4,
                 parity_summary = ?5, trace_url = ?6 WHERE id = ?1",
            params![
                finish.id,
                now(),
                finish.exit_code,
                finish.parity,
                finish.parity_summary,
                finish.trace_url
            ],
        )?;
        let (component, started_at): (String, String) = tx.query_row(
            "SELECT component, started_at FROM runs WHERE id = ?1",
            [&finish.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO run_sides (run_id, side, role, attempt, outcome, exit_code, duration_ms,
                                        stdout_digest, outputs_digest, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for side in &finish.sides {
                insert.execute(params![
                    finish.id,
                    side.side.as_str(),
                    side.role,
                    side.attempt,
                    side.outcome.as_str(),
                    side.outcome.exit_code(),
                    side.duration_ms,
                    side.stdout_digest,
                    side.outputs_digest,
                    side.outcome.detail()
                ])?;
            }
        }
        let started_ms = millis(&started_at);
        let mut marker_written = false;
        let records: Vec<Sample> = finish
            .sides
            .iter()
            .map(|side| {
                let run_marker =
                    side.role == "authoritative" && side.attempt == 0 && !marker_written;
                marker_written |= run_marker;
                Sample {
                    started_ms,
                    duration_ms: side.duration_ms as f32,
                    side: side.side,
                    succeeded: side.outcome.is_success(),
                    run_marker,
                    parity: if run_marker {
                        parity_code(finish.parity)
                    } else {
                        0
                    },
                    recheck: side.attempt > 0,
                }
            })
            .collect();
        samples::append(&tx, &component, &records)?;
        tx.commit()?;
        Ok(())
    }

    /// Per-component run counts.
    pub fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
        let mut counts: BTreeMap<String, ComponentRunCounts> = BTreeMap::new();
        samples::scan_all(&self.connection, |component, sample| {
            if !counts.contains_key(component) {
                counts.insert(component.to_owned(), ComponentRunCounts::default());
            }
            let Some(entry) = counts.get_mut(component) else {
                return;
            };
            match sample.side {
                Side::Legacy => entry.legacy += 1,
                Side::Dagger => entry.dagger += 1,
            }
            if sample.run_marker {
                entry.total += 1;
                match sample.parity {
                    1 => entry.matches += 1,
                    2 => entry.flaky += 1,
                    3 => entry.mismatches += 1,
                    _ => {}
                }
            }
        })?;
        // Runs still marked running have no samples yet: running or died.
        for (component, pid) in self.running_runs()? {
            let entry = counts.entry(component).or_default();
            entry.total += 1;
            if !process_alive(pid) {
                entry.incomplete += 1;
            }
        }
        Ok(counts)
    }

    fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT component, pid FROM runs WHERE status = 'running'")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The most recent runs of a component, newest first.
    pub fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, component, mode, canary_percent, authoritative, status, started_at, finished_at,
                    exit_code, parity, parity_summary, trace_id, trace_url, pid
             FROM runs WHERE component = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = statement.query_map(params![component, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<i32>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<String>>(12)?,
                r.get::<_, Option<i64>>(13)?,
            ))
        })?;
        let mut runs = Vec::new();
        for row in rows {
            let (
                id,
                component,
                mode,
                percent,
                authoritative,
                status,
                started_at,
                finished_at,
                exit_code,
                parity,
                parity_summary,
                trace_id,
                trace_url,
                pid,
            ) = row?;
            let status = match status.as_str() {
                "complete" => RunStatus::Complete,
                _ if process_alive(pid) => RunStatus::Running,
                _ => RunStatus::Incomplete,
            };
            runs.push(RunRecord {
                id,
                component,
                mode: parse_mode(&mode)?,
                canary_percent: percent.clamp(0, 100) as u8,
                authoritative: authoritative.parse::<Side>().map_err(StoreError::Corrupt)?,
                status,
                started_at,
                finished_at,
                exit_code,
                parity,
                parity_summary,
                trace_id,
                trace_url,
            });
        }
        Ok(runs)
    }

    /// The audit log, oldest first, optionally for one component; at most `limit` newest.
    pub fn events(
        &self,
        component: Option<&str>,
        limit: u32,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, at, kind, component, actor, reason, detail FROM events
             WHERE ?1 IS NULL OR component = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = statement.query_map(params![component, limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (id, at, kind, component, actor, reason, detail) = row?;
            events.push(EventRecord {
                id,
                at,
                kind,
                component,
                actor,
                reason,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            });
        }
        events.reverse();
        Ok(events)
    }
}

impl Store {
    /// The earliest start time a window includes, or `None` for "all runs".
    pub fn window_start(
        &self,
        component: &str,
        window: Window,
        mode_since: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        Ok(match window {
            Window::SinceMode => mode_since.map(str::to_owned),
            Window::Days(days) => {
                let start = jiff::Timestamp::now()
                    .checked_sub(jiff::SignedDuration::from_hours(i64::from(days) * 24))
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
                Some(start.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            }
            Window::Runs(count) => self
                .connection
                .prepare_cached("SELECT started_at FROM runs WHERE component = ?1 ORDER BY started_at DESC LIMIT 1 OFFSET ?2")?
                .query_row(params![component, count.saturating_sub(1)], |r| r.get(0))
                .optional()?,
        })
    }

    /// Samples of both sides and parity counts of runs started at or after
    /// `since` (all runs when `None`). Rechecks are not counted as executions.
    pub fn window_samples(
        &self,
        component: &str,
        since: Option<&str>,
    ) -> Result<WindowSamples, StoreError> {
        let since_ms = since.map_or(i64::MIN, millis);
        let mut window = WindowSamples::default();
        for sample in samples::read(&self.connection, component, since_ms)?
            .into_iter()
            .filter(|s| !s.recheck)
        {
            let side = match sample.side {
                Side::Legacy => &mut window.legacy,
                Side::Dagger => &mut window.dagger,
            };
            side.executions += 1;
            side.successes += u64::from(sample.succeeded);
            side.durations.push(f64::from(sample.duration_ms) / 1000.0);
            if sample.run_marker {
                window.runs += 1;
                match sample.parity {
                    1 | 2 => {
                        window.compared += 1;
                        window.matched += 1;
                    }
                    3 => {
                        window.compared += 1;
                        window.mismatches += 1;
                    }
                    _ => {}
                }
            }
        }
        let mut tests = self.connection.prepare_cached(
            "SELECT t.side, t.passed FROM test_results t
             WHERE t.component = ?1 AND t.id = (SELECT MAX(id) FROM test_results u
                 WHERE u.component = t.component AND u.test = t.test AND u.side = t.side)",
        )?;
        let mut rows = tests.query([component])?;
        while let Some(row) = rows.next()? {
            let side: String = row.get(0)?;
            let passed: bool = row.get(1)?;
            let target = if side == "legacy" {
                &mut window.legacy
            } else {
                &mut window.dagger
            };
            target.tests_total += 1;
            target.tests_passed += u64::from(passed);
        }
        Ok(window)
    }

    /// Records one acceptance or integration test result.
    pub fn record_test(&mut self, result: &TestRecord) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO test_results (component, phase, test, side, passed, duration_ms, detail, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![result.component, result.phase, result.test, result.side.as_str(), result.passed, result.duration_ms as f64, result.detail, now()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Imports finished runs in one transaction (past CI history as
    /// baseline evidence, benchmarks). Each run's sides are recorded as by
    /// [`Store::finish_run`].
    pub fn import_runs(&mut self, runs: &[ImportedRun]) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut by_component: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
        {
            let mut insert_run = tx.prepare_cached(
                "INSERT INTO runs (id, component, mode, canary_percent, authoritative, status, source,
                                   started_at, finished_at, exit_code, parity)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'complete', 'import', ?6, ?6, ?7, ?8)",
            )?;
            let mut insert_side = tx.prepare_cached(
                "INSERT INTO run_sides (run_id, side, role, attempt, outcome, exit_code, duration_ms)
                 VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
            )?;
            for run in runs {
                let authoritative = run.sides.first().map_or(Side::Legacy, |s| s.0);
                let exit_code = run.sides.first().map_or(0, |s| s.1.exit_code());
                insert_run.execute(params![
                    run.id,
                    run.component,
                    run.mode.mode.as_str(),
                    run.mode.canary_percent,
                    authoritative.as_str(),
                    run.started_at,
                    exit_code,
                    run.parity
                ])?;
                let started_ms = millis(&run.started_at);
                for (index, (side, outcome, duration_ms)) in run.sides.iter().enumerate() {
                    let role = if index == 0 {
                        "authoritative"
                    } else {
                        "shadow"
                    };
                    insert_side.execute(params![
                        run.id,
                        side.as_str(),
                        role,
                        outcome.as_str(),
                        outcome.exit_code(),
                        duration_ms
                    ])?;
                    by_component
                        .entry(run.component.as_str())
                        .or_default()
                        .push(Sample {
                            started_ms,
                            duration_ms: *duration_ms as f32,
                            side: *side,
                            succeeded: outcome.is_success(),
                            run_marker: index == 0,
                            parity: if index == 0 {
                                parity_code(run.parity)
                            } else {
                                0
                            },
                            recheck: false,
                        });
                }
            }
        }
        for (component, records) in by_component {
            samples::append(&tx, component, &records)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Runs `operation` again while SQLite reports the database busy or
/// locked, for up to [`BUSY_TIMEOUT`].
fn retry_while_busy<T>(mut operation: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(2);
    loop {
        match operation() {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn insert_event(
    tx: &rusqlite::Transaction<'_>,
    event: &NewEvent,
    at: &str,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO events (at, kind, component, actor, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![at, event.kind, event.component, event.actor, event.reason, event.detail.to_string()],
    )?;
    Ok(tx.last_insert_rowid())
}

fn parse_mode(text: &str) -> Result<Mode, StoreError> {
    text.parse::<Mode>()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Whether the process that started a run is still alive on this machine.
fn process_alive(pid: Option<i64>) -> bool {
    pid.is_some_and(|p| crate::process_identity::ProcessIdentity::decode(p).is_running())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_a_database_from_schema_version_1() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("state.db");
        {
            let connection = Connection::open(&path).expect("open");
            connection.execute_batch(MIGRATIONS[0]).expect("v1 schema");
            connection
                .pragma_update(None, "user_version", 1)
                .expect("version");
            connection
                .execute_batch(
                    "INSERT INTO runs (id, component, mode, authoritative, status, started_at, parity)
                         VALUES ('r1', 'job', 'shadow', 'legacy', 'complete', '2027-01-04T10:00:00.000Z', 'mismatch');
                     INSERT INTO run_sides (run_id, side, role, outcome, exit_code, duration_ms)
                         VALUES ('r1', 'legacy', 'authoritative', 'succeeded', 0, 1500),
                                ('r1', 'dagger', 'shadow', 'failed', 1, 2500);
                     INSERT INTO events (at, kind, component, actor) VALUES ('2027-01-04T09:00:00.000Z', 'advance', 'job', 'ada');",
                )
                .expect("v1 data");
        }
        let store = Store::open(&path).expect("migrates");
        assert_eq!(store.schema_version().expect("version"), current_version());
        let window = store.window_samples("job", None).expect("samples");
        assert_eq!((window.runs, window.mismatches, window.compared), (1, 1, 1));
        assert_eq!((window.legacy.executions, window.legacy.successes), (1, 1));
        assert_eq!((window.dagger.executions, window.dagger.successes), (1, 0));
        assert_eq!(window.dagger.durations, vec![2.5]);
        assert_eq!(store.events(None, 10).expect("events").len(), 1);
        assert_eq!(store.run_counts().expect("counts")["job"].total, 1);
    }

    #[test]
    fn events_are_append_only() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("state.db")).expect("store");
        let event = NewEvent {
            kind: "advance".into(),
            component: None,
            actor: "ada".into(),
            reason: None,
            detail: serde_json::json!({}),
        };
        store.append_event(&event).expect("append");
        assert!(
            store
                .connection
                .execute("UPDATE events SET actor = 'eve'", [])
                .is_err()
        );
        assert!(store.connection.execute("DELETE FROM events", []).is_err());
    }
}
