//! The audit trail's vocabulary: one typed [`Event`] per kind of state
//! change, with who, when, why and typed evidence.
//!
//! Events are written in exactly one place (the store's `events` table
//! family, inside the transaction of the change they describe) and read back
//! typed by `cutover log`, the documents, the stakeholder outbox and the
//! server. An event that concerns stakeholders carries its messages
//! ([`NewMessage`]), written with it in one transaction. Their JSON form (`{"id", "at", "component", "actor",
//! "reason", "kind", "detail"}`, `detail` typed per `kind`) is documented by
//! `schema/event.schema.json`, generated from these types; a test fails when
//! the committed copy drifts.

mod decision;
mod message;
mod record;
mod summary;

pub use decision::DecisionOutcome;
pub use message::{MessageAction, MessageKind, NewMessage, Notifier};
pub use record::{
    Event, EventKind, EventLog, EventRecord, FailedTest, GateEvidence, NewEvent, NoiseRuleRecord,
    PhaseAnnouncement, SourceDigest, StepRecord, event_schema,
};
