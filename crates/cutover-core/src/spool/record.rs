//! [`SpoolRecord`]: one run as the spool keeps it — its start, and its end
//! once known — in JSON, with the times it really started and ended.

use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::SpoolError;
use crate::process_identity::ProcessIdentity;
use crate::store::{RunFinish, RunStart};

/// The record format this cutover writes and reads.
const VERSION: u32 = 1;

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

    /// Reads a record file, refusing anything that is not one.
    pub fn read(path: &Path) -> Result<SpoolRecord, SpoolError> {
        let bytes = std::fs::read(path).map_err(|source| SpoolError::Io {
            path: path.to_owned(),
            source,
        })?;
        let unreadable = |reason: String| SpoolError::Unreadable {
            path: path.to_owned(),
            reason,
        };
        let record: SpoolRecord =
            serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
        if record.version != VERSION {
            return Err(unreadable(format!(
                "format version {} (this cutover reads {VERSION})",
                record.version
            )));
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
