//! The `drills` table: results of rollback drills.

use rusqlite::{Connection, Transaction, params};

use super::codec;
use super::error::StoreError;
use super::types::DrillRecord;

/// Records a drill.
pub(super) fn insert(tx: &Transaction<'_>, drill: &DrillRecord) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO drills (component, at, passed, duration_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            drill.component,
            codec::timestamp_text(drill.at),
            drill.passed,
            drill.duration_ms,
            drill.detail.to_string()
        ],
    )?;
    Ok(())
}

/// Drills of a component, newest first.
pub(super) fn of_component(
    connection: &Connection,
    component: &str,
) -> Result<Vec<DrillRecord>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT component, at, passed, duration_ms, detail FROM drills WHERE component = ?1 ORDER BY id DESC",
    )?;
    let rows = statement.query_map([component], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, String>(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut drills = Vec::new();
    for row in rows {
        let (component, at, passed, duration_ms, detail) = row?;
        drills.push(DrillRecord {
            component,
            at: codec::timestamp(&at)?,
            passed,
            duration_ms,
            detail: serde_json::from_str(&detail).map_err(StoreError::corrupt)?,
        });
    }
    Ok(drills)
}
