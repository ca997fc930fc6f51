//! `cutover audit`: every component's legacy features mapped to Dagger
//! capabilities, a summary, effort and a forecast.

use crate::args::{AuditArgs, GlobalArgs};
use crate::error::CliError;
use crate::printer::Printer;

/// Audits the spec.
pub fn run(global: &GlobalArgs, args: AuditArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let _ = (global, args, printer);
    Err(CliError::Usage("audit: not built yet".into()))
}
