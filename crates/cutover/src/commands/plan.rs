//! `cutover plan`: the phased migration plan as a table, Markdown, HTML or JSON.

use std::path::Path;

use cutover_core::plan::{Change, WhatIfError, build_plan, what_if};
use cutover_core::report::{
    plan_context, plan_document_context, render_html, render_json, render_markdown, render_table,
    what_if_context,
};

use super::{load, plan_failure, spec_path, write_atomically};
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
    let inferred = out.as_deref().map(format_from_extension).transpose()?;
    let format = format.or(inferred).unwrap_or(PlanFormat::Table);
    let changes = changes
        .iter()
        .map(|text| text.parse::<Change>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let migration = load(&path)?;
    let plan_error = |source| plan_failure(&path, &migration, source);
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

/// The extensions `--out` accepts, as named in the error for any other.
const SUPPORTED_EXTENSIONS: &str = ".md, .markdown, .html, .htm, .json, .txt (table)";

/// The format an `--out` file's extension names; any other extension is bad
/// input (a `.pdf` holding a text table would mislead whoever opens it).
fn format_from_extension(path: &Path) -> Result<PlanFormat, CliError> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "md" | "markdown" => Ok(PlanFormat::Md),
        "html" | "htm" => Ok(PlanFormat::Html),
        "json" => Ok(PlanFormat::Json),
        "txt" => Ok(PlanFormat::Table),
        _ => Err(CliError::Usage(format!(
            "`--out {}`: unsupported file extension; supported: {SUPPORTED_EXTENSIONS}",
            path.display()
        ))),
    }
}
