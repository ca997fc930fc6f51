//! [`restore_snapshot`]: brings one snapshot's preserved paths back — a
//! restore point, or the safety copy a rollback took of someone's edit.
//!
//! The current content of those paths is saved first as a new safety
//! snapshot (so a restore is itself undoable with `cutover restore`), then
//! each path is restored atomically (files written whole, directories made
//! to hold exactly the saved files), verified, and an event recorded.
//! Modes are not changed: a restore brings back files only. A restore
//! interrupted between files leaves each file either old or new; repeating
//! it completes it (restoring is idempotent). A snapshot whose contents
//! `cutover gc` pruned is refused before anything is written.

use serde::Serialize;

use crate::event::{Event, NewEvent};
use crate::snapshot::{SnapshotError, restore, take_snapshot, verify};
use crate::store::{Durability, PreservedKind, Snapshot, SnapshotKind, StoreError};
use crate::workspace::Workspace;

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// Component the snapshot belongs to.
    pub component: String,
    /// The snapshot restored.
    pub snapshot: i64,
    /// The safety snapshot of the content replaced.
    pub safety: i64,
    /// Paths restored.
    pub paths: Vec<String>,
}

/// Why a snapshot could not be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// No such snapshot.
    #[error("no snapshot {0}")]
    NoSnapshot(i64),
    /// Its contents were pruned.
    #[error("snapshot {snapshot} can no longer be restored: `cutover gc` pruned the contents of {}", paths.join(", "))]
    Pruned {
        /// Snapshot.
        snapshot: i64,
        /// Paths whose contents are gone.
        paths: Vec<String>,
    },
    /// Restored files do not match the snapshot.
    #[error("restored files do not match snapshot {snapshot}: {}", paths.join(", "))]
    Verify {
        /// Snapshot.
        snapshot: i64,
        /// Paths that differ.
        paths: Vec<String>,
    },
    /// Snapshot I/O.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Restores snapshot `id`, saving the current content first.
pub fn restore_snapshot(
    workspace: &mut Workspace,
    id: i64,
    actor: &str,
    reason: Option<&str>,
) -> Result<Restored, RestoreError> {
    let snapshot = workspace
        .store
        .snapshot(id)?
        .ok_or(RestoreError::NoSnapshot(id))?;
    let pruned = pruned_paths(workspace, &snapshot);
    if !pruned.is_empty() {
        return Err(RestoreError::Pruned {
            snapshot: id,
            paths: pruned,
        });
    }
    let paths: Vec<String> = snapshot.files.iter().map(|f| f.path.clone()).collect();
    let objects = workspace.objects();
    let state = workspace.store.mode(&snapshot.component)?.state;
    let safety = take_snapshot(
        &mut workspace.store,
        &objects,
        &workspace.base_dir,
        &snapshot.component,
        &paths,
        state,
        SnapshotKind::Safety,
    )?;
    restore(&objects, &workspace.base_dir, &snapshot.files)?;
    let wrong = verify(&workspace.base_dir, &snapshot.files);
    if !wrong.is_empty() {
        return Err(RestoreError::Verify {
            snapshot: id,
            paths: wrong,
        });
    }
    let event = NewEvent {
        component: Some(snapshot.component.clone()),
        actor: actor.to_owned(),
        reason: reason.map(Into::into),
        event: Event::SnapshotRestored {
            snapshot: id,
            safety,
            restored: paths.clone(),
        },
        messages: Vec::new(),
    };
    workspace.store.append_event(&event, Durability::Synced)?;
    Ok(Restored {
        component: snapshot.component,
        snapshot: id,
        safety,
        paths,
    })
}

/// Paths of the snapshot whose saved contents are no longer in the object store.
fn pruned_paths(workspace: &Workspace, snapshot: &Snapshot) -> Vec<String> {
    let objects = workspace.objects();
    let present = |digest: &str| objects.directory().join(digest).is_file();
    snapshot
        .files
        .iter()
        .filter(|f| match f.kind {
            PreservedKind::File => !f.digest.as_deref().is_some_and(present),
            PreservedKind::Dir => !f.entries.iter().all(|(_, digest)| present(digest)),
            PreservedKind::Missing => false,
        })
        .map(|f| f.path.clone())
        .collect()
}
