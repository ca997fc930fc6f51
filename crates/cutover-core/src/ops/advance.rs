//! [`advance`]: checks every component of the target first, saves every
//! restore point, then records all the changes with their events (who, when,
//! why, from, to) in one store transaction: all or nothing, even if killed. Entering shadow records the digest of `legacy.sources` so drift
//! of the legacy definition can be flagged later.
//!
//! Advancing out of shadow or later requires the component's gate to pass
//! (entering shadow needs no evidence: nothing has run on Dagger yet). With
//! `--force --reason` a failing gate is overridden and its evidence recorded
//! in the event. An open decision point (an escalated trigger) holds the
//! component: nothing advances it until someone decides. Before each change a
//! restore point saves the mode and the preserved paths: the
//! restore point a rollback returns to.

use crate::criteria::Verdict;
use crate::event::{Event, GateEvidence, NewEvent};
use crate::exec::definition_digest;
use crate::failpoint::failpoint;
use crate::gate::{GateError, GateReport, component_gate};
use crate::lifecycle::{
    Direction, Mode, ModeState, Target, TransitionError, TransitionRequest, check_transition,
};
use crate::snapshot::{preserved_paths, save_paths};
use crate::spec::{Component, ComponentRef};
use crate::store::ModeUpdate;
use crate::workspace::Workspace;

use super::change::{ChangeError, ChangeRequest, ModeChange};

/// Checks and applies a change to every component of `target`.
pub fn advance(
    workspace: &mut Workspace,
    target: &Target,
    request: &ChangeRequest<'_>,
) -> Result<Vec<ModeChange>, ChangeError> {
    if request.force && request.reason.is_none() {
        return Err(ChangeError::ForceWithoutReason);
    }
    let planned = plan_changes(workspace, target, request)?;
    super::retire::check_retirements(workspace, &planned, request)?;
    let mut evidence = Vec::with_capacity(planned.len());
    for &(component, from, _) in &planned {
        evidence.push(gate_for(workspace, component, from, request.force)?);
    }
    // Every restore point is saved before anything changes; then all the
    // changes go into one store transaction, so a crash anywhere leaves
    // every component where it was and a retry starts afresh.
    let phase_events = phase_events(workspace, &planned, request)?;
    let mut prepared = Vec::with_capacity(planned.len());
    for ((component, from, to), gate) in planned.into_iter().zip(evidence) {
        prepared.push(prepare(workspace, component, from, to, gate, request)?);
        failpoint("advance-between-components");
    }
    commit(workspace, prepared, phase_events, request.actor)
}

/// The phases this advance starts (their first component leaves legacy)
/// or completes (their last one reaches dagger): events of the whole
/// batch, so a phase's people hear once, not once per component.
fn phase_events(
    workspace: &Workspace,
    planned: &[(ComponentRef, ModeState, ModeState)],
    request: &ChangeRequest<'_>,
) -> Result<Vec<NewEvent>, ChangeError> {
    let plan = workspace.plan()?;
    let mut phases: Vec<u32> = planned
        .iter()
        .map(|(c, _, _)| plan.components[c.index()].phase)
        .collect();
    phases.sort_unstable();
    phases.dedup();
    let mut events = Vec::new();
    for number in phases {
        let Some(phase) = plan.phases.iter().find(|p| p.number == number) else {
            continue;
        };
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for &index in &phase.components {
            let id = &workspace.migration.components[index].id;
            let current = workspace.mode(id)?.state.mode;
            let next = planned
                .iter()
                .find(|(c, _, _)| c.index() == index)
                .map_or(current, |(_, _, to)| to.mode);
            before.push(current);
            after.push(next);
        }
        let ids: Vec<String> = phase
            .components
            .iter()
            .map(|&i| workspace.migration.components[i].id.clone())
            .collect();
        let all = |modes: &[Mode], test: fn(Mode) -> bool| modes.iter().all(|m| test(*m));
        let event = if all(&before, |m| m == Mode::Legacy) && !all(&after, |m| m == Mode::Legacy) {
            Event::PhaseStarted {
                phase: number,
                components: ids,
            }
        } else if !all(&before, |m| m >= Mode::Dagger) && all(&after, |m| m >= Mode::Dagger) {
            Event::PhaseCompleted {
                phase: number,
                components: ids,
            }
        } else {
            continue;
        };
        let reason = request.reason.map(Into::into);
        events.push(NewEvent::new(None, request.actor, reason, event));
    }
    Ok(events)
}

/// A change ready to record: its restore point's contents are saved.
struct Prepared {
    change: ModeChange,
    /// The store's recorded mode (the mode file may say another).
    expected: ModeState,
    digest: Option<String>,
    restore_point: Vec<crate::store::PreservedPath>,
    event: NewEvent,
}

/// Records every prepared change in one transaction.
fn commit(
    workspace: &mut Workspace,
    prepared: Vec<Prepared>,
    phase_events: Vec<NewEvent>,
    actor: &str,
) -> Result<Vec<ModeChange>, ChangeError> {
    failpoint("advance-before-commit");
    let changes = prepared
        .iter()
        .map(|p| {
            let update = ModeUpdate {
                component: &p.change.component,
                expected: p.expected,
                from: p.change.from,
                new: p.change.to,
                sources_digest: p.digest.as_deref(),
                restore_point: &p.restore_point,
            };
            (update, p.event.clone())
        })
        .collect();
    if workspace
        .store
        .change_modes(changes, phase_events)?
        .is_none()
    {
        let moved = prepared.iter().find(|p| {
            workspace
                .store
                .mode(&p.change.component)
                .map_or(true, |m| m.state != p.expected)
        });
        let id = moved.unwrap_or(&prepared[0]).change.component.clone();
        return Err(ChangeError::Concurrent(id));
    }
    let changes: Vec<ModeChange> = prepared.into_iter().map(|p| p.change).collect();
    commit_to_file(workspace, &changes, actor)?;
    Ok(changes)
}

/// Writes the new modes into the mode file (to be committed), then lifts
/// the overrides they advance past: advancing is the operator's decision
/// to release the brake.
fn commit_to_file(
    workspace: &mut Workspace,
    changes: &[ModeChange],
    actor: &str,
) -> Result<(), ChangeError> {
    let modes: Vec<(String, ModeState)> = changes
        .iter()
        .map(|c| (c.component.clone(), c.to))
        .collect();
    workspace.write_modes(&modes)?;
    for existing in workspace.store.overrides()? {
        if let Some(change) = changes.iter().find(|c| c.component == existing.component) {
            workspace
                .store
                .clear_override(&change.component, existing.state, change.to, actor)?;
        }
    }
    Ok(())
}

/// Every component's new mode, all checked before anything changes.
fn plan_changes(
    workspace: &Workspace,
    target: &Target,
    request: &ChangeRequest<'_>,
) -> Result<Vec<(ComponentRef, ModeState, ModeState)>, ChangeError> {
    let mut planned = Vec::new();
    let mut refused = Vec::new();
    for reference in target.components() {
        let component = workspace.spec(reference);
        let current = workspace.mode(&component.id)?.state;
        match plan_change(component, current, request) {
            Ok(to) => planned.push((reference, current, to)),
            Err(error) => refused.push(error),
        }
    }
    if !refused.is_empty() {
        return Err(ChangeError::Refused(refused));
    }
    if !request.force {
        check_ordering(workspace, &planned)?;
    }
    for &(reference, _, _) in &planned {
        let id = &workspace.spec(reference).id;
        if let Some(decision) = workspace.store.open_decision_for(id)? {
            return Err(ChangeError::Held {
                component: id.clone(),
                trigger: decision.trigger,
                opened_at: decision.opened_at,
                evidence: decision.evidence,
            });
        }
    }
    Ok(planned)
}

/// The plan's ordering rule (see [`crate::plan::check_order`]), with the
/// changes of this same command counted as done.
fn check_ordering(
    workspace: &Workspace,
    planned: &[(ComponentRef, ModeState, ModeState)],
) -> Result<(), ChangeError> {
    let migration = &workspace.migration;
    let mut modes: std::collections::HashMap<usize, Mode> = planned
        .iter()
        .map(|&(reference, _, to)| (reference.index(), to.mode))
        .collect();
    for &(reference, _, _) in planned {
        for &d in &workspace.spec(reference).depends_on {
            if let std::collections::hash_map::Entry::Vacant(entry) = modes.entry(d) {
                entry.insert(workspace.mode(&migration.components[d].id)?.state.mode);
            }
        }
    }
    let mode_of = |d: usize| modes.get(&d).copied().unwrap_or(Mode::Legacy);
    for &(reference, _, to) in planned {
        crate::plan::check_order(migration, reference.index(), to.mode, &mode_of)?;
    }
    Ok(())
}

/// The gate of a step out of shadow or later (entering shadow needs none).
fn gate_for(
    workspace: &Workspace,
    component: ComponentRef,
    from: ModeState,
    force: bool,
) -> Result<Option<GateReport>, ChangeError> {
    if from.mode < Mode::Shadow {
        return Ok(None);
    }
    let report = component_gate(workspace, component).map_err(|error| match error {
        GateError::Plan(plan) => ChangeError::Plan(plan),
        GateError::Store(store) => ChangeError::Store(store),
    })?;
    if report.verdict != Verdict::Pass && !force {
        return Err(ChangeError::Gate(Box::new(report)));
    }
    Ok(Some(report))
}

/// Saves the restore point's contents and builds the change's event.
fn prepare(
    workspace: &Workspace,
    reference: ComponentRef,
    from: ModeState,
    to: ModeState,
    gate: Option<GateReport>,
    request: &ChangeRequest<'_>,
) -> Result<Prepared, ChangeError> {
    let component = workspace.spec(reference);
    // The restore point a rollback returns to: this mode and the preserved
    // paths as they are before the change.
    let paths = preserved_paths(&workspace.migration, component);
    let restore_point = save_paths(&workspace.objects(), &workspace.base_dir, &paths)?;
    let digest = (to.mode == Mode::Shadow)
        .then(|| definition_digest(&workspace.base_dir, component))
        .flatten();
    let id = component.id.clone();
    let event = NewEvent {
        component: Some(id.clone()),
        actor: request.actor.into(),
        reason: request.reason.map(Into::into),
        event: Event::ModeAdvanced {
            from,
            to,
            forced: request.force,
            gate: gate.map(|g| GateEvidence {
                verdict: g.verdict,
                blocking: g.blocking().map(|c| c.evidence()).collect(),
            }),
            snapshot: None,
            sources: super::drift::source_digests(workspace, component, to.mode),
        },
        messages: Vec::new(),
    };
    Ok(Prepared {
        expected: workspace.store.mode(&id)?.state,
        change: ModeChange {
            component: id,
            from,
            to,
        },
        digest,
        restore_point,
        event,
    })
}

fn plan_change(
    component: &Component,
    current: ModeState,
    request: &ChangeRequest<'_>,
) -> Result<ModeState, TransitionError> {
    let transition = TransitionRequest {
        direction: Direction::Advance,
        to: request
            .to
            .unwrap_or_else(|| current.mode.next().unwrap_or(Mode::Retired)),
        percent: request.percent,
        force: request.force,
    };
    check(component, current, transition)
}

fn check(
    component: &Component,
    current: ModeState,
    request: TransitionRequest,
) -> Result<ModeState, TransitionError> {
    let dry_runs = [
        component
            .legacy
            .as_ref()
            .is_some_and(|l| l.shadow_run.is_some()),
        component
            .dagger
            .as_ref()
            .is_some_and(|d| d.shadow_run.is_some()),
    ];
    check_transition(
        &component.id,
        current,
        request,
        component.side_effects,
        dry_runs,
    )
}
