//! Status updates: when a group's schedule says one is due, a digest of
//! what happened since its last one (as far as the group cares), where
//! every component it cares about stands, and what comes next — recorded
//! as one `status_update` event with its messages, so the next run knows
//! it went out.

use jiff::Timestamp;

use super::CommsError;
use crate::comms::context::DigestView;
use crate::event::{Event, EventRecord, NewEvent};
use crate::spec::{Group, Stakeholder, StatusSchedule};
use crate::store::Durability;
use crate::workspace::Workspace;

/// Events read to build a digest and to find the last update.
const DIGEST_EVENTS: u32 = 5000;

/// The actor of status updates.
const SCHEDULE_ACTOR: &str = "cutover schedule";

/// Records the status updates due at `now` (at most one per group, for the
/// latest slot); returns each group with how many messages it made.
pub fn record_due_status_updates(
    workspace: &mut Workspace,
    now: Timestamp,
) -> Result<Vec<(String, usize)>, CommsError> {
    let Some(composer) = workspace.composer() else {
        return Ok(Vec::new());
    };
    let migration = &workspace.migration;
    let started = now.to_zoned(jiff::tz::TimeZone::UTC).date() >= migration.start;
    if !started {
        return Ok(Vec::new());
    }
    let schedules = migration.communication.schedule.clone();
    let events = workspace.store.events(None, DIGEST_EVENTS)?;
    let mut done = Vec::new();
    for schedule in &schedules {
        let Some(slot) = due_slot(workspace, schedule, &events, now) else {
            continue;
        };
        let previous = last_update(&events, &schedule.group);
        let digest = digest(workspace, &schedule.group, &events, previous, now)?;
        let until = events.last().map(|e| e.id);
        let event = Event::StatusUpdate {
            group: schedule.group.name().to_owned(),
            slot,
            after: previous.and_then(|p| match &p.event {
                Event::StatusUpdate { until, .. } => *until,
                _ => None,
            }),
            until,
        };
        let mut event = NewEvent::new(None, SCHEDULE_ACTOR, None, event);
        event.messages = composer.status_update(&schedule.group, digest, now);
        let count = event.messages.len();
        workspace.store.append_event(&event, Durability::Synced)?;
        done.push((schedule.group.name().to_owned(), count));
    }
    Ok(done)
}

/// The latest slot of `schedule` at or before `now`, unless an update
/// already stands for it.
fn due_slot(
    workspace: &Workspace,
    schedule: &StatusSchedule,
    events: &[EventRecord],
    now: Timestamp,
) -> Option<Timestamp> {
    let migration = &workspace.migration;
    let slot = schedule
        .latest_slot(now, migration.start, &migration.calendar)?
        .timestamp();
    let covered = last_update(events, &schedule.group).is_some_and(|e| match &e.event {
        Event::StatusUpdate { slot: last, .. } => *last >= slot,
        _ => false,
    });
    (!covered).then_some(slot)
}

/// The last status update of `group`.
fn last_update<'e>(events: &'e [EventRecord], group: &Group) -> Option<&'e EventRecord> {
    events
        .iter()
        .rev()
        .find(|e| matches!(&e.event, Event::StatusUpdate { group: g, .. } if g == group.name()))
}

/// What the group hears: events after the previous update that concern
/// its stakeholders, the modes of what they care about, the dates ahead.
fn digest(
    workspace: &Workspace,
    group: &Group,
    events: &[EventRecord],
    previous: Option<&EventRecord>,
    now: Timestamp,
) -> Result<DigestView, CommsError> {
    let people: Vec<&Stakeholder> = workspace
        .migration
        .communication
        .stakeholders
        .iter()
        .filter(|s| &s.group == group)
        .collect();
    let after = previous.map_or(0, |p| p.id);
    let plan = workspace.plan()?;
    let cares = |id: &str| {
        workspace.migration.component_index(id).is_some_and(|i| {
            let component = &workspace.migration.components[i];
            let phase = Some(plan.components[i].phase);
            people.iter().any(|s| s.interests.covers(component, phase))
        })
    };
    let mut view = DigestView {
        since: previous.map(|p| crate::comms::words::time_text(p.at)),
        ..DigestView::default()
    };
    for record in events.iter().filter(|e| e.id > after) {
        if !worth_telling(&record.event) || record.component.as_deref().is_some_and(|c| !cares(c)) {
            continue;
        }
        if matches!(
            record.event,
            Event::ModeAdvanced { .. } | Event::RolledBack { .. }
        ) {
            view.moved += 1;
        }
        if needs_attention(&record.event) {
            view.attention += 1;
        }
        let subject = record.component.clone().unwrap_or_default();
        let at = record.at.strftime("%Y-%m-%d");
        view.lines
            .push(format!("{at} {subject} {}", record.event.summary()).replace("  ", " "));
    }
    for (index, component) in workspace.migration.components.iter().enumerate() {
        let phase = Some(plan.components[index].phase);
        if people.iter().any(|s| s.interests.covers(component, phase)) {
            let mode = workspace.mode(&component.id)?.state;
            view.modes
                .push(format!("{} (`{}`): {mode}", component.name, component.id));
        }
    }
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    for phase in plan.phases.iter().filter(|p| p.end >= today).take(3) {
        view.upcoming.push(format!(
            "Phase {} ({}): {} to its gate on {}",
            phase.number, phase.name, phase.start, phase.end
        ));
    }
    Ok(view)
}

/// Events a digest mentions (not the outbox's own bookkeeping, not passing gates).
fn worth_telling(event: &Event) -> bool {
    !matches!(
        event,
        Event::StatusUpdate { .. }
            | Event::MessageAcknowledged { .. }
            | Event::MessageEscalated { .. }
            | Event::OverrideSet { .. }
            | Event::OverrideCleared { .. }
            | Event::GateEvaluated {
                verdict: crate::criteria::Verdict::Pass | crate::criteria::Verdict::Inconclusive,
                ..
            }
    )
}

fn needs_attention(event: &Event) -> bool {
    matches!(
        event,
        Event::GateEvaluated { .. }
            | Event::TriggerFired { .. }
            | Event::DecisionOpened { .. }
            | Event::DecisionExpired { .. }
            | Event::TestsFailed { .. }
            | Event::GateDateMissed { .. }
            | Event::DriftSeen { .. }
            | Event::RollbackCompleted { .. }
    )
}
