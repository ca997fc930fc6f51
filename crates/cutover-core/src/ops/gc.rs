//! [`gc`]: prunes what the retention settings (`retention:` in the spec)
//! no longer keep — captured run files, snapshot contents no rollback can
//! need, temporaries of killed writers — and reports what it freed; last,
//! it checkpoints the store (see `store/connection.rs`).
//! [`prune_runs_after_run`] is the cheap check `run` makes.

use crate::retention::{
    ObjectsPruned, RetentionError, RunsPruned, live_objects, prune_objects, prune_runs, runs_due,
};
use crate::snapshot::{Freed, SnapshotError, all_preserved_paths, remove_interrupted_writes};
use crate::workspace::Workspace;

/// What `gc` freed (or, in a dry run, would free).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Nothing was removed, only measured.
    pub dry_run: bool,
    /// Captured run files.
    pub runs: RunsPruned,
    /// Snapshot contents.
    pub objects: ObjectsPruned,
    /// Why the snapshot contents were left alone, if they were.
    pub objects_skipped: Option<String>,
    /// Temporaries of killed writers.
    pub temporaries: Freed,
}

impl GcReport {
    /// Everything freed.
    pub fn total(&self) -> Freed {
        let mut total = self.runs.freed;
        for part in [self.objects.freed, self.temporaries] {
            total.add((part.files, part.bytes));
        }
        total
    }
}

/// Why `gc` failed.
#[derive(Debug, thiserror::Error)]
pub enum GcError {
    /// Pruning failed.
    #[error(transparent)]
    Retention(#[from] RetentionError),
    /// Removing temporaries failed.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Prunes (or, with `dry_run`, measures) everything retention lets go.
pub fn gc(workspace: &Workspace, dry_run: bool) -> Result<GcReport, GcError> {
    let retention = &workspace.migration.retention;
    let now = jiff::Timestamp::now();
    let runs = prune_runs(
        &workspace.state_dir,
        &workspace.store,
        retention,
        now,
        dry_run,
    )?;
    let paths = all_preserved_paths(&workspace.migration);
    let temporaries =
        remove_interrupted_writes(&workspace.objects(), &workspace.base_dir, &paths, dry_run)?;
    let unfinished = workspace.store.unfinished_rollbacks()?;
    let (objects, objects_skipped) = if let Some(journal) = unfinished.first() {
        let why = format!(
            "an interrupted rollback of `{}` may still need them; run `cutover rollback --resume` first",
            journal.target
        );
        (ObjectsPruned::default(), Some(why))
    } else {
        let live = live_objects(
            &workspace.store,
            &workspace.migration,
            retention.keep_safety,
        )?;
        let now = std::time::SystemTime::now();
        (
            prune_objects(&workspace.objects(), &live, now, dry_run)?,
            None,
        )
    };
    if !dry_run {
        workspace.store.checkpoint()?;
    }
    Ok(GcReport {
        dry_run,
        runs,
        objects,
        objects_skipped,
        temporaries,
    })
}

/// After a run that captured files: prunes captured run files when they
/// exceed the retention limits by a tenth, else does nearly nothing (one
/// small file read and one count in the store). Returns what was pruned.
pub fn prune_runs_after_run(workspace: &Workspace) -> Result<Option<RunsPruned>, GcError> {
    let retention = &workspace.migration.retention;
    let now = jiff::Timestamp::now();
    if !runs_due(&workspace.state_dir, &workspace.store, retention, now)? {
        return Ok(None);
    }
    Ok(Some(prune_runs(
        &workspace.state_dir,
        &workspace.store,
        retention,
        now,
        false,
    )?))
}
