//! [`dashboard`]: reads everything the page shows, in one pass over the
//! workspace, through the functions the commands use.

use jiff::{SignedDuration, Timestamp};

use super::view::{
    ComponentView, DASHBOARD_FORMAT_VERSION, Dashboard, DecisionView, EventFilter, PlanView,
    RunView,
};
use crate::event::{EventKind, EventRecord};
use crate::gate::{GateError, component_gate};
use crate::lifecycle::Mode;
use crate::ops::drift_report;
use crate::report::{gantt_svg, plan_context};
use crate::spec::ComponentRef;
use crate::status::{ComponentStatus, status};
use crate::store::{Decision, StoreError};
use crate::workspace::Workspace;

/// Recent runs read per component, and shown in all.
const RUNS_SHOWN: u32 = 20;
/// Events read before the kind and actor filters apply.
const EVENTS_READ: u32 = 1_000;
/// Events shown.
const EVENTS_SHOWN: usize = 200;
/// Lines of a mismatch summary shown.
const DIFFERENCE_LINES: usize = 8;

/// Why the dashboard could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads the dashboard, with the audit log filtered by `filter`.
pub fn dashboard(workspace: &Workspace, filter: &EventFilter) -> Result<Dashboard, DashboardError> {
    let (plan, plan_error) = match workspace.plan() {
        Ok(plan) => {
            let mut context = plan_context(&workspace.migration, plan);
            let gantt_svg = gantt_svg(&context);
            let phases = std::mem::take(&mut context.phases);
            let end = context.end;
            (
                Some(PlanView {
                    end,
                    phases,
                    gantt_svg,
                }),
                None,
            )
        }
        Err(error) => (None, Some(error.to_string())),
    };
    let status = status(workspace)?;
    let mut components = Vec::with_capacity(status.components.len());
    let references = workspace.migration.component_refs();
    for (reference, component_status) in references.zip(status.components) {
        components.push(component_view(workspace, reference, component_status)?);
    }
    Ok(Dashboard {
        format_version: DASHBOARD_FORMAT_VERSION,
        migration: workspace.migration.name.clone(),
        generated_at: Timestamp::now(),
        plan,
        plan_error,
        mode_file: status.mode_file,
        components,
        runs: recent_runs(workspace)?,
        decisions: open_decisions(workspace)?,
        events: events(workspace, filter)?,
        filter: filter.clone(),
        event_kinds: EventKind::ALL.to_vec(),
        modes: Mode::ALL.to_vec(),
    })
}

/// One component's row: its status, joined with its gate, its recorded
/// mode and its drifted files.
fn component_view(
    workspace: &Workspace,
    reference: ComponentRef,
    status: ComponentStatus,
) -> Result<ComponentView, DashboardError> {
    let spec = workspace.spec(reference);
    let gate = match component_gate(workspace, reference) {
        Ok(report) => Some(report),
        Err(GateError::Plan(_)) => None,
        Err(GateError::Store(error)) => return Err(error.into()),
    };
    let recorded = workspace.store.mode(&spec.id)?.state;
    let drifted_files = if status.drift {
        drift_report(workspace, reference)?
            .files
            .into_iter()
            .filter(|f| f.changed != Some(false))
            .map(|f| f.path)
            .collect()
    } else {
        Vec::new()
    };
    Ok(ComponentView {
        name: spec.name.clone(),
        owner: spec.owner.clone(),
        phase: workspace.phase_of(reference).ok(),
        recorded_elsewhere: workspace.has_mode_file() && recorded != status.committed,
        recorded,
        next: status.mode.next(),
        gate,
        drifted_files,
        status,
    })
}

/// The newest runs of all components together, newest first.
fn recent_runs(workspace: &Workspace) -> Result<Vec<RunView>, StoreError> {
    let mut runs = Vec::new();
    for component in &workspace.migration.components {
        runs.extend(workspace.store.recent_runs(&component.id, RUNS_SHOWN)?);
    }
    runs.sort_by(|a, b| (b.started_at, &b.id).cmp(&(a.started_at, &a.id)));
    runs.truncate(RUNS_SHOWN as usize);
    Ok(runs
        .into_iter()
        .map(|run| RunView {
            has_parity: run.parity.map(|p| p.has_parity()),
            difference: run
                .parity_summary
                .as_deref()
                .map(|s| s.lines().take(DIFFERENCE_LINES).map(Into::into).collect())
                .unwrap_or_default(),
            run,
        })
        .collect())
}

/// Every open decision point with its deadline, soonest first.
fn open_decisions(workspace: &Workspace) -> Result<Vec<DecisionView>, StoreError> {
    let now = Timestamp::now();
    let mut decisions = Vec::new();
    for component in &workspace.migration.components {
        if let Some(open) = workspace.store.open_decision_for(&component.id)? {
            decisions.push(decision_view(workspace, open, &component.owner, now));
        }
    }
    decisions.sort_by_key(|d| (d.deadline.unwrap_or(Timestamp::MAX), d.id));
    Ok(decisions)
}

fn decision_view(
    workspace: &Workspace,
    open: Decision,
    owner: &str,
    now: Timestamp,
) -> DecisionView {
    let trigger = workspace
        .migration
        .rollback
        .triggers
        .iter()
        .find(|t| t.when.text == open.trigger);
    let deadline = trigger.and_then(|t| {
        let within = SignedDuration::from_secs(i64::try_from(t.decide_within.seconds).ok()?);
        open.opened_at.checked_add(within).ok()
    });
    DecisionView {
        id: open.id,
        decider: trigger
            .and_then(|t| t.decider.clone())
            .unwrap_or_else(|| owner.to_owned()),
        overdue: deadline.is_some_and(|d| d < now),
        deadline,
        component: open.component,
        trigger: open.trigger,
        opened_at: open.opened_at,
        evidence: open.evidence,
    }
}

/// The audit log: the newest events of the component (or all), then the
/// kind and actor filters, newest first.
fn events(workspace: &Workspace, filter: &EventFilter) -> Result<Vec<EventRecord>, StoreError> {
    let mut events = workspace
        .store
        .events(filter.component.as_deref(), EVENTS_READ)?;
    events.retain(|e| {
        filter.kind.is_none_or(|kind| e.event.kind() == kind)
            && filter.actor.as_ref().is_none_or(|actor| &e.actor == actor)
    });
    events.sort_by_key(|e| std::cmp::Reverse(e.id));
    events.truncate(EVENTS_SHOWN);
    Ok(events)
}
