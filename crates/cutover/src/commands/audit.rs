//! `cutover audit`: every component's legacy features mapped to Dagger
//! capabilities, a summary, effort and, from recorded runs, a forecast.
//! Never creates a store.

use cutover_core::audit::{audit, render_json, render_markdown, render_table};
use cutover_core::store::Store;

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
    let workspace = super::locate(&global)?;
    let store = if workspace.store_exists() {
        Some(Store::open_location(&workspace.state)?)
    } else {
        None
    };
    let report = audit(&workspace.migration, store.as_ref())?;
    let text = match format {
        AuditFormat::Table => render_table(&report),
        AuditFormat::Md => render_markdown(&report)?,
        AuditFormat::Json => render_json(&report)?,
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
