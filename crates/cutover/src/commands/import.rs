//! `cutover import`: drafts a spec from legacy CI files (printed), or adds
//! the new components to an existing spec (`--merge`), never overwriting
//! what is there.

use std::path::{Path, PathBuf};

use cutover_core::import::merge::merge;
use cutover_core::import::{Import, LegacySystem, import_files, render};
use cutover_core::spec::load_spec;

use crate::args::{ImportArgs, LegacyFrom};
use crate::error::{CliError, note};
use crate::exit_codes;
use crate::printer::Printer;

/// Imports the files and prints or merges the result.
pub fn run(args: ImportArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let ImportArgs {
        from,
        paths,
        merge: merge_into,
        dry_run,
        name,
        start,
    } = args;
    let base = merge_into
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let import = import_files(system(from), &paths, &base)?;
    report_unresolved(&import);
    match merge_into {
        Some(spec) => merge_spec(&spec, import, dry_run, printer),
        None => {
            let name = name.unwrap_or_else(default_name);
            let start = match start {
                Some(start) => start,
                None => jiff::Zoned::now().date().to_string(),
            };
            let text = render::spec(&name, &start, &import.jobs);
            printer.write(&text).map_err(CliError::Stdout)?;
            note(&format!(
                "imported {}",
                cutover_core::text::count(import.jobs.len(), "component")
            ));
            Ok(exit_codes::OK)
        }
    }
}

fn system(from: LegacyFrom) -> LegacySystem {
    match from {
        LegacyFrom::GithubActions => LegacySystem::GithubActions,
        LegacyFrom::Gitlab => LegacySystem::Gitlab,
        LegacyFrom::Make => LegacySystem::Make,
        LegacyFrom::Just => LegacySystem::Just,
        LegacyFrom::Taskfile => LegacySystem::Taskfile,
        LegacyFrom::Compose => LegacySystem::Compose,
    }
}

fn default_name() -> String {
    std::env::current_dir()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map_or_else(|| "migration".into(), |n| format!("{n}-to-dagger"))
}

fn report_unresolved(import: &Import) {
    for line in &import.notes {
        note(line);
    }
    if import.unresolved.is_empty() {
        return;
    }
    note(&format!(
        "not followed ({}; never fetched):",
        cutover_core::text::count(import.unresolved.len(), "reference")
    ));
    for item in &import.unresolved {
        note(&format!("  {}:{}: {}", item.file, item.line, item.what));
    }
}

fn merge_spec(
    spec: &Path,
    import: Import,
    dry_run: bool,
    printer: &mut Printer,
) -> Result<u8, CliError> {
    let existing = load_spec(spec)?;
    let text = std::fs::read_to_string(spec).map_err(|source| CliError::Write {
        path: spec.to_owned(),
        source,
    })?;
    let outcome = merge(&text, &spec.display().to_string(), &existing, import.jobs)
        .map_err(|e| CliError::Usage(format!("cannot merge into `{}`: {e}", spec.display())))?;
    let mut report = String::new();
    let verb = if dry_run { "would add" } else { "added" };
    for id in &outcome.added {
        report.push_str(&format!("{verb} {id}\n"));
    }
    for (id, difference) in &outcome.differences {
        report.push_str(&format!("differs {id}: {difference} (left as it is)\n"));
    }
    report.push_str(&format!(
        "{verb} {}, {} left as written\n",
        cutover_core::text::count(outcome.added.len(), "component"),
        cutover_core::text::count(outcome.differences.len(), "difference"),
    ));
    if !dry_run && !outcome.added.is_empty() {
        super::write_atomically(spec, &outcome.text)?;
    }
    printer.write(&report).map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}
