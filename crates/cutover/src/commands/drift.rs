//! `cutover drift show|ack COMPONENT`: what changed in a component's legacy
//! definition since its baseline, and accepting it as the new baseline.

use cutover_core::ops::{DriftReport, acknowledge_drift, drift_report};
use cutover_core::report::TextTable;

use super::{actor, open_workspace};
use crate::args::{DriftCommand, GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Shows or acknowledges drift.
pub fn run(
    global: &GlobalArgs,
    command: DriftCommand,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let mut workspace = open_workspace(global)?;
    let text = match command {
        DriftCommand::Show { component, format } => {
            let reference = workspace.component(&component)?;
            let report = drift_report(&workspace, reference)?;
            match format {
                OutputFormat::Json => crate::printer::json(&report)?,
                OutputFormat::Table => render(&report),
            }
        }
        DriftCommand::Ack { component, reason } => {
            let reference = workspace.component(&component)?;
            let report = acknowledge_drift(&mut workspace, reference, &actor(), reason.as_deref())?;
            format!(
                "{}acknowledged: `{}` now compares its legacy definition against {}\n",
                render(&report),
                report.component,
                short(&report.current)
            )
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn render(report: &DriftReport) -> String {
    let mut text = format!(
        "`{}`: {} (baseline {}, now {})\n",
        report.component,
        if report.drifted {
            "legacy definition changed"
        } else {
            "no drift"
        },
        report.baseline.as_deref().map_or("none", short),
        short(&report.current)
    );
    let mut table = TextTable::new(&["source", "digest now", "baseline", "changed"]);
    for file in &report.files {
        table.row(vec![
            file.path.clone(),
            file.digest.as_deref().map_or("missing", short).to_owned(),
            file.baseline.as_deref().map_or("-", short).to_owned(),
            match file.changed {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => "unknown (no per-file baseline yet)".into(),
            },
        ]);
    }
    text.push_str(&table.render());
    text
}

/// The first 12 hex digits of a digest.
fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}
