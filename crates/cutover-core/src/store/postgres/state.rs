//! Modes, snapshots and rollback journals in PostgreSQL: the SQL of
//! `../modes.rs`, `../snapshots.rs` and `../journal.rs`.

use postgres::{Row, Transaction};

use super::super::codec::{self, text};
use super::super::error::StoreError;
use super::super::types::{
    JournalStatus, ModeRecord, PreservedPath, RollbackJournal, RollbackStep, Snapshot, SnapshotKind,
};
use crate::lifecycle::ModeState;

/// The mode of one component (legacy if never changed).
pub(super) fn mode(tx: &mut Transaction<'_>, component: &str) -> Result<ModeRecord, StoreError> {
    let row = tx.query_opt(
        "SELECT mode, canary_percent, since, sources_digest FROM component_state WHERE component = $1",
        &[&component],
    )?;
    let Some(row) = row else {
        return Ok(ModeRecord {
            state: ModeState::default(),
            since: None,
            sources_digest: None,
        });
    };
    Ok(ModeRecord {
        state: ModeState {
            mode: codec::parse(row.try_get(0)?)?,
            canary_percent: codec::percent(row.try_get(1)?),
        },
        since: Some(codec::timestamp(row.try_get(2)?)?),
        sources_digest: row.try_get(3)?,
    })
}

/// Sets a component's mode as of `at`; a `sources_digest` replaces the
/// recorded one, `None` keeps it.
pub(super) fn write_mode(
    tx: &mut Transaction<'_>,
    component: &str,
    state: ModeState,
    at: jiff::Timestamp,
    sources_digest: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO component_state (component, mode, canary_percent, since, sources_digest)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (component) DO UPDATE SET mode = $2, canary_percent = $3, since = $4,
             sources_digest = COALESCE($5, component_state.sources_digest)",
        &[
            &component,
            &text(state.mode),
            &i64::from(state.canary_percent),
            &codec::timestamp_text(at),
            &sources_digest,
        ],
    )?;
    Ok(())
}

/// Replaces the recorded digest of a component's legacy definition; false
/// when it has no state yet.
pub(super) fn set_sources_digest(
    tx: &mut Transaction<'_>,
    component: &str,
    digest: &str,
) -> Result<bool, StoreError> {
    let changed = tx.execute(
        "UPDATE component_state SET sources_digest = $2 WHERE component = $1",
        &[&component, &digest],
    )?;
    Ok(changed > 0)
}

/// Inserts a snapshot; returns its id.
pub(super) fn insert_snapshot(
    tx: &mut Transaction<'_>,
    component: &str,
    kind: SnapshotKind,
    state: ModeState,
    files: &[PreservedPath],
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    let files = serde_json::to_string(files).map_err(StoreError::corrupt)?;
    let row = tx.query_one(
        "INSERT INTO snapshots (component, kind, mode, canary_percent, created_at, files)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[
            &component,
            &text(kind),
            &text(state.mode),
            &i64::from(state.canary_percent),
            &codec::timestamp_text(at),
            &files,
        ],
    )?;
    Ok(row.try_get(0)?)
}

/// Marks snapshots restored by a rollback (already consumed ones keep their time).
pub(super) fn consume_snapshots(
    tx: &mut Transaction<'_>,
    ids: &[i64],
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    for id in ids {
        tx.execute(
            "UPDATE snapshots SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL",
            &[id, &codec::timestamp_text(at)],
        )?;
    }
    Ok(())
}

const SNAPSHOT_COLUMNS: &str =
    "id, component, kind, mode, canary_percent, created_at, consumed_at, files";

/// Snapshots of a component, newest first.
pub(super) fn snapshots_of(
    tx: &mut Transaction<'_>,
    component: &str,
) -> Result<Vec<Snapshot>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE component = $1 ORDER BY id DESC"),
        &[&component],
    )?;
    rows.iter().map(snapshot).collect()
}

/// One snapshot by id.
pub(super) fn snapshot_by_id(
    tx: &mut Transaction<'_>,
    id: i64,
) -> Result<Option<Snapshot>, StoreError> {
    let row = tx.query_opt(
        &format!("SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE id = $1"),
        &[&id],
    )?;
    row.as_ref().map(snapshot).transpose()
}

fn snapshot(row: &Row) -> Result<Snapshot, StoreError> {
    Ok(Snapshot {
        id: row.try_get(0)?,
        component: row.try_get(1)?,
        kind: codec::parse(row.try_get(2)?)?,
        state: ModeState {
            mode: codec::parse(row.try_get(3)?)?,
            canary_percent: codec::percent(row.try_get(4)?),
        },
        created_at: codec::timestamp(row.try_get(5)?)?,
        consumed_at: codec::optional_timestamp(row.try_get(6)?)?,
        files: serde_json::from_str(row.try_get(7)?).map_err(StoreError::corrupt)?,
    })
}

/// Starts a rollback journal; returns its id.
pub(super) fn begin_journal(
    tx: &mut Transaction<'_>,
    target: &str,
    actor: &str,
    reason: Option<&str>,
    steps: &[RollbackStep],
    at: jiff::Timestamp,
) -> Result<i64, StoreError> {
    let steps = serde_json::to_string(steps).map_err(StoreError::corrupt)?;
    let row = tx.query_one(
        "INSERT INTO rollbacks (target, status, started_at, actor, reason, steps)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[
            &target,
            &text(JournalStatus::InProgress),
            &codec::timestamp_text(at),
            &actor,
            &reason,
            &steps,
        ],
    )?;
    Ok(row.try_get(0)?)
}

/// The steps of a journal.
pub(super) fn journal_steps(
    tx: &mut Transaction<'_>,
    journal: i64,
) -> Result<Vec<RollbackStep>, StoreError> {
    let row = tx.query_one("SELECT steps FROM rollbacks WHERE id = $1", &[&journal])?;
    serde_json::from_str(row.try_get(0)?).map_err(StoreError::corrupt)
}

/// Saves the steps; the journal is done when every step is.
pub(super) fn save_journal_steps(
    tx: &mut Transaction<'_>,
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
        "UPDATE rollbacks SET steps = $2, status = $3, finished_at = $4 WHERE id = $1",
        &[
            &journal,
            &serde_json::to_string(steps).map_err(StoreError::corrupt)?,
            &text(status),
            &(status == JournalStatus::Done).then(|| codec::timestamp_text(at)),
        ],
    )?;
    Ok(())
}

/// Unfinished journals, oldest first.
pub(super) fn unfinished_journals(
    tx: &mut Transaction<'_>,
) -> Result<Vec<RollbackJournal>, StoreError> {
    let rows = tx.query(
        "SELECT id, target, status, actor, reason, steps FROM rollbacks WHERE status = $1 ORDER BY id",
        &[&text(JournalStatus::InProgress)],
    )?;
    rows.iter()
        .map(|row| {
            Ok(RollbackJournal {
                id: row.try_get(0)?,
                target: row.try_get(1)?,
                status: codec::parse(row.try_get(2)?)?,
                actor: row.try_get(3)?,
                reason: row.try_get(4)?,
                steps: serde_json::from_str(row.try_get(5)?).map_err(StoreError::corrupt)?,
            })
        })
        .collect()
}
