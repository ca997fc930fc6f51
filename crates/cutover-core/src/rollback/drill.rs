//! Rollback drills: the real procedure, on a copy.
//!
//! The spec's directory (without `.cutover`, `.git`, `target` and
//! `node_modules`) and the store are copied to a scratch directory (removed
//! on every path, by `tempfile`); the rollback runs there against the
//! copies; the legacy side's acceptance tests of every rolled-back component
//! run in the copy; the time the rollback took is measured. The live state
//! and preserved files are never touched — only the drill's result and its
//! event are recorded in the live store.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;

use super::procedure::{RollbackError, RollbackRequest, execute_rollback, plan_rollback};
use crate::event::{Event, NewEvent};
use crate::exec::secret_values;
use crate::fs::copy_tree;
use crate::lifecycle::{Side, Target};
use crate::snapshot::SnapshotError;
use crate::spec::Migration;
use crate::store::{DrillRecord, StoreLocation};
use crate::testing::{TestCase, run_test};
use crate::workspace::Workspace;

const SKIPPED: [&str; 4] = [".cutover", ".git", "target", "node_modules"];

/// A drill's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct DrillOutcome {
    /// Whether the rollback and every legacy acceptance test succeeded.
    pub passed: bool,
    /// Time the rollback took on the copy, milliseconds.
    pub time_to_rollback_ms: f64,
    /// Steps performed (component: from -> to).
    pub steps: Vec<String>,
    /// Legacy acceptance tests: name and whether they passed.
    pub tests: Vec<(String, bool)>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Set when the target had nothing to roll back (every component in
    /// legacy mode): nothing was rehearsed and nothing recorded, so the
    /// drill record is unchanged. Says why.
    pub nothing_to_drill: Option<String>,
}

/// Rehearses a rollback of `request.target` on a copy and records the result.
pub fn drill(
    live: &mut Workspace,
    request: &RollbackRequest<'_>,
) -> Result<DrillOutcome, RollbackError> {
    let scratch = tempfile::Builder::new()
        .prefix("cutover-drill-")
        .tempdir()
        .map_err(|e| io_error(&std::env::temp_dir(), e))?;
    let request = RollbackRequest {
        reason: Some("drill"),
        ..request.clone()
    };
    if let Err(error @ RollbackError::NothingToRollBack(_)) = plan_rollback(live, &request) {
        return Ok(DrillOutcome {
            passed: false,
            time_to_rollback_ms: 0.0,
            steps: Vec::new(),
            tests: Vec::new(),
            failure: None,
            nothing_to_drill: Some(error.to_string()),
        });
    }
    let mut copy = copy_workspace(live, scratch.path())?;
    let started = Instant::now();
    let result = plan_rollback(&copy, &request)
        .and_then(|steps| execute_rollback(&mut copy, &request, &steps).map(|_| steps));
    let time_to_rollback_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut outcome = DrillOutcome {
        passed: result.is_ok(),
        time_to_rollback_ms,
        steps: Vec::new(),
        tests: Vec::new(),
        failure: None,
        nothing_to_drill: None,
    };
    match result {
        Ok(steps) => {
            outcome.steps = steps
                .iter()
                .map(|s| format!("{}: {} -> {}", s.component, s.from.mode, s.to.mode))
                .collect();
            let tests = scratch.path().join("tests");
            run_legacy_tests(
                &live.migration,
                request.target,
                &copy.base_dir,
                &tests,
                &mut outcome,
            );
        }
        Err(error) => outcome.failure = Some(error.to_string()),
    }
    drop(copy);
    scratch
        .close()
        .map_err(|e| io_error(&std::env::temp_dir(), e))?;
    record(live, request.target, request.actor, &outcome)?;
    Ok(outcome)
}

/// Copies the spec's directory, the store and the snapshot objects under `scratch`.
fn copy_workspace(live: &Workspace, scratch: &Path) -> Result<Workspace, RollbackError> {
    let copy = scratch.join("workspace");
    copy_tree(&live.base_dir, &copy, &SKIPPED).map_err(|e| io_error(&copy, e))?;
    let copy_state = copy.join(".cutover");
    std::fs::create_dir_all(&copy_state).map_err(|e| io_error(&copy_state, e))?;
    live.store.copy_to(&copy_state.join("state.db"))?;
    let objects = live.state_dir.join("snapshots");
    if objects.exists() {
        copy_tree(&objects, &copy_state.join("snapshots"), &[])
            .map_err(|e| io_error(&objects, e))?;
    }
    Ok(Workspace::open(
        live.migration.clone(),
        copy,
        &StoreLocation::File(copy_state.join("state.db")),
    )?)
}

/// Records the drill and its event for every component of the target.
fn record(
    live: &mut Workspace,
    target: &Target,
    actor: &str,
    outcome: &DrillOutcome,
) -> Result<(), RollbackError> {
    for component in target.components() {
        let id = live.spec(component).id.clone();
        let drill = DrillRecord {
            component: id.clone(),
            at: jiff::Timestamp::now(),
            passed: outcome.passed,
            duration_ms: outcome.time_to_rollback_ms,
            detail: json!(outcome),
        };
        let event = NewEvent {
            component: Some(id),
            actor: actor.into(),
            reason: None,
            event: Event::DrillFinished {
                passed: outcome.passed,
                time_to_rollback_ms: outcome.time_to_rollback_ms,
                failure: outcome.failure.clone(),
            },
            messages: Vec::new(),
        };
        live.store.record_drill(&drill, &event)?;
    }
    Ok(())
}

fn run_legacy_tests(
    migration: &Migration,
    target: &Target,
    copy: &Path,
    work_dir: &Path,
    outcome: &mut DrillOutcome,
) {
    for reference in target.components() {
        let component = migration.component(reference);
        for test in &component.acceptance {
            let case = TestCase {
                component: Some(component.id.clone()),
                phase: None,
                test: test.clone(),
                side: Side::Legacy,
            };
            let result = run_test(&case, copy, work_dir, &secret_values(&migration.components));
            if !result.passed {
                outcome.passed = false;
                outcome.failure = Some(format!(
                    "legacy acceptance test `{}` of `{}` failed: {}",
                    test.name,
                    component.id,
                    result.failure.as_deref().unwrap_or("no detail")
                ));
            }
            outcome
                .tests
                .push((format!("{} › {}", component.id, test.name), result.passed));
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> RollbackError {
    RollbackError::Snapshot(SnapshotError::Io {
        path: path.to_owned(),
        source,
    })
}
