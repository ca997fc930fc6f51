//! `cutover decide COMPONENT rollback|continue`: close the decision point an
//! escalated trigger opened.

use cutover_core::event::DecisionOutcome;

use super::{actor, open_workspace};
use crate::args::{DecideArgs, Decision, GlobalArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Records the decision and acts on it.
pub fn run(global: &GlobalArgs, args: DecideArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let DecideArgs {
        component,
        decision,
        reason,
    } = args;
    let mut workspace = open_workspace(global)?;
    let component = workspace.component(&component)?;
    let outcome = match decision {
        Decision::Rollback => DecisionOutcome::Rollback,
        Decision::Continue => DecisionOutcome::Continue,
    };
    let changes = cutover_core::ops::decide(&mut workspace, component, outcome, &actor(), &reason)?;
    let mut text: String = changes.iter().map(super::mode::describe).collect();
    text.push_str(&super::mode::mode_file_hint(&workspace, &changes));
    text.push_str(&format!(
        "decision recorded: {outcome}; `{}` is no longer held\n",
        workspace.spec(component).id
    ));
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
