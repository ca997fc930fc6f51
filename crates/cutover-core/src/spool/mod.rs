//! The spool: every `cutover run` record, kept on the runner until the
//! store has it.
//!
//! A run writes its record to `<state dir>/spool/<run id>.json` before
//! anything else, rewrites it with the run's end once the sides are done,
//! and removes it once the store confirmed both (see [`worker`]). A record
//! left behind (the store was unreachable or slow, or the process died) is
//! delivered by the next run ([`worker`], a bounded batch), by `cutover
//! push` ([`deliver::push`]), or, copied from many runners as a CI
//! artifact, by `cutover ingest DIR` ([`deliver::ingest`]).
//!
//! Delivery only calls [`crate::store::Store`] methods, each idempotent by
//! run id, so it works against every backend and a record delivered twice
//! is stored once. A record with no end whose process is gone is delivered
//! as an incomplete run, never as a success.

pub mod deliver;
mod record;
pub mod worker;

use std::path::{Path, PathBuf};

pub use record::{ABANDONED_PID, SpoolRecord};

/// Name of the spool directory inside the state directory.
pub const SPOOL_DIR: &str = "spool";

/// Why a spool record could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// A file of the spool could not be read, written or listed.
    #[error("failed to access the spool at `{}`", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A record is not a spool record this cutover understands.
    #[error("`{}` is not a cutover run record: {reason}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// The spool directory of one workspace.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

impl Spool {
    /// The spool of the state directory `state_dir`.
    pub fn in_state_dir(state_dir: &Path) -> Spool {
        Spool {
            dir: state_dir.join(SPOOL_DIR),
        }
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the record of run `id` is kept.
    pub fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Writes (or rewrites) a record, atomically: a reader sees the old
    /// record or the new one, never a part. Not synced, like the store's
    /// own run records: it survives any process crash.
    pub fn write(&self, record: &SpoolRecord) -> Result<(), SpoolError> {
        let path = self.path_of(&record.start.id);
        crate::fs::write_atomically_unsynced(&path, &record.to_json())
            .map_err(|source| SpoolError::Io { path, source })
    }

    /// Adds a run's end to the record [`Spool::write`] wrote when it began:
    /// appended to the file, as one JSON document after the first, rather
    /// than a new file renamed over it. A run thus creates one file and
    /// replaces none, which on ext4 spares it a second inode and the
    /// writeback a replacing rename starts. A reader that finds the end
    /// torn (a writer killed mid-append) or not there yet reads a run
    /// without an end (see [`SpoolRecord::read`]). Not synced either.
    pub fn append_end(&self, record: &SpoolRecord) -> Result<(), SpoolError> {
        let path = self.path_of(&record.start.id);
        let Some(end) = record.end_json() else {
            return Ok(());
        };
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, &end))
            .map_err(|source| SpoolError::Io { path, source })
    }

    /// Removes the record of run `id` (delivered); one already gone is fine.
    pub fn remove(&self, id: &str) -> Result<(), SpoolError> {
        let path = self.path_of(id);
        match std::fs::remove_file(&path) {
            Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                Err(SpoolError::Io { path, source })
            }
            _ => Ok(()),
        }
    }

    /// Removes the temporaries of writers killed before their rename.
    pub fn sweep(&self) -> Result<(), SpoolError> {
        crate::fs::remove_stale_temporaries(&self.dir, false)
            .map(|_| ())
            .map_err(|source| SpoolError::Io {
                path: self.dir.clone(),
                source,
            })
    }

    /// The records waiting in the spool, oldest first (run ids sort by start).
    pub fn pending(&self) -> Result<Vec<PathBuf>, SpoolError> {
        record_files(&self.dir, false)
    }
}

/// The `*.json` files directly in `dir` (or, with `recursive`, below it),
/// sorted by file name; temporaries of unfinished writes (`.NAME…tmp`) are
/// not records. A missing directory has none.
pub fn record_files(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>, SpoolError> {
    let mut files = Vec::new();
    collect(dir, recursive, &mut files)?;
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then_with(|| a.cmp(b)));
    Ok(files)
}

fn collect(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> Result<(), SpoolError> {
    let io = |source| SpoolError::Io {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(io(error)),
    };
    for entry in entries {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() && recursive {
            collect(&path, recursive, files)?;
        } else if kind.is_file() && is_record_name(&entry.file_name().to_string_lossy()) {
            files.push(path);
        }
    }
    Ok(())
}

fn is_record_name(name: &str) -> bool {
    name.ends_with(".json") && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_lists_records_oldest_first_and_skips_temporaries() {
        let dir = tempfile::tempdir().expect("tmp");
        let spool = Spool::in_state_dir(dir.path());
        assert!(spool.pending().expect("missing dir").is_empty());
        std::fs::create_dir_all(spool.dir()).expect("mkdir");
        for name in [
            "20270105T000000000-b.json",
            "20270104T000000000-a.json",
            ".20270106T000000000-c.json.cutover-1.tmp",
            "notes.txt",
        ] {
            std::fs::write(spool.dir().join(name), "{}").expect("write");
        }
        let names: Vec<_> = spool
            .pending()
            .expect("list")
            .iter()
            .map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            names,
            [
                Some("20270104T000000000-a.json".to_owned()),
                Some("20270105T000000000-b.json".to_owned())
            ]
        );
        spool.remove("20270104T000000000-a").expect("remove");
        spool
            .remove("20270104T000000000-a")
            .expect("removing twice is fine");
        assert_eq!(spool.pending().expect("list").len(), 1);
    }
}
