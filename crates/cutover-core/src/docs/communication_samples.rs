//! Every message template rendered for this migration: sample events built
//! from its plan (the phase that starts second, its first component, the
//! spec's own triggers and tests), composed exactly as the outbox composes
//! them, one message per group that would hear it. Values a run would
//! measure (parity, error rates) are examples and say so.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::comms::Composer;
use crate::comms::context::DigestView;
use crate::comms::matrix;
use crate::criteria::Verdict;
use crate::event::{
    DecisionOutcome, Event, FailedTest, MessageKind, NewEvent, NewMessage, PhaseAnnouncement,
    SourceDigest, StepRecord,
};
use crate::lifecycle::{Mode, ModeState, Side};
use crate::plan::Plan;
use crate::spec::{Migration, TriggerAction};
use crate::store::{MessageStatus, OutboxMessage};

/// One template, rendered for every group that would hear it.
#[derive(Debug, Serialize)]
pub(super) struct Sample {
    kind: String,
    when: &'static str,
    story: String,
    messages: Vec<SampleMessage>,
}

/// One group's message.
#[derive(Debug, Serialize)]
pub(super) struct SampleMessage {
    group: String,
    audience: String,
    channels: String,
    subject: String,
    /// The body as a Markdown quote.
    quoted: String,
}

/// The actor of sample events.
const LEAD: &str = "the migration lead";

fn state(mode: Mode, canary_percent: u8) -> ModeState {
    ModeState {
        mode,
        canary_percent,
    }
}

fn event(component: Option<&str>, reason: Option<&str>, event: Event) -> NewEvent {
    NewEvent::new(
        component.map(str::to_owned),
        LEAD,
        reason.map(str::to_owned),
        event,
    )
}

fn advanced(component: &str, from: ModeState, to: ModeState) -> NewEvent {
    let change = Event::ModeAdvanced {
        from,
        to,
        forced: false,
        gate: None,
        snapshot: None,
        sources: None,
    };
    event(Some(component), Some("the gate passed"), change)
}

/// The sample of every message kind, in the matrix's order.
pub(super) fn samples(composer: &Composer, plan: &Plan) -> Vec<Sample> {
    let Some(first) = plan.phases.first() else {
        return Vec::new();
    };
    let second = plan.phases.get(1).unwrap_or(first);
    let migration = composer.migration();
    let component = second.components.first().map_or_else(
        || migration.components[0].id.clone(),
        |&i| migration.components[i].id.clone(),
    );
    let now = sample_time(second.start);
    let mut samples = vec![
        escalation_sample(composer, &component, now),
        status_sample(composer, plan, sample_time(first.end)),
    ];
    let mut add = |kind: MessageKind, story: String, batch: Vec<NewEvent>, at: Timestamp| {
        let messages = composer.compose(&batch, at);
        let messages = messages.into_iter().map(|(_, m)| m).collect();
        samples.push(sample(composer, kind, story, messages));
    };
    add_progress(&mut add, migration, plan, &component);
    add_failures(&mut add, migration, &component, now);
    add_tests(&mut add, migration, &component, now);
    add_decisions(&mut add, migration, &component, now);
    add_watched(&mut add, migration, first, now);
    add_training(&mut add, migration, plan);
    samples.sort_by_key(|s| {
        MessageKind::ALL
            .iter()
            .position(|k| k.to_string() == s.kind)
            .unwrap_or(usize::MAX)
    });
    samples
}

type Add<'a> = dyn FnMut(MessageKind, String, Vec<NewEvent>, Timestamp) + 'a;

/// The ids of a phase's components.
fn members(migration: &Migration, phase: &crate::plan::Phase) -> Vec<String> {
    phase
        .components
        .iter()
        .map(|&i| migration.components[i].id.clone())
        .collect()
}

/// Every component of `phase` moving `from` → `to`, with the phase's own event.
fn phase_batch(
    migration: &Migration,
    phase: &crate::plan::Phase,
    (from, to): (ModeState, ModeState),
    phase_event: Event,
) -> Vec<NewEvent> {
    let mut batch: Vec<NewEvent> = members(migration, phase)
        .iter()
        .map(|c| advanced(c, from, to))
        .collect();
    batch.push(event(None, None, phase_event));
    batch
}

/// The plan announced, a phase starting and one completing, a component advancing.
fn add_progress(add: &mut Add<'_>, migration: &Migration, plan: &Plan, component: &str) {
    let Some(first) = plan.phases.first() else {
        return;
    };
    let second = plan.phases.get(1).unwrap_or(first);
    let phases = plan
        .phases
        .iter()
        .map(|p| PhaseAnnouncement {
            number: p.number,
            name: p.name.clone(),
            start: p.start,
            end: p.end,
            components: members(migration, p),
        })
        .collect();
    let announced = Event::PlanAnnounced {
        phases,
        end: plan.end,
    };
    add(
        MessageKind::PlanAnnounced,
        "`cutover comms announce` before the migration starts.".into(),
        vec![event(None, None, announced)],
        sample_time(plan.start),
    );
    let started = Event::PhaseStarted {
        phase: second.number,
        components: members(migration, second),
    };
    let entering = (state(Mode::Legacy, 0), state(Mode::Shadow, 0));
    add(
        MessageKind::PhaseStarting,
        format!(
            "`cutover advance {}` on {}: phase {} enters shadow.",
            second.number, second.start, second.number
        ),
        phase_batch(migration, second, entering, started),
        sample_time(second.start),
    );
    let completed = Event::PhaseCompleted {
        phase: first.number,
        components: members(migration, first),
    };
    let cutting_over = (state(Mode::Canary, 50), state(Mode::Dagger, 100));
    add(
        MessageKind::PhaseComplete,
        format!(
            "Phase {} cut over to Dagger at its gate ({}).",
            first.number, first.end
        ),
        phase_batch(migration, first, cutting_over, completed),
        sample_time(first.end),
    );
    add(
        MessageKind::ComponentAdvanced,
        format!("`cutover advance {component}`: shadow to canary 10%."),
        vec![advanced(
            component,
            state(Mode::Shadow, 0),
            state(Mode::Canary, 10),
        )],
        sample_time(second.start),
    );
}

fn add_failures(add: &mut Add<'_>, migration: &Migration, component: &str, now: Timestamp) {
    // A criterion a failing run makes fail (not one that only counts runs).
    let criterion = migration
        .defaults
        .gate
        .iter()
        .find(|c| c.text.contains("parity") || c.text.contains("success_rate"))
        .map_or_else(|| "parity >= 0.99".to_owned(), |c| c.text.clone());
    let gate = Event::GateEvaluated {
        target: component.to_owned(),
        verdict: Verdict::Fail,
        blocking: vec![format!(
            "{criterion}: not met over 42 runs (example values)"
        )],
        previous: Some(Verdict::Pass),
    };
    add(
        MessageKind::GateFailed,
        format!("`cutover gate {component}` fails after passing before."),
        vec![event(Some(component), None, gate)],
        now,
    );
    let trigger = rollback_trigger(migration);
    let fired = Event::TriggerFired {
        trigger: trigger.clone(),
        action: TriggerAction::Rollback,
        metrics: [
            ("dagger.error_rate".to_owned(), Some(0.18)),
            ("legacy.error_rate".to_owned(), Some(0.02)),
        ]
        .into_iter()
        .collect(),
        runs: 12,
    };
    add(
        MessageKind::RollbackTriggered,
        format!("A trigger fires for `{component}` in canary (example values)."),
        vec![event(Some(component), Some(&trigger), fired)],
        now,
    );
    let done = Event::RollbackCompleted {
        target: component.to_owned(),
        journal: 1,
        steps: vec![StepRecord {
            component: component.to_owned(),
            from: state(Mode::Canary, 10),
            to: state(Mode::Shadow, 0),
        }],
    };
    add(
        MessageKind::RollbackComplete,
        format!("The rollback of `{component}` finishes."),
        vec![event(
            None,
            Some(&format!("trigger fired: {trigger}")),
            done,
        )],
        now,
    );
}

/// Acceptance tests failing on the Dagger side.
fn add_tests(add: &mut Add<'_>, migration: &Migration, component: &str, now: Timestamp) {
    let tested = migration
        .components
        .iter()
        .find(|c| !c.acceptance.is_empty())
        .map_or((component.to_owned(), "acceptance".to_owned()), |c| {
            (c.id.clone(), c.acceptance[0].name.clone())
        });
    let failed = Event::TestsFailed {
        target: tested.0.clone(),
        failed: vec![FailedTest {
            test: tested.1,
            component: Some(tested.0.clone()),
            phase: None,
            side: Side::Dagger,
            failure: Some("exit code 1, expected 0 (example)".into()),
        }],
        total: 2,
    };
    add(
        MessageKind::TestsFailed,
        format!("`cutover test {}` fails on the Dagger side.", tested.0),
        vec![event(Some(&tested.0), None, failed)],
        now,
    );
}

fn add_decisions(add: &mut Add<'_>, migration: &Migration, component: &str, now: Timestamp) {
    let trigger = migration
        .rollback
        .triggers
        .iter()
        .find(|t| t.action == TriggerAction::Escalate)
        .map_or_else(|| "parity < 0.95".to_owned(), |t| t.when.text.clone());
    let evidence = "parity = 0.93 over 12 runs (example values)".to_owned();
    let opened = Event::DecisionOpened {
        decision: 1,
        trigger: trigger.clone(),
        evidence: evidence.clone(),
    };
    add(
        MessageKind::DecisionNeeded,
        format!("An escalate trigger holds `{component}`."),
        vec![event(Some(component), Some(&trigger), opened)],
        now,
    );
    let made = Event::DecisionMade {
        decision: DecisionOutcome::Continue,
        trigger: trigger.clone(),
        evidence: evidence.clone(),
    };
    let why = "the mismatches are timestamps; a normalize rule was added";
    add(
        MessageKind::DecisionMade,
        format!("`cutover decide {component} continue --reason \"…\"`."),
        vec![event(Some(component), Some(why), made)],
        now,
    );
    let expired = Event::DecisionExpired {
        decision: 1,
        trigger,
        evidence,
        due: now,
    };
    add(
        MessageKind::DecisionExpired,
        "Nobody decided by the deadline; `cutover comms escalate` records it.".into(),
        vec![event(Some(component), None, expired)],
        now.checked_add(SignedDuration::from_hours(1))
            .unwrap_or(now),
    );
}

fn add_watched(
    add: &mut Add<'_>,
    migration: &Migration,
    first: &crate::plan::Phase,
    now: Timestamp,
) {
    let drifting = migration
        .components
        .iter()
        .find(|c| c.legacy.as_ref().is_some_and(|l| !l.sources.is_empty()));
    if let Some(c) = drifting {
        let files = c
            .legacy
            .as_ref()
            .map(|l| l.sources.clone())
            .unwrap_or_default();
        let drift = Event::DriftSeen {
            baseline: None,
            digest: String::new(),
            files: files
                .into_iter()
                .map(|path| SourceDigest { path, digest: None })
                .collect(),
        };
        add(
            MessageKind::DriftSeen,
            format!(
                "Someone changes the legacy definition of `{}` while it is in shadow.",
                c.id
            ),
            vec![event(Some(&c.id), None, drift)],
            now,
        );
    }
    let behind: Vec<String> = first
        .components
        .iter()
        .take(2)
        .map(|&i| migration.components[i].id.clone())
        .collect();
    let missed = Event::GateDateMissed {
        phase: first.number,
        planned: first.end,
        behind,
    };
    add(
        MessageKind::GateDateMissed,
        format!(
            "Phase {}'s gate date ({}) passes before all of it runs on Dagger.",
            first.number, first.end
        ),
        vec![event(None, None, missed)],
        now,
    );
}

/// The first team's first training session, invited when `cutover comms
/// invite` runs (dated a week before the session is due).
fn add_training(add: &mut Add<'_>, migration: &Migration, plan: &Plan) {
    let training = crate::training::training_plan(migration, plan);
    let Some((team, session)) = training
        .teams
        .iter()
        .find(|t| !t.invitees.is_empty())
        .and_then(|t| t.sessions.first().map(|s| (t, s)))
    else {
        return;
    };
    let sent = session
        .by
        .checked_sub(jiff::ToSpan::days(7))
        .unwrap_or(session.by);
    add(
        MessageKind::TrainingInvitation,
        format!(
            "`cutover comms invite` invites the `{}` team to its first Dagger training session, due by {}.",
            team.team, session.by
        ),
        vec![event(
            None,
            None,
            crate::training::invitation(team, session),
        )],
        sample_time(sent),
    );
}

/// The condition of the spec's first rollback trigger (or a typical one).
fn rollback_trigger(migration: &Migration) -> String {
    migration
        .rollback
        .triggers
        .iter()
        .find(|t| t.action == TriggerAction::Rollback)
        .map_or_else(
            || "dagger.error_rate > legacy.error_rate + 0.10".to_owned(),
            |t| t.when.text.clone(),
        )
}

/// The escalation of the rollback-triggered message to level 2.
fn escalation_sample(composer: &Composer, component: &str, now: Timestamp) -> Sample {
    let communication = &composer.migration().communication;
    let original = composer
        .compose(
            &[event(
                Some(component),
                None,
                Event::TriggerFired {
                    trigger: rollback_trigger(composer.migration()),
                    action: TriggerAction::Rollback,
                    metrics: Default::default(),
                    runs: 12,
                },
            )],
            now,
        )
        .into_iter()
        .map(|(_, m)| m)
        .next();
    let window = communication
        .escalation
        .first()
        .map_or(SignedDuration::ZERO, |l| {
            SignedDuration::from_secs(l.within.seconds as i64)
        });
    let later = now.checked_add(window).unwrap_or(now);
    let messages = match original {
        Some(message) if communication.escalation.len() > 1 => {
            let stored = OutboxMessage {
                id: 1,
                event_id: 1,
                message,
                created_at: now,
                status: MessageStatus::Sent,
                attempts: 1,
                next_attempt_at: now,
                last_error: None,
                sent_at: Some(now),
                level_since: now,
                acknowledged_at: None,
                acknowledged_by: None,
            };
            composer.escalation(&stored, 2, later)
        }
        _ => Vec::new(),
    };
    sample(
        composer,
        MessageKind::Escalation,
        "Nobody acknowledged the rollback-triggered message within level 1's window.".into(),
        messages,
    )
}

/// One status update per scheduled group, as at the second phase's start.
fn status_sample(composer: &Composer, plan: &Plan, now: Timestamp) -> Sample {
    let migration = composer.migration();
    let communication = &migration.communication;
    let in_phase = |n: usize, i: usize| {
        plan.phases
            .get(n)
            .is_some_and(|p| p.components.contains(&i))
    };
    let mode = |i: usize| match (in_phase(0, i), in_phase(1, i)) {
        (true, _) => Some(("canary -> dagger", "dagger")),
        (false, true) => Some(("legacy -> shadow", "shadow")),
        _ => None,
    };
    let mut messages = Vec::new();
    for schedule in &communication.schedule {
        let people: Vec<_> = communication
            .stakeholders
            .iter()
            .filter(|s| s.group == schedule.group)
            .collect();
        let cares = |i: usize| {
            let c = &migration.components[i];
            people
                .iter()
                .any(|s| s.interests.covers(c, Some(plan.components[i].phase)))
        };
        let lines: Vec<String> = (0..migration.components.len())
            .filter(|&i| cares(i))
            .filter_map(|i| {
                mode(i).map(|(change, _)| format!("{} {change}", migration.components[i].id))
            })
            .collect();
        let digest = DigestView {
            since: None,
            moved: lines.len(),
            lines,
            modes: (0..migration.components.len())
                .filter(|&i| cares(i))
                .map(|i| {
                    let c = &migration.components[i];
                    let now = mode(i).map_or("legacy", |(_, m)| m);
                    format!("{} (`{}`): {now}", c.name, c.id)
                })
                .collect(),
            upcoming: plan
                .phases
                .iter()
                .skip(1)
                .take(3)
                .map(|p| {
                    format!(
                        "Phase {} ({}): {} to its gate on {}",
                        p.number, p.name, p.start, p.end
                    )
                })
                .collect(),
            attention: 0,
        };
        messages.extend(composer.status_update(&schedule.group, digest, now));
    }
    sample(
        composer,
        MessageKind::StatusUpdate,
        "Each group's update on its schedule, as it would read on phase 1's gate date with phase 1 cut over and phase 2 in shadow.".into(),
        messages,
    )
}

/// The messages of `kind` among `messages`, one per group.
fn sample(
    composer: &Composer,
    kind: MessageKind,
    story: String,
    messages: Vec<NewMessage>,
) -> Sample {
    let communication = &composer.migration().communication;
    let mut by_group: BTreeMap<String, (NewMessage, Vec<String>, Vec<String>)> = BTreeMap::new();
    for message in messages.into_iter().filter(|m| m.kind == kind) {
        let entry = by_group
            .entry(message.group.clone())
            .or_insert_with(|| (message.clone(), Vec::new(), Vec::new()));
        if !entry.1.contains(&message.channel) {
            entry.1.push(message.channel.clone());
        }
        for id in &message.recipients {
            let name = communication
                .stakeholder(id)
                .map_or_else(|| id.clone(), |s| s.name.clone());
            if !entry.2.contains(&name) {
                entry.2.push(name);
            }
        }
    }
    Sample {
        kind: kind.to_string(),
        when: matrix::row(kind).when,
        story,
        messages: by_group
            .into_iter()
            .map(|(group, (message, channels, audience))| SampleMessage {
                group,
                audience: audience.join(", "),
                channels: channels.join(", "),
                subject: message.subject,
                quoted: message
                    .body
                    .lines()
                    .map(|line| format!("> {line}").trim_end().to_owned())
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect(),
    }
}

/// The instant samples are dated: 10:00 UTC on `day`.
pub(super) fn sample_time(day: jiff::civil::Date) -> Timestamp {
    day.to_datetime(jiff::civil::Time::constant(10, 0, 0, 0))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}
