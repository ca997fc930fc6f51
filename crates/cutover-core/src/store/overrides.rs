//! The `overrides` table: the emergency brake. One row per component at
//! most: the furthest-forward mode every runner may run it at, whatever its
//! mode file says. Rows are only ever replaced by one further back, or
//! deleted when cleared.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::ModeOverride;
use crate::lifecycle::{Mode, ModeState};

/// Every active override, by component.
pub(super) fn list(connection: &Connection) -> Result<Vec<ModeOverride>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT component, mode, canary_percent, set_at, actor, reason FROM overrides ORDER BY component",
    )?;
    let rows = statement.query_map([], row)?;
    rows.map(|r| r?.into_override()).collect()
}

/// The active override of one component.
pub(super) fn get(
    connection: &Connection,
    component: &str,
) -> Result<Option<ModeOverride>, StoreError> {
    connection
        .prepare_cached(
            "SELECT component, mode, canary_percent, set_at, actor, reason FROM overrides WHERE component = ?1",
        )?
        .query_row([component], row)
        .optional()?
        .map(Row::into_override)
        .transpose()
}

/// Inserts or replaces the override of `set.component`.
pub(super) fn put(tx: &Transaction<'_>, set: &ModeOverride) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO overrides (component, mode, canary_percent, set_at, actor, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (component) DO UPDATE SET mode = ?2, canary_percent = ?3, set_at = ?4,
             actor = ?5, reason = ?6",
    )?
    .execute(params![
        set.component,
        Coded(set.state.mode),
        set.state.canary_percent,
        codec::timestamp_text(set.set_at),
        set.actor,
        set.reason
    ])?;
    Ok(())
}

/// Deletes the override of `component`; false when there was none.
pub(super) fn delete(tx: &Transaction<'_>, component: &str) -> Result<bool, StoreError> {
    let deleted = tx
        .prepare_cached("DELETE FROM overrides WHERE component = ?1")?
        .execute([component])?;
    Ok(deleted > 0)
}

/// One row as read.
struct Row {
    component: String,
    mode: Mode,
    percent: i64,
    set_at: String,
    actor: String,
    reason: Option<String>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        component: r.get(0)?,
        mode: r.get::<_, Coded<Mode>>(1)?.0,
        percent: r.get(2)?,
        set_at: r.get(3)?,
        actor: r.get(4)?,
        reason: r.get(5)?,
    })
}

impl Row {
    fn into_override(self) -> Result<ModeOverride, StoreError> {
        Ok(ModeOverride {
            component: self.component,
            state: ModeState {
                mode: self.mode,
                canary_percent: codec::percent(self.percent),
            },
            set_at: codec::timestamp(&self.set_at)?,
            actor: self.actor,
            reason: self.reason,
        })
    }
}
