//! `cutover ci`: prints (or writes under `--out`) the change to the team's
//! CI files that routes each imported job through `cutover run`.

use cutover_core::ci::{CiSystem, route_through_cutover};

use super::locate;
use crate::args::{CiArgs, CiChoice, GlobalArgs};
use crate::error::{CliError, note};
use crate::exit_codes;
use crate::printer::Printer;

/// Computes the change; prints the diff or writes the files.
pub fn run(global: &GlobalArgs, args: CiArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let CiArgs { system, out } = args;
    let workspace = locate(global)?;
    let system = match system {
        CiChoice::GithubActions => CiSystem::GithubActions,
        CiChoice::Gitlab => CiSystem::Gitlab,
    };
    let change = route_through_cutover(&workspace.migration, &workspace.base_dir, system)?;
    match &out {
        Some(directory) => {
            let mut listing = String::new();
            for file in &change.files {
                let path = directory.join(&file.path);
                super::write_creating_parent(&path, &file.after)?;
                listing.push_str(&format!("wrote {}\n", path.display()));
            }
            printer.write(&listing).map_err(CliError::Stdout)?;
        }
        None => {
            let diff: String = change
                .files
                .iter()
                .map(cutover_core::ci::FileChange::diff)
                .collect();
            printer.write(&diff).map_err(CliError::Stdout)?;
        }
    }
    note(&format!(
        "{} routed through `cutover run` in {}",
        cutover_core::text::count(change.routed.len(), "job"),
        cutover_core::text::count(change.files.len(), "file")
    ));
    for (id, why) in &change.skipped {
        note(&format!("  left as it is: {id}: {why}"));
    }
    note(
        "runners of these jobs need `cutover` on PATH, CUTOVER_STATE (and CUTOVER_TOKEN for `cutover serve`) set, and a Dagger engine once a component leaves legacy mode",
    );
    Ok(exit_codes::OK)
}
