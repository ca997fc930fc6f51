//! Taskfiles (go-task) → one component per task: `deps`, `task:` calls in
//! `cmds` (dependencies too), and `includes` (their tasks imported under
//! their namespace, `dist:build`). A component's `legacy.run` is
//! `task -t FILE NAME`.

use super::error::ImportError;
use super::job::{ImportedJob, LegacySystem, Step, Unresolved, key};
use super::source::{SourceFile, Sources};
use super::yaml::Node;

const MAX_INCLUDE_DEPTH: usize = 10;

/// Imports a Taskfile and its local includes.
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let mut jobs = Vec::new();
    read(sources, file, file, "", &mut jobs, 0)?;
    let names: Vec<String> = jobs.iter().map(|j| j.job.clone()).collect();
    for job in &mut jobs {
        job.depends_on
            .retain(|d| names.iter().any(|n| key(&file.shown, n) == *d));
    }
    Ok(jobs)
}

fn read(
    sources: &mut Sources,
    root: &SourceFile,
    file: &SourceFile,
    namespace: &str,
    jobs: &mut Vec<ImportedJob>,
    depth: usize,
) -> Result<(), ImportError> {
    let doc = sources.parse(file)?;
    let Some(tasks) = doc.get("tasks") else {
        return Err(ImportError::Refused {
            file: file.shown.clone(),
            line: 1,
            construct: "no `tasks:` mapping".into(),
            hint: "pass a Taskfile (Taskfile.yml)".into(),
        });
    };
    for (name, body) in tasks.entries() {
        let Some(name) = name.as_key() else { continue };
        jobs.push(task(root, file, namespace, &name, body));
    }
    for (namespace_key, include) in doc.get("includes").map(Node::entries).unwrap_or_default() {
        let Some(child) = namespace_key.as_key() else {
            continue;
        };
        let path = include
            .as_scalar()
            .or_else(|| include.get("taskfile").and_then(Node::as_scalar))
            .unwrap_or_default();
        let directory = file
            .path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let mut target = directory.join(&path);
        if target.is_dir() {
            target = target.join("Taskfile.yml");
        }
        if depth < MAX_INCLUDE_DEPTH
            && !path.contains("://")
            && !path.contains("{{")
            && target.is_file()
        {
            let included = sources.file(&target);
            read(
                sources,
                root,
                &included,
                &format!("{namespace}{child}:"),
                jobs,
                depth + 1,
            )?;
        } else {
            sources.unresolved.push(Unresolved {
                file: file.shown.clone(),
                line: include.line,
                what: format!("includes: {child}: {path}"),
            });
        }
    }
    Ok(())
}

/// One task as a job; `task:` references are qualified by `namespace`.
fn task(
    root: &SourceFile,
    file: &SourceFile,
    namespace: &str,
    name: &str,
    body: &Node,
) -> ImportedJob {
    let full = format!("{namespace}{name}");
    let line = body.line;
    let mut job = ImportedJob::new(LegacySystem::Taskfile, &root.shown, &full, line);
    job.source(&file.shown);
    if file.shown != root.shown {
        job.feature("include");
    }
    job.feature("shell");
    // `:name` is a task of the root Taskfile; a bare name is a sibling.
    let qualify = |task: &str| match task.strip_prefix(':') {
        Some(root_task) => root_task.to_owned(),
        None => format!("{namespace}{task}"),
    };
    for dependency in body.get("deps").map(Node::items).unwrap_or_default() {
        if let Some(task) = dependency
            .as_scalar()
            .or_else(|| dependency.get("task").and_then(Node::as_scalar))
        {
            job.depends_on.push(key(&root.shown, &qualify(&task)));
        }
    }
    for command in body.get("cmds").map(Node::items).unwrap_or_default() {
        if let Some(task) = command.get("task").and_then(Node::as_scalar) {
            job.feature("recipe-calls");
            job.depends_on.push(key(&root.shown, &qualify(&task)));
        }
    }
    if body.get("platforms").is_some() {
        job.feature("runner-matrix");
    }
    let command = format!("task -t {} {full}", root.shown);
    job.steps.push(Step::Run {
        name: None,
        script: command.clone(),
    });
    job.run = Some(command);
    job.classify();
    job
}
