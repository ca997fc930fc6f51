//! `cutover log`: the audit trail, oldest first.

use cutover_core::report::TextTable;

use super::Workspace;
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
    let workspace = Workspace::open(global)?;
    let store = workspace.store()?;
    let events = store.events(component.as_deref(), limit)?;
    let text = match format {
        OutputFormat::Json => crate::printer::json(&serde_json::json!({ "events": events }))?,
        OutputFormat::Table => {
            let mut table =
                TextTable::new(&["#", "at", "event", "component", "by", "change", "reason"]);
            for e in &events {
                let change = match (
                    e.detail.get("from"),
                    e.detail.get("to"),
                    e.detail.get("verdict"),
                ) {
                    (Some(from), Some(to), _) => format!("{} -> {}", describe(from), describe(to)),
                    (_, _, Some(verdict)) => {
                        format!("verdict: {}", verdict.as_str().unwrap_or("?"))
                    }
                    _ => String::new(),
                };
                table.row(vec![
                    e.id.to_string(),
                    e.at.clone(),
                    e.kind.clone(),
                    e.component.clone().unwrap_or_default(),
                    e.actor.clone(),
                    change,
                    e.reason.clone().unwrap_or_default(),
                ]);
            }
            table.render()
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn describe(state: &serde_json::Value) -> String {
    let mode = state["mode"].as_str().unwrap_or("?");
    match state["canary_percent"].as_u64() {
        Some(p) if mode == "canary" => format!("canary {p}%"),
        _ => mode.to_owned(),
    }
}
