//! The rollback procedure, journaled.
//!
//! 1. Plan: for each component of the target, dependents first, the restore
//!    point to go back to (the latest unconsumed advance snapshot, or the one
//!    taken when leaving `--to MODE`). Components outside the target that
//!    depend on it and are further along block the rollback unless
//!    `--cascade` adds them (rolled back first).
//! 2. Journal: the plan is written to the store before anything changes.
//! 3. Per step: an override in the store (the emergency brake every runner
//!    obeys, see [`crate::modes`]), a safety snapshot of the current files (so edits made since
//!    are never lost), the preserved files restored (each atomically),
//!    verified by digest, then one transaction sets the mode, consumes the
//!    snapshots, appends the event and marks the step done.
//! 4. A crash anywhere leaves the journal `in_progress`; the next rollback
//!    (or `--resume`) redoes the unfinished steps — restoring is idempotent —
//!    and reaches the same final state. Modes change only in step commits,
//!    so the store never shows a half-restored step as done.

use crate::event::{Event, NewEvent, StepRecord};
use crate::failpoint::failpoint;
use crate::graph::DependencyGraph;
use crate::lifecycle::{Direction, Mode, ModeState, Target, TransitionRequest, check_transition};
use crate::snapshot::{SnapshotError, preserved_paths, restore, take_snapshot, verify};
use crate::spec::ComponentRef;
use crate::store::{ModeOverride, RollbackStep, SnapshotKind, StoreError};
use crate::workspace::Workspace;

/// What was asked for.
#[derive(Debug, Clone)]
pub struct RollbackRequest<'a> {
    /// Name of the target, for the journal and messages.
    pub name: &'a str,
    /// Components of the target.
    pub target: &'a Target,
    /// Mode to return to (default: the previous restore point).
    pub to: Option<Mode>,
    /// Also roll back advanced dependents outside the target.
    pub cascade: bool,
    /// Who.
    pub actor: &'a str,
    /// Why.
    pub reason: Option<&'a str>,
    /// Restore preserved paths even when someone edited them since their
    /// snapshot was taken; the edit is kept in the safety snapshot either way.
    pub overwrite: bool,
}

/// Why a rollback is refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    /// A retired component cannot go back.
    #[error("`{0}` is retired: its legacy implementation is gone, so it cannot be rolled back")]
    Retired(String),
    /// Nothing to go back to.
    #[error("{} in legacy mode: there is nothing to roll back", if .0.starts_with("every ") { format!("{} is", .0) } else { format!("`{}` is", .0) })]
    NothingToRollBack(String),
    /// No restore point for the requested mode.
    #[error(
        "`{component}` has no restore point in {mode} mode (it never left {mode}, or a rollback already consumed it)"
    )]
    NoRestorePoint {
        /// Component.
        component: String,
        /// Requested mode.
        mode: Mode,
    },
    /// Dependents outside the target are further along.
    #[error("rolling back `{target}` would leave dependents ahead of it: {}", list.join(", "))]
    Cascade {
        /// Target.
        target: String,
        /// `dependent (mode) depends on component`.
        list: Vec<String>,
    },
    /// A rule refused the move.
    #[error(transparent)]
    Transition(#[from] crate::lifecycle::TransitionError),
    /// Restored files do not match their digests.
    #[error("restored files of `{component}` do not match the snapshot: {}", paths.join(", "))]
    Verify {
        /// Component.
        component: String,
        /// Paths that differ.
        paths: Vec<String>,
    },
    /// Preserved paths were edited since the snapshot a rollback would
    /// restore; restoring would take the edit out of the working tree.
    #[error(
        "preserved paths of `{component}` were changed since snapshot {snapshot} was taken: {}\n{shown}",
        paths.join(", ")
    )]
    EditedSince {
        /// Component.
        component: String,
        /// The snapshot the rollback would restore.
        snapshot: i64,
        /// Paths whose content differs from it.
        paths: Vec<String>,
        /// What changed, as diffs (snapshot → now) of text files.
        shown: String,
    },
    /// A rollback is unfinished.
    #[error(
        "an interrupted rollback of `{0}` is unfinished; run `cutover rollback --resume` first"
    )]
    Unfinished(String),
    /// Snapshot I/O.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mode file is invalid (a drill's copy could not be opened).
    #[error(transparent)]
    ModeFile(#[from] crate::mode_file::ModeFileError),
    /// The mode file could not be written after the rollback.
    #[error(transparent)]
    ModeWrite(#[from] crate::workspace::ModeWriteError),
}

impl From<crate::workspace::WorkspaceError> for RollbackError {
    fn from(error: crate::workspace::WorkspaceError) -> Self {
        match error {
            crate::workspace::WorkspaceError::Store(e) => RollbackError::Store(e),
            crate::workspace::WorkspaceError::ModeFile(e) => RollbackError::ModeFile(e),
        }
    }
}

/// Plans the steps of a rollback, dependents first.
pub fn plan_rollback(
    workspace: &Workspace,
    request: &RollbackRequest<'_>,
) -> Result<Vec<RollbackStep>, RollbackError> {
    let migration = &workspace.migration;
    let graph = migration.dependency_graph();
    // The spec was validated acyclic; an order is always found.
    let order = graph.topological_order().unwrap_or_default();
    let position = |c: usize| order.iter().position(|x| *x == c).unwrap_or(0);
    let mut members: Vec<usize> = request
        .target
        .components()
        .into_iter()
        .map(ComponentRef::index)
        .collect();
    members.sort_by_key(|&c| std::cmp::Reverse(position(c)));
    if let Target::Phase(number, _) = request.target {
        members = moved_members(workspace, &members, *number)?;
    }
    let mut steps = Vec::new();
    for &c in &members {
        steps.push(step_for(workspace, c, request.to)?);
    }
    let blocking = blocking_dependents(workspace, &graph, &members, &steps)?;
    if blocking.is_empty() {
        return Ok(steps);
    }
    if !request.cascade {
        let list = blocking
            .iter()
            .map(|(d, mode, on)| {
                format!(
                    "`{}` ({mode}) depends on `{}`",
                    migration.components[*d].id, migration.components[*on].id
                )
            })
            .collect();
        return Err(RollbackError::Cascade {
            target: request.name.to_owned(),
            list,
        });
    }
    let mut extra: Vec<usize> = blocking.iter().map(|(d, _, _)| *d).collect();
    extra.sort_by_key(|&c| std::cmp::Reverse(position(c)));
    extra.dedup();
    let mut cascade = Vec::new();
    for c in extra {
        cascade.push(step_for(workspace, c, None)?);
    }
    cascade.extend(steps);
    Ok(cascade)
}

/// A phase rolls back what moved; members still in legacy have nothing to undo.
fn moved_members(
    workspace: &Workspace,
    members: &[usize],
    number: u32,
) -> Result<Vec<usize>, RollbackError> {
    let mut moved = Vec::with_capacity(members.len());
    for &c in members {
        let id = &workspace.migration.components[c].id;
        if workspace.mode(id)?.state.mode != Mode::Legacy {
            moved.push(c);
        }
    }
    if moved.is_empty() {
        return Err(RollbackError::NothingToRollBack(format!(
            "every component of phase {number}"
        )));
    }
    Ok(moved)
}

/// Dependents outside the target whose mode is later than what the target returns to.
fn blocking_dependents(
    workspace: &Workspace,
    graph: &DependencyGraph,
    members: &[usize],
    steps: &[RollbackStep],
) -> Result<Vec<(usize, Mode, usize)>, StoreError> {
    let mut blocking = Vec::new();
    for (&c, step) in members.iter().zip(steps) {
        let mut stack: Vec<usize> = graph.dependents(c).to_vec();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(d) = stack.pop() {
            if members.contains(&d) || !seen.insert(d) {
                continue;
            }
            let mode = workspace
                .mode(&workspace.migration.components[d].id)?
                .state
                .mode;
            if mode > step.to.mode {
                blocking.push((d, mode, c));
            }
            stack.extend_from_slice(graph.dependents(d));
        }
    }
    Ok(blocking)
}

fn step_for(
    workspace: &Workspace,
    c: usize,
    to: Option<Mode>,
) -> Result<RollbackStep, RollbackError> {
    let (migration, store) = (&workspace.migration, &workspace.store);
    let component = &migration.components[c];
    let current = workspace.mode(&component.id)?.state;
    match current.mode {
        Mode::Retired => return Err(RollbackError::Retired(component.id.clone())),
        Mode::Legacy => return Err(RollbackError::NothingToRollBack(component.id.clone())),
        _ => {}
    }
    refuse_forward(&component.id, current, to)?;
    let restore_points: Vec<_> = store
        .snapshots(&component.id)?
        .into_iter()
        .filter(|s| s.kind == SnapshotKind::RestorePoint && s.consumed_at.is_none())
        .collect();
    let chosen = match to {
        None => restore_points.first().map(|s| s.id),
        Some(mode) => restore_points
            .iter()
            .find(|s| s.state.mode == mode)
            .map(|s| s.id),
    };
    let (snapshot, target_state, consumes) = match chosen {
        Some(id) => {
            let state = restore_points
                .iter()
                .find(|s| s.id == id)
                .map_or(current, |s| s.state);
            let consumes = restore_points
                .iter()
                .filter(|s| s.id >= id)
                .map(|s| s.id)
                .collect();
            (Some(id), state, consumes)
        }
        None if to.is_some() => {
            return Err(RollbackError::NoRestorePoint {
                component: component.id.clone(),
                mode: to.unwrap_or(Mode::Legacy),
            });
        }
        // No restore point at all (advanced before snapshots existed): mode only.
        None => (
            None,
            ModeState {
                mode: previous_mode(current.mode),
                canary_percent: if current.mode == Mode::Dagger { 100 } else { 0 },
            },
            Vec::new(),
        ),
    };
    let request = TransitionRequest {
        direction: Direction::Rollback,
        to: target_state.mode,
        percent: (target_state.mode == Mode::Canary).then_some(target_state.canary_percent.max(1)),
        force: false,
    };
    check_transition(&component.id, current, request, false, [true, true])?;
    Ok(RollbackStep {
        component: component.id.clone(),
        snapshot,
        from: current,
        to: target_state,
        consumes,
        done: false,
    })
}

/// A rollback (and the override it sets) only ever moves toward legacy: a
/// `--to` at or after the current mode is refused before any restore point
/// is looked for (a lower canary share stays possible).
fn refuse_forward(
    component: &str,
    current: ModeState,
    to: Option<Mode>,
) -> Result<(), RollbackError> {
    match to {
        Some(m) if m > current.mode || (m == current.mode && m != Mode::Canary) => {
            Err(crate::lifecycle::TransitionError::NotBackward {
                component: component.to_owned(),
                from: current.mode,
            }
            .into())
        }
        _ => Ok(()),
    }
}

fn previous_mode(mode: Mode) -> Mode {
    match mode {
        Mode::Legacy | Mode::Shadow => Mode::Legacy,
        Mode::Canary => Mode::Shadow,
        Mode::Dagger | Mode::Retired => Mode::Canary,
    }
}

/// Journals and performs a planned rollback; returns the journal id.
pub fn execute_rollback(
    workspace: &mut Workspace,
    request: &RollbackRequest<'_>,
    steps: &[RollbackStep],
) -> Result<i64, RollbackError> {
    if let Some(unfinished) = workspace.store.unfinished_rollbacks()?.first() {
        return Err(RollbackError::Unfinished(unfinished.target.clone()));
    }
    let journal =
        workspace
            .store
            .begin_rollback(request.name, request.actor, request.reason, steps)?;
    failpoint("rollback-after-journal");
    run_steps(
        workspace,
        (journal, request.name),
        steps,
        request.actor,
        request.reason,
    )?;
    Ok(journal)
}

/// Completes every interrupted rollback; returns the targets resumed.
pub fn resume_rollbacks(workspace: &mut Workspace) -> Result<Vec<String>, RollbackError> {
    let mut resumed = Vec::new();
    for journal in workspace.store.unfinished_rollbacks()? {
        run_steps(
            workspace,
            (journal.id, &journal.target),
            &journal.steps,
            &journal.actor,
            journal.reason.as_deref(),
        )?;
        resumed.push(journal.target);
    }
    Ok(resumed)
}

/// Performs the unfinished steps of the journal `(id, target)`; the last
/// step also records the rollback's own event (its people hear once).
fn run_steps(
    workspace: &mut Workspace,
    (journal, target): (i64, &str),
    steps: &[RollbackStep],
    actor: &str,
    reason: Option<&str>,
) -> Result<(), RollbackError> {
    for (index, step) in steps.iter().enumerate().filter(|(_, s)| !s.done) {
        // The brake first: every runner that reaches the store obeys it at
        // once, even before this checkout's mode file is committed.
        workspace.store.set_override(&ModeOverride {
            component: step.component.clone(),
            state: step.to,
            set_at: jiff::Timestamp::now(),
            actor: actor.to_owned(),
            reason: reason.map(Into::into),
        })?;
        failpoint("rollback-after-override");
        let restored = restore_step(workspace, step)?;
        failpoint("rollback-before-commit");
        let event = NewEvent {
            component: Some(step.component.clone()),
            actor: actor.to_owned(),
            reason: reason.map(Into::into),
            event: Event::RolledBack {
                from: step.from,
                to: step.to,
                snapshot: step.snapshot,
                restored,
                journal,
            },
            messages: Vec::new(),
        };
        let mut events = vec![event];
        if index + 1 == steps.len() {
            events.push(completed(journal, target, steps, actor, reason));
        }
        workspace
            .store
            .finish_rollback_step(journal, index, events)?;
        failpoint("rollback-after-step");
    }
    Ok(())
}

/// The event of a whole rollback, recorded with its last step.
fn completed(
    journal: i64,
    target: &str,
    steps: &[RollbackStep],
    actor: &str,
    reason: Option<&str>,
) -> NewEvent {
    let steps = steps
        .iter()
        .map(|step| StepRecord {
            component: step.component.clone(),
            from: step.from,
            to: step.to,
        })
        .collect();
    let event = Event::RollbackCompleted {
        target: target.to_owned(),
        journal,
        steps,
    };
    NewEvent::new(None, actor, reason.map(Into::into), event)
}

/// Restores a step's snapshot (after a safety snapshot of the files as they
/// are) and verifies it; returns the paths restored, if it had a snapshot.
fn restore_step(
    workspace: &mut Workspace,
    step: &RollbackStep,
) -> Result<Option<Vec<String>>, RollbackError> {
    let snapshot = match step.snapshot {
        Some(id) => workspace.store.snapshot(id)?,
        None => None,
    };
    let Some(snapshot) = snapshot else {
        return Ok(None);
    };
    let objects = workspace.objects();
    if let Some(component) = workspace.migration.component_ref(&step.component) {
        let paths = preserved_paths(&workspace.migration, workspace.spec(component));
        take_snapshot(
            &mut workspace.store,
            &objects,
            &workspace.base_dir,
            &step.component,
            &paths,
            step.from,
            SnapshotKind::Safety,
        )?;
        failpoint("rollback-after-safety-snapshot");
        restore(&objects, &workspace.base_dir, &snapshot.files)?;
        let wrong = verify(&workspace.base_dir, &snapshot.files);
        if !wrong.is_empty() {
            return Err(RollbackError::Verify {
                component: step.component.clone(),
                paths: wrong,
            });
        }
    }
    Ok(Some(
        snapshot.files.iter().map(|f| f.path.clone()).collect(),
    ))
}
