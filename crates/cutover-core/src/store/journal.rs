//! The `rollbacks` table: the journal of each rollback, written before
//! anything changes and updated as each step commits.

use rusqlite::{Connection, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::{JournalStatus, RollbackJournal, RollbackStep};

/// Starts a journal; returns its id.
pub(super) fn begin(
    tx: &Transaction<'_>,
    target: &str,
    actor: &str,
    reason: Option<&str>,
    steps: &[RollbackStep],
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO rollbacks (target, status, started_at, actor, reason, steps) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            target,
            Coded(JournalStatus::InProgress),
            codec::timestamp_text(at),
            actor,
            reason,
            serde_json::to_string(steps).map_err(StoreError::corrupt)?
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The steps of a journal.
pub(super) fn steps(tx: &Transaction<'_>, journal: i64) -> Result<Vec<RollbackStep>, StoreError> {
    let steps: String = tx.query_row(
        "SELECT steps FROM rollbacks WHERE id = ?1",
        [journal],
        |r| r.get(0),
    )?;
    serde_json::from_str(&steps).map_err(StoreError::corrupt)
}

/// Saves the steps; the journal is done when every step is.
pub(super) fn save_steps(
    tx: &Transaction<'_>,
    journal: i64,
    steps: &[RollbackStep],
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let status = if steps.iter().all(|s| s.done) {
        JournalStatus::Done
    } else {
        JournalStatus::InProgress
    };
    tx.execute(
        "UPDATE rollbacks SET steps = ?2, status = ?3, finished_at = ?4 WHERE id = ?1",
        params![
            journal,
            serde_json::to_string(steps).map_err(StoreError::corrupt)?,
            Coded(status),
            (status == JournalStatus::Done).then(|| codec::timestamp_text(at))
        ],
    )?;
    Ok(())
}

/// Unfinished journals, oldest first.
pub(super) fn unfinished(connection: &Connection) -> Result<Vec<RollbackJournal>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, target, status, actor, reason, steps FROM rollbacks WHERE status = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([Coded(JournalStatus::InProgress)], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get::<_, Coded<JournalStatus>>(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut journals = Vec::new();
    for row in rows {
        let (id, target, Coded(status), actor, reason, steps) = row?;
        journals.push(RollbackJournal {
            id,
            target,
            status,
            actor,
            reason,
            steps: serde_json::from_str(&steps).map_err(StoreError::corrupt)?,
        });
    }
    Ok(journals)
}
