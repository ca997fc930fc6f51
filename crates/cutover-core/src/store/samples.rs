//! A compact columnar copy of every execution, for fast gates.
//!
//! `run_sides` keeps the full record of each execution; gates only need its
//! start time, duration, side, success and the run's parity. Those are kept
//! as fixed 16-byte records in BLOB chunks of [`CHUNK_RECORDS`] per component,
//! appended in the same transaction that records the run, so a gate reads a
//! million runs as a few hundred blobs instead of millions of rows — exact
//! values, not a sketch.
//!
//! Record layout (little endian): started_at as Unix milliseconds (i64),
//! duration in milliseconds (f32), side (u8: 0 legacy, 1 dagger), flags (u8:
//! bit 0 succeeded, bit 1 first record of its run, bits 2–3 parity: 0 none,
//! 1 match, 2 flaky, 3 mismatch, bit 4 a recheck, bit 5 a contended
//! duration, bit 6 a benchmark execution, bit 7 the authoritative side's
//! dry run), the run's parity comparison (u8, on its first record: 0 none
//! or not recorded, 1 full, 2 exit code only, 3 dry runs), one reserved byte.
//! Rechecks count as executions in `status` but not in gate metrics. The
//! authoritative side's dry run counts nowhere: it is not a run of its side.
//! Contended durations are left out of duration metrics (their execution
//! still counts). Benchmark executions are not run evidence: they add
//! their (uncontended) durations and nothing else.

use rusqlite::{OptionalExtension, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::WindowSamples;
use crate::exec::{ParityComparison, ParityVerdict, SideOutcome, SideRole};
use crate::lifecycle::Side;

/// Records per chunk.
pub const CHUNK_RECORDS: usize = 1024;
/// Bytes per record.
pub(super) const RECORD_BYTES: usize = 16;

/// One execution as gates see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Run start, Unix milliseconds.
    pub started_ms: i64,
    /// Duration in milliseconds.
    pub duration_ms: f32,
    /// Side executed.
    pub side: Side,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// The run's first record: counts the run and carries its parity.
    pub run_marker: bool,
    /// The run's parity (on its first record only).
    pub parity: Option<ParityVerdict>,
    /// A re-run of the shadow side after a mismatch.
    pub recheck: bool,
    /// Its duration is contended (it overlapped the other side at equal
    /// or higher priority).
    pub contended: bool,
    /// Timed by `cutover bench`, not by a run.
    pub bench: bool,
    /// The authoritative side's dry run (see [`SideRole::AuthoritativeDryRun`]).
    pub dry_run: bool,
    /// What the run's parity compared (on its first record only).
    pub comparison: Option<ParityComparison>,
}

impl Sample {
    /// Appends the record's bytes to `out`.
    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.started_ms.to_le_bytes());
        out.extend_from_slice(&self.duration_ms.to_le_bytes());
        out.push(match self.side {
            Side::Legacy => 0,
            Side::Dagger => 1,
        });
        out.push(
            u8::from(self.succeeded)
                | u8::from(self.run_marker) << 1
                | parity_code(self.parity) << 2
                | u8::from(self.recheck) << 4
                | u8::from(self.contended) << 5
                | u8::from(self.bench) << 6
                | u8::from(self.dry_run) << 7,
        );
        out.push(comparison_code(self.comparison));
        out.push(0);
    }

    /// The record in `bytes`, if it is one.
    pub(super) fn decode(bytes: &[u8]) -> Option<Sample> {
        let started_ms = i64::from_le_bytes(bytes.get(0..8)?.try_into().ok()?);
        let duration_ms = f32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
        let side = if *bytes.get(12)? == 0 {
            Side::Legacy
        } else {
            Side::Dagger
        };
        let flags = *bytes.get(13)?;
        Some(Sample {
            started_ms,
            duration_ms,
            side,
            succeeded: flags & 1 == 1,
            run_marker: flags & 2 == 2,
            parity: parity_from_code((flags >> 2) & 3),
            recheck: flags & 16 == 16,
            contended: flags & 32 == 32,
            bench: flags & 64 == 64,
            dry_run: flags & 128 == 128,
            comparison: comparison_from_code(*bytes.get(14)?),
        })
    }
}

/// A parity comparison as its code.
fn comparison_code(comparison: Option<ParityComparison>) -> u8 {
    match comparison {
        None => 0,
        Some(ParityComparison::Full) => 1,
        Some(ParityComparison::ExitCode) => 2,
        Some(ParityComparison::DryRuns) => 3,
    }
}

fn comparison_from_code(code: u8) -> Option<ParityComparison> {
    match code {
        1 => Some(ParityComparison::Full),
        2 => Some(ParityComparison::ExitCode),
        3 => Some(ParityComparison::DryRuns),
        _ => None,
    }
}

/// A parity verdict as its two-bit code.
fn parity_code(parity: Option<ParityVerdict>) -> u8 {
    match parity {
        None => 0,
        Some(ParityVerdict::Match) => 1,
        Some(ParityVerdict::Flaky) => 2,
        Some(ParityVerdict::Mismatch) => 3,
    }
}

fn parity_from_code(code: u8) -> Option<ParityVerdict> {
    match code {
        1 => Some(ParityVerdict::Match),
        2 => Some(ParityVerdict::Flaky),
        3 => Some(ParityVerdict::Mismatch),
        _ => None,
    }
}

/// The samples of one run's executions: the first authoritative execution
/// carries the run marker, its parity and what the parity compared.
pub(super) fn of_run<'a>(
    started: jiff::Timestamp,
    (parity, comparison): (Option<ParityVerdict>, Option<ParityComparison>),
    sides: impl IntoIterator<Item = (Side, SideRole, u32, &'a SideOutcome, f64)>,
) -> Vec<Sample> {
    let mut marker_written = false;
    sides
        .into_iter()
        .map(|(side, role, attempt, outcome, duration_ms)| {
            let run_marker = role == SideRole::Authoritative && attempt == 0 && !marker_written;
            marker_written |= run_marker;
            Sample {
                started_ms: started.as_millisecond(),
                duration_ms: duration_ms as f32,
                side,
                succeeded: outcome.is_success(),
                run_marker,
                parity: if run_marker { parity } else { None },
                recheck: attempt > 0,
                contended: false,
                bench: false,
                dry_run: role == SideRole::AuthoritativeDryRun,
                comparison: if run_marker { comparison } else { None },
            }
        })
        .collect()
}

/// Adds one sample to a window's counts (rechecks are not counted;
/// contended durations and benchmark executions as the module says).
pub(super) fn add_to_window(window: &mut WindowSamples, sample: &Sample) {
    if sample.recheck || sample.dry_run {
        return;
    }
    let side = match sample.side {
        Side::Legacy => &mut window.legacy,
        Side::Dagger => &mut window.dagger,
    };
    if sample.contended {
        window.contended_left_out += 1;
    } else {
        side.durations.push(f64::from(sample.duration_ms) / 1000.0);
    }
    if sample.bench {
        window.bench_durations += u64::from(!sample.contended);
        return;
    }
    side.executions += 1;
    side.successes += u64::from(sample.succeeded);
    if sample.run_marker {
        window.runs += 1;
        if let Some(parity) = sample.parity {
            window.compared += 1;
            window.compared_by.add(sample.comparison);
            if parity.has_parity() {
                window.matched += 1;
            } else {
                window.mismatches += 1;
            }
        }
    }
}

/// The last chunk of a component as stored.
#[derive(Debug, Default)]
pub(super) struct ChunkTail {
    /// Chunk number.
    pub chunk: i64,
    /// Records in it.
    pub count: i64,
    /// Its records.
    pub data: Vec<u8>,
    /// The latest start among them.
    pub last_ms: i64,
}

/// One chunk to write: a new row (`fresh`) or the last one, extended.
#[derive(Debug)]
pub(super) struct ChunkWrite {
    /// The chunk as it is to be stored.
    pub tail: ChunkTail,
    /// Whether it is a new row.
    pub fresh: bool,
}

/// Where the next of `pending` go: the last chunk while it has room, else a
/// new one. Returns the chunk to write and the samples left for later.
pub(super) fn extend_chunk(last: Option<ChunkTail>, pending: &[Sample]) -> (ChunkWrite, &[Sample]) {
    let (mut tail, fresh) = match last {
        Some(tail) if (tail.count as usize) < CHUNK_RECORDS => (tail, false),
        Some(full) => (
            ChunkTail {
                chunk: full.chunk + 1,
                last_ms: i64::MIN,
                ..ChunkTail::default()
            },
            true,
        ),
        None => (
            ChunkTail {
                last_ms: i64::MIN,
                ..ChunkTail::default()
            },
            true,
        ),
    };
    let room = CHUNK_RECORDS - tail.count as usize;
    let (now, later) = pending.split_at(room.min(pending.len()));
    tail.data.reserve(now.len() * RECORD_BYTES);
    for sample in now {
        sample.encode(&mut tail.data);
        tail.last_ms = tail.last_ms.max(sample.started_ms);
    }
    tail.count += now.len() as i64;
    (ChunkWrite { tail, fresh }, later)
}

/// Appends samples of one component inside an open transaction.
pub fn append(tx: &Transaction<'_>, component: &str, samples: &[Sample]) -> Result<(), StoreError> {
    let mut pending = samples;
    while !pending.is_empty() {
        let last = tx
            .prepare_cached("SELECT chunk, count, data, last_ms FROM samples WHERE component = ?1 ORDER BY chunk DESC LIMIT 1")?
            .query_row([component], |r| {
                Ok(ChunkTail { chunk: r.get(0)?, count: r.get(1)?, data: r.get(2)?, last_ms: r.get(3)? })
            })
            .optional()?;
        let (write, later) = extend_chunk(last, pending);
        let ChunkTail {
            chunk,
            count,
            data,
            last_ms,
        } = write.tail;
        if write.fresh {
            tx.prepare_cached("INSERT INTO samples (component, chunk, count, last_ms, data) VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![component, chunk, count, last_ms, data])?;
        } else {
            tx.prepare_cached("UPDATE samples SET count = ?3, last_ms = ?4, data = ?5 WHERE component = ?1 AND chunk = ?2")?
                .execute(params![component, chunk, count, last_ms, data])?;
        }
        pending = later;
    }
    Ok(())
}

/// Every sample of a component started at or after `since_ms`.
pub fn read(
    connection: &rusqlite::Connection,
    component: &str,
    since_ms: i64,
) -> Result<Vec<Sample>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT data FROM samples WHERE component = ?1 AND last_ms >= ?2 ORDER BY chunk",
    )?;
    let mut rows = statement.query(params![component, since_ms])?;
    let mut samples = Vec::new();
    while let Some(row) = rows.next()? {
        let data = row
            .get_ref(0)?
            .as_blob()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        samples.extend(
            data.chunks_exact(RECORD_BYTES)
                .filter_map(Sample::decode)
                .filter(|s| s.started_ms >= since_ms),
        );
    }
    Ok(samples)
}

/// Visits every sample of every component, without collecting them.
pub fn scan_all(
    connection: &rusqlite::Connection,
    mut visit: impl FnMut(&str, &Sample),
) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT component, data FROM samples ORDER BY component, chunk")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let component = row
            .get_ref(0)?
            .as_str()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .to_owned();
        let data = row
            .get_ref(1)?
            .as_blob()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for sample in data.chunks_exact(RECORD_BYTES).filter_map(Sample::decode) {
            visit(&component, &sample);
        }
    }
    Ok(())
}

/// Rebuilds the samples of every run from `runs` and `run_sides` (migration backfill).
pub fn backfill(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut rows: Vec<(String, Sample)> = Vec::new();
    {
        let mut statement = tx.prepare(
            "SELECT r.component, r.started_at, s.duration_ms, s.side, s.outcome, s.role, r.parity, s.attempt
             FROM run_sides s JOIN runs r ON r.id = s.run_id
             ORDER BY r.component, r.started_at, r.id, s.attempt, s.role",
        )?;
        let mut query = statement.query([])?;
        while let Some(row) = query.next()? {
            let Coded(role) = row.get::<_, Coded<SideRole>>(5)?;
            let parity: Option<Coded<ParityVerdict>> = row.get(6)?;
            let Coded(side) = row.get::<_, Coded<Side>>(3)?;
            let attempt: i64 = row.get(7)?;
            let run_marker = role == SideRole::Authoritative;
            rows.push((
                row.get(0)?,
                Sample {
                    started_ms: codec::timestamp(&row.get::<_, String>(1)?)?.as_millisecond(),
                    duration_ms: row.get::<_, f64>(2)? as f32,
                    side,
                    succeeded: row.get::<_, String>(4)? == SideOutcome::Succeeded.as_str(),
                    run_marker,
                    parity: parity.filter(|_| run_marker).map(|Coded(p)| p),
                    recheck: attempt > 0,
                    contended: false,
                    bench: false,
                    dry_run: role == SideRole::AuthoritativeDryRun,
                    comparison: None,
                },
            ));
        }
    }
    for chunk in rows.chunk_by(|(a, _), (b, _)| a == b) {
        let samples: Vec<Sample> = chunk.iter().map(|(_, s)| *s).collect();
        append(tx, &chunk[0].0, &samples)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let sample = Sample {
            started_ms: 1_800_000_000_123,
            duration_ms: 12.5,
            side: Side::Dagger,
            succeeded: true,
            run_marker: false,
            parity: Some(ParityVerdict::Mismatch),
            recheck: true,
            contended: true,
            bench: true,
            dry_run: true,
            comparison: Some(ParityComparison::DryRuns),
        };
        let mut bytes = Vec::new();
        sample.encode(&mut bytes);
        assert_eq!(bytes.len(), RECORD_BYTES);
        assert_eq!(Sample::decode(&bytes), Some(sample));
    }
}
