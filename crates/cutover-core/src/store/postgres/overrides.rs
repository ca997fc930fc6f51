//! Overrides in PostgreSQL: the SQL of `../overrides.rs`.

use postgres::{Row, Transaction};

use super::super::codec::{self, text};
use super::super::error::StoreError;
use super::super::types::ModeOverride;
use crate::lifecycle::ModeState;

const COLUMNS: &str = "component, mode, canary_percent, set_at, actor, reason";

/// Every active override, by component.
pub(super) fn list(tx: &mut Transaction<'_>) -> Result<Vec<ModeOverride>, StoreError> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM overrides ORDER BY component"),
        &[],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// The active override of one component.
pub(super) fn get(
    tx: &mut Transaction<'_>,
    component: &str,
) -> Result<Option<ModeOverride>, StoreError> {
    tx.query_opt(
        &format!("SELECT {COLUMNS} FROM overrides WHERE component = $1"),
        &[&component],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Inserts or replaces the override of `set.component`.
pub(super) fn put(tx: &mut Transaction<'_>, set: &ModeOverride) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO overrides (component, mode, canary_percent, set_at, actor, reason)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (component) DO UPDATE SET mode = $2, canary_percent = $3, set_at = $4,
             actor = $5, reason = $6",
        &[
            &set.component,
            &text(set.state.mode),
            &i64::from(set.state.canary_percent),
            &codec::timestamp_text(set.set_at),
            &set.actor,
            &set.reason,
        ],
    )?;
    Ok(())
}

/// Deletes the override of `component`; false when there was none.
pub(super) fn delete(tx: &mut Transaction<'_>, component: &str) -> Result<bool, StoreError> {
    Ok(tx.execute("DELETE FROM overrides WHERE component = $1", &[&component])? > 0)
}

fn from_row(row: &Row) -> Result<ModeOverride, StoreError> {
    Ok(ModeOverride {
        component: row.try_get(0)?,
        state: ModeState {
            mode: codec::parse(row.try_get(1)?)?,
            canary_percent: codec::percent(row.try_get(2)?),
        },
        set_at: codec::timestamp(row.try_get(3)?)?,
        actor: row.try_get(4)?,
        reason: row.try_get(5)?,
    })
}
