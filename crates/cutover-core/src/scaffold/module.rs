//! `cutover scaffold`: a Dagger module for some components, laid out as
//! `dagger init` lays it out for the SDK (stable 0.x CLI: `dagger.json` and
//! the SDK's source tree), with one function per imported job, and the
//! `dagger call …` line each component's `dagger.run` should hold.
//!
//! Jobs are read again from each component's `legacy.origin` (the file the
//! importer read), so the scaffold sees steps, services and caches the spec
//! does not keep. A component written by hand gets a function that runs its
//! `legacy.run` in a container.

use std::collections::BTreeMap;
use std::path::Path;

use super::file::GeneratedFile;
use super::function::{FunctionPlan, plan};
use super::{python, typescript};
use crate::legacy::job::component_id;
use crate::legacy::{ImportError, ImportedJob, LegacySystem, Step, read_files};
use crate::spec::{Component, Migration};

/// The SDKs a scaffold can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sdk {
    /// `dagger-io` (PyPI).
    Python,
    /// `@dagger.io/dagger` (npm).
    Typescript,
}

impl Sdk {
    /// The `sdk.source` value in `dagger.json`.
    pub fn source(self) -> &'static str {
        match self {
            Sdk::Python => "python",
            Sdk::Typescript => "typescript",
        }
    }
}

/// A scaffolded module.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// Module name (`dagger.json` `name`).
    pub name: String,
    /// Files to write under the module directory.
    pub files: Vec<GeneratedFile>,
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
}

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct ScaffoldSettings {
    /// The SDK.
    pub sdk: Sdk,
    /// The module's name.
    pub name: String,
    /// The module directory relative to the spec's directory (for `dagger call -m`).
    pub module_dir: String,
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
    let mut runs = Vec::new();
    for component in components {
        for job in jobs_of(migration, base, component, &mut cache)? {
            if job.steps.is_empty() || runs.iter().any(|(id, _)| *id == job.id) {
                continue;
            }
            let mut function = plan(&job);
            if functions.iter().any(|f| f.words == function.words) {
                function.words.push(functions.len().to_string());
            }
            runs.push((job.id.clone(), call_line(&function, &settings.module_dir)));
            functions.push(function);
        }
    }
    let name = component_id(&settings.name);
    let class = class_name(&name);
    let mut files = vec![GeneratedFile::new(
        "dagger.json",
        dagger_json(&name, settings.sdk),
    )];
    files.extend(match settings.sdk {
        Sdk::Python => python::files(&name, &class, &functions),
        Sdk::Typescript => typescript::files(&name, &class, &functions),
    });
    Ok(Scaffold {
        name,
        files,
        functions,
        dagger_runs: runs,
    })
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
    for (words, variable) in &function.secrets {
        line.push_str(&format!(" --{} env://{variable}", words.join("-")));
    }
    for (words, variable, default) in &function.args {
        line.push_str(&format!(
            " --{} \"${{{variable}:-{default}}}\"",
            words.join("-")
        ));
    }
    match function.exports.as_slice() {
        [] => {}
        [one] => line.push_str(&format!(" export --path {one}")),
        _ => line.push_str(" export --path ."),
    }
    line
}
