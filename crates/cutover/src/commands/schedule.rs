//! `cutover comms schedule [--ics FILE]`: the migration's agenda — status
//! updates, phase starts, gates, retirement dates, training sessions — as a
//! table, or written atomically as an iCalendar file. (The other `comms`
//! subcommands, about the outbox, are in `comms.rs`.)

use std::path::Path;

use cutover_core::agenda::{Agenda, EntryKind, agenda, render_ics, render_table};
use cutover_core::plan::build_plan;

use super::{load, plan_failure, write_atomically};
use crate::args::{GlobalArgs, ScheduleArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints the agenda, or writes it as iCalendar.
pub fn run(global: &GlobalArgs, args: ScheduleArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let ScheduleArgs { ics } = args;
    if let Some(path) = &ics {
        check_ics_path(path)?;
    }
    let migration = load(&global.spec)?;
    let plan = build_plan(&migration).map_err(|e| plan_failure(&global.spec, &migration, e))?;
    let agenda = agenda(&migration, &plan);
    let text = match &ics {
        Some(path) => {
            write_atomically(path, &render_ics(&agenda, jiff::Timestamp::now()))?;
            format!("wrote {}: {}\n", path.display(), counts(&agenda))
        }
        None => render_table(&agenda),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// `--ics FILE` must name an `.ics` file in a directory that exists: anything
/// else is refused before a byte is written.
fn check_ics_path(path: &Path) -> Result<(), CliError> {
    let shown = path.display();
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !extension.eq_ignore_ascii_case("ics") {
        return Err(CliError::Usage(format!(
            "`--ics {shown}`: the file must end in `.ics`"
        )));
    }
    if path.is_dir() {
        return Err(CliError::Usage(format!("`--ics {shown}` is a directory")));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if parent.is_some_and(|p| !p.is_dir()) {
        return Err(CliError::Usage(format!(
            "`--ics {shown}`: its directory does not exist"
        )));
    }
    Ok(())
}

/// `35 events: 1 status update, 9 phase starts, …`.
fn counts(agenda: &Agenda) -> String {
    let kinds = [
        (EntryKind::StatusUpdate, "recurring status update"),
        (EntryKind::PhaseStart, "phase start"),
        (EntryKind::Gate, "gate"),
        (EntryKind::Retirement, "retirement date"),
        (EntryKind::Training, "training session"),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .map(|(kind, noun)| {
            let n = agenda.entries.iter().filter(|e| e.kind == *kind).count();
            cutover_core::text::count(n, noun)
        })
        .collect();
    format!(
        "{}: {}",
        cutover_core::text::count(agenda.entries.len(), "event"),
        parts.join(", ")
    )
}
