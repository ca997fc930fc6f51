//! `cutover audit`: every component's legacy features mapped to Dagger
//! capabilities, a summary, effort and, from recorded runs, a forecast.
//! Creates no store unless runs spooled records for one.

use cutover_core::audit::{audit, render_json, render_markdown, render_table};

use crate::args::{AuditArgs, AuditFormat, GlobalArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Audits the spec and prints the report.
pub fn run(global: &GlobalArgs, args: AuditArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let AuditArgs { spec, format } = args;
    let global = GlobalArgs {
        spec: super::spec_path(global, spec),
        spec_given: true,
        state: global.state.clone(),
    };
    let located = super::locate(&global)?;
    let migration = located.migration.clone();
    let live = if located.has_state() {
        Some(located.open()?)
    } else {
        None
    };
    let report = audit(&migration, live.as_ref().map(|w| &w.store))?;
    let text = match format {
        AuditFormat::Table => render_table(&report),
        AuditFormat::Md => render_markdown(&report)?,
        AuditFormat::Json => render_json(&report)?,
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
