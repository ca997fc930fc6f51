//! Retiring: the one step with no way back, so `--force` is not enough.
//!
//! Entering `retired` needs its own confirmation (`confirm_retire`), and is
//! refused while a component it depends on is not at least in `dagger` mode
//! (its legacy side may still need this one's legacy side), unless the
//! request overrides that with a reason.

use super::change::{ChangeError, ChangeRequest};
use crate::lifecycle::{Mode, ModeState};
use crate::spec::ComponentRef;
use crate::workspace::Workspace;

/// Checks every change into `retired` in `planned` before anything changes.
pub(super) fn check_retirements(
    workspace: &Workspace,
    planned: &[(ComponentRef, ModeState, ModeState)],
    request: &ChangeRequest<'_>,
) -> Result<(), ChangeError> {
    let retiring: Vec<ComponentRef> = planned
        .iter()
        .filter(|(_, _, to)| to.mode == Mode::Retired)
        .map(|&(reference, _, _)| reference)
        .collect();
    if retiring.is_empty() {
        return Ok(());
    }
    if !request.confirm_retire {
        return Err(ChangeError::RetireUnconfirmed(
            retiring
                .iter()
                .map(|&r| workspace.spec(r).id.clone())
                .collect(),
        ));
    }
    if request.override_dependencies {
        return match request.reason {
            Some(_) => Ok(()),
            None => Err(ChangeError::OverrideWithoutReason),
        };
    }
    for &reference in &retiring {
        let pending = dependencies_behind(workspace, planned, reference)?;
        if !pending.is_empty() {
            return Err(ChangeError::RetireBeforeDependencies {
                component: workspace.spec(reference).id.clone(),
                pending,
            });
        }
    }
    Ok(())
}

/// Dependencies of `reference` not yet at `dagger` (counting this command's
/// own changes as done), as "id (mode)".
fn dependencies_behind(
    workspace: &Workspace,
    planned: &[(ComponentRef, ModeState, ModeState)],
    reference: ComponentRef,
) -> Result<Vec<String>, ChangeError> {
    let migration = &workspace.migration;
    let mut pending = Vec::new();
    for &d in &workspace.spec(reference).depends_on {
        let planned_mode = planned
            .iter()
            .find(|(r, _, _)| r.index() == d)
            .map(|(_, _, to)| to.mode);
        let id = &migration.components[d].id;
        let mode = match planned_mode {
            Some(mode) => mode,
            None => workspace.mode(id)?.state.mode,
        };
        if mode < Mode::Dagger {
            pending.push(format!("{id} ({mode})"));
        }
    }
    Ok(pending)
}
