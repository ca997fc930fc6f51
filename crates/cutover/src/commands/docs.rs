//! `cutover docs`: write the migration documents, each as Markdown and as a
//! self-contained HTML page, from the spec and (when a state store exists,
//! or runs spooled records for one) the live verdicts. Otherwise never
//! creates a store.

use cutover_core::docs::{docs_context, render_documents};
use cutover_core::plan::build_plan;

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
    let migration = located.migration.clone();
    // Never creates a store: live verdicts only when there is state.
    let live = if located.has_state() {
        Some(located.open()?)
    } else {
        None
    };
    let context = docs_context(&migration, &plan, live.as_ref())?;
    let mut documents = render_documents(&context)?;
    let audit = cutover_core::audit::audit(&migration, live.as_ref().map(|w| &w.store))?;
    let capabilities = cutover_core::docs::Document {
        file_name: "capability-mapping.md".to_owned(),
        text: cutover_core::audit::render_markdown(&audit)?,
    };
    documents.push(capabilities.html(&cutover_core::docs::Charts::new())?);
    documents.push(capabilities);
    let communication =
        cutover_core::docs::communication_plan(&migration, &plan, &base_dir, &context)?;
    documents.push(communication.html(&cutover_core::docs::Charts::new())?);
    documents.push(communication);
    let directory = out.unwrap_or_else(|| base_dir.join("migration-docs"));
    std::fs::create_dir_all(&directory).map_err(|source| CliError::Write {
        path: directory.clone(),
        source,
    })?;
    let mut listing = String::new();
    for document in &documents {
        let path = directory.join(&document.file_name);
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
