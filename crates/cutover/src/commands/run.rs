//! `cutover run`: execute a component per its mode and exit as its
//! authoritative side did. The side's own output goes to stdout/stderr
//! untouched; cutover's one-line summary goes to stderr.

use cutover_core::exec::random_hex;
use cutover_core::rollback::{RollbackContext, check_triggers};
use cutover_core::router::{RunContext, execute_run, run_key_from_env};

use super::Workspace;
use crate::args::{GlobalArgs, RunArgs};
use crate::error::CliError;

/// Runs the component; returns the authoritative side's exit code.
pub fn run(global: &GlobalArgs, args: RunArgs) -> Result<u8, CliError> {
    let RunArgs {
        component,
        key,
        args,
    } = args;
    let workspace = Workspace::open(global)?;
    let component = workspace.component(&component)?;
    let mut store = workspace.store()?;
    let mode = store.mode(&component.id)?.state;
    let key = key
        .or_else(run_key_from_env)
        .unwrap_or_else(|| random_hex(10));
    let context = RunContext {
        component,
        base_dir: &workspace.base_dir,
        state_dir: &workspace.state_dir,
        extra_args: &args,
        key,
        mode,
    };
    let report = execute_run(&mut store, &context).map_err(|source| CliError::Run {
        component: component.id.clone(),
        source,
    })?;
    let shadow = report
        .routing
        .shadow
        .as_ref()
        .map(|(side, _)| format!(", {side} shadowing"))
        .unwrap_or_default();
    let parity = match (report.parity, &report.summary) {
        (Some("match"), _) => "; parity: match".to_owned(),
        (Some(verdict), Some(summary)) => format!("; parity: {verdict}: {summary}"),
        _ => String::new(),
    };
    crate::error::note(&format!(
        "cutover: `{}` ran in {} mode ({} authoritative{shadow}), exit {}{parity}; run {}",
        component.id, mode.mode, report.routing.authoritative, report.exit_code, report.run_id
    ));
    for warning in &report.warnings {
        crate::error::note(&format!("cutover: warning: {warning}"));
    }
    check_triggers_after_run(&workspace, &mut store, &component.id);
    Ok(u8::try_from(report.exit_code.clamp(0, 255)).unwrap_or(1))
}

/// Evaluates the component's rollback triggers after its run. Whatever
/// happens here never changes the CI job's exit code: a problem is reported
/// on stderr only.
fn check_triggers_after_run(
    workspace: &Workspace,
    store: &mut cutover_core::store::Store,
    component: &str,
) {
    let Some(index) = workspace.migration.component_index(component) else {
        return;
    };
    let context = RollbackContext {
        migration: &workspace.migration,
        base_dir: &workspace.base_dir,
        state_dir: &workspace.state_dir,
    };
    match check_triggers(store, &context, index) {
        Ok(firings) => {
            for firing in firings {
                crate::error::note(&format!(
                    "cutover: trigger `{}` fired for `{}` ({}): {}",
                    firing.trigger, firing.component, firing.evidence, firing.outcome
                ));
            }
        }
        Err(error) => crate::error::note(&format!(
            "cutover: warning: rollback triggers of `{component}` could not be evaluated: {error}"
        )),
    }
}
