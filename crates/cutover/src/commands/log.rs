//! `cutover log`: the audit trail, oldest first, as typed events.

use cutover_core::event::{Event, EventLog, EventRecord};
use cutover_core::report::TextTable;

use super::open_workspace;
use crate::args::{GlobalArgs, LogArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints events.
pub fn run(global: &GlobalArgs, args: LogArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let LogArgs {
        component,
        limit,
        format,
    } = args;
    let workspace = open_workspace(global)?;
    let events = workspace.store.events(component.as_deref(), limit)?;
    let text = match format {
        OutputFormat::Json => crate::printer::json(&EventLog { events })?,
        OutputFormat::Table => render(&events),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn render(events: &[EventRecord]) -> String {
    let mut table = TextTable::new(&["#", "at", "event", "component", "by", "change", "reason"]);
    for e in events {
        table.row(vec![
            e.id.to_string(),
            super::time(e.at),
            e.event.kind().to_string(),
            subject(e),
            e.actor.clone(),
            e.event.summary(),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    table.render()
}

/// The component, or for a phase's gate the phase it judged.
fn subject(record: &EventRecord) -> String {
    match (&record.component, &record.event) {
        (Some(component), _) => component.clone(),
        (None, Event::GateEvaluated { target, .. }) if target.parse::<u32>().is_ok() => {
            format!("phase {target}")
        }
        (None, Event::GateEvaluated { target, .. }) => target.clone(),
        (None, _) => String::new(),
    }
}
