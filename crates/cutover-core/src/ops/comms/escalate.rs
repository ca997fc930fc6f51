//! [`escalate`]: what a cron job or a scheduled CI job runs, as often as it
//! likes. It records, once each, what became overdue or changed unnoticed
//! — a decision past its deadline, a phase past its gate date, a legacy
//! definition changed after its port — each event with its messages; then
//! it moves every unacknowledged message whose level's window has passed
//! one level up. Each move is a compare-and-set on the level, so two runs
//! at once, or one run twice, escalate a message once.

use jiff::{SignedDuration, Timestamp};

use super::CommsError;
use crate::event::{Event, NewEvent, SourceDigest};
use crate::lifecycle::Mode;
use crate::store::{Durability, OutboxFilter};
use crate::workspace::Workspace;

/// The actor of what the sweep records.
const SWEEP_ACTOR: &str = "cutover escalate";

/// Events read to know what the sweep recorded before.
const RECENT_EVENTS: u32 = 5000;

/// What an `escalate` run did.
#[derive(Debug, Clone, Default)]
pub struct EscalateReport {
    /// Components whose decision expired (recorded now).
    pub expired: Vec<String>,
    /// Phases that missed their gate date (recorded now).
    pub missed: Vec<u32>,
    /// Components whose legacy definition changed after their port (recorded now).
    pub drifted: Vec<String>,
    /// Threads moved up: (first message id, level reached, its subject).
    pub escalated: Vec<(i64, u32, String)>,
}

/// Records what became overdue, then escalates overdue messages, at `now`.
pub fn escalate(workspace: &mut Workspace, now: Timestamp) -> Result<EscalateReport, CommsError> {
    let recorded = workspace.store.events(None, RECENT_EVENTS)?;
    let mut report = EscalateReport {
        expired: expired_decisions(workspace, &recorded, now)?,
        missed: missed_gate_dates(workspace, &recorded, now)?,
        drifted: drifted(workspace, &recorded)?,
        ..EscalateReport::default()
    };
    report.escalated = overdue_messages(workspace, now)?;
    Ok(report)
}

fn record(
    workspace: &mut Workspace,
    component: Option<String>,
    event: Event,
) -> Result<(), CommsError> {
    let event = NewEvent::new(component, SWEEP_ACTOR, None, event);
    workspace.store.append_event(&event, Durability::Synced)?;
    Ok(())
}

fn expired_decisions(
    workspace: &mut Workspace,
    recorded: &[crate::event::EventRecord],
    now: Timestamp,
) -> Result<Vec<String>, CommsError> {
    let mut expired = Vec::new();
    let ids: Vec<String> = workspace
        .migration
        .components
        .iter()
        .map(|c| c.id.clone())
        .collect();
    for id in ids {
        let Some(decision) = workspace.store.open_decision_for(&id)? else {
            continue;
        };
        let within = workspace
            .migration
            .rollback
            .triggers
            .iter()
            .find(|t| t.when.text == decision.trigger)
            .map_or(4 * 3600, |t| t.decide_within.seconds);
        let due = decision
            .opened_at
            .checked_add(SignedDuration::from_secs(within as i64))
            .unwrap_or(decision.opened_at);
        let known = recorded.iter().any(
            |e| matches!(&e.event, Event::DecisionExpired { decision: d, .. } if *d == decision.id),
        );
        if now > due && !known {
            let event = Event::DecisionExpired {
                decision: decision.id,
                trigger: decision.trigger.clone(),
                evidence: decision.evidence.clone(),
                due,
            };
            record(workspace, Some(id.clone()), event)?;
            expired.push(id);
        }
    }
    Ok(expired)
}

fn missed_gate_dates(
    workspace: &mut Workspace,
    recorded: &[crate::event::EventRecord],
    now: Timestamp,
) -> Result<Vec<u32>, CommsError> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let phases: Vec<(u32, jiff::civil::Date, Vec<String>)> = workspace
        .plan()?
        .phases
        .iter()
        .filter(|p| p.end < today)
        .map(|p| {
            let members = p
                .components
                .iter()
                .map(|&i| workspace.migration.components[i].id.clone());
            (p.number, p.end, members.collect())
        })
        .collect();
    let mut missed = Vec::new();
    for (phase, planned, members) in phases {
        let mut behind = Vec::new();
        for id in members {
            if workspace.mode(&id)?.state.mode < Mode::Dagger {
                behind.push(id);
            }
        }
        let known = recorded.iter().any(|e| {
            matches!(&e.event, Event::GateDateMissed { phase: p, planned: d, .. } if *p == phase && *d == planned)
        });
        if !behind.is_empty() && !known {
            record(
                workspace,
                None,
                Event::GateDateMissed {
                    phase,
                    planned,
                    behind,
                },
            )?;
            missed.push(phase);
        }
    }
    Ok(missed)
}

fn drifted(
    workspace: &mut Workspace,
    recorded: &[crate::event::EventRecord],
) -> Result<Vec<String>, CommsError> {
    let mut drifted = Vec::new();
    let references: Vec<_> = workspace.migration.component_refs().collect();
    for reference in references {
        let id = workspace.spec(reference).id.clone();
        let mode = workspace.mode(&id)?.state.mode;
        if !matches!(mode, Mode::Shadow | Mode::Canary | Mode::Dagger) {
            continue;
        }
        let report = crate::ops::drift_report(workspace, reference)?;
        let known = recorded.iter().any(|e| {
            e.component.as_deref() == Some(id.as_str())
                && matches!(&e.event, Event::DriftSeen { digest, .. } if *digest == report.current)
        });
        if !report.drifted || known {
            continue;
        }
        let files = report
            .files
            .iter()
            .filter(|f| f.changed != Some(false))
            .map(|f| SourceDigest {
                path: f.path.clone(),
                digest: f.digest.clone(),
            })
            .collect();
        let event = Event::DriftSeen {
            baseline: report.baseline.clone(),
            digest: report.current.clone(),
            files,
        };
        record(workspace, Some(id.clone()), event)?;
        drifted.push(id);
    }
    Ok(drifted)
}

/// Moves every unacknowledged thread whose level's window has passed one level up.
fn overdue_messages(
    workspace: &mut Workspace,
    now: Timestamp,
) -> Result<Vec<(i64, u32, String)>, CommsError> {
    let Some(composer) = workspace.composer() else {
        return Ok(Vec::new());
    };
    let levels = workspace.migration.communication.escalation.clone();
    let waiting = workspace.store.outbox(&OutboxFilter {
        awaiting_ack: true,
        ..OutboxFilter::default()
    })?;
    let mut escalated = Vec::new();
    for thread in waiting {
        let level = thread.message.level;
        let (Some(current), Some(_next)) =
            (levels.get(level as usize - 1), levels.get(level as usize))
        else {
            continue;
        };
        let due = thread
            .level_since
            .checked_add(SignedDuration::from_secs(current.within.seconds as i64))
            .unwrap_or(thread.level_since);
        if now < due {
            continue;
        }
        let event = Event::MessageEscalated {
            message: thread.id,
            level: level + 1,
        };
        let mut event = NewEvent::new(None, SWEEP_ACTOR, None, event);
        event.messages = composer.escalation(&thread, level + 1, now);
        if workspace.store.escalate_message(thread.id, level, &event)? {
            escalated.push((thread.id, level + 1, thread.message.subject.clone()));
        }
    }
    Ok(escalated)
}
