//! What message templates read: one [`MessageContext`] for every kind of
//! message, its sections filled when they apply. Plain data, built by the
//! composer from events, the spec and the plan; never a secret.

use serde::Serialize;

use crate::event::MessageAction;

/// Everything a message template can show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MessageContext {
    /// The migration's name.
    pub migration: String,
    /// The message kind (its template's name).
    pub kind: String,
    /// The group the wording is for (`developers`, …, or a custom group).
    pub group: String,
    /// Names of the stakeholders it goes to.
    pub audience: Vec<String>,
    /// When it happened (UTC, minutes).
    pub at: String,
    /// Who did it.
    pub actor: String,
    /// Why, when given.
    pub reason: Option<String>,
    /// What it is about: a component id or a phase.
    pub target: Option<String>,
    /// Whether a gate was forced.
    pub forced: bool,
    /// The components concerned.
    pub components: Vec<ComponentView>,
    /// The phase concerned.
    pub phase: Option<PhaseView>,
    /// The whole plan (announcements).
    pub plan: Option<PlanView>,
    /// A failed gate.
    pub gate: Option<GateView>,
    /// A fired trigger.
    pub trigger: Option<TriggerView>,
    /// A decision point.
    pub decision: Option<DecisionView>,
    /// Failed tests.
    pub tests: Option<TestsView>,
    /// A changed legacy definition.
    pub drift: Option<DriftView>,
    /// A training session a team is invited to.
    pub training: Option<TrainingView>,
    /// A status update's digest.
    pub digest: Option<DigestView>,
    /// An escalated message.
    pub escalation: Option<EscalationView>,
    /// What the reader can do.
    pub actions: Vec<MessageAction>,
}

/// A component as messages show it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ComponentView {
    /// Id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Owner team.
    pub owner: String,
    /// Planned phase.
    pub phase: Option<u32>,
    /// Mode before (changes).
    pub from: Option<String>,
    /// Mode after (changes).
    pub to: Option<String>,
    /// Mode now (digests, missed dates).
    pub mode: Option<String>,
}

/// A phase of the plan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseView {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// First day.
    pub start: String,
    /// Gate date.
    pub end: String,
    /// When legacy may be retired.
    pub retirement: Option<String>,
    /// Component ids.
    pub components: Vec<String>,
}

/// The plan as announced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanView {
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
    /// Phases in order.
    pub phases: Vec<PhaseView>,
}

/// A failed gate.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GateView {
    /// What was judged.
    pub target: String,
    /// Its verdict.
    pub verdict: String,
    /// Evidence of each criterion that kept it from passing.
    pub blocking: Vec<String>,
}

/// A fired trigger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TriggerView {
    /// Its condition as written.
    pub condition: String,
    /// Metrics it read, as `name = value`.
    pub metrics: Vec<String>,
    /// Runs in its window.
    pub runs: u64,
}

/// A decision point.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DecisionView {
    /// The trigger that opened it.
    pub trigger: String,
    /// The evidence it was opened with.
    pub evidence: String,
    /// Who decides.
    pub decider: String,
    /// When it is due.
    pub due: Option<String>,
    /// What was decided.
    pub outcome: Option<String>,
}

/// Failed tests.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TestsView {
    /// The failed ones.
    pub failed: Vec<FailedTestView>,
    /// Tests run.
    pub total: u32,
}

/// One failed test.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FailedTestView {
    /// Its name.
    pub test: String,
    /// Its component.
    pub component: Option<String>,
    /// Its phase (integration tests).
    pub phase: Option<u32>,
    /// The side it ran against.
    pub side: String,
    /// Why it failed.
    pub failure: Option<String>,
}

/// A changed legacy definition.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DriftView {
    /// The changed files, `path (digest)`.
    pub files: Vec<String>,
}

/// A training session, as its invitation shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrainingView {
    /// The owner team.
    pub team: String,
    /// Its number among the team's sessions.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Teaching time in words (`4 h`).
    pub hours: String,
    /// The day it should take place by.
    pub by: String,
    /// The component it prepares for.
    pub first_component: String,
    /// The day that component enters shadow.
    pub first_shadow: String,
    /// What is taught.
    pub topics: Vec<TopicView>,
}

/// One concept a session teaches.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TopicView {
    /// Its title.
    pub title: String,
    /// What is learnt.
    pub learn: String,
}

/// A status update's digest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DigestView {
    /// When the previous update went out.
    pub since: Option<String>,
    /// What happened, one line per event.
    pub lines: Vec<String>,
    /// Every component the group cares about, with its mode.
    pub modes: Vec<String>,
    /// Phase dates ahead.
    pub upcoming: Vec<String>,
    /// Components that moved.
    pub moved: usize,
    /// Things that need attention (failed gates and tests, rollbacks, open decisions).
    pub attention: usize,
}

/// An escalated message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EscalationView {
    /// The level reached.
    pub level: u32,
    /// How many levels there are.
    pub levels: usize,
    /// The original subject.
    pub subject: String,
    /// The original body.
    pub body: String,
    /// When the previous level got it.
    pub since: String,
    /// How long that level had.
    pub within: String,
}

impl MessageContext {
    /// A context with every section filled with plausible values: what
    /// `cutover check` renders a project's templates with, so a template
    /// that fails on some section fails there, not when a rollback needs it.
    pub fn sample() -> MessageContext {
        let component = |id: &str, from: &str, to: &str| ComponentView {
            id: id.into(),
            name: format!("The {id} job"),
            owner: "backend".into(),
            phase: Some(2),
            from: Some(from.into()),
            to: Some(to.into()),
            mode: Some(to.into()),
        };
        let phase = PhaseView {
            number: 2,
            name: "Pilot".into(),
            start: "2027-01-11".into(),
            end: "2027-02-05".into(),
            retirement: Some("2027-02-12".into()),
            components: vec!["build-api".into(), "lint".into()],
        };
        MessageContext {
            migration: "platform-to-dagger".into(),
            kind: "sample".into(),
            group: "developers".into(),
            audience: vec!["Backend developers".into()],
            at: "2027-01-12 09:30 UTC".into(),
            actor: "ada".into(),
            reason: Some("the gate passed".into()),
            target: Some("build-api".into()),
            forced: false,
            components: vec![
                component("build-api", "shadow", "canary 25%"),
                component("lint", "shadow", "canary 25%"),
            ],
            phase: Some(phase.clone()),
            plan: Some(PlanView {
                start: "2027-01-04".into(),
                end: "2027-04-30".into(),
                phases: vec![phase],
            }),
            actions: vec![MessageAction {
                label: "Acknowledge".into(),
                command: "cutover comms ack 3f2a9c0e1d4b7a65".into(),
                url: None,
            }],
            ..MessageContext::sample_sections()
        }
    }

    /// The sections of [`MessageContext::sample`] that only some messages have.
    fn sample_sections() -> MessageContext {
        MessageContext {
            gate: Some(GateView {
                target: "build-api".into(),
                verdict: "fail".into(),
                blocking: vec!["parity 0.97 < 0.99 over 40 runs".into()],
            }),
            trigger: Some(TriggerView {
                condition: "dagger.error_rate > legacy.error_rate + 0.10".into(),
                metrics: vec!["dagger.error_rate = 0.25".into()],
                runs: 12,
            }),
            decision: Some(DecisionView {
                trigger: "parity < 0.95".into(),
                evidence: "parity = 0.91 over 20 runs".into(),
                decider: "backend".into(),
                due: Some("2027-01-12 13:30 UTC".into()),
                outcome: Some("continue".into()),
            }),
            tests: Some(TestsView {
                failed: vec![FailedTestView {
                    test: "image loads".into(),
                    component: Some("build-api".into()),
                    phase: None,
                    side: "dagger".into(),
                    failure: Some("exit code 1, expected 0".into()),
                }],
                total: 4,
            }),
            drift: Some(DriftView {
                files: vec!["Makefile".into()],
            }),
            digest: Some(DigestView {
                since: Some("2027-01-05 09:00 UTC".into()),
                lines: vec!["2027-01-11 build-api legacy -> shadow".into()],
                modes: vec!["The build-api job (`build-api`): shadow".into()],
                upcoming: vec!["Phase 2 (Pilot): 2027-01-11 to its gate on 2027-02-05".into()],
                moved: 1,
                attention: 0,
            }),
            escalation: Some(EscalationView {
                level: 2,
                levels: 3,
                subject: "Rollback triggered: build-api".into(),
                body: "A rollback trigger fired.".into(),
                since: "2027-01-12 09:30 UTC".into(),
                within: "30 min".into(),
            }),
            ..MessageContext::default()
        }
    }
}
