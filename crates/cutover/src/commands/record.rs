//! `cutover record`: a service reports one side's outcome itself.

use cutover_core::router::record_execution;

use super::Workspace;
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
    let workspace = Workspace::open(global)?;
    let component = workspace.component(&component)?;
    let mut store = workspace.store()?;
    let mode = store.mode(&component.id)?.state;
    let run_id = record_execution(
        &mut store,
        &component.id,
        mode,
        side,
        exit_code,
        duration,
        "record",
    )?;
    printer
        .write(&format!("recorded run {run_id}\n"))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
