//! `cutover doctor`: the dagger CLI, the engine, container runtimes and the
//! store, as found on this machine. Exits 1 when Dagger sides cannot run here.

use cutover_core::doctor::diagnose;
use cutover_core::report::TextTable;

use crate::args::{DoctorArgs, GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::{Printer, json};

/// Runs the checks and prints them.
pub fn run(global: &GlobalArgs, args: DoctorArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let DoctorArgs {
        engine_timeout,
        format,
    } = args;
    let base = global
        .spec
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| std::path::PathBuf::from("."), std::path::Path::to_owned);
    let state = super::state_location(global, &base);
    let scratch = std::env::temp_dir().join(format!("cutover-doctor-{}", std::process::id()));
    let report = diagnose(&scratch, &state, engine_timeout);
    let text = match format {
        OutputFormat::Json => json(&report)?,
        OutputFormat::Table => {
            let mut table = TextTable::new(&["check", "status", "version", "detail"]);
            for check in &report.checks {
                let status = serde_json::to_value(check.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                table.row(vec![
                    check.name.to_owned(),
                    status,
                    check.version.clone().unwrap_or_default(),
                    check.detail.clone(),
                ]);
            }
            table.render()
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(if report.dagger_ready() {
        exit_codes::OK
    } else {
        exit_codes::NOT_MET
    })
}
