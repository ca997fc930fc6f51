//! `cutover record`: a service reports one side's outcome itself.

use cutover_core::router::record_execution;
use cutover_core::store::RunSource;

use super::open_workspace;
use crate::args::{GlobalArgs, RecordArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Records the outcome.
pub fn run(global: &GlobalArgs, args: RecordArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let RecordArgs {
        component,
        side,
        exit_code,
        duration,
    } = args;
    let mut workspace = open_workspace(global)?;
    let component = workspace.component(&component)?;
    let id = workspace.spec(component).id.clone();
    let mode = workspace.mode(&id)?.state;
    let run_id = record_execution(
        &mut workspace.store,
        &id,
        mode,
        side,
        exit_code,
        duration,
        RunSource::Record,
    )?;
    printer
        .write(&format!("recorded run {run_id}\n"))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
