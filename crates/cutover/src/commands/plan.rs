//! `cutover plan`: the phased migration plan as a table, Markdown, HTML or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use cutover_core::plan::{Change, WhatIfError, build_plan, what_if};
use cutover_core::report::{
    plan_context, plan_document_context, render_html, render_json, render_markdown, render_table,
    what_if_context,
};

use super::{load, spec_path};
use crate::args::{GlobalArgs, PlanArgs, PlanFormat};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Builds and prints (or writes) the plan.
pub fn run(global: &GlobalArgs, args: PlanArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let PlanArgs {
        spec,
        format,
        out,
        what_if: changes,
    } = args;
    let path = spec_path(global, spec);
    let format = format
        .or_else(|| out.as_deref().and_then(format_from_extension))
        .unwrap_or(PlanFormat::Table);
    let changes = changes
        .iter()
        .map(|text| text.parse::<Change>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let migration = load(&path)?;
    let plan_error = |source| CliError::Plan {
        spec: path.clone(),
        source,
    };
    let plan = build_plan(&migration).map_err(plan_error)?;
    let mut context = match format {
        PlanFormat::Md | PlanFormat::Html => plan_document_context(&migration, &plan),
        PlanFormat::Table | PlanFormat::Json => plan_context(&migration, &plan),
    };
    if !changes.is_empty() {
        let outcome = what_if(&migration, &plan, &changes).map_err(|e| match e {
            WhatIfError::Plan(source) => plan_error(source),
            other => CliError::Usage(other.to_string()),
        })?;
        context.what_if = Some(what_if_context(&outcome));
    }
    let text = match format {
        PlanFormat::Table => render_table(&context),
        PlanFormat::Md => render_markdown(&context)?,
        PlanFormat::Html => render_html(&context)?,
        PlanFormat::Json => render_json(&context)?,
    };
    match out {
        Some(out) => write_atomically(&out, &text)?,
        None => printer.write(&text).map_err(CliError::Stdout)?,
    }
    Ok(exit_codes::OK)
}

fn format_from_extension(path: &Path) -> Option<PlanFormat> {
    match path.extension()?.to_str()? {
        "md" | "markdown" => Some(PlanFormat::Md),
        "html" | "htm" => Some(PlanFormat::Html),
        "json" => Some(PlanFormat::Json),
        _ => None,
    }
}

/// Writes through a temporary file in the same directory and renames it into
/// place, so readers never see a half-written document.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    let error = |source| CliError::Write {
        path: path.to_owned(),
        source,
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(error)
}
