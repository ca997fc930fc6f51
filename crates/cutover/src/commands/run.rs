//! `cutover run`: execute a component per its mode and exit as its
//! authoritative side did. The side's own output goes to stdout/stderr
//! untouched; cutover's one-line summary goes to stderr.

use cutover_core::exec::{ParityComparison, ParityVerdict, random_hex};
use cutover_core::rollback::check_triggers;
use cutover_core::router::{Delivery, RunReport, RunRequest, execute_run, run_key_from_env};
use cutover_core::spec::ComponentRef;
use cutover_core::spool::Spool;
use cutover_core::spool::worker::DeliveryOutcome;
use cutover_core::workspace::{Workspace, find_component};

use crate::args::{GlobalArgs, RunArgs};
use crate::error::CliError;

/// Runs the component; returns the authoritative side's exit code.
pub fn run(global: &GlobalArgs, args: RunArgs) -> Result<u8, CliError> {
    let RunArgs {
        component,
        key,
        delivery_timeout,
        spool_only,
        args,
    } = args;
    let located = super::locate(global)?;
    let component = find_component(&located.migration, &component)?;
    let (mut workspace, unavailable) = Workspace::open_for_run(
        located.migration,
        located.base_dir,
        &located.state,
        component,
    )?;
    if let Some(error) = unavailable {
        crate::error::note(&format!(
            "cutover: warning: the store at {} cannot be opened ({}); routing by the committed mode file without overrides",
            located.state,
            crate::error::one_line(&error)
        ));
    }
    let id = workspace.spec(component).id.clone();
    let key = key
        .or_else(run_key_from_env)
        .unwrap_or_else(|| random_hex(10));
    let request = RunRequest {
        component,
        extra_args: &args,
        key,
        delivery: if spool_only {
            Delivery::SpoolOnly
        } else {
            Delivery::Store {
                timeout: delivery_timeout,
            }
        },
    };
    let report = execute_run(&mut workspace, &request).map_err(|source| CliError::Run {
        component: id.clone(),
        source,
    })?;
    let shadow = report
        .routing
        .shadow
        .as_ref()
        .map(|(side, _)| match report.comparison {
            Some(comparison) if comparison != ParityComparison::Full => {
                format!(", {side} shadowing, parity: {}", comparison.describe())
            }
            _ => format!(", {side} shadowing"),
        })
        .unwrap_or_default();
    let parity = match (report.parity, &report.summary) {
        (Some(ParityVerdict::Match), _) => "; parity: match".to_owned(),
        (Some(verdict), Some(summary)) => format!("; parity: {verdict}: {summary}"),
        _ => String::new(),
    };
    crate::error::note(&format!(
        "cutover: `{id}` ran in {} mode ({} authoritative{shadow}), exit {}{parity}; run {}",
        report.mode.mode, report.routing.authoritative, report.exit_code, report.run_id
    ));
    for warning in &report.warnings {
        crate::error::note(&format!("cutover: warning: {warning}"));
    }
    // Triggers read the evidence in the store: only when it has this run.
    match report.delivery {
        DeliveryOutcome::Delivered { .. } => check_triggers_after_run(&mut workspace, component),
        DeliveryOutcome::SpoolOnly | DeliveryOutcome::Deferred => {}
        DeliveryOutcome::TimedOut { .. } | DeliveryOutcome::Failed(_) => {
            note_spooled(&workspace, &report);
        }
    }
    if report.routing.shadow.is_some() {
        prune_runs_after_run(&workspace);
    }
    Ok(u8::try_from(report.exit_code.clamp(0, 255)).unwrap_or(1))
}

/// Says, once and without secrets, that the store does not have the run
/// yet. The triggers are not evaluated then: the store lacks this run's
/// evidence and would make the job wait for it again.
fn note_spooled(workspace: &Workspace, report: &RunReport) {
    let why = match &report.delivery {
        DeliveryOutcome::TimedOut { after } => format!("did not confirm it within {after:?}"),
        DeliveryOutcome::Failed(error) => format!("failed: {}", crate::error::one_line(error)),
        DeliveryOutcome::Delivered { .. }
        | DeliveryOutcome::SpoolOnly
        | DeliveryOutcome::Deferred => return,
    };
    crate::error::note(&format!(
        "cutover: the store at {} {why}; run {} is kept in {} for the next run or `cutover push` to deliver (rollback triggers not evaluated)",
        workspace.location,
        report.run_id,
        Spool::in_state_dir(&workspace.state_dir).dir().display()
    ));
}

/// Evaluates the component's rollback triggers after its run. Whatever
/// happens here never changes the CI job's exit code: a problem is reported
/// on stderr only.
fn check_triggers_after_run(workspace: &mut Workspace, component: ComponentRef) {
    match check_triggers(workspace, component) {
        Ok(firings) => {
            for firing in firings {
                crate::error::note(&format!(
                    "cutover: trigger `{}` fired for `{}` ({}): {}",
                    firing.trigger, firing.component, firing.evidence, firing.outcome
                ));
            }
        }
        Err(error) => crate::error::note(&format!(
            "cutover: warning: rollback triggers of `{}` could not be evaluated: {error}",
            workspace.spec(component).id
        )),
    }
}

/// Prunes captured run files once they exceed `retention:` (a cheap check
/// otherwise). Like the triggers, never changes the job's exit code.
fn prune_runs_after_run(workspace: &Workspace) {
    if let Err(error) = cutover_core::ops::prune_runs_after_run(workspace) {
        crate::error::note(&format!(
            "cutover: warning: captured run files could not be pruned (`cutover gc` retries): {error}"
        ));
    }
}
