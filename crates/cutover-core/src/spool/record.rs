//! [`SpoolRecord`]: one run as the spool keeps it — its start, and its end
//! once known — in JSON, with the times it really started and ended.

use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::SpoolError;
use crate::process_identity::ProcessIdentity;
use crate::store::{RunFinish, RunStart};

/// The record format this cutover writes: version 2 keeps the run's end
/// as a second JSON document appended to the file (see
/// [`super::Spool::append_end`]); version 1 kept it inside the first, and
/// is still read.
const VERSION: u32 = 2;

/// The oldest record format this cutover reads.
const OLDEST_VERSION: u32 = 1;

/// The process identity stored for a run whose process is gone without
/// recording an end: pid 0 is never a running process, so the store counts
/// the run as incomplete on every machine that reads it.
pub const ABANDONED_PID: i64 = 0;

/// One run in the spool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpoolRecord {
    /// Format version (1).
    pub version: u32,
    /// When the run started.
    pub started_at: Timestamp,
    /// What was known at the start (status `running`).
    pub start: RunStart,
    /// The run's end, once its sides are done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<SpooledEnd>,
    /// Kept for `cutover ingest` elsewhere (`run --spool-only`): never
    /// delivered to this runner's own store by [`super::deliver::absorb`],
    /// so the spool uploaded as an artifact still holds it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spool_only: bool,
}

/// The end of a spooled run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpooledEnd {
    /// When the run ended.
    pub finished_at: Timestamp,
    /// Its sides, verdict and exit code.
    pub finish: RunFinish,
}

impl SpoolRecord {
    /// A run that has just started.
    pub fn begun(start: RunStart, started_at: Timestamp) -> SpoolRecord {
        SpoolRecord {
            version: VERSION,
            started_at,
            start,
            end: None,
            spool_only: false,
        }
    }

    /// The same run with its end.
    pub fn finished(mut self, finish: RunFinish, finished_at: Timestamp) -> SpoolRecord {
        self.end = Some(SpooledEnd {
            finished_at,
            finish,
        });
        self
    }

    /// Whether the process that wrote the record is still running here, so
    /// it may still deliver (or finish) the record itself.
    pub fn writer_alive(&self) -> bool {
        ProcessIdentity::decode(self.start.pid).is_running()
    }

    /// The record as the spool stores it.
    pub(super) fn to_json(&self) -> Vec<u8> {
        // Plain structs with string keys: serializing them cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// The run's end as [`super::Spool::append_end`] appends it: one JSON
    /// document on a line of its own; `None` before the run ended.
    pub(super) fn end_json(&self) -> Option<Vec<u8>> {
        let mut bytes = b"\n".to_vec();
        serde_json::to_writer(&mut bytes, self.end.as_ref()?).ok()?;
        bytes.push(b'\n');
        Some(bytes)
    }

    /// Reads a record file, refusing anything that is not one. The run's
    /// end is the second JSON document when there is one (version 2); one
    /// that is torn, as a writer killed while appending it leaves it, is no
    /// end: the run counts as unfinished, never as a success.
    pub fn read(path: &Path) -> Result<SpoolRecord, SpoolError> {
        let bytes = std::fs::read(path).map_err(|source| SpoolError::Io {
            path: path.to_owned(),
            source,
        })?;
        let unreadable = |reason: String| SpoolError::Unreadable {
            path: path.to_owned(),
            reason,
        };
        let mut documents = serde_json::Deserializer::from_slice(&bytes);
        let mut record =
            SpoolRecord::deserialize(&mut documents).map_err(|e| unreadable(e.to_string()))?;
        if !(OLDEST_VERSION..=VERSION).contains(&record.version) {
            return Err(unreadable(format!(
                "format version {} (this cutover reads {OLDEST_VERSION} to {VERSION})",
                record.version
            )));
        }
        if record.end.is_none() {
            record.end = SpooledEnd::deserialize(&mut documents).ok();
        }
        if record
            .end
            .as_ref()
            .is_some_and(|end| end.finish.id != record.start.id)
        {
            return Err(unreadable("its start and end name different runs".into()));
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{ParityVerdict, SideOutcome, SideRole};
    use crate::lifecycle::{Mode, ModeState, Side};
    use crate::store::{RunSource, SideRecord};

    fn start() -> RunStart {
        RunStart {
            id: "20270104T101500123-1a2b3c4d".into(),
            component: "build".into(),
            mode: ModeState {
                mode: Mode::Shadow,
                canary_percent: 0,
            },
            authoritative: Side::Legacy,
            pid: ProcessIdentity::current().encode(),
            run_key: Some("abc".into()),
            trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
            source: RunSource::Run,
            implementation: None,
        }
    }

    #[test]
    fn a_record_round_trips_through_its_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("r.json");
        let record = SpoolRecord::begun(start(), Timestamp::UNIX_EPOCH).finished(
            RunFinish {
                id: start().id,
                exit_code: 3,
                parity: Some(ParityVerdict::Mismatch),
                parity_summary: Some("stdout differs".into()),
                comparison: None,
                trace_url: None,
                sides: vec![SideRecord {
                    side: Side::Dagger,
                    role: SideRole::Shadow,
                    attempt: 0,
                    outcome: SideOutcome::TimedOut { after_ms: 5 },
                    duration_ms: 1.5,
                    stdout_digest: None,
                    outputs_digest: Some("d".into()),
                    overlapped: true,
                    contended: false,
                    lowered: None,
                }],
            },
            Timestamp::UNIX_EPOCH,
        );
        std::fs::write(&path, record.to_json()).expect("write");
        let back = SpoolRecord::read(&path).expect("read");
        let end = back.end.as_ref().expect("end");
        assert_eq!(end.finish.exit_code, 3);
        assert_eq!(
            end.finish.sides[0].outcome,
            SideOutcome::TimedOut { after_ms: 5 }
        );
        assert_eq!(back.start.mode.mode, Mode::Shadow);
        assert!(back.writer_alive(), "written by this test process");
    }

    #[test]
    fn the_end_appended_to_a_record_is_read_and_a_torn_one_is_no_end() {
        let dir = tempfile::tempdir().expect("tmp");
        let spool = super::super::Spool::in_state_dir(dir.path());
        let begun = SpoolRecord::begun(start(), Timestamp::UNIX_EPOCH);
        spool.write(&begun).expect("write");
        let path = spool.path_of(&start().id);
        assert!(SpoolRecord::read(&path).expect("begun").end.is_none());
        let finished = begun.finished(
            RunFinish {
                id: start().id,
                exit_code: 0,
                parity: None,
                comparison: None,
                parity_summary: None,
                trace_url: None,
                sides: Vec::new(),
            },
            Timestamp::UNIX_EPOCH,
        );
        spool.append_end(&finished).expect("append");
        let whole = std::fs::read(&path).expect("bytes");
        let back = SpoolRecord::read(&path).expect("finished");
        assert_eq!(back.end.expect("end").finish.exit_code, 0);
        // A writer killed halfway through the append: the run has no end.
        std::fs::write(&path, &whole[..whole.len() - 10]).expect("tear");
        assert!(SpoolRecord::read(&path).expect("torn end").end.is_none());
        // A version-1 record keeps its end inside the one document.
        let mut old = finished.clone();
        old.version = 1;
        std::fs::write(&path, old.to_json()).expect("version 1");
        assert!(SpoolRecord::read(&path).expect("version 1").end.is_some());
    }

    #[test]
    fn anything_else_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("r.json");
        std::fs::write(&path, "{\"version\": 1}").expect("write");
        assert!(matches!(
            SpoolRecord::read(&path),
            Err(SpoolError::Unreadable { .. })
        ));
        let mut record = SpoolRecord::begun(start(), Timestamp::UNIX_EPOCH);
        record.version = 9;
        std::fs::write(&path, record.to_json()).expect("write");
        let error = SpoolRecord::read(&path).expect_err("newer format");
        assert!(error.to_string().contains("format version 9"), "{error}");
    }
}
