//! The `decisions` table: decision points opened by escalated triggers.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::Decision;
use crate::event::DecisionOutcome;

/// The open decision point of a component, if any.
pub(super) fn open_for(
    connection: &Connection,
    component: &str,
) -> Result<Option<Decision>, StoreError> {
    let row = connection
        .prepare_cached(
            "SELECT id, component, trigger, opened_at, evidence, decision FROM decisions
             WHERE component = ?1 AND decided_at IS NULL ORDER BY id LIMIT 1",
        )?
        .query_row([component], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
                r.get(4)?,
                r.get::<_, Option<Coded<DecisionOutcome>>>(5)?,
            ))
        })
        .optional()?;
    let Some((id, component, trigger, opened_at, evidence, decision)) = row else {
        return Ok(None);
    };
    Ok(Some(Decision {
        id,
        component,
        trigger,
        opened_at: codec::timestamp(&opened_at)?,
        evidence,
        decision: decision.map(|c| c.0),
    }))
}

/// Opens a decision point; returns its id.
pub(super) fn open(
    tx: &Transaction<'_>,
    component: &str,
    trigger: &str,
    evidence: &str,
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO decisions (component, trigger, opened_at, evidence) VALUES (?1, ?2, ?3, ?4)",
        params![component, trigger, codec::timestamp_text(at), evidence],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Closes a decision point.
pub(super) fn close(
    tx: &Transaction<'_>,
    id: i64,
    outcome: DecisionOutcome,
    actor: &str,
    reason: Option<&str>,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE decisions SET decided_at = ?2, decision = ?3, actor = ?4, reason = ?5 WHERE id = ?1",
        params![id, codec::timestamp_text(at), Coded(outcome), actor, reason],
    )?;
    Ok(())
}
