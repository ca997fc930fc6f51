//! The `outbox` table in PostgreSQL: the twin of `../outbox.rs`, decoding
//! rows through the same [`OutboxRow`].

use postgres::Transaction;

use super::super::codec::{self, text};
use super::super::error::StoreError;
use super::super::outbox::{COLUMNS, OutboxRow, attempt_columns, encode, thread_of};
use super::super::outbox_types::{DeliveryAttempt, MessageStatus, OutboxFilter, OutboxMessage};
use crate::event::NewMessage;

/// Writes the messages of the event `event_id`, due at once.
pub(super) fn insert(
    tx: &mut Transaction<'_>,
    event_id: i64,
    messages: &[NewMessage],
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let now = codec::timestamp_text(at);
    let mut root = None;
    for message in messages {
        let encoded = encode(message)?;
        let thread = thread_of(message, root);
        let row = tx.query_one(
            "INSERT INTO outbox (event_id, idempotency_key, kind, channel, audience, recipients,
                 addresses, subject, body, actions, needs_ack, thread, level, level_since,
                 created_at, status, attempts, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, 0, $14)
             RETURNING id",
            &[
                &event_id,
                &message.key,
                &text(message.kind),
                &message.channel,
                &message.group,
                &encoded.recipients,
                &encoded.addresses,
                &message.subject,
                &message.body,
                &encoded.actions,
                &i64::from(message.needs_ack),
                &thread,
                &i64::from(message.level),
                &now,
                &text(MessageStatus::Pending),
            ],
        )?;
        if message.needs_ack && thread.is_none() {
            root = Some(row.try_get(0)?);
        }
    }
    Ok(())
}

/// The messages matching `filter`, oldest first (the newest `limit`).
pub(super) fn list(
    tx: &mut Transaction<'_>,
    filter: &OutboxFilter,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE ($1::TEXT IS NULL OR status = $1)
           AND (NOT $2 OR (needs_ack = 1 AND thread IS NULL AND acknowledged_at IS NULL))
           AND ($3::TEXT IS NULL OR left(idempotency_key, length($3)) = $3)
           AND ($4::BIGINT IS NULL OR id = $4)
         ORDER BY id DESC LIMIT $5"
    );
    let limit = (filter.limit > 0).then(|| i64::from(filter.limit));
    let rows = tx.query(
        &sql,
        &[
            &filter.status.map(text),
            &filter.awaiting_ack,
            &filter.key,
            &filter.id,
            &limit,
        ],
    )?;
    let mut messages = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        messages.push(decode(row)?);
    }
    Ok(messages)
}

fn decode(r: &postgres::Row) -> Result<OutboxMessage, StoreError> {
    OutboxRow {
        id: r.try_get(0)?,
        event_id: r.try_get(1)?,
        key: r.try_get(2)?,
        kind: r.try_get(3)?,
        channel: r.try_get(4)?,
        audience: r.try_get(5)?,
        recipients: r.try_get(6)?,
        addresses: r.try_get(7)?,
        subject: r.try_get(8)?,
        body: r.try_get(9)?,
        actions: r.try_get(10)?,
        needs_ack: r.try_get(11)?,
        thread: r.try_get(12)?,
        level: r.try_get(13)?,
        level_since: r.try_get(14)?,
        created_at: r.try_get(15)?,
        status: r.try_get(16)?,
        attempts: r.try_get(17)?,
        next_attempt_at: r.try_get(18)?,
        last_error: r.try_get(19)?,
        sent_at: r.try_get(20)?,
        acknowledged_at: r.try_get(21)?,
        acknowledged_by: r.try_get(22)?,
    }
    .decode()
}

/// Claims a pending message for one delivery (see the SQLite twin).
pub(super) fn claim_delivery(
    tx: &mut Transaction<'_>,
    id: i64,
    seen: jiff::Timestamp,
    until: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE outbox SET next_attempt_at = $3
         WHERE id = $1 AND status = $4 AND next_attempt_at = $2",
        &[
            &id,
            &codec::timestamp_text(seen),
            &codec::timestamp_text(until),
            &text(MessageStatus::Pending),
        ],
    )?;
    Ok(changed == 1)
}

/// Records a delivery attempt of a pending message; false when it was no
/// longer pending.
pub(super) fn record_delivery(
    tx: &mut Transaction<'_>,
    id: i64,
    attempt: &DeliveryAttempt,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let columns = attempt_columns(attempt, at);
    let changed = tx.execute(
        "UPDATE outbox SET status = $2, attempts = attempts + $7,
             next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4,
             sent_at = COALESCE($5, sent_at)
         WHERE id = $1 AND status = $6",
        &[
            &id,
            &text(columns.status),
            &columns.next_attempt,
            &columns.error,
            &columns.sent_at,
            &text(MessageStatus::Pending),
            &columns.counted,
        ],
    )?;
    Ok(changed == 1)
}

/// Acknowledges the thread `thread`; false when it was already acknowledged.
pub(super) fn acknowledge(
    tx: &mut Transaction<'_>,
    thread: i64,
    actor: &str,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let now = codec::timestamp_text(at);
    let first = tx.execute(
        "UPDATE outbox SET acknowledged_at = $2, acknowledged_by = $3
         WHERE id = $1 AND acknowledged_at IS NULL",
        &[&thread, &now, &actor],
    )?;
    tx.execute(
        "UPDATE outbox SET acknowledged_at = $2, acknowledged_by = $3
         WHERE thread = $1 AND acknowledged_at IS NULL",
        &[&thread, &now, &actor],
    )?;
    Ok(first == 1)
}

/// Moves the unacknowledged thread `thread` from `from_level` one level up;
/// false when it moved or was acknowledged meanwhile.
pub(super) fn escalate(
    tx: &mut Transaction<'_>,
    thread: i64,
    from_level: u32,
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE outbox SET level = level + 1, level_since = $3
         WHERE id = $1 AND level = $2 AND thread IS NULL AND acknowledged_at IS NULL",
        &[&thread, &i64::from(from_level), &codec::timestamp_text(at)],
    )?;
    Ok(changed == 1)
}
