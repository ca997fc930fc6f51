//! `cutover gc [--dry-run]`: prune what `retention:` no longer keeps and
//! report what was (or would be) freed.

use cutover_core::ops::GcReport;
use cutover_core::snapshot::Freed;

use super::open_workspace;
use crate::args::{GcArgs, GlobalArgs, OutputFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Prunes (or measures) and prints the report.
pub fn run(global: &GlobalArgs, args: GcArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let workspace = open_workspace(global)?;
    let report = cutover_core::ops::gc(&workspace, args.dry_run)?;
    let text = match args.format {
        OutputFormat::Json => crate::printer::json(&json(&report))?,
        OutputFormat::Table => render(&report),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn freed(freed: Freed) -> serde_json::Value {
    serde_json::json!({ "files": freed.files, "bytes": freed.bytes })
}

fn json(report: &GcReport) -> serde_json::Value {
    serde_json::json!({
        "dry_run": report.dry_run,
        "runs": {
            "pruned": report.runs.runs,
            "kept": report.runs.kept,
            "freed": freed(report.runs.freed),
        },
        "snapshot_objects": {
            "kept": report.objects.kept,
            "freed": freed(report.objects.freed),
            "skipped": report.objects_skipped,
        },
        "temporaries": { "freed": freed(report.temporaries) },
        "total": freed(report.total()),
    })
}

fn render(report: &GcReport) -> String {
    let verb = if report.dry_run {
        "would free"
    } else {
        "freed"
    };
    let size = |f: Freed| format!("{} files, {}", f.files, bytes(f.bytes));
    let mut text = format!(
        "run captures: {} {} of {} runs ({} runs kept)\n",
        verb,
        size(report.runs.freed),
        report.runs.runs,
        report.runs.kept
    );
    match &report.objects_skipped {
        Some(why) => text.push_str(&format!("snapshot contents: left alone: {why}\n")),
        None => text.push_str(&format!(
            "snapshot contents: {verb} {} ({} objects kept)\n",
            size(report.objects.freed),
            report.objects.kept
        )),
    }
    text.push_str(&format!(
        "temporaries of killed writers: {verb} {}\n",
        size(report.temporaries)
    ));
    text.push_str(&format!("total: {verb} {}\n", size(report.total())));
    text
}

/// Bytes in a unit a person reads at a glance.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
