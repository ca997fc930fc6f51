//! What an operator does from the dashboard: advance, roll back, decide.
//! Each is the command line's operation ([`cutover_core::ops`]) on the
//! server's checkout, with the caller as the actor of every event it
//! records, and refused for the reasons the command line gives (the same
//! gates, `--force` needing a reason, holds, illegal moves).
//!
//! Like `cutover advance` in any clone, a change writes the checkout's
//! committed mode file (`migration.modes`), which is to be committed from
//! there; a rollback also sets the override that reaches every runner at
//! once. The functions take the actor as a plain name, so a route that
//! authorizes differently (the signed `/act` links of the communication
//! plan, see [`crate::links`]) calls the very same ones.

use cutover_core::event::DecisionOutcome;
use cutover_core::lifecycle::{Mode, ModeState};
use cutover_core::ops::{self, ChangeRequest, ModeChange, Performed};
use cutover_core::rollback::RollbackRequest;
use cutover_core::workspace::{TargetError, Workspace};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The body of `POST /v1/operations/advance` (the flags of `cutover advance`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceBody {
    /// A component id or a phase number.
    pub target: String,
    /// The mode to move to (default: the next one).
    #[serde(default)]
    pub to: Option<Mode>,
    /// The canary share.
    #[serde(default)]
    pub percent: Option<u8>,
    /// Override a failing gate or skip a step (needs `reason`).
    #[serde(default)]
    pub force: bool,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Retiring confirmed explicitly.
    #[serde(default)]
    pub confirm_retire: bool,
}

/// The body of `POST /v1/operations/rollback` (the flags of `cutover rollback`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackBody {
    /// A component id or a phase number.
    pub target: String,
    /// The mode to return to (default: the previous restore point).
    #[serde(default)]
    pub to: Option<Mode>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Also roll back advanced dependents.
    #[serde(default)]
    pub cascade: bool,
    /// Restore preserved files even when edited since their snapshot.
    #[serde(default)]
    pub overwrite: bool,
}

/// The body of `POST /v1/operations/decide` (`cutover decide`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    /// The held component.
    pub component: String,
    /// `rollback` or `continue`.
    pub decision: DecisionOutcome,
    /// Why (required, as on the command line).
    pub reason: String,
}

/// One mode change made.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeMade {
    /// Component.
    pub component: String,
    /// Before.
    pub from: ModeState,
    /// After.
    pub to: ModeState,
}

/// What an operation did.
#[derive(Debug, Clone, Serialize)]
pub struct OperationDone {
    /// The mode changes, in the order made.
    pub changes: Vec<ChangeMade>,
    /// The mode file written, to be committed (none: nothing changed).
    pub mode_file: Option<String>,
    /// What to do next, in words.
    pub note: String,
}

impl OperationDone {
    /// An operation that changed no mode, with what it did in words.
    pub fn noted(note: String) -> OperationDone {
        OperationDone {
            changes: Vec::new(),
            mode_file: None,
            note,
        }
    }

    fn new(workspace: &Workspace, changes: &[ModeChange], note: &str) -> OperationDone {
        let written = !changes.is_empty();
        let mode_file = written.then(|| workspace.mode_file_path.display().to_string());
        let mut text = note.to_owned();
        if let Some(path) = &mode_file {
            text.push_str(&format!(
                "{}wrote {path} in the server's checkout: commit it there so every checkout routes this way",
                if text.is_empty() { "" } else { "; " }
            ));
        }
        OperationDone {
            changes: changes
                .iter()
                .map(|c| ChangeMade {
                    component: c.component.clone(),
                    from: c.from,
                    to: c.to,
                })
                .collect(),
            mode_file,
            note: text,
        }
    }
}

/// `cutover advance` on the checkout, by `actor`.
pub fn advance(
    workspace: &mut Workspace,
    actor: &str,
    body: &AdvanceBody,
) -> Result<OperationDone, ApiError> {
    let target = workspace.resolve_target(&body.target).map_err(target)?;
    let request = ChangeRequest {
        to: body.to,
        percent: body.percent,
        force: body.force,
        reason: body.reason.as_deref().filter(|r| !r.trim().is_empty()),
        actor,
        confirm_retire: body.confirm_retire,
        override_dependencies: false,
    };
    let changes = ops::advance(workspace, &target, &request)
        .map_err(|error| ApiError::operation(error.failure(), &error))?;
    Ok(OperationDone::new(workspace, &changes, ""))
}

/// `cutover rollback` on the checkout, by `actor`.
pub fn rollback(
    workspace: &mut Workspace,
    actor: &str,
    body: &RollbackBody,
) -> Result<OperationDone, ApiError> {
    let target = workspace.resolve_target(&body.target).map_err(target)?;
    let request = RollbackRequest {
        name: &body.target,
        target: &target,
        to: body.to,
        cascade: body.cascade,
        actor,
        reason: body.reason.as_deref().filter(|r| !r.trim().is_empty()),
        overwrite: body.overwrite,
    };
    let outcome = ops::rollback(workspace, Some(&request), false)
        .map_err(|error| ApiError::operation(error.failure(), &error))?;
    let resumed: Vec<String> = outcome
        .resumed
        .iter()
        .map(|t| format!("completed the interrupted rollback of `{t}`"))
        .collect();
    let changes = match outcome.performed {
        Performed::RolledBack(changes) => changes,
        Performed::Nothing | Performed::Drilled(_) => Vec::new(),
    };
    let mut note = resumed.join("; ");
    if !changes.is_empty() {
        note.push_str(if note.is_empty() { "" } else { "; " });
        note.push_str("an override holds every runner that reaches the store at these modes until the file is committed and `cutover sync` clears it");
    }
    Ok(OperationDone::new(workspace, &changes, &note))
}

/// `cutover decide` on the checkout, by `actor`.
pub fn decide(
    workspace: &mut Workspace,
    actor: &str,
    body: &DecideBody,
) -> Result<OperationDone, ApiError> {
    let component = workspace
        .component(&body.component)
        .map_err(|error| ApiError::NotFound(error.to_string()))?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::Operation {
            failure: ops::Failure::BadInput,
            message: "a decision needs a reason: it is recorded with the decision".into(),
        });
    }
    let changes = ops::decide(workspace, component, body.decision, actor, &body.reason)
        .map_err(|error| ApiError::operation(error.failure(), &error))?;
    let note = format!(
        "decision recorded: {}; `{}` is no longer held",
        body.decision, body.component
    );
    Ok(OperationDone::new(workspace, &changes, &note))
}

/// An unknown target is not found; a bad phase number is bad input.
fn target(error: TargetError) -> ApiError {
    match error {
        TargetError::Unknown { .. } => ApiError::NotFound(error.to_string()),
        other => ApiError::operation(ops::Failure::BadInput, &other),
    }
}
