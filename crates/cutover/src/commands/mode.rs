//! `cutover advance` and `cutover rollback`: move a component or phase
//! forward (gated, snapshotted) or back to a restore point (journaled).

use cutover_core::lifecycle::{
    ChangeRequest, Mode, ModeChange, ModeState, change_modes, resolve_target,
};
use cutover_core::rollback::drill::drill;
use cutover_core::rollback::{
    RollbackContext, RollbackRequest, execute_rollback, plan_rollback, resume_rollbacks,
};

use super::{Workspace, actor};
use crate::args::{AdvanceArgs, GlobalArgs, RollbackArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Moves forward.
pub fn advance(
    global: &GlobalArgs,
    args: AdvanceArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let AdvanceArgs {
        target,
        to,
        percent,
        force,
        reason,
    } = args;
    let actor = actor();
    let request = ChangeRequest {
        to,
        percent,
        force,
        reason: reason.as_deref(),
        actor: &actor,
    };
    let workspace = Workspace::open(global)?;
    let target = resolve_target(&workspace.migration, &target)?;
    let mut store = workspace.store()?;
    let changes = change_modes(
        &mut store,
        &workspace.migration,
        &workspace.base_dir,
        &workspace.state_dir,
        &target,
        &request,
    )
    .map_err(CliError::Change)?;
    let text: String = changes.iter().map(describe).collect();
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// Moves back: to the previous restore point, or the one left in `--to MODE`.
pub fn rollback(
    global: &GlobalArgs,
    args: RollbackArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let RollbackArgs {
        target,
        to,
        reason,
        cascade,
        drill: rehearse,
        resume,
    } = args;
    let workspace = Workspace::open(global)?;
    let mut store = workspace.store()?;
    let context = RollbackContext {
        migration: &workspace.migration,
        base_dir: &workspace.base_dir,
        state_dir: &workspace.state_dir,
    };
    let rollback_error = |source| CliError::Rollback { source };
    // An interrupted rollback is always completed first, so repeating the
    // command after a crash reaches the state an uninterrupted one would.
    let resumed = resume_rollbacks(&mut store, &context).map_err(rollback_error)?;
    let mut text: String = resumed
        .iter()
        .map(|t| format!("completed the interrupted rollback of `{t}`\n"))
        .collect();
    if resume || !resumed.is_empty() && !rehearse {
        if resumed.is_empty() {
            text.push_str("no interrupted rollback to resume\n");
        }
        printer.write(&text).map_err(CliError::Stdout)?;
        return Ok(exit_codes::OK);
    }
    let Some(name) = target else {
        return Err(CliError::Usage(
            "name a component or phase to roll back, or pass --resume".into(),
        ));
    };
    let resolved = resolve_target(&workspace.migration, &name)?;
    let actor = actor();
    let request = RollbackRequest {
        name: &name,
        target: &resolved,
        to,
        cascade,
        actor: &actor,
        reason: reason.as_deref(),
    };
    if rehearse {
        let outcome = drill(&mut store, &context, &request).map_err(rollback_error)?;
        text.push_str(&format!(
            "drill of `{name}`: {} — rollback took {:.0} ms on a copy; live state untouched\n",
            if outcome.passed { "passed" } else { "FAILED" },
            outcome.time_to_rollback_ms
        ));
        for step in &outcome.steps {
            text.push_str(&format!("  rolled back {step}\n"));
        }
        for (test, passed) in &outcome.tests {
            text.push_str(&format!(
                "  legacy acceptance test {test}: {}\n",
                if *passed { "pass" } else { "FAIL" }
            ));
        }
        if let Some(failure) = &outcome.failure {
            text.push_str(&format!("  {failure}\n"));
        }
        printer.write(&text).map_err(CliError::Stdout)?;
        return Ok(if outcome.passed {
            exit_codes::OK
        } else {
            exit_codes::NOT_MET
        });
    }
    let steps = plan_rollback(&store, &context, &request).map_err(rollback_error)?;
    execute_rollback(&mut store, &context, &request, &steps).map_err(rollback_error)?;
    for step in &steps {
        text.push_str(&describe(&ModeChange {
            component: step.component.clone(),
            from: step.from,
            to: step.to,
        }));
    }
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn describe(change: &ModeChange) -> String {
    let state = |s: &ModeState| {
        if s.mode == Mode::Canary {
            format!("canary {}%", s.canary_percent)
        } else {
            s.mode.to_string()
        }
    };
    format!(
        "`{}`: {} -> {}\n",
        change.component,
        state(&change.from),
        state(&change.to)
    )
}
