//! `cutover status`: modes, run counts, parity and drift per component.

use cutover_core::lifecycle::ModeState;
use cutover_core::report::TextTable;
use cutover_core::status::status;

use super::open_workspace;
use crate::args::{GlobalArgs, OutputFormat, StatusArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints the status.
pub fn run(global: &GlobalArgs, args: StatusArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let StatusArgs { format } = args;
    let workspace = open_workspace(global)?;
    let status = status(&workspace.migration, &workspace.store, &workspace.base_dir)?;
    let text = match format {
        OutputFormat::Json => crate::printer::json(&status)?,
        OutputFormat::Table => {
            let mut table = TextTable::new(&[
                "component",
                "mode",
                "runs (all time)",
                "legacy",
                "dagger",
                "parity (all time)",
                "mismatches",
                "flaky",
                "incomplete",
                "drift",
                "decision",
                "notes",
            ]);
            for c in &status.components {
                let mode = ModeState {
                    mode: c.mode,
                    canary_percent: c.canary_percent,
                };
                table.row(vec![
                    c.id.clone(),
                    mode.to_string(),
                    c.runs.total.to_string(),
                    c.runs.legacy.to_string(),
                    c.runs.dagger.to_string(),
                    c.parity
                        .map(|p| format!("{:.1}%", p * 100.0))
                        .unwrap_or_else(|| "-".into()),
                    c.runs.mismatches.to_string(),
                    c.runs.flaky.to_string(),
                    c.runs.incomplete.to_string(),
                    if c.drift { "legacy changed" } else { "-" }.into(),
                    if c.held { "pending" } else { "-" }.into(),
                    notes(c),
                ]);
            }
            table.render() + WINDOW_NOTE
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// Says which window the counts cover (the gate judges another one).
const WINDOW_NOTE: &str = "\nruns, parity, mismatches, flaky and incomplete count every run since \
cutover started recording (flaky runs count as parity); `cutover gate` judges \
the current mode's window. decision pending: an escalated trigger holds the \
component until `cutover decide`.\n";

fn notes(c: &cutover_core::status::ComponentStatus) -> String {
    if c.rollback_interrupted {
        "rollback interrupted: run `cutover rollback --resume`".into()
    } else {
        String::new()
    }
}
