//! `cutover runs COMPONENT`: recent runs with their parity.

use cutover_core::report::TextTable;

use super::open_workspace;
use crate::args::{GlobalArgs, OutputFormat, RunsArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prints recent runs, newest first.
pub fn run(global: &GlobalArgs, args: RunsArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let RunsArgs {
        component,
        limit,
        format,
    } = args;
    let workspace = open_workspace(global)?;
    let component = workspace.spec(workspace.component(&component)?);
    let runs = workspace.store.recent_runs(&component.id, limit)?;
    let basis = component.parity_basis();
    let noise = cutover_core::ops::noise_net(&workspace, component, &runs)?;
    let text = match format {
        OutputFormat::Json => crate::printer::json(&serde_json::json!({
            "component": component.id,
            "parity_basis": basis,
            "noise": noise,
            "runs": runs
        }))?,
        OutputFormat::Table => {
            let mut table = TextTable::new(&[
                "run",
                "started",
                "mode",
                "authoritative",
                "exit",
                "status",
                "parity",
                "compared",
                "details",
            ]);
            for r in &runs {
                table.row(vec![
                    r.id.clone(),
                    super::time(r.started_at, &workspace.migration.timezone),
                    r.mode.to_string(),
                    r.authoritative.to_string(),
                    r.exit_code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "-".into()),
                    format!("{:?}", r.status).to_lowercase(),
                    match r.parity {
                        Some(_) if noise.noise_only.contains(&r.id) => "mismatch (noise)".into(),
                        Some(p) => p.to_string(),
                        None => "-".into(),
                    },
                    r.comparison
                        .map_or_else(|| "-".into(), |c| c.short().to_owned()),
                    // A summary's first line names what differs; diffs are in JSON.
                    r.parity_summary
                        .as_deref()
                        .and_then(|s| s.lines().next())
                        .unwrap_or_default()
                        .to_owned(),
                ]);
            }
            format!(
                "{}parity based on: {basis}\n{}",
                table.render(),
                super::gate::noise_line(&noise).unwrap_or_default()
            )
        }
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
