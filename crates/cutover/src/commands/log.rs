//! `cutover log`: the audit trail, oldest first, as typed events.

use cutover_core::criteria::Verdict;
use cutover_core::event::{Event, EventLog, EventRecord};
use cutover_core::report::TextTable;
use cutover_core::spec::TriggerAction;

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
        OutputFormat::Table => render(&events, &workspace.migration.timezone),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn render(events: &[EventRecord], zone: &jiff::tz::TimeZone) -> String {
    let mut table = TextTable::new(&["#", "at", "event", "component", "by", "change", "reason"]);
    for e in events {
        table.row(vec![
            e.id.to_string(),
            super::time(e.at, zone),
            e.event.kind().to_string(),
            subject(e),
            e.actor.clone(),
            change(&e.event),
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

/// What changed, in a few words (a forced advance says so, with the
/// evidence it overrode).
fn change(event: &Event) -> String {
    match event {
        Event::ModeAdvanced {
            from,
            to,
            forced,
            gate,
            ..
        } => {
            let overridden = gate
                .as_ref()
                .filter(|g| !g.blocking.is_empty() || g.verdict != Verdict::Pass);
            match (forced, overridden) {
                (true, Some(g)) => format!(
                    "{from} -> {to} FORCED over gate {}: {}",
                    g.verdict.as_str(),
                    g.blocking.join("; ")
                ),
                (true, None) => format!("{from} -> {to} FORCED"),
                (false, _) => format!("{from} -> {to}"),
            }
        }
        Event::RolledBack { from, to, .. } => format!("{from} -> {to}"),
        Event::OverrideSet { to, .. } => format!("override: at most {to}"),
        Event::OverrideCleared { to, file } => format!("override {to} cleared (file: {file})"),
        Event::GateEvaluated { verdict, .. } => format!("verdict: {}", verdict.as_str()),
        Event::DecisionMade { decision, .. } => format!("decision: {decision}"),
        Event::DrillFinished {
            passed,
            time_to_rollback_ms,
            failure,
        } => match (passed, failure) {
            (true, _) => format!("drill passed ({time_to_rollback_ms:.0} ms)"),
            (false, Some(why)) => format!("drill FAILED: {why}"),
            (false, None) => "drill FAILED".into(),
        },
        Event::TriggerFired {
            trigger, action, ..
        } => {
            let action = match action {
                TriggerAction::Rollback => "rollback",
                TriggerAction::Escalate => "escalate",
            };
            format!("trigger `{trigger}` fired: {action}")
        }
        Event::DecisionOpened { trigger, .. } => format!("held by trigger `{trigger}`"),
        Event::DriftAcknowledged { files, .. } => {
            format!(
                "legacy definition acknowledged ({})",
                cutover_core::text::count(files.len(), "source")
            )
        }
        Event::SnapshotRestored {
            snapshot,
            safety,
            restored,
        } => format!(
            "restored {} from snapshot {snapshot} (replaced content in snapshot {safety})",
            restored.join(", ")
        ),
        Event::NoiseCalibrated {
            rounds,
            rules,
            unexplained,
            written,
            ..
        } => format!(
            "noise calibrated over {}: {} learned{}, {} unexplained",
            cutover_core::text::count(*rounds as usize, "round"),
            cutover_core::text::count(rules.len(), "rule"),
            if *written { " and written" } else { "" },
            unexplained
        ),
    }
}
