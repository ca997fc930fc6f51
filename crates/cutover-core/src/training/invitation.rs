//! The event that invites a team to one of its sessions: what `cutover comms
//! invite` records (its messages composed from it) and what the
//! communication plan shows as a sample.

use super::session::Session;
use super::training_plan::{TeamTraining, TrainingPlan};
use crate::event::Event;

/// The event announcing `session` of `team`.
pub fn invitation(team: &TeamTraining, session: &Session) -> Event {
    Event::TrainingScheduled {
        team: team.team.clone(),
        session: session.id.clone(),
        number: u32::try_from(session.number).unwrap_or(u32::MAX),
        title: session.title.clone(),
        concepts: session.concepts.clone(),
        hours: session.hours,
        by: session.by,
        first_component: session.first_component.clone(),
        first_shadow: session.first_shadow,
        invitees: team.invitees.iter().map(|i| i.id.clone()).collect(),
    }
}

/// The events announcing every session of `training`.
pub fn invitations(training: &TrainingPlan) -> Vec<Event> {
    training
        .teams
        .iter()
        .flat_map(|team| team.sessions.iter().map(|s| invitation(team, s)))
        .collect()
}
