//! [`Event`] and the records around it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::decision::DecisionOutcome;
use crate::criteria::Verdict;
use crate::lifecycle::ModeState;
use crate::spec::TriggerAction;

/// One state change, with its typed evidence. Serialized adjacently tagged:
/// `{"kind": "mode_advanced", "detail": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Event {
    /// A component moved forward (`cutover advance`).
    ModeAdvanced {
        /// Mode before.
        from: ModeState,
        /// Mode after.
        to: ModeState,
        /// Whether `--force` overrode a gate or skipped a step.
        #[serde(default)]
        forced: bool,
        /// The gate evaluated for this step (none when entering shadow).
        #[serde(default)]
        gate: Option<GateEvidence>,
        /// The restore point recorded with the change.
        #[serde(default)]
        snapshot: Option<i64>,
        /// On entering shadow: each legacy source with its digest, the
        /// per-file baseline drift is reported against.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sources: Option<Vec<SourceDigest>>,
    },
    /// A component went back to a restore point (one journaled step).
    RolledBack {
        /// Mode before.
        from: ModeState,
        /// Mode restored.
        to: ModeState,
        /// Snapshot restored (none: a mode-only rollback).
        #[serde(default)]
        snapshot: Option<i64>,
        /// Preserved paths restored.
        #[serde(default)]
        restored: Option<Vec<String>>,
        /// The rollback journal the step belongs to.
        journal: i64,
    },
    /// A gate was evaluated (`cutover gate`).
    GateEvaluated {
        /// Component or phase evaluated.
        target: String,
        /// Overall verdict.
        verdict: Verdict,
        /// Evidence of each enforced criterion that kept it from passing.
        #[serde(default)]
        blocking: Vec<String>,
        /// The verdict of the target's previous evaluation, when one is
        /// recorded: a failure after a failure notifies nobody again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<Verdict>,
    },
    /// A rollback trigger's condition held.
    TriggerFired {
        /// The trigger's condition as written.
        trigger: String,
        /// What it does.
        action: TriggerAction,
        /// Every metric the condition read (null: no data).
        #[serde(default)]
        metrics: BTreeMap<String, Option<f64>>,
        /// Runs in the trigger's window.
        #[serde(default)]
        runs: u64,
    },
    /// An escalated trigger opened a decision point that holds the component.
    DecisionOpened {
        /// The decision point.
        decision: i64,
        /// The trigger that opened it.
        trigger: String,
        /// The metrics at the time, readably.
        evidence: String,
    },
    /// Someone closed a decision point (`cutover decide`).
    DecisionMade {
        /// What was decided.
        decision: DecisionOutcome,
        /// The trigger that had opened it.
        trigger: String,
        /// The evidence the decision point was opened with.
        evidence: String,
    },
    /// A rollback drill ran on a copy (`cutover rollback --drill`).
    DrillFinished {
        /// Whether the rollback and every legacy acceptance test succeeded.
        passed: bool,
        /// Time the rollback took on the copy, milliseconds.
        time_to_rollback_ms: f64,
        /// Why it failed.
        #[serde(default)]
        failure: Option<String>,
    },
    /// Someone acknowledged that the legacy definition changed since the
    /// component entered shadow (`cutover drift ack`): the current
    /// definition becomes the baseline.
    DriftAcknowledged {
        /// The baseline digest replaced.
        previous: Option<String>,
        /// The new baseline digest of `legacy.sources`.
        digest: String,
        /// Each legacy source file with its digest (null: missing).
        files: Vec<SourceDigest>,
    },
    /// A rollback set an override in the store: every runner that reaches
    /// the store runs the component at most at `to`, whatever its mode file
    /// says, until the override is cleared (`cutover sync`, `advance`).
    OverrideSet {
        /// The mode runners may run at most.
        to: ModeState,
        /// The override it replaced, if any.
        #[serde(default)]
        replaced: Option<ModeState>,
    },
    /// An override was cleared: the mode file reflects it (`cutover sync`),
    /// or the component was advanced past it (`cutover advance`).
    OverrideCleared {
        /// The mode the override held.
        to: ModeState,
        /// The mode file's mode when it was cleared.
        file: ModeState,
    },
    /// The legacy side was run against itself to learn what varies on its
    /// own (`cutover calibrate`): runs and gates count mismatches that only
    /// this noise explains apart.
    NoiseCalibrated {
        /// Rounds run (two legacy runs each).
        rounds: u32,
        /// Whether the legacy side's dry run (`legacy.shadow_run`) was run.
        dry_run: bool,
        /// The rules learned, in the order they apply.
        rules: Vec<NoiseRuleRecord>,
        /// Differences no rule explains.
        unexplained: u64,
        /// Whether the rules were written into the spec.
        written: bool,
    },
    /// A snapshot's files were brought back (`cutover restore`); modes
    /// are unchanged.
    SnapshotRestored {
        /// The snapshot restored.
        snapshot: i64,
        /// The safety snapshot of the content it replaced.
        safety: i64,
        /// Paths restored.
        restored: Vec<String>,
    },
    /// The plan was announced to every stakeholder (`cutover comms announce`).
    PlanAnnounced {
        /// The phases with their dates.
        phases: Vec<PhaseAnnouncement>,
        /// The last day of the plan.
        #[schemars(with = "String")]
        end: jiff::civil::Date,
    },
    /// A phase entered shadow (its components' first step, `cutover advance PHASE`).
    PhaseStarted {
        /// The phase number.
        phase: u32,
        /// Its components.
        components: Vec<String>,
    },
    /// Every component of a phase runs on Dagger (dagger or retired).
    PhaseCompleted {
        /// The phase number.
        phase: u32,
        /// Its components.
        components: Vec<String>,
    },
    /// A rollback finished its last step (one event for the whole target).
    RollbackCompleted {
        /// What was rolled back: a component id or a phase.
        target: String,
        /// The rollback journal.
        journal: i64,
        /// Each component with the modes it went from and to.
        steps: Vec<StepRecord>,
    },
    /// Acceptance or integration tests failed (`cutover test`).
    TestsFailed {
        /// What was tested: a component id, a phase, or every test.
        target: String,
        /// The failed tests.
        failed: Vec<FailedTest>,
        /// Tests run.
        total: u32,
    },
    /// A decision point passed its deadline undecided (`cutover comms escalate`).
    DecisionExpired {
        /// The decision point.
        decision: i64,
        /// The trigger that opened it.
        trigger: String,
        /// The evidence it was opened with.
        evidence: String,
        /// When the decision was due.
        #[schemars(with = "String")]
        due: jiff::Timestamp,
    },
    /// A phase's planned gate date passed before all of it ran on Dagger
    /// (`cutover comms escalate`).
    GateDateMissed {
        /// The phase number.
        phase: u32,
        /// The gate date of the plan.
        #[schemars(with = "String")]
        planned: jiff::civil::Date,
        /// Its components not on Dagger yet.
        behind: Vec<String>,
    },
    /// A legacy definition changed after the component entered shadow:
    /// its port may miss the change (`cutover comms escalate`).
    DriftSeen {
        /// The baseline digest recorded on entering shadow.
        baseline: Option<String>,
        /// The digest of `legacy.sources` now.
        digest: String,
        /// Each legacy source file with its digest (null: missing).
        files: Vec<SourceDigest>,
    },
    /// A status update: the digest of what happened since the last one for
    /// the group (`cutover comms send`, when the schedule says it is due).
    StatusUpdate {
        /// The group it went to.
        group: String,
        /// The scheduled time it stands for.
        #[schemars(with = "String")]
        slot: jiff::Timestamp,
        /// Events it covers, by id: after `after`, up to and including `until`.
        after: Option<i64>,
        /// The last event it covers.
        until: Option<i64>,
    },
    /// An unacknowledged message moved one escalation level up (`cutover comms escalate`).
    MessageEscalated {
        /// The first message of the thread (the one not acknowledged).
        message: i64,
        /// The level it reached.
        level: u32,
    },
    /// Someone acknowledged a message, and with it its thread (`cutover comms ack`).
    MessageAcknowledged {
        /// The first message of the thread.
        message: i64,
    },
    /// A team was invited to a training session of the training plan
    /// (`cutover comms invite`); again only when the session moves.
    TrainingScheduled {
        /// The owner team.
        team: String,
        /// The session's stable id (team and first concept).
        session: String,
        /// Its number among the team's sessions.
        number: u32,
        /// Its title.
        title: String,
        /// Concept ids taught, in order.
        concepts: Vec<String>,
        /// Teaching time, hours.
        hours: f64,
        /// The day it should take place by.
        #[schemars(with = "String")]
        by: jiff::civil::Date,
        /// The component it prepares for: the first to need its first concept.
        first_component: String,
        /// The day `first_component` enters shadow.
        #[schemars(with = "String")]
        first_shadow: jiff::civil::Date,
        /// Stakeholder ids invited.
        invitees: Vec<String>,
    },
}

/// One phase as the plan announcement gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PhaseAnnouncement {
    /// Its number.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Its first day.
    #[schemars(with = "String")]
    pub start: jiff::civil::Date,
    /// Its gate date.
    #[schemars(with = "String")]
    pub end: jiff::civil::Date,
    /// Its components.
    pub components: Vec<String>,
}

/// One component of a finished rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StepRecord {
    /// The component.
    pub component: String,
    /// Its mode before.
    pub from: ModeState,
    /// The mode restored.
    pub to: ModeState,
}

/// One failed test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FailedTest {
    /// The test's name.
    pub test: String,
    /// Its component (none: a phase's integration test).
    pub component: Option<String>,
    /// Its phase (integration tests).
    pub phase: Option<u32>,
    /// The side it ran against.
    pub side: crate::lifecycle::Side,
    /// Why it failed.
    pub failure: Option<String>,
}

/// One learned `normalize` rule, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoiseRuleRecord {
    /// The regex.
    pub pattern: String,
    /// Its replacement.
    pub replace: String,
}

/// One legacy source path and its content digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceDigest {
    /// The path as declared in `legacy.sources`.
    pub path: String,
    /// Its digest (a directory's covers its tree); null when missing.
    pub digest: Option<String>,
}

/// The kind of an [`Event`], without its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// [`Event::ModeAdvanced`].
    ModeAdvanced,
    /// [`Event::RolledBack`].
    RolledBack,
    /// [`Event::GateEvaluated`].
    GateEvaluated,
    /// [`Event::TriggerFired`].
    TriggerFired,
    /// [`Event::DecisionOpened`].
    DecisionOpened,
    /// [`Event::DecisionMade`].
    DecisionMade,
    /// [`Event::DrillFinished`].
    DrillFinished,
    /// [`Event::DriftAcknowledged`].
    DriftAcknowledged,
    /// [`Event::OverrideSet`].
    OverrideSet,
    /// [`Event::OverrideCleared`].
    OverrideCleared,
    /// [`Event::NoiseCalibrated`].
    NoiseCalibrated,
    /// [`Event::SnapshotRestored`].
    SnapshotRestored,
    /// [`Event::PlanAnnounced`].
    PlanAnnounced,
    /// [`Event::PhaseStarted`].
    PhaseStarted,
    /// [`Event::PhaseCompleted`].
    PhaseCompleted,
    /// [`Event::RollbackCompleted`].
    RollbackCompleted,
    /// [`Event::TestsFailed`].
    TestsFailed,
    /// [`Event::DecisionExpired`].
    DecisionExpired,
    /// [`Event::GateDateMissed`].
    GateDateMissed,
    /// [`Event::DriftSeen`].
    DriftSeen,
    /// [`Event::StatusUpdate`].
    StatusUpdate,
    /// [`Event::MessageEscalated`].
    MessageEscalated,
    /// [`Event::MessageAcknowledged`].
    MessageAcknowledged,
    /// [`Event::TrainingScheduled`].
    TrainingScheduled,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 24] = [
        EventKind::ModeAdvanced,
        EventKind::RolledBack,
        EventKind::GateEvaluated,
        EventKind::TriggerFired,
        EventKind::DecisionOpened,
        EventKind::DecisionMade,
        EventKind::DrillFinished,
        EventKind::DriftAcknowledged,
        EventKind::OverrideSet,
        EventKind::OverrideCleared,
        EventKind::NoiseCalibrated,
        EventKind::SnapshotRestored,
        EventKind::PlanAnnounced,
        EventKind::PhaseStarted,
        EventKind::PhaseCompleted,
        EventKind::RollbackCompleted,
        EventKind::TestsFailed,
        EventKind::DecisionExpired,
        EventKind::GateDateMissed,
        EventKind::DriftSeen,
        EventKind::StatusUpdate,
        EventKind::MessageEscalated,
        EventKind::MessageAcknowledged,
        EventKind::TrainingScheduled,
    ];
}

impl Event {
    /// Its kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::ModeAdvanced { .. } => EventKind::ModeAdvanced,
            Event::RolledBack { .. } => EventKind::RolledBack,
            Event::GateEvaluated { .. } => EventKind::GateEvaluated,
            Event::TriggerFired { .. } => EventKind::TriggerFired,
            Event::DecisionOpened { .. } => EventKind::DecisionOpened,
            Event::DecisionMade { .. } => EventKind::DecisionMade,
            Event::DrillFinished { .. } => EventKind::DrillFinished,
            Event::DriftAcknowledged { .. } => EventKind::DriftAcknowledged,
            Event::OverrideSet { .. } => EventKind::OverrideSet,
            Event::OverrideCleared { .. } => EventKind::OverrideCleared,
            Event::NoiseCalibrated { .. } => EventKind::NoiseCalibrated,
            Event::SnapshotRestored { .. } => EventKind::SnapshotRestored,
            Event::PlanAnnounced { .. } => EventKind::PlanAnnounced,
            Event::PhaseStarted { .. } => EventKind::PhaseStarted,
            Event::PhaseCompleted { .. } => EventKind::PhaseCompleted,
            Event::RollbackCompleted { .. } => EventKind::RollbackCompleted,
            Event::TestsFailed { .. } => EventKind::TestsFailed,
            Event::DecisionExpired { .. } => EventKind::DecisionExpired,
            Event::GateDateMissed { .. } => EventKind::GateDateMissed,
            Event::DriftSeen { .. } => EventKind::DriftSeen,
            Event::StatusUpdate { .. } => EventKind::StatusUpdate,
            Event::MessageEscalated { .. } => EventKind::MessageEscalated,
            Event::MessageAcknowledged { .. } => EventKind::MessageAcknowledged,
            Event::TrainingScheduled { .. } => EventKind::TrainingScheduled,
        }
    }

    /// The mode change it describes, if any: `(from, to)`.
    pub fn mode_change(&self) -> Option<(ModeState, ModeState)> {
        match self {
            Event::ModeAdvanced { from, to, .. } | Event::RolledBack { from, to, .. } => {
                Some((*from, *to))
            }
            _ => None,
        }
    }
}

/// The JSON spelling (`mode_advanced`, …), for people reading the log.
impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}

/// The evidence of a gate evaluated for an advance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GateEvidence {
    /// Overall verdict.
    pub verdict: Verdict,
    /// Evidence of each enforced criterion that kept it from passing.
    #[serde(default)]
    pub blocking: Vec<String>,
}

/// An event about to be recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The component concerned, if any.
    pub component: Option<String>,
    /// Who did it.
    pub actor: String,
    /// Why, as given with `--reason`.
    pub reason: Option<String>,
    /// What happened.
    pub event: Event,
    /// The messages it makes (see [`super::Notifier`]), written with it in
    /// one transaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<super::NewMessage>,
}

impl NewEvent {
    /// An event with no messages yet (the store's notifier adds them).
    pub fn new(
        component: Option<String>,
        actor: impl Into<String>,
        reason: Option<String>,
        event: Event,
    ) -> NewEvent {
        NewEvent {
            component,
            actor: actor.into(),
            reason,
            event,
            messages: Vec::new(),
        }
    }
}

/// A recorded event, as `cutover log --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventRecord {
    /// Sequence number (ascending in time).
    pub id: i64,
    /// When (RFC 3339, UTC).
    #[schemars(with = "String")]
    pub at: jiff::Timestamp,
    /// The component concerned, if any.
    pub component: Option<String>,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// What happened, with its evidence.
    #[serde(flatten)]
    pub event: Event,
}

/// The output of `cutover log --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventLog {
    /// Events, oldest first.
    pub events: Vec<EventRecord>,
}

/// The JSON Schema of [`EventLog`], as committed in `schema/event.schema.json`.
pub fn event_schema() -> String {
    let schema = schemars::schema_for!(EventLog);
    // Serializing a schema built from our own types cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_schema_matches_the_code() {
        let committed = include_str!("../../../../schema/event.schema.json");
        assert!(
            committed.trim_end() == event_schema().trim_end(),
            "schema/event.schema.json is stale: run `cargo run -- schema --events > schema/event.schema.json`"
        );
    }

    #[test]
    fn records_round_trip_through_json() {
        let record = EventRecord {
            id: 3,
            at: "2027-01-04T10:00:00.123Z".parse().expect("time"),
            component: Some("job".into()),
            actor: "ada".into(),
            reason: None,
            event: Event::GateEvaluated {
                target: "job".into(),
                verdict: Verdict::Pass,
                blocking: Vec::new(),
                previous: None,
            },
        };
        let json = serde_json::to_value(&record).expect("json");
        assert_eq!(json["kind"], "gate_evaluated");
        assert_eq!(json["detail"]["verdict"], "pass");
        let back: EventRecord = serde_json::from_value(json).expect("parse");
        assert_eq!(back, record);
    }
}
