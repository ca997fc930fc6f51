//! `cutover watch`: evaluate rollback triggers of every component, once
//! (`--once`, for cron or a CI schedule) or in a loop.

use std::time::Duration;

use cutover_core::rollback::check_all;

use super::open_workspace;
use crate::args::{GlobalArgs, WatchArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Runs the watch loop.
pub fn run(global: &GlobalArgs, args: WatchArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let WatchArgs { once, interval } = args;
    loop {
        let mut workspace = open_workspace(global)?;
        let firings = check_all(&mut workspace).map_err(|source| CliError::Rollback { source })?;
        let mut text = String::new();
        for firing in &firings {
            text.push_str(&format!(
                "trigger `{}` fired for `{}` ({}): {}\n",
                firing.trigger, firing.component, firing.evidence, firing.outcome
            ));
        }
        if once {
            if firings.is_empty() {
                text.push_str("no trigger fired\n");
            }
            printer.write(&text).map_err(CliError::Stdout)?;
            return Ok(exit_codes::OK);
        }
        printer.write(&text).map_err(CliError::Stdout)?;
        std::thread::sleep(interval.max(Duration::from_secs(1)));
    }
}
