//! The HTTP API of a `cutover serve` server, as both ends spell it.
//!
//! One place for the protocol: every path and every request and response
//! body that the server (crate `cutover-server`) answers and the HTTP
//! backend (`http.rs`) sends. Paths are versioned (`/v1/…`); bodies are
//! JSON of the store's own domain types. A breaking change to a body is a
//! new version prefix, never an edit of `v1`.
//!
//! What the server decides itself, whatever the body says: the time of
//! every write (one clock for all runners) and the actor of every event,
//! journal and decision (the authenticated caller).

use serde::{Deserialize, Serialize};

use super::connection::Durability;
use super::types::{Decision, DrillRecord, PreservedPath, RollbackStep, SnapshotKind};
use crate::event::{DecisionOutcome, NewEvent, NewMessage};
use crate::lifecycle::ModeState;

/// The API version prefix.
pub const VERSION_PREFIX: &str = "/v1";

/// Paths, relative to the server's base URL. `{x}` is a path parameter.
pub mod paths {
    /// `GET`: liveness and the store's schema version ([`super::Health`]). No token needed.
    pub const HEALTH: &str = "/v1/health";
    /// `GET`: a component's mode.
    pub const MODE: &str = "/v1/modes/{component}";
    /// `POST`: mode changes with restore points and events ([`super::ModeChanges`]).
    pub const MODE_CHANGES: &str = "/v1/modes";
    /// `POST`: a new drift baseline ([`super::DriftAck`]).
    pub const DRIFT_ACK: &str = "/v1/drift/{component}/ack";
    /// `GET` (`?component=&limit=`): the audit log; `POST`: append an event ([`super::EventAppend`]).
    pub const EVENTS: &str = "/v1/events";
    /// `GET` (`?component=&trigger=`): when a trigger last fired.
    pub const TRIGGER_FIRING: &str = "/v1/events/last-trigger-firing";
    /// `GET` (`?component=&limit=`): recent runs; `POST`: begin a run.
    pub const RUNS: &str = "/v1/runs";
    /// `POST`: finish a run.
    pub const RUN_FINISH: &str = "/v1/runs/{id}/finish";
    /// `POST`: import finished runs.
    pub const RUN_IMPORT: &str = "/v1/runs/import";
    /// `GET`: per-component run counts.
    pub const RUN_COUNTS: &str = "/v1/runs/counts";
    /// `GET` (`?mark=`): runs started at or after a run id.
    pub const RUNS_SINCE: &str = "/v1/runs/since";
    /// `GET`: runs still marked running.
    pub const RUNS_RUNNING: &str = "/v1/runs/running";
    /// `GET` (`?component=&count=`): the start of the count-th latest run.
    pub const NTH_LATEST_START: &str = "/v1/runs/nth-latest-start";
    /// `GET` (`?component=&current=`): the latest run of another Dagger implementation.
    pub const OTHER_IMPLEMENTATION: &str = "/v1/runs/latest-other-implementation";
    /// `GET` (`?component=&since_ms=`): samples of a window.
    pub const SAMPLES: &str = "/v1/samples";
    /// `POST`: a test result.
    pub const TESTS: &str = "/v1/tests";
    /// `GET` (`?component=`): the latest benchmark of a component; `POST`: record one.
    pub const BENCHMARKS: &str = "/v1/benchmarks";
    /// `GET` (`?component=`): snapshots; `POST`: record one ([`super::SnapshotInsert`]).
    pub const SNAPSHOTS: &str = "/v1/snapshots";
    /// `GET`: one snapshot.
    pub const SNAPSHOT: &str = "/v1/snapshots/{id}";
    /// `POST`: begin a rollback journal ([`super::RollbackBegin`]).
    pub const ROLLBACKS: &str = "/v1/rollbacks";
    /// `GET`: unfinished rollback journals.
    pub const ROLLBACKS_UNFINISHED: &str = "/v1/rollbacks/unfinished";
    /// `POST`: commit one rollback step ([`super::EventBody`]).
    pub const ROLLBACK_STEP: &str = "/v1/rollbacks/{id}/steps/{index}";
    /// `POST`: open a decision point ([`super::DecisionOpen`]).
    pub const DECISIONS: &str = "/v1/decisions";
    /// `GET` (`?component=`): the open decision point of a component.
    pub const DECISION_OPEN: &str = "/v1/decisions/open";
    /// `POST`: close a decision point ([`super::DecisionClose`]).
    pub const DECIDE: &str = "/v1/decisions/{id}/decide";
    /// `GET` (`?component=`): drills; `POST`: record one ([`super::DrillBody`]).
    pub const DRILLS: &str = "/v1/drills";
    /// `GET`: every active override; `POST`: set one ([`super::OverrideSet`]).
    pub const OVERRIDES: &str = "/v1/overrides";
    /// `POST`: clear one ([`super::OverrideClear`]).
    pub const OVERRIDE_CLEAR: &str = "/v1/overrides/{component}/clear";
    /// `GET`: the whole store as a SQLite file (for drills).
    pub const EXPORT: &str = "/v1/export/sqlite";
    /// `GET` (`?status=&awaiting_ack=&key=&id=&limit=`, see
    /// [`crate::store::OutboxFilter`]): messages of the outbox.
    pub const OUTBOX: &str = "/v1/outbox";
    /// `POST`: claim a message for one delivery ([`super::Claim`]).
    pub const OUTBOX_CLAIM: &str = "/v1/outbox/{id}/claim";
    /// `POST`: one delivery attempt of a message ([`crate::store::DeliveryAttempt`]).
    pub const OUTBOX_DELIVERY: &str = "/v1/outbox/{id}/delivery";
    /// `POST`: acknowledge a message's thread (the caller is who acknowledged).
    pub const OUTBOX_ACK: &str = "/v1/outbox/{id}/ack";
    /// `POST`: escalate a thread one level ([`super::Escalate`]).
    pub const OUTBOX_ESCALATE: &str = "/v1/outbox/{id}/escalate";
}

/// The answer of [`paths::HEALTH`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// The store's schema version.
    pub schema_version: i64,
    /// The API version (`1`).
    pub api_version: u32,
}

/// An error answer: a status code and this body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, as a lowercase fragment.
    pub error: String,
}

/// One mode change (an owned [`super::ModeUpdate`]) with its event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModeChange {
    /// Component.
    pub component: String,
    /// The mode the caller read.
    pub expected: ModeState,
    /// The effective mode before the change (what the restore point returns to).
    pub from: ModeState,
    /// The new mode.
    pub new: ModeState,
    /// Digest of `legacy.sources`.
    pub sources_digest: Option<String>,
    /// The preserved paths before the change.
    pub restore_point: Vec<PreservedPath>,
    /// The event to record (its actor is replaced by the caller).
    pub event: NewEvent,
}

/// The body of [`paths::MODE_CHANGES`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModeChanges {
    /// All of them or none.
    pub changes: Vec<ModeChange>,
    /// Events of the whole batch (a phase starting), written with them.
    #[serde(default)]
    pub also: Vec<NewEvent>,
}

/// The answer of [`paths::MODE_CHANGES`]: `None` when a mode moved meanwhile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestorePoints {
    /// Restore point ids, in order.
    pub ids: Option<Vec<i64>>,
}

/// The body of [`paths::DRIFT_ACK`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriftAck {
    /// The new baseline digest.
    pub digest: String,
    /// The event to record.
    pub event: NewEvent,
}

/// The body of a `POST` to [`paths::OVERRIDES`] (its actor and the
/// event's are replaced by the caller).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverrideSet {
    /// The override.
    pub set: super::types::ModeOverride,
    /// Its event.
    pub event: NewEvent,
}

/// The body of a `POST` to [`paths::OVERRIDE_CLEAR`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverrideClear {
    /// The override the caller read (a stricter one set meanwhile stays).
    pub expected: ModeState,
    /// The mode file's mode now (recorded in the event).
    pub file: ModeState,
}

/// A yes/no answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Done {
    /// Whether it was done.
    pub done: bool,
}

/// The body of a `POST` to [`paths::EVENTS`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventAppend {
    /// The event (its actor is replaced by the caller).
    pub event: NewEvent,
    /// Whether it must survive a power loss before the answer.
    pub durability: Durability,
}

/// An id answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Id {
    /// The id.
    pub id: i64,
}

/// An optional id answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MaybeId {
    /// The id, if one was made.
    pub id: Option<i64>,
}

/// A count answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Count {
    /// The count.
    pub count: u64,
}

/// An optional time answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MaybeTime {
    /// The time, if any.
    pub at: Option<jiff::Timestamp>,
}

/// One run still marked running.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunningRun {
    /// Run id.
    pub id: String,
    /// Packed process identity.
    pub pid: Option<i64>,
}

/// The body of a `POST` to [`paths::SNAPSHOTS`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotInsert {
    /// Component.
    pub component: String,
    /// Why.
    pub kind: SnapshotKind,
    /// The mode then.
    pub state: ModeState,
    /// Preserved paths.
    pub files: Vec<PreservedPath>,
}

/// The body of [`paths::ROLLBACKS`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollbackBegin {
    /// What was asked for.
    pub target: String,
    /// Why.
    pub reason: Option<String>,
    /// Steps, dependents first.
    pub steps: Vec<RollbackStep>,
}

/// A body holding one event, and the events written with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventBody {
    /// The event (its actor is replaced by the caller).
    pub event: NewEvent,
    /// Events written in the same transaction (a rollback's own, on its last step).
    #[serde(default)]
    pub also: Vec<NewEvent>,
}

/// The body of [`paths::OUTBOX_CLAIM`]: the sender's clock, not the
/// server's, says when a message is due (`CUTOVER_TEST_NOW` included).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    /// The next attempt time the sender read (nothing happens if it moved).
    pub seen: jiff::Timestamp,
    /// When the message is due again if the sender never records a delivery.
    pub until: jiff::Timestamp,
}

/// The body of [`paths::OUTBOX_ESCALATE`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Escalate {
    /// The level the caller saw (nothing happens if it moved meanwhile).
    pub from_level: u32,
    /// The escalation's event, carrying its messages (actor replaced by the caller).
    pub event: NewEvent,
}

/// The body of [`paths::DECISIONS`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionOpen {
    /// Component held.
    pub component: String,
    /// Trigger that opened it.
    pub trigger: String,
    /// Evidence at the time.
    pub evidence: String,
    /// The messages telling the decider, prepared by the caller.
    #[serde(default)]
    pub messages: Vec<NewMessage>,
}

/// The body of [`paths::DECIDE`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionClose {
    /// The decision point as the caller read it.
    pub decision: Decision,
    /// What was decided.
    pub outcome: DecisionOutcome,
    /// Why.
    pub reason: String,
    /// The messages the decision makes, prepared by the caller.
    #[serde(default)]
    pub messages: Vec<NewMessage>,
}

/// The body of a `POST` to [`paths::DRILLS`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DrillBody {
    /// The drill's result.
    pub drill: DrillRecord,
    /// Its event (actor replaced by the caller).
    pub event: NewEvent,
}

/// Query `?component=&limit=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComponentLimit {
    /// Component (all when absent).
    pub component: Option<String>,
    /// At most this many, newest.
    pub limit: u32,
}

/// Query `?component=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComponentQuery {
    /// Component.
    pub component: String,
}

/// Query `?component=&trigger=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriggerQuery {
    /// Component.
    pub component: String,
    /// Trigger expression.
    pub trigger: String,
}

/// Query `?mark=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MarkQuery {
    /// A run id.
    pub mark: String,
}

/// Query `?component=&count=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CountQuery {
    /// Component.
    pub component: String,
    /// Which latest run (1 = the latest).
    pub count: u32,
}

/// Query `?component=&current=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImplementationQuery {
    /// Component.
    pub component: String,
    /// Digest of the current Dagger implementation.
    pub current: String,
}

/// Query `?component=&since_ms=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamplesQuery {
    /// Component.
    pub component: String,
    /// Window start in Unix milliseconds (`i64::MIN`: every run).
    pub since_ms: i64,
}

/// The path `template` with its `{parameters}` filled in order.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        if let Some(value) = values.next() {
            out.push_str(&encode_segment(value));
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_encodes_each_parameter() {
        assert_eq!(fill(paths::MODE, &["build api"]), "/v1/modes/build%20api");
        assert_eq!(
            fill(paths::ROLLBACK_STEP, &["3", "0"]),
            "/v1/rollbacks/3/steps/0"
        );
        assert_eq!(fill(paths::RUN_FINISH, &["a/b"]), "/v1/runs/a%2Fb/finish");
    }
}
