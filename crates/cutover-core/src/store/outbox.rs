//! The `outbox` table: the messages events make, written with their event
//! (see `events.rs`) and then delivered, acknowledged and escalated. The
//! only SQLite code that touches it; `postgres/outbox.rs` is its twin, and
//! both decode rows through [`OutboxRow`].

use rusqlite::{Connection, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::outbox_types::{DeliveryAttempt, MessageStatus, OutboxFilter, OutboxMessage};
use crate::event::{MessageAction, MessageKind, NewMessage};

/// The columns every query reads, in [`OutboxRow`]'s order.
pub(super) const COLUMNS: &str = "id, event_id, idempotency_key, kind, channel, audience, \
    recipients, addresses, subject, body, actions, needs_ack, thread, level, level_since, \
    created_at, status, attempts, next_attempt_at, last_error, sent_at, acknowledged_at, \
    acknowledged_by";

/// One row as stored, before decoding; both backends fill it.
#[derive(Debug)]
pub(super) struct OutboxRow {
    pub id: i64,
    pub event_id: i64,
    pub key: String,
    pub kind: String,
    pub channel: String,
    pub audience: String,
    pub recipients: String,
    pub addresses: String,
    pub subject: String,
    pub body: String,
    pub actions: String,
    pub needs_ack: i64,
    pub thread: Option<i64>,
    pub level: i64,
    pub level_since: String,
    pub created_at: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
}

impl OutboxRow {
    /// The stored message.
    pub(super) fn decode(self) -> Result<OutboxMessage, StoreError> {
        let list = |text: &str| -> Result<Vec<String>, StoreError> {
            serde_json::from_str(text).map_err(StoreError::corrupt)
        };
        let actions: Vec<MessageAction> =
            serde_json::from_str(&self.actions).map_err(StoreError::corrupt)?;
        Ok(OutboxMessage {
            id: self.id,
            event_id: self.event_id,
            message: NewMessage {
                key: self.key,
                kind: codec::parse::<MessageKind>(&self.kind)?,
                channel: self.channel,
                group: self.audience,
                recipients: list(&self.recipients)?,
                addresses: list(&self.addresses)?,
                subject: self.subject,
                body: self.body,
                actions,
                needs_ack: self.needs_ack != 0,
                thread: self.thread,
                level: u32::try_from(self.level).unwrap_or(1),
            },
            created_at: codec::timestamp(&self.created_at)?,
            status: codec::parse::<MessageStatus>(&self.status)?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            next_attempt_at: codec::timestamp(&self.next_attempt_at)?,
            last_error: self.last_error,
            sent_at: codec::optional_timestamp(self.sent_at)?,
            level_since: codec::timestamp(&self.level_since)?,
            acknowledged_at: codec::optional_timestamp(self.acknowledged_at)?,
            acknowledged_by: self.acknowledged_by,
        })
    }
}

/// A message's list fields as stored (JSON).
pub(super) struct Encoded {
    pub recipients: String,
    pub addresses: String,
    pub actions: String,
}

/// Encodes the JSON columns of `message`.
pub(super) fn encode(message: &NewMessage) -> Result<Encoded, StoreError> {
    fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
        serde_json::to_string(value).map_err(StoreError::corrupt)
    }
    Ok(Encoded {
        recipients: json(&message.recipients)?,
        addresses: json(&message.addresses)?,
        actions: json(&message.actions)?,
    })
}

/// Writes the messages of the event `event_id`, due at once. The messages
/// of one event that need an acknowledgement form one thread (the first is
/// its root): one acknowledgement settles them, and they escalate once.
pub(super) fn insert(
    tx: &Transaction<'_>,
    event_id: i64,
    messages: &[NewMessage],
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let now = codec::timestamp_text(at);
    let mut statement = tx.prepare_cached(
        "INSERT INTO outbox (event_id, idempotency_key, kind, channel, audience, recipients,
             addresses, subject, body, actions, needs_ack, thread, level, level_since,
             created_at, status, attempts, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, 0, ?14)",
    )?;
    let mut root = None;
    for message in messages {
        let encoded = encode(message)?;
        let thread = thread_of(message, root);
        statement.execute(params![
            event_id,
            message.key,
            Coded(message.kind),
            message.channel,
            message.group,
            encoded.recipients,
            encoded.addresses,
            message.subject,
            message.body,
            encoded.actions,
            i64::from(message.needs_ack),
            thread,
            i64::from(message.level),
            now,
            Coded(MessageStatus::Pending),
        ])?;
        if message.needs_ack && thread.is_none() {
            root = Some(tx.last_insert_rowid());
        }
    }
    Ok(())
}

/// The thread a message joins: its own, else the first message of its
/// event that needs an acknowledgement (`root`), when it needs one too.
pub(super) fn thread_of(message: &NewMessage, root: Option<i64>) -> Option<i64> {
    match (message.thread, message.needs_ack) {
        (Some(thread), _) => Some(thread),
        (None, true) => root,
        (None, false) => None,
    }
}

/// The messages matching `filter`, oldest first (the newest `limit`).
pub(super) fn list(
    connection: &Connection,
    filter: &OutboxFilter,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE (?1 IS NULL OR status = ?1)
           AND (?2 = 0 OR (needs_ack = 1 AND thread IS NULL AND acknowledged_at IS NULL))
           AND (?3 IS NULL OR substr(idempotency_key, 1, length(?3)) = ?3)
           AND (?4 IS NULL OR id = ?4)
         ORDER BY id DESC LIMIT ?5"
    );
    let limit = if filter.limit == 0 {
        -1
    } else {
        i64::from(filter.limit)
    };
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            filter.status.map(Coded),
            i64::from(filter.awaiting_ack),
            filter.key,
            filter.id,
            limit
        ],
        row,
    )?;
    let mut messages = Vec::new();
    for row in rows {
        messages.push(row?.decode()?);
    }
    messages.reverse();
    Ok(messages)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        event_id: r.get(1)?,
        key: r.get(2)?,
        kind: r.get(3)?,
        channel: r.get(4)?,
        audience: r.get(5)?,
        recipients: r.get(6)?,
        addresses: r.get(7)?,
        subject: r.get(8)?,
        body: r.get(9)?,
        actions: r.get(10)?,
        needs_ack: r.get(11)?,
        thread: r.get(12)?,
        level: r.get(13)?,
        level_since: r.get(14)?,
        created_at: r.get(15)?,
        status: r.get(16)?,
        attempts: r.get(17)?,
        next_attempt_at: r.get(18)?,
        last_error: r.get(19)?,
        sent_at: r.get(20)?,
        acknowledged_at: r.get(21)?,
        acknowledged_by: r.get(22)?,
    })
}

/// The columns a delivery attempt sets, from the attempt and the time it
/// was recorded.
pub(super) struct AttemptColumns {
    pub status: MessageStatus,
    /// Attempts to add (0: not tried).
    pub counted: i64,
    pub next_attempt: Option<String>,
    pub error: Option<String>,
    pub sent_at: Option<String>,
}

/// The columns `attempt` sets at `at`.
pub(super) fn attempt_columns(attempt: &DeliveryAttempt, at: jiff::Timestamp) -> AttemptColumns {
    let pending = |error: &String, next: &jiff::Timestamp, counted| AttemptColumns {
        status: MessageStatus::Pending,
        counted,
        next_attempt: Some(codec::timestamp_text(*next)),
        error: Some(error.clone()),
        sent_at: None,
    };
    match attempt {
        DeliveryAttempt::Delivered => AttemptColumns {
            status: MessageStatus::Sent,
            counted: 1,
            next_attempt: None,
            error: None,
            sent_at: Some(codec::timestamp_text(at)),
        },
        DeliveryAttempt::Retry {
            error,
            next_attempt,
        } => pending(error, next_attempt, 1),
        DeliveryAttempt::Deferred {
            error,
            next_attempt,
        } => pending(error, next_attempt, 0),
        DeliveryAttempt::GaveUp { error } => AttemptColumns {
            status: MessageStatus::Failed,
            counted: 1,
            next_attempt: None,
            error: Some(error.clone()),
            sent_at: None,
        },
    }
}

/// Claims a pending message for one delivery: moves its next attempt from
/// `seen` (what the sender read) to `until`. False when another sender
/// moved it first or it is no longer pending: leave it alone.
pub(super) fn claim_delivery(
    tx: &Transaction<'_>,
    id: i64,
    seen: jiff::Timestamp,
    until: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE outbox SET next_attempt_at = ?3
         WHERE id = ?1 AND status = ?4 AND next_attempt_at = ?2",
        params![
            id,
            codec::timestamp_text(seen),
            codec::timestamp_text(until),
            Coded(MessageStatus::Pending)
        ],
    )?;
    Ok(changed == 1)
}

/// Records a delivery attempt of a pending message; false when it was no
/// longer pending.
pub(super) fn record_delivery(
    tx: &Transaction<'_>,
    id: i64,
    attempt: &DeliveryAttempt,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let columns = attempt_columns(attempt, at);
    let changed = tx.execute(
        "UPDATE outbox SET status = ?2, attempts = attempts + ?7,
             next_attempt_at = COALESCE(?3, next_attempt_at), last_error = ?4,
             sent_at = COALESCE(?5, sent_at)
         WHERE id = ?1 AND status = ?6",
        params![
            id,
            Coded(columns.status),
            columns.next_attempt,
            columns.error,
            columns.sent_at,
            Coded(MessageStatus::Pending),
            columns.counted
        ],
    )?;
    Ok(changed == 1)
}

/// Acknowledges the thread `thread` (its first message and every
/// escalation of it); false when it was already acknowledged.
pub(super) fn acknowledge(
    tx: &Transaction<'_>,
    thread: i64,
    actor: &str,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let first = tx.execute(
        "UPDATE outbox SET acknowledged_at = ?2, acknowledged_by = ?3
         WHERE id = ?1 AND acknowledged_at IS NULL",
        params![thread, codec::timestamp_text(at), actor],
    )?;
    tx.execute(
        "UPDATE outbox SET acknowledged_at = ?2, acknowledged_by = ?3
         WHERE thread = ?1 AND acknowledged_at IS NULL",
        params![thread, codec::timestamp_text(at), actor],
    )?;
    Ok(first == 1)
}

/// Moves the unacknowledged thread `thread` from `from_level` one level
/// up; false when it moved or was acknowledged meanwhile.
pub(super) fn escalate(
    tx: &Transaction<'_>,
    thread: i64,
    from_level: u32,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE outbox SET level = level + 1, level_since = ?3
         WHERE id = ?1 AND level = ?2 AND thread IS NULL AND acknowledged_at IS NULL",
        params![thread, i64::from(from_level), codec::timestamp_text(at)],
    )?;
    Ok(changed == 1)
}
