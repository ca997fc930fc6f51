//! `cutover scaffold`: writes a Dagger module for some components (and for
//! the 1.0-beta CLI the `dagger.toml` workspace that installs it) and sets
//! their `dagger.run` in the spec (never replacing one already there).

use std::path::{Path, PathBuf};

use cutover_core::legacy::job::component_id;
use cutover_core::scaffold::beta;
use cutover_core::scaffold::{DaggerCli, ScaffoldSettings, Sdk, scaffold, set_dagger_runs};

use super::locate;
use crate::args::{DaggerCliChoice, GlobalArgs, ScaffoldArgs, SdkChoice};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Scaffolds, writes the module, updates the spec.
pub fn run(global: &GlobalArgs, args: ScaffoldArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let ScaffoldArgs {
        components,
        all,
        sdk,
        out,
        dagger_cli,
        name,
        force,
    } = args;
    let workspace = locate(global)?;
    let chosen = if all {
        workspace.migration.components.iter().collect()
    } else {
        components
            .iter()
            .map(|id| {
                cutover_core::workspace::find_component(&workspace.migration, id)
                    .map(|reference| workspace.migration.component(reference))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let cli = match dagger_cli {
        DaggerCliChoice::Stable => DaggerCli::Stable,
        DaggerCliChoice::Beta => DaggerCli::Beta,
    };
    let name = name.unwrap_or_else(|| workspace.migration.name.clone());
    let directory = module_directory(out, cli, &name, &workspace.base_dir, force)?;
    let module_dir = relative_to(&directory, &workspace.base_dir);
    let settings = ScaffoldSettings {
        sdk: match sdk {
            SdkChoice::Python => Sdk::Python,
            SdkChoice::Typescript => Sdk::Typescript,
        },
        name,
        module_dir,
        cli,
    };
    let module = scaffold(
        &workspace.migration,
        &workspace.base_dir,
        &chosen,
        &settings,
    )?;
    let text = std::fs::read_to_string(&global.spec).map_err(|source| CliError::Write {
        path: global.spec.clone(),
        source,
    })?;
    let edit = set_dagger_runs(
        &text,
        &global.spec.display().to_string(),
        &module.dagger_runs,
        &workspace.migration,
    )
    .map_err(|message| {
        CliError::Usage(format!(
            "cannot set dagger.run in `{}`: {message}",
            global.spec.display()
        ))
    })?;
    for file in &module.files {
        let path = directory.join(&file.path);
        super::write_creating_parent(&path, &file.text)?;
    }
    if let Some(file) = &module.workspace {
        super::write_creating_parent(&workspace.base_dir.join(&file.path), &file.text)?;
    }
    if !edit.set.is_empty() {
        super::write_atomically(&global.spec, &edit.text)?;
    }
    printer
        .write(&report(&module, &edit, &directory, &workspace.base_dir))
        .map_err(CliError::Stdout)?;
    Ok(exit_codes::OK)
}

/// Where the module goes: `--out`, else the generation's default; refused
/// when a module is there already (without `--force`), or for the 1.0 beta
/// when it is outside the spec's directory (the workspace installs it by a
/// relative path).
fn module_directory(
    out: Option<PathBuf>,
    cli: DaggerCli,
    name: &str,
    base: &Path,
    force: bool,
) -> Result<PathBuf, CliError> {
    let directory = out.unwrap_or_else(|| match cli {
        DaggerCli::Stable => base.join(".dagger"),
        DaggerCli::Beta => base.join(beta::default_module_dir(&component_id(name))),
    });
    if beta::holds_module(&directory) && !force {
        return Err(CliError::Usage(format!(
            "`{}` already holds a Dagger module; pass --force to overwrite it or --out for another directory",
            directory.display()
        )));
    }
    if cli == DaggerCli::Beta && Path::new(&relative_to(&directory, base)).is_absolute() {
        return Err(CliError::Usage(format!(
            "`{}` is outside the spec's directory; a 1.0-beta workspace installs modules by a path inside it",
            directory.display()
        )));
    }
    Ok(directory)
}

fn relative_to(path: &Path, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let (path, base) = (absolute(path), absolute(base));
    path.strip_prefix(&base).map_or_else(
        |_| path.display().to_string(),
        |p| {
            let text = p.display().to_string();
            if text.is_empty() { ".".into() } else { text }
        },
    )
}

fn report(
    module: &cutover_core::scaffold::Scaffold,
    edit: &cutover_core::scaffold::SpecEdit,
    directory: &Path,
    base: &Path,
) -> String {
    let mut out = format!(
        "wrote module `{}` ({}) to {}\n",
        module.name,
        cutover_core::text::count(module.functions.len(), "function"),
        directory.display()
    );
    if let Some(file) = &module.workspace {
        out.push_str(&format!(
            "installed it in the workspace {}; run `dagger generate` there to write its `sdk/` bindings\n",
            base.join(&file.path).display()
        ));
    }
    for function in &module.functions {
        let mut marks = Vec::new();
        if function.check {
            marks.push("check");
        }
        if function.wrapped {
            marks.push("WRAPPED steps");
        }
        let suffix = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        out.push_str(&format!(
            "  {} <- {}{suffix}\n",
            function.words.join("-"),
            function.component
        ));
    }
    for id in &edit.set {
        if let Some((_, line)) = module.dagger_runs.iter().find(|(c, _)| c == id) {
            out.push_str(&format!("set {id}.dagger.run: {line}\n"));
        }
    }
    for (id, run) in &edit.kept {
        out.push_str(&format!("kept {id}.dagger.run (already set): {run}\n"));
    }
    out
}
