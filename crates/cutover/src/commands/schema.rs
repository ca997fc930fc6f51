//! `cutover schema`: the JSON Schema of migration.yaml.

use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints the schema.
pub fn run(printer: &mut Printer) -> Result<u8, CliError> {
    let mut schema = cutover_core::spec::schema::json_schema();
    schema.push('\n');
    printer.write(&schema).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
