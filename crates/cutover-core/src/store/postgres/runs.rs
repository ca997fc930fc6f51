//! The `runs`, `run_sides` and `samples` tables in PostgreSQL: the SQL of
//! `../runs.rs` and `../samples.rs`, with the same sample records.

use std::collections::BTreeMap;

use postgres::{Row, Transaction};

use super::super::codec::{self, text};
use super::super::error::StoreError;
use super::super::runs::{count_sample, process_alive};
use super::super::samples::{self, ChunkTail, RECORD_BYTES, Sample};
use super::super::types::{
    ComponentRunCounts, ImportedRun, RunFinish, RunRecord, RunSource, RunStart, RunStatus,
};
use super::SAMPLES_LOCK;

/// Records the start of a run (status `running`); a run already recorded
/// under this id is left as it is (delivery is idempotent by run id).
pub(super) fn begin(
    tx: &mut Transaction<'_>,
    run: &RunStart,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO runs (id, component, mode, canary_percent, authoritative, status, source,
                           started_at, pid, run_key, trace_id, implementation)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO NOTHING",
        &[
            &run.id,
            &run.component,
            &text(run.mode.mode),
            &i64::from(run.mode.canary_percent),
            &text(run.authoritative),
            &text(RunStatus::Running),
            &text(run.source),
            &codec::timestamp_text(at),
            &run.pid,
            &run.run_key,
            &run.trace_id,
            &run.implementation,
        ],
    )?;
    Ok(())
}

/// Records the end of a run, every side execution and their samples. A
/// run already finished is left as it is (delivery is idempotent by run
/// id; a concurrent delivery waits on the row and then finds it finished);
/// a run never begun is an error.
pub(super) fn finish(
    tx: &mut Transaction<'_>,
    finish: &RunFinish,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let row = tx.query_opt(
        "UPDATE runs SET status = $7, finished_at = $2, exit_code = $3, parity = $4,
             parity_summary = $5, trace_url = $6, comparison = $9 WHERE id = $1 AND status = $8
         RETURNING component, started_at, source",
        &[
            &finish.id,
            &codec::timestamp_text(at),
            &i64::from(finish.exit_code),
            &finish.parity.map(text),
            &finish.parity_summary,
            &finish.trace_url,
            &text(RunStatus::Complete),
            &text(RunStatus::Running),
            &finish.comparison.map(text),
        ],
    )?;
    let Some(row) = row else {
        let recorded = tx.query_opt("SELECT 1 FROM runs WHERE id = $1", &[&finish.id])?;
        return match recorded {
            Some(_) => Ok(()),
            None => Err(StoreError::Corrupt(format!(
                "run {} ends but was never begun",
                finish.id
            ))),
        };
    };
    let component: String = row.try_get(0)?;
    let started_at: String = row.try_get(1)?;
    let source: RunSource = codec::parse(row.try_get(2)?)?;
    let insert = tx.prepare(
        "INSERT INTO run_sides (run_id, side, role, attempt, outcome, exit_code, duration_ms,
                                stdout_digest, outputs_digest, detail, overlapped, contended,
                                lowered)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )?;
    for side in &finish.sides {
        tx.execute(
            &insert,
            &[
                &finish.id,
                &text(side.side),
                &text(side.role),
                &i64::from(side.attempt),
                &side.outcome.as_str(),
                &i64::from(side.outcome.exit_code()),
                &side.duration_ms,
                &side.stdout_digest,
                &side.outputs_digest,
                &side.outcome.detail(),
                &i64::from(side.overlapped),
                &i64::from(side.contended),
                &side.lowered,
            ],
        )?;
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
    append_samples(tx, &component, &records)
}

/// Imports finished runs with their samples.
pub(super) fn import(tx: &mut Transaction<'_>, runs: &[ImportedRun]) -> Result<(), StoreError> {
    let mut by_component: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
    let insert_run = tx.prepare(
        "INSERT INTO runs (id, component, mode, canary_percent, authoritative, status, source,
                           started_at, finished_at, exit_code, parity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING",
    )?;
    let insert_side = tx.prepare(
        "INSERT INTO run_sides (run_id, side, role, attempt, outcome, exit_code, duration_ms)
         VALUES ($1, $2, $3, 0, $4, $5, $6)",
    )?;
    for run in runs {
        let (authoritative, exit_code) = (run.authoritative(), run.exit_code());
        let inserted = tx.execute(
            &insert_run,
            &[
                &run.id,
                &run.component,
                &text(run.mode.mode),
                &i64::from(run.mode.canary_percent),
                &text(authoritative),
                &text(RunStatus::Complete),
                &text(RunSource::Import),
                &codec::timestamp_text(run.started_at),
                &i64::from(exit_code),
                &run.parity.map(text),
            ],
        )?;
        if inserted == 0 {
            continue;
        }
        let roles = run.sides_with_roles();
        for ((side, outcome, duration_ms), role) in roles.clone() {
            tx.execute(
                &insert_side,
                &[
                    &run.id,
                    &text(*side),
                    &text(role),
                    &outcome.as_str(),
                    &i64::from(outcome.exit_code()),
                    duration_ms,
                ],
            )?;
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
        append_samples(tx, component, &records)?;
    }
    Ok(())
}

/// Appends samples of one component, holding its lock so concurrent runs
/// extend the last chunk one after the other.
fn append_samples(
    tx: &mut Transaction<'_>,
    component: &str,
    records: &[Sample],
) -> Result<(), StoreError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2))",
        &[&SAMPLES_LOCK, &component],
    )?;
    let mut pending = records;
    while !pending.is_empty() {
        let last = tx.query_opt(
            "SELECT chunk, count, data, last_ms FROM samples WHERE component = $1
             ORDER BY chunk DESC LIMIT 1",
            &[&component],
        )?;
        let last = match last {
            Some(row) => Some(ChunkTail {
                chunk: row.try_get(0)?,
                count: row.try_get(1)?,
                data: row.try_get(2)?,
                last_ms: row.try_get(3)?,
            }),
            None => None,
        };
        let (write, later) = samples::extend_chunk(last, pending);
        let ChunkTail {
            chunk,
            count,
            data,
            last_ms,
        } = write.tail;
        let statement = if write.fresh {
            "INSERT INTO samples (component, chunk, count, last_ms, data) VALUES ($1, $2, $3, $4, $5)"
        } else {
            "UPDATE samples SET count = $3, last_ms = $4, data = $5 WHERE component = $1 AND chunk = $2"
        };
        tx.execute(statement, &[&component, &chunk, &count, &last_ms, &data])?;
        pending = later;
    }
    Ok(())
}

/// Every sample of a component started at or after `since_ms`.
pub(super) fn samples(
    tx: &mut Transaction<'_>,
    component: &str,
    since_ms: i64,
) -> Result<Vec<Sample>, StoreError> {
    let rows = tx.query(
        "SELECT data FROM samples WHERE component = $1 AND last_ms >= $2 ORDER BY chunk",
        &[&component, &since_ms],
    )?;
    let mut found = Vec::new();
    for row in rows {
        let data: &[u8] = row.try_get(0)?;
        found.extend(
            data.chunks_exact(RECORD_BYTES)
                .filter_map(Sample::decode)
                .filter(|s| s.started_ms >= since_ms),
        );
    }
    Ok(found)
}

/// Per-component run counts, from the samples and the runs still marked running.
pub(super) fn counts(
    tx: &mut Transaction<'_>,
) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
    let mut counts: BTreeMap<String, ComponentRunCounts> = BTreeMap::new();
    for row in tx.query(
        "SELECT component, data FROM samples ORDER BY component, chunk",
        &[],
    )? {
        let component: String = row.try_get(0)?;
        let data: &[u8] = row.try_get(1)?;
        let entry = counts.entry(component).or_default();
        for sample in data.chunks_exact(RECORD_BYTES).filter_map(Sample::decode) {
            count_sample(entry, &sample);
        }
    }
    let running = tx.query(
        "SELECT component, pid FROM runs WHERE status = $1",
        &[&text(RunStatus::Running)],
    )?;
    for row in running {
        let entry = counts.entry(row.try_get(0)?).or_default();
        entry.total += 1;
        if !process_alive(row.try_get(1)?) {
            entry.incomplete += 1;
        }
    }
    Ok(counts)
}

/// The most recent runs of a component, newest first.
pub(super) fn recent(
    tx: &mut Transaction<'_>,
    component: &str,
    limit: u32,
) -> Result<Vec<RunRecord>, StoreError> {
    let rows = tx.query(
        "SELECT id, component, mode, canary_percent, authoritative, status, started_at, finished_at,
                exit_code, parity, parity_summary, trace_id, trace_url, pid, comparison
         FROM runs WHERE component = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
        &[&component, &i64::from(limit)],
    )?;
    rows.iter().map(run_record).collect()
}

fn run_record(row: &Row) -> Result<RunRecord, StoreError> {
    let status = match codec::parse(row.try_get(5)?)? {
        RunStatus::Running if !process_alive(row.try_get(13)?) => RunStatus::Incomplete,
        other => other,
    };
    let exit_code: Option<i64> = row.try_get(8)?;
    let parity: Option<&str> = row.try_get(9)?;
    let comparison: Option<&str> = row.try_get(14)?;
    Ok(RunRecord {
        id: row.try_get(0)?,
        component: row.try_get(1)?,
        mode: codec::parse(row.try_get(2)?)?,
        canary_percent: codec::percent(row.try_get(3)?),
        authoritative: codec::parse(row.try_get(4)?)?,
        status,
        started_at: codec::timestamp(row.try_get(6)?)?,
        finished_at: codec::optional_timestamp(row.try_get(7)?)?,
        exit_code: exit_code.map(|c| c as i32),
        parity: parity.map(codec::parse).transpose()?,
        comparison: comparison.map(codec::parse).transpose()?,
        parity_summary: row.try_get(10)?,
        trace_id: row.try_get(11)?,
        trace_url: row.try_get(12)?,
    })
}

/// The start of the `count`-th most recent run of a component.
pub(super) fn nth_latest_start(
    tx: &mut Transaction<'_>,
    component: &str,
    count: u32,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    let row = tx.query_opt(
        "SELECT started_at FROM runs WHERE component = $1 ORDER BY started_at DESC LIMIT 1 OFFSET $2",
        &[&component, &i64::from(count.saturating_sub(1))],
    )?;
    codec::optional_timestamp(row.map(|r| r.try_get(0)).transpose()?)
}

/// The start of the latest run of `component` that executed a Dagger
/// implementation other than `current`.
pub(super) fn latest_start_of_other_implementation(
    tx: &mut Transaction<'_>,
    component: &str,
    current: &str,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    let at: Option<String> = tx
        .query_one(
            "SELECT MAX(started_at) FROM runs WHERE component = $1
                 AND implementation IS NOT NULL AND implementation != $2",
            &[&component, &current],
        )?
        .try_get(0)?;
    codec::optional_timestamp(at)
}

/// How many runs of `cutover run` have an id at or after `mark`.
pub(super) fn count_since(tx: &mut Transaction<'_>, mark: &str) -> Result<u64, StoreError> {
    let count: i64 = tx
        .query_one(
            "SELECT COUNT(*) FROM runs WHERE id >= $1 AND source = $2",
            &[&mark, &text(RunSource::Run)],
        )?
        .try_get(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Ids and packed process identities of the runs still marked running.
pub(super) fn running_ids(
    tx: &mut Transaction<'_>,
) -> Result<Vec<(String, Option<i64>)>, StoreError> {
    let rows = tx.query(
        "SELECT id, pid FROM runs WHERE status = $1",
        &[&text(RunStatus::Running)],
    )?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
