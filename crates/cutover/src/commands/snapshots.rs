//! `cutover snapshots [COMPONENT]`: every snapshot — the restore points
//! taken before advances and the safety copies taken before rollbacks
//! restore files — newest first, so none is out of sight.

use cutover_core::report::TextTable;
use cutover_core::store::Snapshot;

use super::open_workspace;
use crate::args::{GlobalArgs, OutputFormat, RestoreArgs, SnapshotsArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// `cutover restore SNAPSHOT`: brings the snapshot's files back, after
/// saving the current ones as a safety snapshot.
pub fn restore(
    global: &GlobalArgs,
    args: RestoreArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let RestoreArgs { snapshot, reason } = args;
    let mut workspace = open_workspace(global)?;
    let restored = cutover_core::ops::restore_snapshot(
        &mut workspace,
        snapshot,
        &super::actor(),
        reason.as_deref(),
    )?;
    let text = format!(
        "`{}`: restored {} from snapshot {} (what was there is in safety snapshot {}: `cutover restore {}` undoes this)\n",
        restored.component,
        if restored.paths.is_empty() {
            "nothing (the snapshot holds no preserved paths)".to_owned()
        } else {
            restored.paths.join(", ")
        },
        restored.snapshot,
        restored.safety,
        restored.safety
    );
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// Lists the snapshots of one component, or of every component.
pub fn run(
    global: &GlobalArgs,
    args: SnapshotsArgs,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let workspace = open_workspace(global)?;
    let components: Vec<String> = match &args.component {
        Some(id) => vec![workspace.spec(workspace.component(id)?).id.clone()],
        None => workspace
            .migration
            .components
            .iter()
            .map(|c| c.id.clone())
            .collect(),
    };
    let mut snapshots = Vec::new();
    for component in &components {
        snapshots.extend(workspace.store.snapshots(component)?);
    }
    snapshots.sort_by_key(|s| std::cmp::Reverse(s.id));
    let text = match args.format {
        OutputFormat::Json => crate::printer::json(&serde_json::json!({ "snapshots": snapshots }))?,
        OutputFormat::Table => render(&snapshots),
    };
    printer.write(&text).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

fn render(snapshots: &[Snapshot]) -> String {
    if snapshots.is_empty() {
        return "no snapshots yet: advancing a component takes one\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "id",
        "component",
        "kind",
        "mode",
        "taken",
        "restored",
        "files",
    ]);
    for s in snapshots {
        let kind = serde_json::to_value(s.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        table.row(vec![
            s.id.to_string(),
            s.component.clone(),
            kind,
            s.state.to_string(),
            s.created_at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            s.consumed_at.map_or_else(
                || "-".to_owned(),
                |t| t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            ),
            s.files.len().to_string(),
        ]);
    }
    table.render()
}
