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
            e.component.clone().unwrap_or_default(),
            e.actor.clone(),
            change(&e.event),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    table.render()
}

/// What changed, in a few words.
fn change(event: &Event) -> String {
    match event {
        Event::ModeAdvanced { from, to, .. } | Event::RolledBack { from, to, .. } => {
            format!("{from} -> {to}")
        }
        Event::GateEvaluated { verdict, .. } => format!("verdict: {}", verdict.as_str()),
        Event::DecisionMade { decision, .. } => format!("decision: {decision}"),
        Event::DrillFinished { passed, .. } => {
            format!("drill {}", if *passed { "passed" } else { "failed" })
        }
        Event::TriggerFired { .. } | Event::DecisionOpened { .. } => String::new(),
    }
}
