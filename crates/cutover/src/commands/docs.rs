//! `cutover docs`: write the migration documents, from the spec and (when a
//! state store exists) the live verdicts. Never creates a store.

use cutover_core::docs::{docs_context, render_documents};
use cutover_core::plan::build_plan;
use cutover_core::workspace::Workspace;

use super::{locate, write_atomically};
use crate::args::{DocsArgs, GlobalArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Renders and writes every document.
pub fn run(global: &GlobalArgs, args: DocsArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let DocsArgs { out } = args;
    let located = locate(global)?;
    let plan = build_plan(&located.migration).map_err(|source| CliError::Plan {
        spec: global.spec.clone(),
        source,
    })?;
    let base_dir = located.base_dir.clone();
    // Never creates a store: live verdicts only when one exists.
    let live = if located.store_exists() {
        let mut workspace = Workspace::open(
            located.migration.clone(),
            located.base_dir,
            &located.state,
        )?;
        super::deliver_spool(&mut workspace);
        Some(workspace)
    } else {
        None
    };
    let context = docs_context(&located.migration, &plan, live.as_ref())?;
    let mut documents = render_documents(&context)?;
    let audit = cutover_core::audit::audit(&located.migration, live.as_ref().map(|w| &w.store))?;
    documents.push(cutover_core::docs::Document {
        file_name: "capability-mapping.md",
        text: cutover_core::audit::render_markdown(&audit)?,
    });
    let directory = out.unwrap_or_else(|| base_dir.join("migration-docs"));
    std::fs::create_dir_all(&directory).map_err(|source| CliError::Write {
        path: directory.clone(),
        source,
    })?;
    let mut listing = String::new();
    for document in &documents {
        let path = directory.join(document.file_name);
        write_atomically(&path, &document.text)?;
        listing.push_str(&format!("wrote {}\n", path.display()));
    }
    if live.is_none() {
        listing
            .push_str("no recorded runs yet: documents show criteria without current verdicts\n");
    }
    printer.write(&listing).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
