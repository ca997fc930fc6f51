//! SQL of rollback: snapshots, the journal, decision points, drills.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::sqlite::{Store, StoreError, now};
use super::types::NewEvent;
use crate::lifecycle::{Mode, ModeState};

/// One preserved path in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreservedPath {
    /// Path relative to the spec's directory.
    pub path: String,
    /// `file`, `dir` or `missing`.
    pub kind: String,
    /// Content digest of a file.
    pub digest: Option<String>,
    /// Files of a directory: relative path and digest.
    #[serde(default)]
    pub entries: Vec<(String, String)>,
}

/// A snapshot: a component's mode and its preserved paths at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Id.
    pub id: i64,
    /// Component.
    pub component: String,
    /// `advance` (a restore point) or `rollback` (a safety copy taken before restoring).
    pub kind: String,
    /// The mode then.
    pub state: ModeState,
    /// When.
    pub created_at: String,
    /// When a rollback restored it.
    pub consumed_at: Option<String>,
    /// Preserved paths.
    pub files: Vec<PreservedPath>,
}

/// One step of a journaled rollback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackStep {
    /// Component.
    pub component: String,
    /// Snapshot restored (none: mode-only rollback).
    pub snapshot: Option<i64>,
    /// Mode before the rollback.
    pub from: ModeState,
    /// Mode restored.
    pub to: ModeState,
    /// Snapshot ids consumed by this step (the restored one and any later).
    pub consumes: Vec<i64>,
    /// Whether the step's final transaction committed.
    pub done: bool,
}

/// A journaled rollback.
#[derive(Debug, Clone, Serialize)]
pub struct RollbackJournal {
    /// Id.
    pub id: i64,
    /// What was asked for.
    pub target: String,
    /// `in_progress` or `done`.
    pub status: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// Steps, dependents first.
    pub steps: Vec<RollbackStep>,
}

/// An open or closed decision point.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// Id.
    pub id: i64,
    /// Component held.
    pub component: String,
    /// Trigger that opened it.
    pub trigger: String,
    /// When.
    pub opened_at: String,
    /// Evidence at the time.
    pub evidence: String,
    /// `rollback` or `continue`, once decided.
    pub decision: Option<String>,
}

/// A drill's result.
#[derive(Debug, Clone, Serialize)]
pub struct DrillRecord {
    /// Component.
    pub component: String,
    /// When.
    pub at: String,
    /// Whether the rollback and the legacy acceptance tests succeeded.
    pub passed: bool,
    /// Time to roll back, milliseconds.
    pub duration_ms: f64,
    /// Details.
    pub detail: serde_json::Value,
}

/// Inserts a snapshot row inside an open transaction; returns its id.
pub(super) fn insert_snapshot_in(
    tx: &rusqlite::Transaction<'_>,
    component: &str,
    kind: &str,
    state: ModeState,
    files: &[PreservedPath],
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO snapshots (component, kind, mode, canary_percent, created_at, files) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![component, kind, state.mode.as_str(), state.canary_percent, now(), serde_json::to_string(files).map_err(json_error)?],
    )?;
    Ok(tx.last_insert_rowid())
}

fn mode(text: &str) -> Result<Mode, StoreError> {
    text.parse::<Mode>()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn json_error(error: serde_json::Error) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

impl Store {
    /// Records a snapshot; returns its id.
    pub fn insert_snapshot(
        &mut self,
        component: &str,
        kind: &str,
        state: ModeState,
        files: &[PreservedPath],
    ) -> Result<i64, StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_snapshot_in(&tx, component, kind, state, files)?;
        tx.commit()?;
        Ok(id)
    }

    /// Snapshots of a component, newest first.
    pub fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, component, kind, mode, canary_percent, created_at, consumed_at, files FROM snapshots
             WHERE component = ?1 ORDER BY id DESC",
        )?;
        let rows = statement.query_map([component], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let mut snapshots = Vec::new();
        for row in rows {
            let (id, component, kind, mode_text, percent, created_at, consumed_at, files) = row?;
            snapshots.push(Snapshot {
                id,
                component,
                kind,
                state: ModeState {
                    mode: mode(&mode_text)?,
                    canary_percent: percent.clamp(0, 100) as u8,
                },
                created_at,
                consumed_at,
                files: serde_json::from_str(&files).map_err(json_error)?,
            });
        }
        Ok(snapshots)
    }

    /// One snapshot by id.
    pub fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        let component: Option<String> = self
            .connection
            .query_row("SELECT component FROM snapshots WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        match component {
            Some(component) => Ok(self.snapshots(&component)?.into_iter().find(|s| s.id == id)),
            None => Ok(None),
        }
    }

    /// Starts a journal; returns its id.
    pub fn begin_rollback(
        &mut self,
        target: &str,
        actor: &str,
        reason: Option<&str>,
        steps: &[RollbackStep],
    ) -> Result<i64, StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO rollbacks (target, status, started_at, actor, reason, steps) VALUES (?1, 'in_progress', ?2, ?3, ?4, ?5)",
            params![target, now(), actor, reason, serde_json::to_string(steps).map_err(json_error)?],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Unfinished journals, oldest first.
    pub fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, target, status, actor, reason, steps FROM rollbacks WHERE status = 'in_progress' ORDER BY id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut journals = Vec::new();
        for row in rows {
            let (id, target, status, actor, reason, steps) = row?;
            journals.push(RollbackJournal {
                id,
                target,
                status,
                actor,
                reason,
                steps: serde_json::from_str(&steps).map_err(json_error)?,
            });
        }
        Ok(journals)
    }

    /// Commits one step: the mode, the consumed snapshots, the event and the
    /// journal, all in one transaction — so a step is either fully done or
    /// not at all, and the journal says which.
    pub fn finish_rollback_step(
        &mut self,
        journal: i64,
        step_index: usize,
        event: &NewEvent,
    ) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let steps: String = tx.query_row(
            "SELECT steps FROM rollbacks WHERE id = ?1",
            [journal],
            |r| r.get(0),
        )?;
        let mut steps: Vec<RollbackStep> = serde_json::from_str(&steps).map_err(json_error)?;
        let Some(step) = steps.get_mut(step_index) else {
            return Err(StoreError::Corrupt(format!(
                "rollback {journal} has no step {step_index}"
            )));
        };
        if !step.done {
            let at = now();
            tx.execute(
                "INSERT INTO component_state (component, mode, canary_percent, since) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (component) DO UPDATE SET mode = ?2, canary_percent = ?3, since = ?4",
                params![step.component, step.to.mode.as_str(), step.to.canary_percent, at],
            )?;
            for id in &step.consumes {
                tx.execute(
                    "UPDATE snapshots SET consumed_at = ?2 WHERE id = ?1 AND consumed_at IS NULL",
                    params![id, at],
                )?;
            }
            tx.execute(
                "INSERT INTO events (at, kind, component, actor, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![at, event.kind, event.component, event.actor, event.reason, event.detail.to_string()],
            )?;
            step.done = true;
        }
        let all_done = steps.iter().all(|s| s.done);
        tx.execute(
            "UPDATE rollbacks SET steps = ?2, status = ?3, finished_at = CASE WHEN ?3 = 'done' THEN ?4 ELSE NULL END WHERE id = ?1",
            params![journal, serde_json::to_string(&steps).map_err(json_error)?, if all_done { "done" } else { "in_progress" }, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Opens a decision point (an escalated trigger) unless one is open for the component.
    pub fn open_decision(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
    ) -> Result<Option<i64>, StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let open: Option<i64> = tx
            .query_row(
                "SELECT id FROM decisions WHERE component = ?1 AND decided_at IS NULL",
                [component],
                |r| r.get(0),
            )
            .optional()?;
        if open.is_some() {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO decisions (component, trigger, opened_at, evidence) VALUES (?1, ?2, ?3, ?4)",
            params![component, trigger, now(), evidence],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Some(id))
    }

    /// The open decision point of a component, if any.
    pub fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT id, component, trigger, opened_at, evidence, decision FROM decisions
                 WHERE component = ?1 AND decided_at IS NULL ORDER BY id LIMIT 1",
                [component],
                |r| {
                    Ok(Decision {
                        id: r.get(0)?,
                        component: r.get(1)?,
                        trigger: r.get(2)?,
                        opened_at: r.get(3)?,
                        evidence: r.get(4)?,
                        decision: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Closes a decision point.
    pub fn decide(
        &mut self,
        id: i64,
        decision: &str,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE decisions SET decided_at = ?2, decision = ?3, actor = ?4, reason = ?5 WHERE id = ?1",
            params![id, now(), decision, actor, reason],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// When a trigger last fired for a component (from the audit log).
    pub fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row(
                "SELECT at FROM events WHERE component = ?1 AND kind = 'trigger_fired'
                   AND json_extract(detail, '$.trigger') = ?2 ORDER BY id DESC LIMIT 1",
                params![component, trigger],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records a drill.
    pub fn record_drill(&mut self, drill: &DrillRecord) -> Result<(), StoreError> {
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO drills (component, at, passed, duration_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![drill.component, drill.at, drill.passed, drill.duration_ms, drill.detail.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Drills of a component, newest first.
    pub fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT component, at, passed, duration_ms, detail FROM drills WHERE component = ?1 ORDER BY id DESC",
        )?;
        let rows = statement.query_map([component], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
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
                at,
                passed,
                duration_ms,
                detail: serde_json::from_str(&detail).map_err(json_error)?,
            });
        }
        Ok(drills)
    }

    /// Copies the whole database to `path` (a consistent snapshot, for drills).
    pub fn copy_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        self.connection
            .execute("VACUUM INTO ?1", [path.display().to_string()])?;
        Ok(())
    }
}
