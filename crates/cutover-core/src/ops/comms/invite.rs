//! [`invite`]: every team's training sessions (the training plan's), told to
//! the stakeholders each is for, through the outbox like every other
//! message. One event per session, with its messages in the same
//! transaction; a session already announced with the same date and topics
//! is not announced again, so running it twice — or from cron — invites
//! once, and again only when the plan moves a session.

use super::CommsError;
use crate::event::{Event, EventRecord, NewEvent};
use crate::store::Durability;
use crate::training::{Session, invitation, training_plan};
use crate::workspace::Workspace;

/// Events read to know which sessions were announced before.
const RECENT_EVENTS: u32 = 5000;

/// What an `invite` run did.
#[derive(Debug, Clone, Default)]
pub struct InviteReport {
    /// Sessions announced now: the session, the event id, its messages.
    pub invited: Vec<(Session, i64, usize)>,
    /// Sessions announced before with the same date and topics.
    pub unchanged: Vec<Session>,
    /// Teams no stakeholder is invited for (nothing recorded for them).
    pub uninvited: Vec<String>,
}

/// Announces every session not announced yet as it stands now.
pub fn invite(workspace: &mut Workspace, actor: &str) -> Result<InviteReport, CommsError> {
    let Some(composer) = workspace.composer() else {
        return Err(CommsError::NoStakeholders);
    };
    let now = crate::comms::clock::now()?;
    let training = training_plan(&workspace.migration, workspace.plan()?);
    let recorded = workspace.store.events(None, RECENT_EVENTS)?;
    let mut report = InviteReport::default();
    let mut pending = Vec::new();
    for team in &training.teams {
        if team.invitees.is_empty() {
            report.uninvited.push(team.team.clone());
            continue;
        }
        for session in &team.sessions {
            if announced(&recorded, session) {
                report.unchanged.push(session.clone());
                continue;
            }
            let mut event = NewEvent::new(None, actor, None, invitation(team, session));
            event.messages = composer
                .compose(std::slice::from_ref(&event), now)
                .into_iter()
                .map(|(_, message)| message)
                .collect();
            pending.push((session.clone(), event));
        }
    }
    for (session, event) in pending {
        let messages = event.messages.len();
        let id = workspace.store.append_event(&event, Durability::Synced)?;
        report.invited.push((session, id, messages));
    }
    Ok(report)
}

/// Whether `session` was announced with its current date and topics.
fn announced(recorded: &[EventRecord], session: &Session) -> bool {
    recorded.iter().any(|record| {
        matches!(
            &record.event,
            Event::TrainingScheduled { session: id, by, concepts, .. }
                if *id == session.id && *by == session.by && *concepts == session.concepts
        )
    })
}
