//! [`evaluate_gate`]: a gate's verdict with its evidence, recorded in the
//! audit trail.

use crate::event::{Event, NewEvent};
use crate::gate::{GateError, GateReport, target_gate};
use crate::lifecycle::Target;
use crate::store::Durability;
use crate::workspace::Workspace;

/// Evaluates the gate of `target` (named `name`) and records the result;
/// with `since`, over the runs started at or after it (a manual window).
pub fn evaluate_gate(
    workspace: &mut Workspace,
    target: &Target,
    name: &str,
    actor: &str,
    since: Option<jiff::Timestamp>,
) -> Result<GateReport, GateError> {
    let report = target_gate(workspace, target, name, since)?;
    let component = match target {
        Target::Component(c) => Some(workspace.spec(*c).id.clone()),
        Target::Phase(..) => None,
    };
    let event = NewEvent {
        component,
        actor: actor.to_owned(),
        reason: None,
        event: Event::GateEvaluated {
            target: report.target.clone(),
            verdict: report.verdict,
            blocking: report.blocking().map(|c| c.evidence()).collect(),
        },
    };
    workspace.store.append_event(&event, Durability::Relaxed)?;
    Ok(report)
}
