//! The outbox's records: a message as stored, where its delivery stands,
//! and what a delivery attempt reports.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::NewMessage;

/// Where a message's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Not delivered yet: due at its next attempt.
    Pending,
    /// Delivered (at least once).
    Sent,
    /// Given up on: a permanent refusal, or too many attempts.
    Failed,
}

impl std::fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}

/// One message of the outbox, with its delivery and acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Its id in the outbox.
    pub id: i64,
    /// The event it was written with.
    pub event_id: i64,
    /// What it says, to whom, through which channel. For the first message
    /// of a thread, `level` is the level the thread has reached.
    pub message: NewMessage,
    /// When it was written.
    pub created_at: Timestamp,
    /// Where its delivery stands.
    pub status: MessageStatus,
    /// Delivery attempts made.
    pub attempts: u32,
    /// When the next attempt is due (pending messages).
    pub next_attempt_at: Timestamp,
    /// Why the last attempt failed (secrets removed).
    pub last_error: Option<String>,
    /// When it was delivered.
    pub sent_at: Option<Timestamp>,
    /// When its thread reached its current level (escalation windows count from it).
    pub level_since: Timestamp,
    /// When it was acknowledged.
    pub acknowledged_at: Option<Timestamp>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
}

impl OutboxMessage {
    /// The id of the first message of its thread (its own, unless it escalates another).
    pub fn thread(&self) -> i64 {
        self.message.thread.unwrap_or(self.id)
    }
}

/// Which messages to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxFilter {
    /// Only messages with this status.
    pub status: Option<MessageStatus>,
    /// Only first messages of threads that need an acknowledgement and have none.
    #[serde(default)]
    pub awaiting_ack: bool,
    /// Only the message with this idempotency key, or whose key starts with it.
    pub key: Option<String>,
    /// Only the message with this id.
    pub id: Option<i64>,
    /// At most this many, the newest (0: no limit).
    #[serde(default)]
    pub limit: u32,
}

/// What one delivery attempt of a pending message came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum DeliveryAttempt {
    /// The channel accepted it.
    Delivered,
    /// It failed; try again at `next_attempt`.
    Retry {
        /// Why (secrets removed).
        error: String,
        /// When the next attempt is due.
        next_attempt: Timestamp,
    },
    /// Not tried: its channel failed just before in the same run; it
    /// waits for the same next attempt (no attempt is counted).
    Deferred {
        /// Why its channel failed (secrets removed).
        error: String,
        /// When the next attempt is due.
        next_attempt: Timestamp,
    },
    /// It failed for good.
    GaveUp {
        /// Why (secrets removed).
        error: String,
    },
}
