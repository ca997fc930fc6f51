//! Messages to stakeholders, as events carry them into the outbox.
//!
//! Every event that concerns a stakeholder carries its messages
//! ([`NewEvent::messages`](super::NewEvent::messages)); the store writes
//! both in one transaction, so there is never an event without its messages
//! nor a message without its event. A [`Notifier`] (the `comms` engine, given
//! the spec) decides which messages a batch of events makes; the store asks
//! it for every batch it writes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::record::NewEvent;

/// What a message is about: names its template (`templates/comms/<kind>.md.j2`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The migration plan, announced to everyone.
    PlanAnnounced,
    /// A phase enters shadow.
    PhaseStarting,
    /// Every component of a phase runs on Dagger.
    PhaseComplete,
    /// Components moved forward (one message per advance, however many components).
    ComponentAdvanced,
    /// A gate failed (after not failing before).
    GateFailed,
    /// A trigger rolls a component back: acknowledge it.
    RollbackTriggered,
    /// A rollback finished.
    RollbackComplete,
    /// A decision point waits for its decider.
    DecisionNeeded,
    /// A decision point was closed.
    DecisionMade,
    /// An unacknowledged message, escalated one level up.
    Escalation,
    /// The digest of what happened since the last status update.
    StatusUpdate,
    /// A legacy definition changed after its port.
    DriftSeen,
    /// Acceptance or integration tests failed.
    TestsFailed,
    /// A decision point passed its deadline undecided.
    DecisionExpired,
    /// A phase's gate date passed before the phase was cut over.
    GateDateMissed,
    /// A team is invited to a training session.
    TrainingInvitation,
}

impl MessageKind {
    /// Every kind, in the order the communication plan lists them.
    pub const ALL: [MessageKind; 16] = [
        MessageKind::PlanAnnounced,
        MessageKind::PhaseStarting,
        MessageKind::PhaseComplete,
        MessageKind::ComponentAdvanced,
        MessageKind::GateFailed,
        MessageKind::RollbackTriggered,
        MessageKind::RollbackComplete,
        MessageKind::DecisionNeeded,
        MessageKind::DecisionMade,
        MessageKind::Escalation,
        MessageKind::StatusUpdate,
        MessageKind::DriftSeen,
        MessageKind::TestsFailed,
        MessageKind::DecisionExpired,
        MessageKind::GateDateMissed,
        MessageKind::TrainingInvitation,
    ];
}

/// The JSON spelling (`rollback_triggered`), also the template's name.
impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}

/// Something the reader can do about a message: the exact command, and a
/// signed, expiring dashboard link when a server URL is configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MessageAction {
    /// What it does: "Acknowledge", "Roll back", …
    pub label: String,
    /// The `cutover` command line that does it.
    pub command: String,
    /// A signed dashboard link that does it, if a server URL is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A message about to go into the outbox with its event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewMessage {
    /// Idempotency key: random, sent with every delivery attempt
    /// (`Idempotency-Key`, the mail's `Message-ID`), so a receiver keeps
    /// one copy of a message delivered twice.
    pub key: String,
    /// Its template.
    pub kind: MessageKind,
    /// The channel id it goes through.
    pub channel: String,
    /// The group it is worded for.
    pub group: String,
    /// Stakeholder ids it is for.
    pub recipients: Vec<String>,
    /// Mail addresses (email channels).
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Body, Markdown.
    pub body: String,
    /// What the reader can do.
    #[serde(default)]
    pub actions: Vec<MessageAction>,
    /// Whether someone must acknowledge it (unacknowledged, it escalates).
    #[serde(default)]
    pub needs_ack: bool,
    /// The message this one escalates (the first of its thread).
    #[serde(default)]
    pub thread: Option<i64>,
    /// Its escalation level (1: the first message).
    #[serde(default = "first_level")]
    pub level: u32,
}

fn first_level() -> u32 {
    1
}

/// Turns the events of one transaction into the messages they make.
/// The store calls it for every batch it writes (and keeps the messages a
/// batch already carries, e.g. those a client sent to `cutover serve`).
pub trait Notifier: std::fmt::Debug + Send + Sync {
    /// Attaches to events of `batch` the messages they make. A batch is what
    /// one operation records in one transaction (a phase advance: every
    /// component's event and the phase's): one message per batch and
    /// audience, never one per component.
    fn notify(&self, batch: &mut [NewEvent]);
}
