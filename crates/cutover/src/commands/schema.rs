//! `cutover schema`: the JSON Schema of migration.yaml, or with `--events`
//! of the typed events `cutover log --format json` prints.

use crate::args::SchemaArgs;
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints the schema.
pub fn run(args: SchemaArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let SchemaArgs { events } = args;
    let mut schema = if events {
        cutover_core::event::event_schema()
    } else {
        cutover_core::spec::schema::json_schema()
    };
    schema.push('\n');
    printer.write(&schema).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
