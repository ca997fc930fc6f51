//! Legacy CI and build definitions read into [`ImportedJob`]s: GitHub
//! Actions, GitLab CI, Makefiles, Justfiles, Taskfiles and docker compose.
//! An engine: `import` turns the jobs into a spec, `scaffold` into Dagger
//! functions, `ci` into the CI change. Files are read, never run.

pub mod compose;
pub mod error;
pub mod expression;
pub mod github;
pub mod gitlab;
pub mod job;
pub mod just;
pub mod just_dump;
pub mod make;
pub mod source;
pub mod taskfile;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use error::ImportError;
pub use job::{Import, ImportedJob, LegacySystem, Step};
pub use source::Sources;

/// Reads `paths` (all of one `system`) into jobs with ids and features,
/// naming files relative to `base` (the directory the spec lives in).
pub fn read_files(
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
            LegacySystem::Make => make::import(&mut sources, &file)?,
            LegacySystem::Just => just::import(&mut sources, &file)?,
            LegacySystem::Taskfile => taskfile::import(&mut sources, &file)?,
            LegacySystem::Compose => compose::import(&mut sources, &file)?,
        };
        if imported.is_empty() {
            return Err(nothing_to_import(system, &file.shown, &sources.unresolved));
        }
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
        notes: sources.notes,
    })
}

/// The refusal of a file without jobs. When references of the file were not
/// followed (a local include missing because the file was taken out of its
/// repository), they are the likely reason, so the refusal names them and
/// the line of the first.
fn nothing_to_import(
    system: LegacySystem,
    file: &str,
    unresolved: &[job::Unresolved],
) -> ImportError {
    let missing: Vec<&job::Unresolved> = unresolved.iter().filter(|u| u.file == file).collect();
    let Some(first) = missing.first() else {
        return ImportError::Refused {
            file: file.to_owned(),
            line: 1,
            construct: format!("nothing to import: no {} in the file", system.units()),
            hint: "a file that only others include is imported with the file that includes it"
                .into(),
        };
    };
    let listed: Vec<String> = missing
        .iter()
        .map(|u| format!("`{}` (line {})", u.what, u.line))
        .collect();
    ImportError::Refused {
        file: file.to_owned(),
        line: first.line,
        construct: format!(
            "nothing to import: no {} in the file, and {} not found here: {}",
            system.units(),
            crate::text::count(missing.len(), "reference"),
            listed.join(", ")
        ),
        hint: "import the file where it lives in its repository, so local references resolve from the repository root"
            .into(),
    }
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
