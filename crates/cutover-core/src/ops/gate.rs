//! [`evaluate_gate`]: a gate's verdict with its evidence, recorded in the
//! audit trail.

use crate::event::{Event, NewEvent};
use crate::gate::{GateError, GateReport, target_gate};
use crate::lifecycle::Target;
use crate::store::{Durability, StoreError};
use crate::workspace::Workspace;

/// A gate's verdict, and whether the audit trail has it.
#[derive(Debug)]
pub struct EvaluatedGate {
    /// The verdict with its evidence.
    pub report: GateReport,
    /// Why the result is not in the audit trail: the store refused the
    /// caller (a viewer's token may read evidence, never write), so the
    /// verdict is shown without being recorded.
    pub not_recorded: Option<StoreError>,
}

/// Evaluates the gate of `target` (named `name`) and records the result;
/// with `since`, over the runs started at or after it (a manual window).
pub fn evaluate_gate(
    workspace: &mut Workspace,
    target: &Target,
    name: &str,
    actor: &str,
    since: Option<jiff::Timestamp>,
) -> Result<EvaluatedGate, GateError> {
    let report = target_gate(workspace, target, name, since)?;
    let component = match target {
        Target::Component(c) => Some(workspace.spec(*c).id.clone()),
        Target::Phase(..) => None,
    };
    let previous = previous_verdict(workspace, component.as_deref(), &report.target)?;
    let event = NewEvent {
        component,
        actor: actor.to_owned(),
        reason: None,
        event: Event::GateEvaluated {
            target: report.target.clone(),
            verdict: report.verdict,
            blocking: report.blocking().map(|c| c.evidence()).collect(),
            previous,
        },
        messages: Vec::new(),
    };
    let not_recorded = match workspace.store.append_event(&event, Durability::Relaxed) {
        Ok(_) => None,
        Err(refused @ StoreError::Refused { .. }) => Some(refused),
        Err(other) => return Err(other.into()),
    };
    Ok(EvaluatedGate {
        report,
        not_recorded,
    })
}

/// Events looked through for a target's previous gate verdict: CI may
/// evaluate a gate on every run, so the last one is never far back.
const RECENT_EVENTS: u32 = 500;

/// The verdict of the latest recorded evaluation of the gate of `target`.
fn previous_verdict(
    workspace: &Workspace,
    component: Option<&str>,
    target: &str,
) -> Result<Option<crate::criteria::Verdict>, StoreError> {
    let events = workspace.store.events(component, RECENT_EVENTS)?;
    Ok(events.iter().rev().find_map(|record| match &record.event {
        Event::GateEvaluated {
            target: evaluated,
            verdict,
            ..
        } if evaluated == target => Some(*verdict),
        _ => None,
    }))
}
