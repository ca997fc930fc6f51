//! [`sync`]: writes the store's active overrides into the mode file, then
//! clears the overrides the file now reflects (an event each).
//!
//! The override is the emergency brake that reaches every runner at once;
//! the mode file is where the mode belongs. `cutover sync` moves a brake
//! into the file (atomically) so it can be committed; once the file says
//! the component is at or behind the override, the override has nothing
//! left to do and is cleared. A stricter override set meanwhile by another
//! runner is never cleared (the clear is conditional on what was read).
//! Without a mode file yet, this writes the first one from the store's
//! modes.

use super::change::ModeChange;
use crate::lifecycle::ModeState;
use crate::store::{ModeOverride, StoreError};
use crate::workspace::{ModeWriteError, Workspace};

/// What `cutover sync` did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Committed modes moved back to an override: from the file's mode to it.
    pub written: Vec<ModeChange>,
    /// Overrides cleared because the file reflects them.
    pub cleared: Vec<ModeOverride>,
    /// Whether the mode file's text changed (or was created).
    pub file_changed: bool,
}

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mode file could not be written.
    #[error(transparent)]
    ModeWrite(#[from] ModeWriteError),
}

/// Writes active overrides into the mode file, then clears those it reflects.
pub fn sync(workspace: &mut Workspace, actor: &str) -> Result<SyncReport, SyncError> {
    let overrides = workspace.store.overrides()?;
    let mut written = Vec::new();
    for brake in &overrides {
        if workspace
            .migration
            .component_ref(&brake.component)
            .is_none()
        {
            continue;
        }
        let committed = workspace.mode_with(&brake.component, &overrides)?.committed;
        if brake.state.is_behind(committed) {
            written.push(ModeChange {
                component: brake.component.clone(),
                from: committed,
                to: brake.state,
            });
        }
    }
    let modes: Vec<(String, ModeState)> = written
        .iter()
        .map(|c| (c.component.clone(), c.to))
        .collect();
    let file_changed = workspace.write_modes(&modes)?;
    let mut cleared = Vec::new();
    for brake in overrides {
        if workspace
            .migration
            .component_ref(&brake.component)
            .is_none()
        {
            continue;
        }
        let committed = workspace.mode_with(&brake.component, &[])?.committed;
        if !brake.state.is_behind(committed)
            && workspace
                .store
                .clear_override(&brake.component, brake.state, committed, actor)?
        {
            cleared.push(brake);
        }
    }
    Ok(SyncReport {
        written,
        cleared,
        file_changed,
    })
}
