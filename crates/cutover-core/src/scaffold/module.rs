//! `cutover scaffold`: a Dagger module for some components, laid out as
//! `dagger init` lays it out for the SDK — for the stable 0.x CLI
//! (`dagger.json` and the SDK's source tree) or, with [`DaggerCli::Beta`],
//! the 1.0-beta workspace layout (see [`super::beta`]) — with one function
//! per imported job, and the `dagger call …` (or `dagger api call …`) line
//! each component's `dagger.run` should hold.
//!
//! Jobs are read again from each component's `legacy.origin` (the file the
//! importer read), so the scaffold sees steps, services and caches the spec
//! does not keep. A component written by hand gets a function that runs its
//! `legacy.run` in a container.

use std::collections::BTreeMap;
use std::path::Path;

use super::beta::{self, WorkspaceConfigError};
use super::file::{GeneratedFile, Sdk};
use super::function::{FunctionPlan, call_arguments, plan};
use super::{python, typescript};
use crate::legacy::job::component_id;
use crate::legacy::{ImportError, ImportedJob, LegacySystem, Step, read_files};
use crate::spec::{Component, Migration};

/// The generation of the Dagger CLI a scaffold is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaggerCli {
    /// The stable 0.x CLI: `dagger.json`, `dagger call`.
    Stable,
    /// The 1.0 beta: a `dagger.toml` workspace, a `dagger-module.toml`
    /// module, `dagger api call`.
    Beta,
}

/// A scaffolded module.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// Module name (`dagger.json` `name`).
    pub name: String,
    /// Files to write under the module directory.
    pub files: Vec<GeneratedFile>,
    /// The 1.0-beta workspace file (`dagger.toml`, relative to the spec's
    /// directory), with the module installed; `None` for the stable CLI.
    pub workspace: Option<GeneratedFile>,
    /// The functions, in order.
    pub functions: Vec<FunctionPlan>,
    /// Each component's `dagger call` line.
    pub dagger_runs: Vec<(String, String)>,
}

/// Why a scaffold could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// A component's legacy file could not be imported again.
    #[error("failed to read the legacy definition of `{component}`")]
    Import {
        /// The component.
        component: String,
        /// Why.
        #[source]
        source: ImportError,
    },
    /// The job named in `legacy.origin` is no longer in its file.
    #[error("`{component}`: job `{job}` is no longer in `{file}`")]
    Gone {
        /// The component.
        component: String,
        /// The job.
        job: String,
        /// The file.
        file: String,
    },
    /// A component has neither an origin nor a legacy command.
    #[error("`{0}` has no legacy side to scaffold from")]
    NoLegacy(String),
    /// The workspace's `dagger.toml` could not be read or updated.
    #[error("cannot install the module in the Dagger workspace")]
    Workspace(#[from] WorkspaceConfigError),
    /// The workspace's `dagger.toml` could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct ScaffoldSettings {
    /// The SDK.
    pub sdk: Sdk,
    /// The module's name.
    pub name: String,
    /// The module directory relative to the spec's directory (for `dagger call -m`,
    /// and the 1.0-beta workspace's `source`).
    pub module_dir: String,
    /// The CLI generation to lay the module out for.
    pub cli: DaggerCli,
}

/// Scaffolds `components` of `migration` (whose spec lives in `base`).
pub fn scaffold(
    migration: &Migration,
    base: &Path,
    components: &[&Component],
    settings: &ScaffoldSettings,
) -> Result<Scaffold, ScaffoldError> {
    let mut cache: BTreeMap<(String, String), Vec<ImportedJob>> = BTreeMap::new();
    let mut functions: Vec<FunctionPlan> = Vec::new();
    let mut runs: Vec<(String, String)> = Vec::new();
    let name = component_id(&settings.name);
    for component in components {
        for job in jobs_of(migration, base, component, &mut cache)? {
            if job.steps.is_empty() || runs.iter().any(|(id, _)| *id == job.id) {
                continue;
            }
            let mut function = plan(&job);
            if functions.iter().any(|f| f.words == function.words) {
                function.words.push(functions.len().to_string());
            }
            let line = match settings.cli {
                DaggerCli::Stable => call_line(&function, &settings.module_dir),
                DaggerCli::Beta => beta::call_line(&function, &name),
            };
            runs.push((job.id.clone(), line));
            functions.push(function);
        }
    }
    let (files, workspace) = layout(&name, &functions, base, settings)?;
    Ok(Scaffold {
        name,
        files,
        workspace,
        functions,
        dagger_runs: runs,
    })
}

/// The module's files, and for the 1.0 beta the workspace file installing it.
fn layout(
    name: &str,
    functions: &[FunctionPlan],
    base: &Path,
    settings: &ScaffoldSettings,
) -> Result<(Vec<GeneratedFile>, Option<GeneratedFile>), ScaffoldError> {
    let class = class_name(name);
    match settings.cli {
        DaggerCli::Stable => {
            let mut files = vec![GeneratedFile::new(
                "dagger.json",
                dagger_json(name, settings.sdk),
            )];
            files.extend(match settings.sdk {
                Sdk::Python => python::files(name, &class, functions),
                Sdk::Typescript => typescript::files(name, &class, functions),
            });
            Ok((files, None))
        }
        DaggerCli::Beta => {
            let mut files = vec![beta::module_config(name, settings.sdk)];
            files.extend(match settings.sdk {
                Sdk::Python => python::beta_files(name, &class, functions),
                Sdk::Typescript => typescript::beta_files(name, &class, functions),
            });
            let path = base.join(beta::WORKSPACE_FILE);
            let existing = match std::fs::read_to_string(&path) {
                Ok(text) => Some(text),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => return Err(ScaffoldError::Read { path, source }),
            };
            let text = beta::workspace_config(
                existing.as_deref(),
                name,
                settings.sdk,
                &settings.module_dir,
            )?;
            Ok((files, Some(GeneratedFile::new(beta::WORKSPACE_FILE, text))))
        }
    }
}

/// The jobs behind a component: its own, or for a reusable-workflow call,
/// the called jobs (components `<id>-…`).
fn jobs_of(
    migration: &Migration,
    base: &Path,
    component: &Component,
    cache: &mut BTreeMap<(String, String), Vec<ImportedJob>>,
) -> Result<Vec<ImportedJob>, ScaffoldError> {
    let Some(legacy) = &component.legacy else {
        return Err(ScaffoldError::NoLegacy(component.id.clone()));
    };
    let Some(origin) = &legacy.origin else {
        let mut job = ImportedJob::new(LegacySystem::Make, "", &component.id, 0);
        job.id.clone_from(&component.id);
        job.steps.push(Step::Run {
            name: None,
            script: legacy.run.clone(),
        });
        return Ok(vec![job]);
    };
    if legacy.features.iter().any(|f| f == "reusable-workflow") {
        let prefix = format!("{}-", component.id);
        let mut out = Vec::new();
        for called in migration
            .components
            .iter()
            .filter(|c| c.id.starts_with(&prefix))
        {
            out.extend(jobs_of(migration, base, called, cache)?);
        }
        return Ok(out);
    }
    let system = LegacySystem::from_name(&origin.from).unwrap_or(LegacySystem::GithubActions);
    let key = (origin.from.clone(), origin.file.clone());
    if !cache.contains_key(&key) {
        let imported = read_files(system, &[base.join(&origin.file)], base).map_err(|source| {
            ScaffoldError::Import {
                component: component.id.clone(),
                source,
            }
        })?;
        cache.insert(key.clone(), imported.jobs);
    }
    let found = cache.get(&key).and_then(|jobs| {
        jobs.iter()
            .find(|j| j.file == origin.file && j.job == origin.job)
    });
    let Some(job) = found else {
        return Err(ScaffoldError::Gone {
            component: component.id.clone(),
            job: origin.job.clone(),
            file: origin.file.clone(),
        });
    };
    let mut job = job.clone();
    job.id.clone_from(&component.id);
    job.secrets.clone_from(&component.secrets);
    Ok(vec![job])
}

fn dagger_json(name: &str, sdk: Sdk) -> String {
    format!(
        "{{\n  \"name\": \"{name}\",\n  \"engineVersion\": \"v0.19.0\",\n  \"sdk\": {{\n    \"source\": \"{}\"\n  }}\n}}\n",
        sdk.source()
    )
}

fn class_name(module: &str) -> String {
    let class: String = module
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if class.starts_with(|c: char| c.is_ascii_alphabetic()) {
        class
    } else {
        format!("Module{class}")
    }
}

/// The `dagger call` line for `function` in the module at `module_dir`.
pub fn call_line(function: &FunctionPlan, module_dir: &str) -> String {
    let mut line = format!(
        "dagger call -m {module_dir} {} --source .",
        function.words.join("-")
    );
    line.push_str(&call_arguments(function));
    match function.exports.as_slice() {
        [] => {}
        [one] => line.push_str(&format!(" export --path {one}")),
        _ => line.push_str(" export --path ."),
    }
    line
}
