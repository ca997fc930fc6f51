//! The `events` table in PostgreSQL: the append-only audit trail, stored
//! and decoded exactly as in `../events.rs`.

use postgres::Transaction;

use super::super::codec::{self, text};
use super::super::error::StoreError;
use super::super::events::{decode, detail_json};
use crate::event::{EventKind, EventRecord, NewEvent};

/// Appends `event` at `at` with the messages it carries; returns its id.
pub(super) fn insert(
    tx: &mut Transaction<'_>,
    event: &NewEvent,
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    let detail = detail_json(&event.event)?;
    let row = tx.query_one(
        "INSERT INTO events (at, kind, component, actor, reason, detail)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[
            &codec::timestamp_text(at),
            &text(event.event.kind()),
            &event.component,
            &event.actor,
            &event.reason,
            &detail,
        ],
    )?;
    let id: i64 = row.try_get(0)?;
    super::outbox::insert(tx, id, &event.messages, at)?;
    Ok(id)
}

/// The audit log, oldest first, optionally for one component; at most `limit` newest.
pub(super) fn list(
    tx: &mut Transaction<'_>,
    component: Option<&str>,
    limit: u32,
) -> Result<Vec<EventRecord>, StoreError> {
    let rows = tx.query(
        "SELECT id, at, kind, component, actor, reason, detail FROM events
         WHERE $1::TEXT IS NULL OR component = $1 ORDER BY id DESC LIMIT $2",
        &[&component, &i64::from(limit)],
    )?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        let kind: EventKind = codec::parse(row.try_get(2)?)?;
        events.push(EventRecord {
            id: row.try_get(0)?,
            at: codec::timestamp(row.try_get(1)?)?,
            component: row.try_get(3)?,
            actor: row.try_get(4)?,
            reason: row.try_get(5)?,
            event: decode(kind, row.try_get(6)?)?,
        });
    }
    Ok(events)
}

/// When a trigger last fired for a component.
pub(super) fn last_trigger_firing(
    tx: &mut Transaction<'_>,
    component: &str,
    trigger: &str,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    let row = tx.query_opt(
        "SELECT at FROM events WHERE component = $1 AND kind = $3
           AND (detail::jsonb) ->> 'trigger' = $2 ORDER BY id DESC LIMIT 1",
        &[&component, &trigger, &text(EventKind::TriggerFired)],
    )?;
    codec::optional_timestamp(row.map(|r| r.try_get(0)).transpose()?)
}
