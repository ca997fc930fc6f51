//! `cutover import`: drafts components from legacy definitions (GitHub
//! Actions, GitLab CI, Makefiles, Justfiles, Taskfiles, docker compose).
//!
//! Each importer turns files into [`ImportedJob`]s; [`import_files`] gives
//! them ids and features; [`render`] writes them as a spec that passes
//! `cutover check`. Importers read files and never run them (the Makefile
//! and Justfile importers may ask `make`/`just` to *print* their database).

pub mod error;
pub mod expression;
pub mod github;
pub mod gitlab;
pub mod job;
pub mod merge;
pub mod render;
pub mod source;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use error::ImportError;
pub use job::{Import, ImportedJob, LegacySystem, Step};
pub use source::Sources;

/// Imports `paths` (all of one `system`), naming files relative to `base`
/// (the directory the spec lives in).
pub fn import_files(
    system: LegacySystem,
    paths: &[PathBuf],
    base: &Path,
) -> Result<Import, ImportError> {
    if paths.is_empty() {
        return Err(ImportError::NoFiles);
    }
    let mut sources = Sources::new(base);
    let mut jobs: Vec<ImportedJob> = Vec::new();
    for path in paths {
        let file = sources.file(path);
        let imported = match system {
            LegacySystem::GithubActions => github::import(&mut sources, &file)?,
            LegacySystem::Gitlab => gitlab::import(&mut sources, &file)?,
            other => {
                return Err(ImportError::Refused {
                    file: file.shown,
                    line: 1,
                    construct: format!("`--from {}` is not implemented yet", other.name()),
                    hint: "import GitHub Actions or GitLab CI files".into(),
                });
            }
        };
        for job in imported {
            let duplicate = jobs
                .iter()
                .any(|j| j.scope == job.scope && j.job == job.job);
            if !duplicate {
                jobs.push(job);
            }
        }
    }
    for job in &mut jobs {
        finish(job);
    }
    job::assign_ids(&mut jobs);
    Ok(Import {
        jobs,
        unresolved: sources.unresolved,
    })
}

fn finish(job: &mut ImportedJob) {
    if job.run.is_some() {
        job.feature("shell");
    } else if !job
        .features
        .iter()
        .any(|f| f.contains("reusable-workflow") || f == "downstream-pipeline")
    {
        job.feature("actions-only");
    }
}
