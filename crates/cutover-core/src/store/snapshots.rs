//! The `snapshots` table: restore points and safety copies with their file
//! manifests (the contents live in the object store, by digest).

use rusqlite::{Connection, Row, Transaction, params};

use super::codec::{self, Coded};
use super::error::StoreError;
use super::types::{PreservedPath, Snapshot, SnapshotKind};
use crate::lifecycle::{Mode, ModeState};

/// Inserts a snapshot; returns its id.
pub(super) fn insert(
    tx: &Transaction<'_>,
    component: &str,
    kind: SnapshotKind,
    state: ModeState,
    files: &[PreservedPath],
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    let files = serde_json::to_string(files).map_err(StoreError::corrupt)?;
    tx.prepare_cached(
        "INSERT INTO snapshots (component, kind, mode, canary_percent, created_at, files) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        component,
        Coded(kind),
        Coded(state.mode),
        state.canary_percent,
        codec::timestamp_text(at),
        files
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Marks snapshots restored by a rollback (already consumed ones keep their time).
pub(super) fn consume(
    tx: &Transaction<'_>,
    ids: &[i64],
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let mut update = tx.prepare_cached(
        "UPDATE snapshots SET consumed_at = ?2 WHERE id = ?1 AND consumed_at IS NULL",
    )?;
    for id in ids {
        update.execute(params![id, codec::timestamp_text(at)])?;
    }
    Ok(())
}

const COLUMNS: &str = "id, component, kind, mode, canary_percent, created_at, consumed_at, files";

/// Snapshots of a component, newest first.
pub(super) fn of_component(
    connection: &Connection,
    component: &str,
) -> Result<Vec<Snapshot>, StoreError> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM snapshots WHERE component = ?1 ORDER BY id DESC"
    ))?;
    let mut rows = statement.query([component])?;
    let mut snapshots = Vec::new();
    while let Some(row) = rows.next()? {
        snapshots.push(snapshot(row)?);
    }
    Ok(snapshots)
}

/// One snapshot by id.
pub(super) fn by_id(connection: &Connection, id: i64) -> Result<Option<Snapshot>, StoreError> {
    let mut statement =
        connection.prepare_cached(&format!("SELECT {COLUMNS} FROM snapshots WHERE id = ?1"))?;
    let mut rows = statement.query([id])?;
    rows.next()?.map(snapshot).transpose()
}

fn snapshot(row: &Row<'_>) -> Result<Snapshot, StoreError> {
    let Coded(kind): Coded<SnapshotKind> = row.get(2)?;
    let Coded(mode): Coded<Mode> = row.get(3)?;
    Ok(Snapshot {
        id: row.get(0)?,
        component: row.get(1)?,
        kind,
        state: ModeState {
            mode,
            canary_percent: codec::percent(row.get(4)?),
        },
        created_at: codec::timestamp(&row.get::<_, String>(5)?)?,
        consumed_at: codec::optional_timestamp(row.get(6)?)?,
        files: serde_json::from_str(&row.get::<_, String>(7)?).map_err(StoreError::corrupt)?,
    })
}
