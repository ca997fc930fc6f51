//! `cutover sync`: write the store's overrides into the mode file, then
//! clear the overrides it reflects.

use super::{actor, commit_hint, open_workspace};
use crate::args::{GlobalArgs, SyncArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Syncs overrides into the mode file and says what to commit.
pub fn run(global: &GlobalArgs, args: SyncArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let SyncArgs {} = args;
    let mut workspace = open_workspace(global)?;
    let report = cutover_core::ops::sync(&mut workspace, &actor()).map_err(|e| match e {
        cutover_core::ops::SyncError::Store(e) => CliError::Store(e),
        cutover_core::ops::SyncError::ModeWrite(e) => CliError::ModeWrite(e),
    })?;
    let mut text = String::new();
    for change in &report.written {
        text.push_str(&format!(
            "`{}`: {} -> {} (the override, now in the mode file)\n",
            change.component, change.from, change.to
        ));
    }
    for cleared in &report.cleared {
        text.push_str(&format!(
            "`{}`: override {} cleared: the mode file reflects it\n",
            cleared.component, cleared.state
        ));
    }
    if report.file_changed {
        let what: Vec<String> = report
            .written
            .iter()
            .map(|c| format!("{} {} -> {}", c.component, c.from, c.to))
            .collect();
        let message = match what.is_empty() {
            true => "cutover: record the modes in the mode file".to_owned(),
            false => format!("cutover: {}", what.join(", ")),
        };
        text.push_str(&commit_hint(&workspace.mode_file_path, &message));
    }
    if text.is_empty() {
        text.push_str("nothing to sync: no overrides, and the mode file is up to date\n");
    }
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
