//! Retention: what cutover keeps of what it captures, and pruning the rest.
//!
//! - Captured run files (`.cutover/runs/<id>/`): the newest `keep` runs
//!   younger than `max_age` keep theirs; the run records in the store are
//!   kept forever. A run still in progress is never pruned. Run ids start
//!   with their UTC start time (`20270104T093000123-…`), so ids sort by age
//!   and a cutoff time compares as text.
//! - Snapshot contents (`.cutover/snapshots/objects/`): an object is kept
//!   while a restore point no rollback has used yet, or one of the newest
//!   safety snapshots of its component, refers to it, and for an hour after
//!   it was last written (an advance may be about to refer to it).
//!
//! After each shadow run, [`runs_due`] says cheaply (one small file read,
//! one count over a key range) whether pruning is due, so the run directory
//! is listed only when the limits are exceeded by a tenth.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use jiff::Timestamp;

use crate::fs::write_atomically;
use crate::process_identity::ProcessIdentity;
use crate::snapshot::{Freed, ObjectStore};
use crate::spec::{Migration, Retention};
use crate::store::{SnapshotKind, Store, StoreError};

/// The file under `runs/` holding the id of the oldest run kept after the
/// last pruning (or the pruning's time, when none was kept).
const MARK_FILE: &str = ".oldest-kept";

/// How long an unreferenced object is kept after it was last written.
pub const OBJECT_GRACE: Duration = Duration::from_secs(3600);

/// Why pruning failed.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// Listing, measuring or removing files failed.
    #[error("failed to prune `{}`", path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> RetentionError + '_ {
    move |source| RetentionError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What pruning captured run files freed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunsPruned {
    /// Runs whose captured files were pruned.
    pub runs: u64,
    /// Runs whose captured files are kept.
    pub kept: u64,
    /// Files and bytes.
    pub freed: Freed,
}

/// A run id's form of a time: ids older than it sort before it.
fn id_of_time(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%S%3f").to_string()
}

/// The oldest time a kept run may have started, if ages are limited.
fn cutoff(retention: &Retention, now: Timestamp, slack: bool) -> Option<String> {
    let age = retention.runs_max_age?.seconds;
    let age = if slack { age + age / 10 } else { age };
    let age = i64::try_from(age).unwrap_or(i64::MAX);
    let at = now
        .checked_sub(jiff::SignedDuration::from_secs(age))
        .unwrap_or(Timestamp::MIN);
    Some(id_of_time(at))
}

/// Whether the captured run files exceed the limits by a tenth: cheap
/// enough for every run (no directory is listed).
pub fn runs_due(
    state_dir: &Path,
    store: &Store,
    retention: &Retention,
    now: Timestamp,
) -> Result<bool, RetentionError> {
    let mark_path = state_dir.join("runs").join(MARK_FILE);
    let mark = match std::fs::read_to_string(&mark_path) {
        Ok(mark) => mark.trim().to_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(io(&mark_path)(error)),
    };
    let keep = u64::from(retention.runs_keep);
    if store.runs_since(&mark)? > keep + keep / 10 + 1 {
        return Ok(true);
    }
    Ok(!mark.is_empty() && cutoff(retention, now, true).is_some_and(|c| mark < c))
}

/// Prunes captured run files beyond the limits (with `dry_run`, only
/// measures them) and records the oldest run kept for [`runs_due`].
pub fn prune_runs(
    state_dir: &Path,
    store: &Store,
    retention: &Retention,
    now: Timestamp,
    dry_run: bool,
) -> Result<RunsPruned, RetentionError> {
    let runs_dir = state_dir.join("runs");
    let mut names = run_directories(&runs_dir)?;
    names.sort_unstable_by(|a, b| b.cmp(a));
    let live: BTreeSet<String> = store
        .running_runs()?
        .into_iter()
        .filter(|(_, pid)| pid.is_some_and(|p| ProcessIdentity::decode(p).is_running()))
        .map(|(id, _)| id)
        .collect();
    let oldest = cutoff(retention, now, false);
    let keep = usize::try_from(retention.runs_keep).unwrap_or(usize::MAX);
    let mut pruned = RunsPruned::default();
    let mut oldest_kept = None;
    for (index, name) in names.iter().enumerate() {
        let young = oldest.as_ref().is_none_or(|c| name >= c);
        if live.contains(name) || (index < keep && young) {
            pruned.kept += 1;
            oldest_kept = Some(name.clone());
            continue;
        }
        let path = runs_dir.join(name);
        pruned.freed.add(tree_size(&path)?);
        pruned.runs += 1;
        if !dry_run {
            std::fs::remove_dir_all(&path).map_err(io(&path))?;
        }
    }
    if !dry_run && runs_dir.is_dir() {
        let mark = oldest_kept.unwrap_or_else(|| id_of_time(now));
        let mark_path = runs_dir.join(MARK_FILE);
        write_atomically(&mark_path, mark.as_bytes()).map_err(io(&mark_path))?;
    }
    Ok(pruned)
}

/// The run directories (names not starting with a dot).
fn run_directories(runs_dir: &Path) -> Result<Vec<String>, RetentionError> {
    let entries = match std::fs::read_dir(runs_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io(runs_dir)(error)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(runs_dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && entry.file_type().map_err(io(runs_dir))?.is_dir() {
            names.push(name);
        }
    }
    Ok(names)
}

/// Files and bytes under `path`, symlinks counted as files, never followed.
fn tree_size(path: &Path) -> Result<(u64, u64), RetentionError> {
    let metadata = std::fs::symlink_metadata(path).map_err(io(path))?;
    if !metadata.is_dir() {
        return Ok((1, metadata.len()));
    }
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(path).map_err(io(path))? {
        let (f, b) = tree_size(&entry.map_err(io(path))?.path())?;
        files += f;
        bytes += b;
    }
    Ok((files, bytes))
}

/// The objects a rollback or the audit may still need: those of restore
/// points not yet used and of the newest `keep_safety` safety snapshots,
/// for every component of the spec.
pub fn live_objects(
    store: &Store,
    migration: &Migration,
    keep_safety: u32,
) -> Result<BTreeSet<String>, StoreError> {
    let mut live = BTreeSet::new();
    for component in &migration.components {
        let mut safety = 0;
        for snapshot in store.snapshots(&component.id)? {
            let needed = match snapshot.kind {
                SnapshotKind::RestorePoint => snapshot.consumed_at.is_none(),
                SnapshotKind::Safety => {
                    safety += 1;
                    safety <= keep_safety
                }
            };
            if needed {
                for file in &snapshot.files {
                    live.extend(file.digest.iter().cloned());
                    live.extend(file.entries.iter().map(|(_, digest)| digest.clone()));
                }
            }
        }
    }
    Ok(live)
}

/// What pruning the object store freed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectsPruned {
    /// Objects kept.
    pub kept: u64,
    /// Objects removed, and their bytes.
    pub freed: Freed,
}

/// Removes the objects not in `live` and not written within
/// [`OBJECT_GRACE`] (with `dry_run`, only measures them). Temporaries
/// (names starting with a dot) are left to their own clean-up.
pub fn prune_objects(
    objects: &ObjectStore,
    live: &BTreeSet<String>,
    now: SystemTime,
    dry_run: bool,
) -> Result<ObjectsPruned, RetentionError> {
    let directory = objects.directory();
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(ObjectsPruned::default());
        }
        Err(error) => return Err(io(directory)(error)),
    };
    let mut pruned = ObjectsPruned::default();
    for entry in entries {
        let entry = entry.map_err(io(directory))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let metadata = entry.metadata().map_err(io(directory))?;
        let recent = metadata
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_none_or(|age| age < OBJECT_GRACE);
        if live.contains(&name) || recent || !metadata.is_file() {
            pruned.kept += 1;
            continue;
        }
        if !dry_run {
            std::fs::remove_file(entry.path()).map_err(io(directory))?;
        }
        pruned.freed.add((1, metadata.len()));
    }
    Ok(pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(runs_dir: &Path, id: &str) {
        std::fs::create_dir_all(runs_dir.join(id).join("legacy/out")).expect("mkdir");
        std::fs::write(runs_dir.join(id).join("legacy/stdout"), b"ok\n").expect("write");
    }

    #[test]
    fn prunes_by_count_and_age_and_leaves_a_mark() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("state.db")).expect("store");
        let runs_dir = dir.path().join("runs");
        let now = Timestamp::now();
        let recent = |seconds: i64| {
            let at = now - jiff::SignedDuration::from_secs(seconds);
            format!("{}-0000000{seconds}", id_of_time(at))
        };
        let (newest, middle, oldest) = (recent(1), recent(2), recent(3));
        for id in [
            &newest,
            &middle,
            &oldest,
            &"20200101T000000000-00000000".to_owned(),
        ] {
            capture(&runs_dir, id);
        }
        let retention = Retention {
            runs_keep: 2,
            ..Retention::default()
        };
        let dry = prune_runs(dir.path(), &store, &retention, now, true).expect("dry run");
        assert_eq!(
            (dry.runs, dry.kept, dry.freed.files, dry.freed.bytes),
            (2, 2, 2, 6)
        );
        assert_eq!(run_directories(&runs_dir).expect("list").len(), 4);
        let done = prune_runs(dir.path(), &store, &retention, now, false).expect("prune");
        assert_eq!(done, dry);
        let mut left = run_directories(&runs_dir).expect("list");
        left.sort();
        assert_eq!(left, vec![middle.clone(), newest]);
        let mark = std::fs::read_to_string(runs_dir.join(MARK_FILE)).expect("mark");
        assert_eq!(mark, middle, "the oldest run kept");
        assert!(!runs_due(dir.path(), &store, &retention, now).expect("due"));
        let later = now + jiff::SignedDuration::from_hours(24 * 34);
        assert!(
            runs_due(dir.path(), &store, &retention, later).expect("due"),
            "the oldest kept capture is past max_age and a tenth"
        );
    }
}
