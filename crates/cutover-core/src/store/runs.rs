//! The `runs` and `run_sides` tables: every run with each side's
//! execution, plus their columnar copy in `samples` (see `samples.rs`),
//! written in the same transaction.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::samples::{self, Sample};
use super::types::{
    ComponentRunCounts, ImportedRun, RunFinish, RunRecord, RunSource, RunStart, RunStatus,
};
use crate::exec::{ParityComparison, ParityVerdict};
use crate::lifecycle::{Mode, Side};

/// Records the start of a run (status `running`); a run already recorded
/// under this id is left as it is (delivery is idempotent by run id).
pub(super) fn begin(
    tx: &Transaction<'_>,
    run: &RunStart,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO runs (id, component, mode, canary_percent, authoritative, status, source,
                           started_at, pid, run_key, trace_id, implementation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        run.id,
        run.component,
        Coded(run.mode.mode),
        run.mode.canary_percent,
        Coded(run.authoritative),
        Coded(RunStatus::Running),
        Coded(run.source),
        codec::timestamp_text(at),
        run.pid,
        run.run_key,
        run.trace_id,
        run.implementation
    ])?;
    Ok(())
}

/// Records the end of a run, every side execution and their samples. A
/// run already finished is left as it is (delivery is idempotent by run
/// id); a run never begun is an error.
pub(super) fn finish(
    tx: &Transaction<'_>,
    finish: &RunFinish,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let updated = tx
        .prepare_cached(
            "UPDATE runs SET status = ?7, finished_at = ?2, exit_code = ?3, parity = ?4,
                 parity_summary = ?5, trace_url = ?6, comparison = ?9 WHERE id = ?1 AND status = ?8",
        )?
        .execute(params![
            finish.id,
            codec::timestamp_text(at),
            finish.exit_code,
            finish.parity.map(Coded),
            finish.parity_summary,
            finish.trace_url,
            Coded(RunStatus::Complete),
            Coded(RunStatus::Running),
            finish.comparison.map(Coded)
        ])?;
    if updated == 0 && exists(tx, &finish.id)? {
        return Ok(());
    }
    let (component, started_at, Coded(source)): (String, String, Coded<RunSource>) = tx
        .prepare_cached("SELECT component, started_at, source FROM runs WHERE id = ?1")?
        .query_row([&finish.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO run_sides (run_id, side, role, attempt, outcome, exit_code, duration_ms,
                                stdout_digest, outputs_digest, detail, overlapped, contended,
                                lowered)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for side in &finish.sides {
        insert.execute(params![
            finish.id,
            Coded(side.side),
            Coded(side.role),
            side.attempt,
            side.outcome.as_str(),
            side.outcome.exit_code(),
            side.duration_ms,
            side.stdout_digest,
            side.outputs_digest,
            side.outcome.detail(),
            side.overlapped,
            side.contended,
            side.lowered
        ])?;
    }
    let mut records = samples::of_run(
        codec::timestamp(&started_at)?,
        (finish.parity, finish.comparison),
        finish
            .sides
            .iter()
            .map(|s| (s.side, s.role, s.attempt, &s.outcome, s.duration_ms)),
    );
    for (record, side) in records.iter_mut().zip(&finish.sides) {
        record.contended = side.contended;
        record.bench = source == RunSource::Bench;
    }
    samples::append(tx, &component, &records)
}

/// Whether a run is recorded under `id`.
fn exists(tx: &Transaction<'_>, id: &str) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM runs WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Imports finished runs (past CI history, benchmarks) with their samples;
/// a run already recorded under its id is skipped (idempotent).
pub(super) fn import(tx: &Transaction<'_>, runs: &[ImportedRun]) -> Result<(), StoreError> {
    let mut by_component: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
    let mut insert_run = tx.prepare_cached(
        "INSERT INTO runs (id, component, mode, canary_percent, authoritative, status, source,
                           started_at, finished_at, exit_code, parity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)
         ON CONFLICT (id) DO NOTHING",
    )?;
    let mut insert_side = tx.prepare_cached(
        "INSERT INTO run_sides (run_id, side, role, attempt, outcome, exit_code, duration_ms)
         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
    )?;
    for run in runs {
        let (authoritative, exit_code) = (run.authoritative(), run.exit_code());
        let inserted = insert_run.execute(params![
            run.id,
            run.component,
            Coded(run.mode.mode),
            run.mode.canary_percent,
            Coded(authoritative),
            Coded(RunStatus::Complete),
            Coded(RunSource::Import),
            codec::timestamp_text(run.started_at),
            exit_code,
            run.parity.map(Coded)
        ])?;
        if inserted == 0 {
            continue;
        }
        let roles = run.sides_with_roles();
        for ((side, outcome, duration_ms), role) in roles.clone() {
            insert_side.execute(params![
                run.id,
                Coded(*side),
                Coded(role),
                outcome.as_str(),
                outcome.exit_code(),
                duration_ms
            ])?;
        }
        by_component
            .entry(run.component.as_str())
            .or_default()
            .extend(samples::of_run(
                run.started_at,
                (run.parity, None),
                roles.map(|((side, outcome, ms), role)| (*side, role, 0, outcome, *ms)),
            ));
    }
    for (component, records) in by_component {
        samples::append(tx, component, &records)?;
    }
    Ok(())
}

/// Per-component run counts, from the samples and the runs still marked running.
pub(super) fn counts(
    connection: &Connection,
) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
    let mut counts: BTreeMap<String, ComponentRunCounts> = BTreeMap::new();
    samples::scan_all(connection, |component, sample| {
        if !counts.contains_key(component) {
            counts.insert(component.to_owned(), ComponentRunCounts::default());
        }
        if let Some(entry) = counts.get_mut(component) {
            count_sample(entry, sample);
        }
    })?;
    // Runs still marked running have no samples yet: running or died.
    for (component, pid) in running(connection)? {
        let entry = counts.entry(component).or_default();
        entry.total += 1;
        if !process_alive(pid) {
            entry.incomplete += 1;
        }
    }
    Ok(counts)
}

/// Adds one sample to a component's run counts.
pub(super) fn count_sample(entry: &mut ComponentRunCounts, sample: &Sample) {
    // Benchmark executions are kept apart from run evidence, and the
    // authoritative side's dry run is not a run of its side.
    if sample.bench || sample.dry_run {
        return;
    }
    match sample.side {
        Side::Legacy => entry.legacy += 1,
        Side::Dagger => entry.dagger += 1,
    }
    if sample.run_marker {
        entry.total += 1;
        if sample.parity.is_some() {
            entry.compared_by.add(sample.comparison);
        }
        match sample.parity {
            Some(ParityVerdict::Match) => entry.matches += 1,
            Some(ParityVerdict::Flaky) => entry.flaky += 1,
            Some(ParityVerdict::Mismatch) => entry.mismatches += 1,
            None => {}
        }
    }
}

fn running(connection: &Connection) -> Result<Vec<(String, Option<i64>)>, StoreError> {
    let mut statement =
        connection.prepare_cached("SELECT component, pid FROM runs WHERE status = ?1")?;
    let rows = statement.query_map([Coded(RunStatus::Running)], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The most recent runs of a component, newest first.
pub(super) fn recent(
    connection: &Connection,
    component: &str,
    limit: u32,
) -> Result<Vec<RunRecord>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, component, mode, canary_percent, authoritative, status, started_at, finished_at,
                exit_code, parity, parity_summary, trace_id, trace_url, pid, comparison
         FROM runs WHERE component = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
    )?;
    let mut rows = statement.query(params![component, limit])?;
    let mut runs = Vec::new();
    while let Some(row) = rows.next()? {
        runs.push(run_record(row)?);
    }
    Ok(runs)
}

fn run_record(row: &Row<'_>) -> Result<RunRecord, StoreError> {
    let Coded(mode): Coded<Mode> = row.get(2)?;
    let Coded(authoritative): Coded<Side> = row.get(4)?;
    let Coded(status): Coded<RunStatus> = row.get(5)?;
    let status = match status {
        RunStatus::Running if !process_alive(row.get(13)?) => RunStatus::Incomplete,
        other => other,
    };
    Ok(RunRecord {
        id: row.get(0)?,
        component: row.get(1)?,
        mode,
        canary_percent: codec::percent(row.get(3)?),
        authoritative,
        status,
        started_at: codec::timestamp(&row.get::<_, String>(6)?)?,
        finished_at: codec::optional_timestamp(row.get(7)?)?,
        exit_code: row.get(8)?,
        parity: row.get::<_, Option<Coded<ParityVerdict>>>(9)?.map(|c| c.0),
        comparison: row
            .get::<_, Option<Coded<ParityComparison>>>(14)?
            .map(|c| c.0),
        parity_summary: row.get(10)?,
        trace_id: row.get(11)?,
        trace_url: row.get(12)?,
    })
}

/// The start of the `count`-th most recent run of a component.
pub(super) fn nth_latest_start(
    connection: &Connection,
    component: &str,
    count: u32,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    let at: Option<String> = connection
        .prepare_cached(
            "SELECT started_at FROM runs WHERE component = ?1 ORDER BY started_at DESC LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![component, count.saturating_sub(1)], |r| r.get(0))
        .optional()?;
    codec::optional_timestamp(at)
}

/// The start of the latest run of `component` that executed a Dagger
/// implementation other than `current` (runs without a recorded digest
/// are of no known implementation and never count).
pub(super) fn latest_start_of_other_implementation(
    connection: &Connection,
    component: &str,
    current: &str,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    let at: Option<String> = connection
        .prepare_cached(
            "SELECT MAX(started_at) FROM runs WHERE component = ?1
                 AND implementation IS NOT NULL AND implementation != ?2",
        )?
        .query_row(params![component, current], |r| r.get(0))?;
    codec::optional_timestamp(at)
}

/// Whether the process that started a run is still alive on this machine.
pub(super) fn process_alive(pid: Option<i64>) -> bool {
    pid.is_some_and(|p| crate::process_identity::ProcessIdentity::decode(p).is_running())
}

/// How many runs of `cutover run` have an id at or after `mark` (run ids
/// sort by start time); a range of the primary key, never a full scan.
pub(super) fn count_since(connection: &Connection, mark: &str) -> Result<u64, StoreError> {
    let count: i64 = connection
        .prepare_cached("SELECT COUNT(*) FROM runs WHERE id >= ?1 AND source = ?2")?
        .query_row(params![mark, Coded(RunSource::Run)], |r| r.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Ids and packed process identities of the runs still marked running.
pub(super) fn running_ids(
    connection: &Connection,
) -> Result<Vec<(String, Option<i64>)>, StoreError> {
    let mut statement = connection.prepare_cached("SELECT id, pid FROM runs WHERE status = ?1")?;
    let rows = statement.query_map([Coded(RunStatus::Running)], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
