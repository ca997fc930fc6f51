//! `cutover status`: modes, run counts, parity and drift per component.

use cutover_core::exec::ParityComparison;
use cutover_core::lifecycle::ModeState;
use cutover_core::report::TextTable;
use cutover_core::status::status;
use cutover_core::store::ComparisonCounts;

use super::open_workspace;
use crate::args::{GlobalArgs, OutputFormat, StatusArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints the status.
pub fn run(global: &GlobalArgs, args: StatusArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let StatusArgs { format } = args;
    let workspace = open_workspace(global)?;
    let status = status(&workspace)?;
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
                "compared",
                "mismatches",
                "flaky",
                "incomplete",
                "drift",
                "decision",
                "override",
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
                    compared(&c.runs.compared_by),
                    c.runs.mismatches.to_string(),
                    c.runs.flaky.to_string(),
                    c.runs.incomplete.to_string(),
                    if c.drift { "legacy changed" } else { "-" }.into(),
                    if c.held { "pending" } else { "-" }.into(),
                    override_cell(c),
                    notes(c),
                ]);
            }
            table.render() + &overrides_note(&status, &workspace.migration.timezone) + WINDOW_NOTE
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// Says which window the counts cover (the gate judges another one).
const WINDOW_NOTE: &str = "\nruns, parity, mismatches, flaky and incomplete count every run since \
cutover started recording (flaky runs count as parity); compared says what \
parity compared (dry runs: both sides' dry runs of a deploy; exit code: a real \
run with a dry run); `cutover gate` judges \
the current mode's window. decision pending: an escalated trigger holds the \
component until `cutover decide`.\n";

/// "shadow, not in file" for an override that holds a component back.
fn override_cell(c: &cutover_core::status::ComponentStatus) -> String {
    match &c.active_override {
        None => "-".into(),
        Some(o) if o.in_file => format!("{} (in file)", o.set.state),
        Some(o) => format!("{}, not in file", o.set.state),
    }
}

/// Which overrides the mode file does not reflect yet, and what to do.
fn overrides_note(status: &cutover_core::status::Status, zone: &jiff::tz::TimeZone) -> String {
    let pending: Vec<String> = status
        .components
        .iter()
        .filter_map(|c| {
            let o = c.active_override.as_ref().filter(|o| !o.in_file)?;
            Some(format!(
                "  `{}`: held at {} (file says {}) by {} at {}{}\n",
                c.id,
                o.set.state,
                c.committed,
                o.set.actor,
                super::time(o.set.set_at, zone),
                o.set
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ))
        })
        .collect();
    if pending.is_empty() {
        return String::new();
    }
    format!(
        "\noverrides not in the mode file (every runner reaching this store obeys them):\n{}hint: `cutover sync` writes them into the mode file; then commit it\n",
        pending.concat()
    )
}

/// What parity compared: `dry runs`, or `dry runs 5, exit code 2` when mixed.
fn compared(counts: &ComparisonCounts) -> String {
    let kinds: Vec<(ParityComparison, u64)> = ParityComparison::ALL
        .into_iter()
        .map(|c| (c, counts.of(c)))
        .filter(|(_, n)| *n > 0)
        .collect();
    match kinds.as_slice() {
        [] => "-".into(),
        [(only, _)] => only.short().into(),
        many => many
            .iter()
            .map(|(c, n)| format!("{} {n}", c.short()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn notes(c: &cutover_core::status::ComponentStatus) -> String {
    if c.rollback_interrupted {
        "rollback interrupted: run `cutover rollback --resume`".into()
    } else {
        String::new()
    }
}
