//! [`rollback`]: an interrupted rollback is always completed first, so
//! repeating the command after a crash reaches the state an uninterrupted
//! one would; then the requested rollback (or its drill on a copy). Before
//! either, the temporaries of killed writers are removed. Each step sets an
//! override in the store (every runner obeys it at once); the modes reached
//! are then written into the mode file, for the operator to commit (a
//! resumed rollback too, so it ends as an uninterrupted one would).

use super::change::ModeChange;
use crate::exec::unified_hunk;
use crate::rollback::drill::{DrillOutcome, drill};
use crate::rollback::{
    RollbackError, RollbackRequest, execute_rollback, plan_rollback, resume_rollbacks,
};
use crate::snapshot::{self, Freed, all_preserved_paths};
use crate::store::RollbackStep;
use crate::workspace::Workspace;

/// What a rollback did.
#[derive(Debug, Clone)]
pub struct RollbackOutcome {
    /// Targets of interrupted rollbacks completed first.
    pub resumed: Vec<String>,
    /// The requested rollback, if one was asked for and made.
    pub performed: Performed,
    /// The preserved paths each rolled-back component got back from its
    /// snapshot, with the snapshot's id (components without one are absent).
    pub restored: Vec<RestoredFiles>,
}

/// What one rollback step restored.
#[derive(Debug, Clone)]
pub struct RestoredFiles {
    /// Component.
    pub component: String,
    /// The snapshot restored.
    pub snapshot: i64,
    /// Paths restored from it.
    pub paths: Vec<String>,
}

/// The requested part of a rollback.
#[derive(Debug, Clone)]
pub enum Performed {
    /// Only resuming was asked for (or a resume answered the request).
    Nothing,
    /// The mode changes made, dependents first.
    RolledBack(Vec<ModeChange>),
    /// A drill on a copy.
    Drilled(DrillOutcome),
}

/// Completes interrupted rollbacks, then performs `request` unless it is
/// `None` (resume only). A resume that did something answers a plain
/// repeat of the interrupted command; a drill still runs after it.
pub fn rollback(
    workspace: &mut Workspace,
    request: Option<&RollbackRequest<'_>>,
    rehearse: bool,
) -> Result<RollbackOutcome, RollbackError> {
    remove_interrupted_writes(workspace)?;
    let unfinished = workspace.store.unfinished_rollbacks()?;
    let resumed = resume_rollbacks(workspace)?;
    // A resumed rollback ends as an uninterrupted one: its modes in the file.
    let modes: Vec<_> = unfinished
        .iter()
        .flat_map(|j| j.steps.iter().map(|s| (s.component.clone(), s.to)))
        .collect();
    if !modes.is_empty() {
        workspace.write_modes(&modes)?;
    }
    let mut restored = Vec::new();
    let performed = match request {
        None => Performed::Nothing,
        Some(_) if !resumed.is_empty() && !rehearse => Performed::Nothing,
        Some(request) if rehearse => Performed::Drilled(drill(workspace, request)?),
        Some(request) => {
            let steps = plan_rollback(workspace, request)?;
            if !request.overwrite {
                refuse_edited(workspace, &steps)?;
            }
            execute_rollback(workspace, request, &steps)?;
            restored = restored_files(workspace, &steps)?;
            let modes: Vec<_> = steps.iter().map(|s| (s.component.clone(), s.to)).collect();
            workspace.write_modes(&modes)?;
            Performed::RolledBack(steps.iter().map(ModeChange::from).collect())
        }
    };
    Ok(RollbackOutcome {
        resumed,
        performed,
        restored,
    })
}

/// Refuses when a preserved path was edited since the snapshot a step
/// would restore (someone's edit, not cutover's): shows what changed.
fn refuse_edited(workspace: &Workspace, steps: &[RollbackStep]) -> Result<(), RollbackError> {
    let objects = workspace.objects();
    for step in steps {
        let Some(id) = step.snapshot else { continue };
        let Some(snapshot) = workspace.store.snapshot(id)? else {
            continue;
        };
        let paths = snapshot::verify(&workspace.base_dir, &snapshot.files);
        if paths.is_empty() {
            continue;
        }
        let shown = snapshot
            .files
            .iter()
            .filter(|f| paths.contains(&f.path))
            .flat_map(|f| edits(workspace, &objects, f, id))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(RollbackError::EditedSince {
            component: step.component.clone(),
            snapshot: id,
            paths,
            shown,
        });
    }
    Ok(())
}

/// What changed in one preserved path since snapshot `id`: a diff per
/// edited text file (a directory's files one by one), a line per file
/// added, removed or not text.
fn edits(
    workspace: &Workspace,
    objects: &snapshot::ObjectStore,
    preserved: &crate::store::PreservedPath,
    id: i64,
) -> Vec<String> {
    let base = workspace.base_dir.join(&preserved.path);
    let saved: Vec<(String, Option<&str>)> = match preserved.kind {
        crate::store::PreservedKind::File => vec![(String::new(), preserved.digest.as_deref())],
        crate::store::PreservedKind::Dir => preserved
            .entries
            .iter()
            .map(|(path, digest)| (path.clone(), Some(digest.as_str())))
            .collect(),
        crate::store::PreservedKind::Missing => Vec::new(),
    };
    let mut shown = Vec::new();
    for (relative, digest) in &saved {
        let path = if relative.is_empty() {
            base.clone()
        } else {
            base.join(relative)
        };
        let name = path
            .strip_prefix(&workspace.base_dir)
            .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
        let before = digest.and_then(|d| objects.get(d).ok()).unwrap_or_default();
        let Ok(now) = std::fs::read(&path) else {
            shown.push(format!("{name}: removed since snapshot {id}"));
            continue;
        };
        if now == before {
            continue;
        }
        match (String::from_utf8(before), String::from_utf8(now)) {
            (Ok(before), Ok(now)) => shown.push(unified_hunk(
                &before,
                &now,
                &format!("{name} (snapshot {id})"),
                &format!("{name} (now)"),
            )),
            _ => shown.push(format!("{name}: changed (not text)")),
        }
    }
    if preserved.kind == crate::store::PreservedKind::Dir {
        let known: Vec<&String> = preserved.entries.iter().map(|(p, _)| p).collect();
        for added in crate::fs::confine::list_files(&base)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !known.contains(&p))
        {
            shown.push(format!(
                "{}: added since snapshot {id}",
                base.join(added)
                    .strip_prefix(&workspace.base_dir)
                    .map_or_else(|_| String::new(), |p| p.display().to_string())
            ));
        }
    }
    shown
}

/// The files the steps' snapshots held: what restoring them put back.
fn restored_files(
    workspace: &Workspace,
    steps: &[RollbackStep],
) -> Result<Vec<RestoredFiles>, RollbackError> {
    let mut restored = Vec::new();
    for step in steps {
        let Some(id) = step.snapshot else { continue };
        if let Some(snapshot) = workspace.store.snapshot(id)? {
            restored.push(RestoredFiles {
                component: step.component.clone(),
                snapshot: id,
                paths: snapshot.files.iter().map(|f| f.path.clone()).collect(),
            });
        }
    }
    Ok(restored)
}

/// Removes what killed writers left (temporaries of atomic writes) in the
/// object store and around every preserved path, before anything is saved
/// or restored: a safety snapshot must not capture them, and nothing else
/// ever would remove them.
fn remove_interrupted_writes(workspace: &Workspace) -> Result<Freed, RollbackError> {
    let paths = all_preserved_paths(&workspace.migration);
    Ok(snapshot::remove_interrupted_writes(
        &workspace.objects(),
        &workspace.base_dir,
        &paths,
        false,
    )?)
}

impl From<&RollbackStep> for ModeChange {
    fn from(step: &RollbackStep) -> ModeChange {
        ModeChange {
            component: step.component.clone(),
            from: step.from,
            to: step.to,
        }
    }
}
