//! [`decide`]: closing the decision point an escalated trigger opened; a
//! decision to roll back is executed before the decision is recorded.

use super::change::ModeChange;
use crate::event::DecisionOutcome;
use crate::lifecycle::Target;
use crate::rollback::{RollbackError, RollbackRequest, execute_rollback, plan_rollback};
use crate::spec::ComponentRef;
use crate::store::StoreError;
use crate::workspace::Workspace;

/// Why a decision could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// Nothing to decide.
    #[error("`{0}` has no open decision point")]
    NothingOpen(String),
    /// The decided rollback failed.
    #[error("rollback failed")]
    Rollback(#[source] RollbackError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Closes `component`'s open decision point with `outcome`; returns the
/// mode changes a decided rollback made.
pub fn decide(
    workspace: &mut Workspace,
    component: ComponentRef,
    outcome: DecisionOutcome,
    actor: &str,
    reason: &str,
) -> Result<Vec<ModeChange>, DecideError> {
    let id = workspace.spec(component).id.clone();
    let Some(open) = workspace.store.open_decision_for(&id)? else {
        return Err(DecideError::NothingOpen(id));
    };
    let mut changes = Vec::new();
    if outcome == DecisionOutcome::Rollback {
        let target = Target::Component(component);
        let why = format!("decision on trigger `{}`: {reason}", open.trigger);
        let request = RollbackRequest {
            name: &id,
            target: &target,
            to: None,
            cascade: false,
            actor,
            reason: Some(&why),
            // Someone decided to roll back: an edit is kept in the safety snapshot.
            overwrite: true,
        };
        let steps = plan_rollback(workspace, &request).map_err(DecideError::Rollback)?;
        execute_rollback(workspace, &request, &steps).map_err(DecideError::Rollback)?;
        let modes: Vec<_> = steps.iter().map(|s| (s.component.clone(), s.to)).collect();
        workspace
            .write_modes(&modes)
            .map_err(|e| DecideError::Rollback(e.into()))?;
        changes = steps.iter().map(ModeChange::from).collect();
    }
    workspace.store.decide(&open, outcome, actor, reason)?;
    Ok(changes)
}
