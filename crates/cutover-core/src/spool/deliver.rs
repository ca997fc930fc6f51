//! Delivering spooled records to the store: one record ([`deliver`]), the
//! waiting records of this runner ([`push`]; in batches before a command
//! reads a local store, [`absorb`]), and a directory of records gathered
//! from many runners ([`ingest`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{ABANDONED_PID, Spool, SpoolError, SpoolRecord, record_files};
use crate::store::{RunDelivery, Store, StoreError};

/// How one record went into the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Start and end: a finished run.
    Finished,
    /// Start only, its process gone: an incomplete run.
    Incomplete,
}

/// Delivers one record, start then end, each idempotent by run id. A
/// record without an end must be one whose process is gone (the caller
/// knows): it is stored as an incomplete run, never as a success.
pub fn deliver(store: &mut Store, record: &SpoolRecord) -> Result<Delivered, StoreError> {
    match &record.end {
        Some(end) => {
            store.begin_run_at(&record.start, record.started_at)?;
            store.finish_run_at(&end.finish, end.finished_at)?;
            Ok(Delivered::Finished)
        }
        None => {
            let mut start = record.start.clone();
            start.pid = ABANDONED_PID;
            store.begin_run_at(&start, record.started_at)?;
            Ok(Delivered::Incomplete)
        }
    }
}

/// One step of a delivery, for progress reports.
#[derive(Debug)]
pub struct Progress<'a> {
    /// 1-based position of the record.
    pub index: usize,
    /// Records in this delivery.
    pub total: usize,
    /// Its run id.
    pub run_id: &'a str,
    /// What became of it.
    pub delivered: Delivered,
}

/// What [`push`] did.
#[derive(Debug, Default)]
pub struct PushSummary {
    /// Records delivered as finished runs (and removed from the spool).
    pub finished: usize,
    /// Records of runs whose process died, delivered as incomplete runs.
    pub incomplete: usize,
    /// Records left because their run is still in progress on this machine.
    pub in_progress: usize,
    /// Files left because they are not records this cutover can read.
    pub unreadable: Vec<SpoolError>,
    /// Why delivery stopped, when the store failed (the rest stay spooled).
    pub failed: Option<StoreError>,
    /// Records still in the spool afterwards.
    pub remaining: usize,
}

/// Delivers the records waiting in `spool`, oldest first, at most `limit`
/// of them, skipping `except` (the caller's own run) and the records of
/// runs still in progress here; each delivered record leaves the spool.
/// Stops at the first store failure: the store is likely unreachable, and
/// the records stay for the next attempt.
pub fn push(
    store: &mut Store,
    spool: &Spool,
    limit: usize,
    except: Option<&str>,
    mut progress: impl FnMut(&Progress<'_>),
) -> Result<PushSummary, SpoolError> {
    let files: Vec<PathBuf> = spool
        .pending()?
        .into_iter()
        .filter(|p| except.is_none_or(|id| p.file_stem() != Some(id.as_ref())))
        .collect();
    let total = files.len().min(limit);
    let mut summary = PushSummary::default();
    for (index, path) in files.iter().take(limit).enumerate() {
        let record = match SpoolRecord::read(path) {
            Ok(record) => record,
            Err(error) => {
                summary.unreadable.push(error);
                continue;
            }
        };
        if record.writer_alive() {
            summary.in_progress += 1;
            continue;
        }
        let delivered = match deliver(store, &record) {
            Ok(delivered) => delivered,
            Err(error) => {
                summary.failed = Some(error);
                break;
            }
        };
        spool.remove(&record.start.id)?;
        match delivered {
            Delivered::Finished => summary.finished += 1,
            Delivered::Incomplete => summary.incomplete += 1,
        }
        progress(&Progress {
            index: index + 1,
            total,
            run_id: &record.start.id,
            delivered,
        });
    }
    summary.remaining = spool.pending()?.len();
    Ok(summary)
}

/// Records [`absorb`] delivers in one transaction, at most.
pub const ABSORB_BATCH: usize = 500;

/// Delivers the records waiting in the spool of a local store, in batches
/// of [`ABSORB_BATCH`] per transaction: what every command does before it
/// reads the store, so `status`, `runs` and `gate` count the runs that
/// only spooled their record (legacy-mode runs on a local store, see
/// [`crate::router`], and runs whose delivery failed). A finished record,
/// or one whose process is gone (an incomplete run), leaves the spool; the
/// record of a run still in progress here is delivered as running and
/// stays for its end. Records kept for `cutover ingest` (`--spool-only`)
/// and files that are not records are left alone. When another writer
/// holds the store longer than `wait`, nothing more is written: the rest
/// waits for the next command (`failed` says why).
pub fn absorb(store: &mut Store, spool: &Spool, wait: Duration) -> Result<PushSummary, SpoolError> {
    let mut summary = PushSummary::default();
    let files = spool.pending()?;
    for chunk in files.chunks(ABSORB_BATCH) {
        let mut runs = Vec::with_capacity(chunk.len());
        let mut done = Vec::with_capacity(chunk.len());
        for path in chunk {
            match SpoolRecord::read(path) {
                Ok(record) if record.spool_only => {}
                Ok(record) => {
                    let (run, delivered) = delivery(record);
                    match delivered {
                        Some(Delivered::Finished) => summary.finished += 1,
                        Some(Delivered::Incomplete) => summary.incomplete += 1,
                        None => summary.in_progress += 1,
                    }
                    if delivered.is_some() {
                        done.push(run.start.id.clone());
                    }
                    runs.push(run);
                }
                // Delivered and removed by another command meanwhile.
                Err(SpoolError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => summary.unreadable.push(error),
            }
        }
        if runs.is_empty() {
            continue;
        }
        if let Err(error) = store.deliver_runs(&runs, wait) {
            summary.failed = Some(error);
            break;
        }
        for id in &done {
            spool.remove(id)?;
        }
    }
    summary.remaining = spool.pending()?.len();
    Ok(summary)
}

/// One spooled record as the store takes it, and what it counts as: a
/// finished run, an incomplete one (no end, its process gone), or `None`
/// for a run still in progress here (delivered as running).
fn delivery(record: SpoolRecord) -> (RunDelivery, Option<Delivered>) {
    let alive = record.writer_alive();
    let mut start = record.start;
    let (end, delivered) = match record.end {
        Some(end) => (
            Some((end.finish, end.finished_at)),
            Some(Delivered::Finished),
        ),
        None if alive => (None, None),
        None => {
            start.pid = ABANDONED_PID;
            (None, Some(Delivered::Incomplete))
        }
    };
    let run = RunDelivery {
        start,
        started_at: record.started_at,
        end,
    };
    (run, delivered)
}

/// What [`ingest`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IngestSummary {
    /// Records delivered as finished runs.
    pub finished: usize,
    /// Records without an end, delivered as incomplete runs.
    pub incomplete: usize,
}

/// Reads every record under `dir` (a spool directory, or the spool
/// directories of many runners downloaded side by side), oldest first;
/// anything that is not a record is an error, so a bad directory is
/// refused before anything is written.
pub fn read_records(dir: &Path) -> Result<Vec<SpoolRecord>, SpoolError> {
    let mut records = record_files(dir, true)?
        .iter()
        .map(|path| SpoolRecord::read(path))
        .collect::<Result<Vec<_>, _>>()?;
    records.sort_by(|a, b| a.start.id.cmp(&b.start.id));
    Ok(records)
}

/// Imports records read by [`read_records`], idempotently: a run already
/// in the store is left as it is. They are records of finished jobs: one
/// without an end is an incomplete run.
pub fn ingest(
    store: &mut Store,
    records: &[SpoolRecord],
    mut progress: impl FnMut(&Progress<'_>),
) -> Result<IngestSummary, StoreError> {
    let mut summary = IngestSummary::default();
    for (index, record) in records.iter().enumerate() {
        let delivered = deliver(store, record)?;
        match delivered {
            Delivered::Finished => summary.finished += 1,
            Delivered::Incomplete => summary.incomplete += 1,
        }
        progress(&Progress {
            index: index + 1,
            total: records.len(),
            run_id: &record.start.id,
            delivered,
        });
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::exec::{SideOutcome, SideRole};
    use crate::lifecycle::{ModeState, Side};
    use crate::process_identity::ProcessIdentity;
    use crate::store::{RunFinish, RunSource, RunStart, RunStatus, SideRecord};

    /// A process that is not running: this one, started later than it did.
    fn dead_writer() -> i64 {
        let me = ProcessIdentity::current();
        ProcessIdentity {
            start_ticks: me.start_ticks.map(|t| t + 1),
            ..me
        }
        .encode()
    }

    fn record(id: &str, pid: i64, finished: bool) -> SpoolRecord {
        let start = RunStart {
            id: id.into(),
            component: "job".into(),
            mode: ModeState::default(),
            authoritative: Side::Legacy,
            pid,
            run_key: None,
            trace_id: "t".into(),
            source: RunSource::Run,
            implementation: None,
        };
        let begun = SpoolRecord::begun(start, Timestamp::UNIX_EPOCH);
        if !finished {
            return begun;
        }
        begun.finished(
            RunFinish {
                id: id.into(),
                exit_code: 0,
                parity: None,
                parity_summary: None,
                comparison: None,
                trace_url: None,
                sides: vec![SideRecord {
                    side: Side::Legacy,
                    role: SideRole::Authoritative,
                    attempt: 0,
                    outcome: SideOutcome::Succeeded,
                    duration_ms: 1.0,
                    stdout_digest: None,
                    outputs_digest: None,
                    overlapped: true,
                    contended: false,
                    lowered: None,
                }],
            },
            Timestamp::UNIX_EPOCH,
        )
    }

    /// A spool in `dir` holding a finished run (`r1`), one whose writer died
    /// before its end (`r2`) and one still running in this process (`r3`),
    /// and an empty store beside it.
    fn finished_abandoned_and_live(dir: &std::path::Path) -> (Spool, Store) {
        let spool = Spool::in_state_dir(dir);
        let store = Store::open(&dir.join("state.db")).expect("store");
        spool.write(&record("r1", dead_writer(), true)).expect("r1");
        spool
            .write(&record("r2", dead_writer(), false))
            .expect("r2");
        let live = ProcessIdentity::current().encode();
        spool.write(&record("r3", live, false)).expect("r3");
        (spool, store)
    }

    #[test]
    fn push_delivers_finished_and_abandoned_runs_once_and_leaves_live_ones() {
        let dir = tempfile::tempdir().expect("tmp");
        let (spool, mut store) = finished_abandoned_and_live(dir.path());
        let mut seen = Vec::new();
        let summary = push(&mut store, &spool, usize::MAX, None, |p| {
            seen.push((p.run_id.to_owned(), p.delivered));
        })
        .expect("push");
        assert_eq!(
            (summary.finished, summary.incomplete, summary.in_progress),
            (1, 1, 1)
        );
        assert_eq!(summary.remaining, 1, "the live run's record stays");
        assert_eq!(
            seen,
            [
                ("r1".to_owned(), Delivered::Finished),
                ("r2".to_owned(), Delivered::Incomplete)
            ]
        );
        let runs = store.recent_runs("job", 10).expect("runs");
        let status = |id: &str| runs.iter().find(|r| r.id == id).map(|r| r.status);
        assert_eq!(status("r1"), Some(RunStatus::Complete));
        assert_eq!(status("r2"), Some(RunStatus::Incomplete));
        // Delivered again (a copy uploaded as an artifact): nothing doubles.
        let copies = [record("r1", dead_writer(), true), record("r2", 0, false)];
        let again = ingest(&mut store, &copies, |_| {}).expect("ingest");
        assert_eq!((again.finished, again.incomplete), (1, 1));
        assert_eq!(store.run_counts().expect("counts")["job"].total, 2);
        assert_eq!(store.recent_runs("job", 10).expect("runs").len(), 2);
    }

    #[test]
    fn absorb_delivers_in_one_go_keeps_live_runs_and_leaves_records_for_ingest() {
        let dir = tempfile::tempdir().expect("tmp");
        let (spool, mut store) = finished_abandoned_and_live(dir.path());
        let mut for_ingest = record("r4", dead_writer(), true);
        for_ingest.spool_only = true;
        spool.write(&for_ingest).expect("r4");
        let summary = absorb(&mut store, &spool, Duration::from_secs(2)).expect("absorb");
        assert_eq!(
            (summary.finished, summary.incomplete, summary.in_progress),
            (1, 1, 1)
        );
        assert!(summary.failed.is_none() && summary.unreadable.is_empty());
        assert_eq!(
            summary.remaining, 2,
            "the live run and the ingest record stay"
        );
        let runs = store.recent_runs("job", 10).expect("runs");
        let status = |id: &str| runs.iter().find(|r| r.id == id).map(|r| r.status);
        assert_eq!(status("r1"), Some(RunStatus::Complete));
        assert_eq!(status("r2"), Some(RunStatus::Incomplete));
        assert_eq!(status("r3"), Some(RunStatus::Running));
        assert_eq!(status("r4"), None, "kept for `cutover ingest` elsewhere");
        // The live run ends; the next command finishes it, once.
        spool
            .write(&record("r3", ProcessIdentity::current().encode(), true))
            .expect("r3 end");
        let again = absorb(&mut store, &spool, Duration::from_secs(2)).expect("again");
        assert_eq!((again.finished, again.remaining), (1, 1));
        let runs = store.recent_runs("job", 10).expect("runs");
        assert_eq!(runs.len(), 3);
        assert!(
            runs.iter()
                .any(|r| r.id == "r3" && r.status == RunStatus::Complete)
        );
    }

    #[test]
    fn absorb_leaves_everything_when_the_store_stays_busy() {
        let dir = tempfile::tempdir().expect("tmp");
        let spool = Spool::in_state_dir(dir.path());
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path).expect("store");
        spool.write(&record("r1", dead_writer(), true)).expect("r1");
        let lock = rusqlite::Connection::open(&path).expect("open");
        lock.execute_batch("BEGIN IMMEDIATE").expect("lock");
        let summary = absorb(&mut store, &spool, Duration::from_millis(50)).expect("absorb");
        assert!(summary.failed.as_ref().is_some_and(StoreError::is_busy));
        assert_eq!(summary.remaining, 1);
        drop(lock);
        let summary = absorb(&mut store, &spool, Duration::from_secs(2)).expect("absorb");
        assert_eq!((summary.finished, summary.remaining), (1, 0));
    }

    #[test]
    fn push_stops_at_its_limit_and_skips_the_callers_own_run() {
        let dir = tempfile::tempdir().expect("tmp");
        let spool = Spool::in_state_dir(dir.path());
        let mut store = Store::open(&dir.path().join("state.db")).expect("store");
        for id in ["a", "b", "c"] {
            spool
                .write(&record(id, dead_writer(), true))
                .expect("write");
        }
        let summary = push(&mut store, &spool, 1, Some("a"), |_| {}).expect("push");
        assert_eq!((summary.finished, summary.remaining), (1, 2));
        let runs = store.recent_runs("job", 10).expect("runs");
        assert_eq!(
            runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
    }

    #[test]
    fn a_directory_with_anything_but_records_is_refused_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let runner = dir.path().join("runner-1");
        Spool::in_state_dir(&runner)
            .write(&record("r1", 0, true))
            .expect("write");
        assert_eq!(read_records(dir.path()).expect("records").len(), 1);
        std::fs::write(runner.join("spool").join("junk.json"), "{").expect("junk");
        assert!(matches!(
            read_records(dir.path()),
            Err(SpoolError::Unreadable { .. })
        ));
    }
}
