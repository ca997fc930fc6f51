//! The `events` table: the append-only audit trail. The only code that
//! writes an event, and the only code that turns a row back into one.
//!
//! A row holds the event's kind (its storage spelling, see `codec.rs`) and
//! its typed detail as JSON; reading joins them back into an [`Event`].

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::codec::{self, Coded, LEGACY_EVENT_KINDS};
use super::error::StoreError;
use crate::event::{Event, EventKind, EventRecord, NewEvent};

/// Appends `event` at `at` inside `tx`, with the messages it carries (in
/// the same transaction: never an event without its messages, nor a
/// message without its event); returns its id.
pub(super) fn insert(
    tx: &Transaction<'_>,
    event: &NewEvent,
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    let detail = detail_json(&event.event)?;
    tx.prepare_cached(
        "INSERT INTO events (at, kind, component, actor, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        codec::timestamp_text(at),
        Coded(event.event.kind()),
        event.component,
        event.actor,
        event.reason,
        detail
    ])?;
    let id = tx.last_insert_rowid();
    super::outbox::insert(tx, id, &event.messages, at)?;
    Ok(id)
}

/// The typed detail of an event, as stored.
pub(super) fn detail_json(event: &Event) -> Result<String, StoreError> {
    let mut tagged = serde_json::to_value(event).map_err(StoreError::corrupt)?;
    let detail = tagged
        .get_mut("detail")
        .map(serde_json::Value::take)
        .unwrap_or_else(|| serde_json::json!({}));
    Ok(detail.to_string())
}

/// The audit log, oldest first, optionally for one component; at most `limit` newest.
pub(super) fn list(
    connection: &Connection,
    component: Option<&str>,
    limit: u32,
) -> Result<Vec<EventRecord>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, at, kind, component, actor, reason, detail FROM events
         WHERE ?1 IS NULL OR component = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![component, limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Coded<EventKind>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (id, at, Coded(kind), component, actor, reason, detail) = row?;
        events.push(EventRecord {
            id,
            at: codec::timestamp(&at)?,
            component,
            actor,
            reason,
            event: decode(kind, &detail)?,
        });
    }
    events.reverse();
    Ok(events)
}

/// Joins a stored kind and detail back into an [`Event`].
pub(super) fn decode(kind: EventKind, detail: &str) -> Result<Event, StoreError> {
    let detail: serde_json::Value = serde_json::from_str(detail).map_err(StoreError::corrupt)?;
    let tagged = serde_json::json!({ "kind": kind, "detail": detail });
    serde_json::from_value(tagged)
        .map_err(|e| StoreError::Corrupt(format!("event of kind `{}`: {e}", codec::text(kind))))
}

/// When a trigger last fired for a component.
pub(super) fn last_trigger_firing(
    connection: &Connection,
    component: &str,
    trigger: &str,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    let at: Option<String> = connection
        .prepare_cached(
            "SELECT at FROM events WHERE component = ?1 AND kind = ?3
               AND json_extract(detail, '$.trigger') = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(
            params![component, trigger, Coded(EventKind::TriggerFired)],
            |r| r.get(0),
        )
        .optional()?;
    codec::optional_timestamp(at)
}

/// Schema 4: events recorded under the kinds of versions 1–3 take their
/// typed names. The only rewrite the append-only log ever gets: its update
/// trigger is lifted for it and restored in the same transaction.
pub(super) fn rename_legacy_kinds(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch("DROP TRIGGER events_are_append_only_update;")?;
    for (old, kind) in LEGACY_EVENT_KINDS {
        tx.execute(
            "UPDATE events SET kind = ?2 WHERE kind = ?1",
            params![old, Coded(*kind)],
        )?;
    }
    tx.execute_batch(
        "CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
             BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
    )?;
    Ok(())
}
