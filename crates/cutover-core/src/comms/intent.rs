//! From events to [`Intent`]s: what each event (or batch) should tell, to
//! whom in principle, with which facts and actions — before the composer
//! routes it to stakeholders and renders it per group.

use jiff::Timestamp;

use super::context::{
    ComponentView, DecisionView, DriftView, FailedTestView, GateView, MessageContext, PlanView,
    TestsView, TopicView, TrainingView, TriggerView,
};
use super::facts::Facts;
use super::matrix;
use super::words::time_text;
use crate::criteria::Verdict;
use crate::event::{DecisionOutcome, Event, MessageAction, MessageKind, NewEvent};
use crate::spec::{Group, TriggerAction};

/// One message to compose: its kind, what it concerns, its facts.
#[derive(Debug, Clone)]
pub(crate) struct Intent {
    /// Which template.
    pub kind: MessageKind,
    /// The index in the batch of the event its messages belong to.
    pub attach: usize,
    /// Spec indices of the components it concerns.
    pub components: Vec<usize>,
    /// The phase it concerns.
    pub phase: Option<u32>,
    /// Its facts (the group and actions are filled per message).
    pub context: MessageContext,
    /// Stakeholder ids who hear of it whatever their role (deciders, an escalation level).
    pub extra: Vec<String>,
    /// Only this group hears of it (status updates).
    pub only: Option<Group>,
    /// Whether someone must acknowledge it.
    pub needs_ack: bool,
    /// Actions besides acknowledging.
    pub actions: Vec<MessageAction>,
    /// The thread it escalates.
    pub thread: Option<i64>,
    /// Its escalation level.
    pub level: u32,
}

impl Intent {
    fn new(kind: MessageKind, attach: usize, event: &NewEvent, now: Timestamp) -> Intent {
        Intent {
            kind,
            attach,
            components: Vec::new(),
            phase: None,
            context: MessageContext {
                at: time_text(now),
                actor: event.actor.clone(),
                reason: event.reason.clone(),
                target: event.component.clone(),
                ..MessageContext::default()
            },
            extra: Vec::new(),
            only: None,
            needs_ack: matrix::row(kind).needs_ack,
            actions: Vec::new(),
            thread: None,
            level: 1,
        }
    }
}

/// What `batch` should tell: one intent per phase, rollback or advance as a
/// whole, one per other event that concerns people.
pub(crate) fn intents(composer: &Facts, batch: &[NewEvent], now: Timestamp) -> Vec<Intent> {
    let phase_batch = batch.iter().any(|e| {
        matches!(
            e.event,
            Event::PhaseStarted { .. } | Event::PhaseCompleted { .. }
        )
    });
    let advanced: Vec<usize> = (0..batch.len())
        .filter(|&i| matches!(batch[i].event, Event::ModeAdvanced { .. }))
        .collect();
    let mut out = Vec::new();
    if !phase_batch && let Some(&first) = advanced.first() {
        out.push(advance(composer, batch, first, now));
    }
    for (index, event) in batch.iter().enumerate() {
        if let Some(intent) = single(composer, batch, index, event, now) {
            out.push(intent);
        }
    }
    out
}

/// The components moved by the batch's mode changes, with from and to.
fn moved(composer: &Facts, batch: &[NewEvent]) -> Vec<(usize, ComponentView)> {
    batch
        .iter()
        .filter_map(|e| match (&e.event, &e.component) {
            (Event::ModeAdvanced { from, to, .. }, Some(id)) => {
                let index = composer.migration().component_index(id)?;
                let mut view = composer.component_view(index);
                view.from = Some(from.to_string());
                view.to = Some(to.to_string());
                Some((index, view))
            }
            _ => None,
        })
        .collect()
}

fn advance(composer: &Facts, batch: &[NewEvent], first: usize, now: Timestamp) -> Intent {
    let mut intent = Intent::new(MessageKind::ComponentAdvanced, first, &batch[first], now);
    let moved = moved(composer, batch);
    intent.components = moved.iter().map(|(i, _)| *i).collect();
    intent.context.forced = batch
        .iter()
        .any(|e| matches!(e.event, Event::ModeAdvanced { forced: true, .. }));
    let phases: Vec<Option<u32>> = moved.iter().map(|(_, v)| v.phase).collect();
    if moved.len() > 1 && phases.windows(2).all(|w| w[0] == w[1]) {
        intent.context.phase = phases[0].and_then(|p| composer.phase_view(p));
    }
    if moved.len() == 1 {
        intent.context.target = Some(moved[0].1.id.clone());
    }
    intent.context.components = moved.into_iter().map(|(_, v)| v).collect();
    intent
}

/// The intent of one event, when it concerns people on its own.
fn single(
    composer: &Facts,
    batch: &[NewEvent],
    index: usize,
    event: &NewEvent,
    now: Timestamp,
) -> Option<Intent> {
    let new = |kind| Intent::new(kind, index, event, now);
    match &event.event {
        Event::PhaseStarted { phase, .. } | Event::PhaseCompleted { phase, .. } => {
            let kind = match event.event {
                Event::PhaseStarted { .. } => MessageKind::PhaseStarting,
                _ => MessageKind::PhaseComplete,
            };
            Some(phase_intent(composer, batch, new(kind), *phase))
        }
        Event::RollbackCompleted { target, steps, .. } => {
            let mut intent = new(MessageKind::RollbackComplete);
            intent.context.target = Some(target.clone());
            for step in steps {
                if let Some(i) = composer.migration().component_index(&step.component) {
                    let mut view = composer.component_view(i);
                    view.from = Some(step.from.to_string());
                    view.to = Some(step.to.to_string());
                    intent.components.push(i);
                    intent.context.components.push(view);
                }
            }
            Some(intent)
        }
        Event::GateEvaluated {
            target,
            verdict: Verdict::Fail,
            blocking,
            previous,
        } if *previous != Some(Verdict::Fail) => Some(gate_failed(
            composer,
            new(MessageKind::GateFailed),
            (target, blocking),
            now,
        )),
        Event::TriggerFired {
            trigger,
            action: TriggerAction::Rollback,
            metrics,
            runs,
        } => {
            let mut intent = with_component(composer, new(MessageKind::RollbackTriggered), event);
            intent.context.trigger = Some(TriggerView {
                condition: trigger.clone(),
                metrics: metrics
                    .iter()
                    .map(|(name, value)| match value {
                        Some(v) => format!("{name} = {}", trim_number(*v)),
                        None => format!("{name}: no data"),
                    })
                    .collect(),
                runs: *runs,
            });
            Some(intent)
        }
        _ => decision_or_other(composer, index, event, now),
    }
}

fn decision_or_other(
    composer: &Facts,
    index: usize,
    event: &NewEvent,
    now: Timestamp,
) -> Option<Intent> {
    let new = |kind| Intent::new(kind, index, event, now);
    match &event.event {
        Event::DecisionOpened {
            trigger, evidence, ..
        } => Some(decision(
            composer,
            new(MessageKind::DecisionNeeded),
            event,
            trigger,
            evidence,
            None,
            now,
        )),
        Event::DecisionMade {
            decision: outcome,
            trigger,
            evidence,
        } => Some(decision(
            composer,
            new(MessageKind::DecisionMade),
            event,
            trigger,
            evidence,
            Some(*outcome),
            now,
        )),
        Event::DecisionExpired {
            trigger,
            evidence,
            due,
            ..
        } => {
            let kind = MessageKind::DecisionExpired;
            let mut intent = decision(composer, new(kind), event, trigger, evidence, None, now);
            if let Some(view) = &mut intent.context.decision {
                view.due = Some(time_text(*due));
            }
            Some(intent)
        }
        Event::PlanAnnounced { .. } => {
            Some(plan_announced(composer, new(MessageKind::PlanAnnounced)))
        }
        Event::TestsFailed {
            target,
            failed,
            total,
        } => Some(tests_failed(
            composer,
            new(MessageKind::TestsFailed),
            (target, failed, *total),
            now,
        )),
        _ => watched(composer, index, event, now),
    }
}

fn tests_failed(
    composer: &Facts,
    mut intent: Intent,
    (target, failed, total): (&str, &[crate::event::FailedTest], u32),
    now: Timestamp,
) -> Intent {
    intent.context.target = Some(target.to_owned());
    for test in failed {
        let component = test.component.as_deref();
        if let Some(i) = component.and_then(|id| composer.migration().component_index(id)) {
            intent.components.push(i);
        }
        intent.phase = intent.phase.or(test.phase);
    }
    intent.context.tests = Some(TestsView {
        failed: failed
            .iter()
            .map(|t| FailedTestView {
                test: t.test.clone(),
                component: t.component.clone(),
                phase: t.phase,
                side: t.side.as_str().to_owned(),
                failure: t.failure.clone(),
            })
            .collect(),
        total,
    });
    intent.actions.push(composer_rerun(target));
    if !target.is_empty() {
        intent.actions.push(composer.signer(now).rollback(target));
    }
    intent
}

/// Events the overdue sweep records: a missed gate date, a changed legacy definition.
fn watched(composer: &Facts, index: usize, event: &NewEvent, now: Timestamp) -> Option<Intent> {
    let new = |kind| Intent::new(kind, index, event, now);
    match &event.event {
        Event::GateDateMissed { phase, behind, .. } => {
            let mut intent = new(MessageKind::GateDateMissed);
            intent.phase = Some(*phase);
            intent.context.phase = composer.phase_view(*phase);
            intent.context.target = Some(format!("phase {phase}"));
            for id in behind {
                if let Some(i) = composer.migration().component_index(id) {
                    intent.components.push(i);
                    intent.context.components.push(composer.component_view(i));
                }
            }
            intent.actions.push(MessageAction {
                label: "See what the gate lacks".into(),
                command: format!("cutover gate phase-{phase}"),
                url: None,
            });
            Some(intent)
        }
        Event::TrainingScheduled { .. } => {
            Some(training(new(MessageKind::TrainingInvitation), event))
        }
        Event::DriftSeen { files, .. } => {
            let mut intent = with_component(composer, new(MessageKind::DriftSeen), event);
            intent.context.drift = Some(DriftView {
                files: files.iter().map(|f| f.path.clone()).collect(),
            });
            let id = event.component.clone().unwrap_or_default();
            intent.actions.push(MessageAction {
                label: "After porting the change, record the new baseline".into(),
                command: format!("cutover drift ack {id} --reason \"…\""),
                url: None,
            });
            Some(intent)
        }
        _ => None,
    }
}

/// A training invitation: to the invited stakeholders only, with what the
/// session teaches from the concept table.
fn training(mut intent: Intent, event: &NewEvent) -> Intent {
    let Event::TrainingScheduled {
        team,
        number,
        title,
        concepts,
        hours,
        by,
        first_component,
        first_shadow,
        invitees,
        ..
    } = &event.event
    else {
        return intent;
    };
    let table = crate::training::concepts();
    intent.extra.clone_from(invitees);
    intent.context.target = Some(team.clone());
    intent.context.training = Some(TrainingView {
        team: team.clone(),
        number: *number,
        title: title.clone(),
        hours: crate::training::hours_text(*hours),
        by: by.to_string(),
        first_component: first_component.clone(),
        first_shadow: first_shadow.to_string(),
        topics: concepts
            .iter()
            .filter_map(|id| table.iter().find(|c| &c.id == id))
            .map(|c| TopicView {
                title: c.title.clone(),
                learn: c.learn.clone(),
            })
            .collect(),
    });
    intent
}

fn composer_rerun(target: &str) -> MessageAction {
    let command = if target.is_empty() {
        "cutover test".to_owned()
    } else {
        format!("cutover test {target}")
    };
    MessageAction {
        label: "Run the tests again".into(),
        command,
        url: None,
    }
}

/// `intent` about the event's component.
fn with_component(composer: &Facts, mut intent: Intent, event: &NewEvent) -> Intent {
    if let Some(i) = event
        .component
        .as_deref()
        .and_then(|id| composer.migration().component_index(id))
    {
        intent.components.push(i);
        intent.context.components.push(composer.component_view(i));
    }
    intent
}

fn phase_intent(composer: &Facts, batch: &[NewEvent], mut intent: Intent, phase: u32) -> Intent {
    intent.phase = Some(phase);
    intent.context.phase = composer.phase_view(phase);
    intent.context.target = Some(format!("phase {phase}"));
    let moved = moved(composer, batch);
    let members = intent
        .context
        .phase
        .as_ref()
        .map(|p| p.components.clone())
        .unwrap_or_default();
    for id in members {
        let Some(i) = composer.migration().component_index(&id) else {
            continue;
        };
        intent.components.push(i);
        let view = moved
            .iter()
            .find(|(m, _)| *m == i)
            .map_or_else(|| composer.component_view(i), |(_, v)| v.clone());
        intent.context.components.push(view);
    }
    intent
}

fn gate_failed(
    composer: &Facts,
    mut intent: Intent,
    (target, blocking): (&str, &[String]),
    now: Timestamp,
) -> Intent {
    match (
        target.parse::<u32>(),
        composer.migration().component_index(target),
    ) {
        (_, Some(i)) => {
            intent.components.push(i);
            intent.context.components.push(composer.component_view(i));
        }
        (Ok(phase), None) => {
            intent.phase = Some(phase);
            intent.context.phase = composer.phase_view(phase);
        }
        _ => {}
    }
    let shown = match target.parse::<u32>() {
        Ok(phase) => format!("phase {phase}"),
        Err(_) => target.to_owned(),
    };
    intent.context.gate = Some(GateView {
        target: shown.clone(),
        verdict: Verdict::Fail.as_str().to_owned(),
        blocking: blocking.to_vec(),
    });
    intent.context.target = Some(shown);
    let gate_target = target
        .parse::<u32>()
        .map_or_else(|_| target.to_owned(), |p| format!("phase-{p}"));
    intent.actions.push(MessageAction {
        label: "See the evidence".into(),
        command: format!("cutover gate {gate_target}"),
        url: None,
    });
    intent
        .actions
        .push(composer.signer(now).rollback(&gate_target));
    intent
}

/// A decision point's intent: to its decider (the trigger's `decider`, or
/// the component's owner team), with the decide actions while it is open.
fn decision(
    composer: &Facts,
    intent: Intent,
    event: &NewEvent,
    trigger: &str,
    evidence: &str,
    outcome: Option<DecisionOutcome>,
    now: Timestamp,
) -> Intent {
    let mut intent = with_component(composer, intent, event);
    let migration = composer.migration();
    let id = event.component.clone().unwrap_or_default();
    let owner = intent
        .components
        .first()
        .map(|&i| migration.components[i].owner.clone())
        .unwrap_or_default();
    let settings = migration
        .rollback
        .triggers
        .iter()
        .find(|t| t.when.text == trigger);
    let decider = settings.and_then(|t| t.decider.clone()).unwrap_or(owner);
    let communication = &migration.communication;
    intent.extra = if communication.stakeholder(&decider).is_some() {
        vec![decider.clone()]
    } else {
        communication
            .stakeholders
            .iter()
            .filter(|s| s.interests.owners.contains(&decider))
            .map(|s| s.id.clone())
            .collect()
    };
    let due = settings.and_then(|t| {
        now.checked_add(jiff::SignedDuration::from_secs(
            t.decide_within.seconds as i64,
        ))
        .ok()
    });
    intent.context.decision = Some(DecisionView {
        trigger: trigger.to_owned(),
        evidence: evidence.to_owned(),
        decider,
        due: if outcome.is_none() {
            due.map(time_text)
        } else {
            None
        },
        outcome: outcome.map(|o| o.to_string()),
    });
    if outcome.is_none() {
        let signer = composer.signer(now);
        intent
            .actions
            .push(signer.decide(&id, DecisionOutcome::Rollback));
        intent
            .actions
            .push(signer.decide(&id, DecisionOutcome::Continue));
    }
    intent.context.target = Some(id);
    intent
}

fn plan_announced(composer: &Facts, mut intent: Intent) -> Intent {
    if let Some(plan) = composer.plan() {
        intent.context.plan = Some(PlanView {
            start: plan.start.to_string(),
            end: plan.end.to_string(),
            phases: plan
                .phases
                .iter()
                .filter_map(|p| composer.phase_view(p.number))
                .collect(),
        });
        intent.components = (0..composer.migration().components.len()).collect();
    }
    intent
}

/// A metric as people read it: at most four decimals, no trailing zeros.
fn trim_number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
