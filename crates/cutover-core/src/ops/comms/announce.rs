//! [`announce`]: the plan, told to every stakeholder once (or again, after
//! it changed), through the outbox like every other message.

use super::CommsError;
use crate::event::{Event, NewEvent, PhaseAnnouncement};
use crate::store::Durability;
use crate::workspace::Workspace;

/// Records the plan's announcement with its messages; the event's id and
/// how many messages it made.
pub fn announce(workspace: &mut Workspace, actor: &str) -> Result<(i64, usize), CommsError> {
    let Some(composer) = workspace.composer() else {
        return Err(CommsError::NoStakeholders);
    };
    let now = crate::comms::clock::now()?;
    let plan = workspace.plan()?;
    let phases = plan
        .phases
        .iter()
        .map(|phase| PhaseAnnouncement {
            number: phase.number,
            name: phase.name.clone(),
            start: phase.start,
            end: phase.end,
            components: phase
                .components
                .iter()
                .map(|&i| workspace.migration.components[i].id.clone())
                .collect(),
        })
        .collect();
    let event = Event::PlanAnnounced {
        phases,
        end: plan.end,
    };
    let mut event = NewEvent::new(None, actor, None, event);
    event.messages = composer
        .compose(std::slice::from_ref(&event), now)
        .into_iter()
        .map(|(_, message)| message)
        .collect();
    let count = event.messages.len();
    let id = workspace.store.append_event(&event, Durability::Synced)?;
    Ok((id, count))
}
