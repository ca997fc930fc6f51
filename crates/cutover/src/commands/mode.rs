//! `cutover advance` and `cutover rollback`: change modes of a component or phase.

use cutover_core::lifecycle::{ChangeRequest, Direction, ModeChange, change_modes, resolve_target};

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
        direction: Direction::Advance,
        to,
        percent,
        force,
        reason: reason.as_deref(),
        actor: &actor,
    };
    apply(global, &target, &request, printer)
}

/// Moves back.
pub fn rollback(
    global: &GlobalArgs,
    args: RollbackArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let RollbackArgs {
        target,
        to,
        percent,
        reason,
    } = args;
    let actor = actor();
    let request = ChangeRequest {
        direction: Direction::Rollback,
        to,
        percent,
        force: false,
        reason: reason.as_deref(),
        actor: &actor,
    };
    apply(global, &target, &request, printer)
}

fn apply(
    global: &GlobalArgs,
    target: &str,
    request: &ChangeRequest<'_>,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let workspace = Workspace::open(global)?;
    let target = resolve_target(&workspace.migration, target)?;
    let mut store = workspace.store()?;
    let changes = change_modes(
        &mut store,
        &workspace.migration,
        &workspace.base_dir,
        &target,
        request,
    )
    .map_err(CliError::Change)?;
    let text: String = changes.iter().map(describe).collect();
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn describe(change: &ModeChange) -> String {
    let state = |s: &cutover_core::lifecycle::ModeState| {
        if s.mode == cutover_core::lifecycle::Mode::Canary {
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
