//! `cutover advance` and `cutover rollback`: move a component or phase
//! forward (gated, snapshotted) or back to a restore point (journaled).

use cutover_core::ops::{ChangeRequest, ModeChange, Performed, RollbackOutcome};
use cutover_core::rollback::RollbackRequest;
use cutover_core::rollback::drill::DrillOutcome;

use super::{actor, open_workspace};
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
        confirm_retire,
        override_dependencies,
    } = args;
    let actor = actor();
    let request = ChangeRequest {
        to,
        percent,
        force,
        reason: reason.as_deref(),
        actor: &actor,
        confirm_retire,
        override_dependencies,
    };
    let mut workspace = open_workspace(global)?;
    let target = workspace.resolve_target(&target)?;
    let changes =
        cutover_core::ops::advance(&mut workspace, &target, &request).map_err(CliError::Change)?;
    let mut text: String = changes.iter().map(describe).collect();
    text.push_str(&mode_file_hint(&workspace, &changes));
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
        overwrite,
    } = args;
    let mut workspace = open_workspace(global)?;
    let name = match (target, resume) {
        (_, true) => None,
        (Some(name), false) => Some(name),
        (None, false) => {
            // An interrupted rollback is completed even then; if there was
            // one, that answers the command.
            let outcome = cutover_core::ops::rollback(&mut workspace, None, false)
                .map_err(|source| CliError::Rollback { source })?;
            if outcome.resumed.is_empty() || rehearse {
                return Err(CliError::Usage(
                    "name a component or phase to roll back, or pass --resume".into(),
                ));
            }
            let (text, code) = render_rollback(&outcome, "");
            printer.write(&text).map_err(CliError::Stdout)?;
            return Ok(code);
        }
    };
    let resolved = name
        .as_deref()
        .map(|n| workspace.resolve_target(n))
        .transpose()?;
    let actor = actor();
    let request = match (&name, &resolved) {
        (Some(name), Some(target)) => Some(RollbackRequest {
            name,
            target,
            to,
            cascade,
            actor: &actor,
            reason: reason.as_deref(),
            overwrite,
        }),
        _ => None,
    };
    let outcome = cutover_core::ops::rollback(&mut workspace, request.as_ref(), rehearse)
        .map_err(|source| CliError::Rollback { source })?;
    let (mut text, code) = render_rollback(&outcome, name.as_deref().unwrap_or_default());
    if let Performed::RolledBack(changes) = &outcome.performed {
        text.push_str(&mode_file_hint(&workspace, changes));
        text.push_str(
            "an override in the store holds every runner that reaches it at these modes until the file is committed and `cutover sync` clears it\n",
        );
    }
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(code)
}

fn render_rollback(outcome: &RollbackOutcome, name: &str) -> (String, u8) {
    let mut text: String = outcome
        .resumed
        .iter()
        .map(|t| format!("completed the interrupted rollback of `{t}`\n"))
        .collect();
    match &outcome.performed {
        Performed::Nothing if outcome.resumed.is_empty() => {
            text.push_str("no interrupted rollback to resume\n");
        }
        Performed::Nothing => {}
        Performed::RolledBack(changes) => {
            text.extend(changes.iter().map(describe));
            for r in outcome.restored.iter().filter(|r| !r.paths.is_empty()) {
                text.push_str(&format!(
                    "  `{}`: restored {} from snapshot {} (the files as they were are in a safety snapshot: `cutover snapshots {}`)\n",
                    r.component,
                    r.paths.join(", "),
                    r.snapshot,
                    r.component
                ));
            }
        }
        Performed::Drilled(drill) => {
            text.push_str(&render_drill(drill, name));
            let code = if drill.passed || drill.nothing_to_drill.is_some() {
                exit_codes::OK
            } else {
                exit_codes::NOT_MET
            };
            return (text, code);
        }
    }
    (text, exit_codes::OK)
}

fn render_drill(outcome: &DrillOutcome, name: &str) -> String {
    if let Some(why) = &outcome.nothing_to_drill {
        return format!(
            "drill of `{name}`: nothing to drill — {why}; nothing recorded, the drill record is unchanged\n"
        );
    }
    let mut text = format!(
        "drill of `{name}`: {} — rollback took {:.0} ms on a copy; live state untouched\n",
        if outcome.passed { "passed" } else { "FAILED" },
        outcome.time_to_rollback_ms
    );
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
    text
}

/// The commit hint for the mode file after `changes`.
pub(super) fn mode_file_hint(
    workspace: &cutover_core::workspace::Workspace,
    changes: &[ModeChange],
) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let what: Vec<String> = changes
        .iter()
        .map(|c| format!("{} {} -> {}", c.component, c.from, c.to))
        .collect();
    super::commit_hint(
        &workspace.mode_file_path,
        &format!("cutover: {}", what.join(", ")),
    )
}

/// "`id`: shadow -> canary 25%".
pub fn describe(change: &ModeChange) -> String {
    format!("`{}`: {} -> {}\n", change.component, change.from, change.to)
}
