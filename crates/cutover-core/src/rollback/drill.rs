//! Rollback drills: the real procedure, on a copy.
//!
//! The spec's directory (without `.cutover`, `.git`, `target` and
//! `node_modules`) and the store are copied to a scratch directory; the
//! rollback runs there against the copies; the legacy side's acceptance tests
//! of every rolled-back component run in the copy; the time the rollback
//! took is measured. The live state and preserved files are never touched —
//! only the drill's result is recorded in the live store.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;

use super::procedure::{
    RollbackContext, RollbackError, RollbackRequest, execute_rollback, plan_rollback,
};
use crate::lifecycle::{Side, Target};
use crate::spec::Migration;
use crate::store::{DrillRecord, NewEvent, Store};
use crate::testing::{TestCase, run_test};

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
}

/// Rehearses a rollback of `target` on a copy and records the result.
pub fn drill(
    live: &mut Store,
    live_context: &RollbackContext<'_>,
    request: &RollbackRequest<'_>,
) -> Result<DrillOutcome, RollbackError> {
    let (migration, base_dir, state_dir, target) = (
        live_context.migration,
        live_context.base_dir,
        live_context.state_dir,
        request.target,
    );
    let scratch = tempfile_dir()?;
    let copy = scratch.join("workspace");
    copy_tree(base_dir, &copy).map_err(|e| io_error(&copy, e))?;
    let copy_state = copy.join(".cutover");
    std::fs::create_dir_all(&copy_state).map_err(|e| io_error(&copy_state, e))?;
    live.copy_to(&copy_state.join("state.db"))?;
    let objects = state_dir.join("snapshots");
    if objects.exists() {
        copy_tree(&objects, &copy_state.join("snapshots")).map_err(|e| io_error(&objects, e))?;
    }
    let mut store = Store::open(&copy_state.join("state.db"))?;
    let context = RollbackContext {
        migration,
        base_dir: &copy,
        state_dir: &copy_state,
    };
    let request = RollbackRequest {
        reason: Some("drill"),
        ..request.clone()
    };
    let actor = request.actor;
    let started = Instant::now();
    let result = plan_rollback(&store, &context, &request)
        .and_then(|steps| execute_rollback(&mut store, &context, &request, &steps).map(|_| steps));
    let time_to_rollback_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut outcome = match result {
        Ok(steps) => DrillOutcome {
            passed: true,
            time_to_rollback_ms,
            steps: steps
                .iter()
                .map(|s| format!("{}: {} -> {}", s.component, s.from.mode, s.to.mode))
                .collect(),
            tests: Vec::new(),
            failure: None,
        },
        Err(error) => DrillOutcome {
            passed: false,
            time_to_rollback_ms,
            steps: Vec::new(),
            tests: Vec::new(),
            failure: Some(error.to_string()),
        },
    };
    if outcome.passed {
        run_legacy_tests(migration, target, &copy, &scratch, &mut outcome);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    for index in target.components() {
        let component = &migration.components[index].id;
        live.record_drill(&DrillRecord {
            component: component.clone(),
            at: crate::store::now_timestamp(),
            passed: outcome.passed,
            duration_ms: outcome.time_to_rollback_ms,
            detail: json!(outcome),
        })?;
        live.append_event(&NewEvent {
            kind: "drill".into(),
            component: Some(component.clone()),
            actor: actor.into(),
            reason: None,
            detail: json!({ "passed": outcome.passed, "time_to_rollback_ms": outcome.time_to_rollback_ms, "failure": outcome.failure }),
        })?;
    }
    Ok(outcome)
}

fn run_legacy_tests(
    migration: &Migration,
    target: &Target,
    copy: &Path,
    scratch: &Path,
    outcome: &mut DrillOutcome,
) {
    for index in target.components() {
        let component = &migration.components[index];
        for test in &component.acceptance {
            let case = TestCase {
                component: Some(component.id.clone()),
                phase: None,
                test: test.clone(),
                side: Side::Legacy,
            };
            let result = run_test(&case, copy, &scratch.join("tests"), &[]);
            if !result.passed {
                outcome.passed = false;
                outcome.failure = Some(format!(
                    "legacy acceptance test `{}` of `{}` failed: {}",
                    test.name,
                    component.id,
                    result.failure.unwrap_or_default()
                ));
            }
            outcome
                .tests
                .push((format!("{} › {}", component.id, test.name), result.passed));
        }
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf, RollbackError> {
    let path = std::env::temp_dir().join(format!("cutover-drill-{}", crate::exec::random_hex(6)));
    std::fs::create_dir_all(&path).map_err(|e| io_error(&path, e))?;
    Ok(path)
}

fn io_error(path: &Path, source: std::io::Error) -> RollbackError {
    RollbackError::Snapshot(super::snapshot::SnapshotError::Io {
        path: path.to_owned(),
        source,
    })
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_tree(&source, &target)?;
        } else if entry.file_type()?.is_file() {
            std::fs::copy(&source, &target)?;
        }
    }
    Ok(())
}
