//! `cutover docs`: write the migration documents, from the spec and (when a
//! state store exists) the live verdicts. Never creates a store.

use cutover_core::docs::{docs_context, render_documents};
use cutover_core::plan::build_plan;

use super::Workspace;
use crate::args::{DocsArgs, GlobalArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Renders and writes every document.
pub fn run(global: &GlobalArgs, args: DocsArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let DocsArgs { out } = args;
    let workspace = Workspace::open(global)?;
    let plan = build_plan(&workspace.migration).map_err(|source| CliError::Plan {
        spec: global.spec.clone(),
        source,
    })?;
    let store = if workspace.state_path.exists() {
        Some(workspace.store()?)
    } else {
        None
    };
    let context = docs_context(
        &workspace.migration,
        &plan,
        store.as_ref(),
        &workspace.base_dir,
    );
    let mut documents = render_documents(&context)?;
    let audit = cutover_core::audit::audit(&workspace.migration, store.as_ref())?;
    documents.push(cutover_core::docs::Document {
        file_name: "capability-mapping.md",
        text: cutover_core::audit::render_markdown(&audit)?,
    });
    let directory = out.unwrap_or_else(|| workspace.base_dir.join("migration-docs"));
    std::fs::create_dir_all(&directory).map_err(|source| CliError::Write {
        path: directory.clone(),
        source,
    })?;
    let mut listing = String::new();
    for document in &documents {
        let path = directory.join(document.file_name);
        super::plan::write_atomically(&path, &document.text)?;
        listing.push_str(&format!("wrote {}\n", path.display()));
    }
    if store.is_none() {
        listing
            .push_str("no recorded runs yet: documents show criteria without current verdicts\n");
    }
    printer.write(&listing).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
