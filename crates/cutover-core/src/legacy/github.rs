//! GitHub Actions workflows → [`ImportedJob`]s: jobs, `needs`, matrices,
//! services, containers, caches, secrets, artifacts, job-level `if`, local
//! reusable workflows (`uses: ./.github/workflows/x.yml`, imported and
//! expanded) and local composite actions (their `run` steps inlined).
//! Remote workflows and actions are never fetched: they are listed as
//! unresolved or kept as steps the scaffold wraps.

use std::collections::BTreeMap;

use super::error::ImportError;
use super::expression::shell_expressions;
use super::job::{CacheUse, ImportedJob, LegacySystem, ServiceUse, Step, Unresolved, key};
use super::source::{SourceFile, Sources};
use super::yaml::Node;

/// How deep reusable workflows may call each other (GitHub allows 10).
const MAX_CALL_DEPTH: usize = 10;

/// Imports one workflow file (and the local workflows and actions it calls).
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let doc = sources.parse(file)?;
    if doc.get("jobs").is_none() {
        return Err(refusal(file, &doc));
    }
    let mut out = Vec::new();
    workflow_jobs(sources, file, &doc, &Caller::top(), &mut out)?;
    Ok(out)
}

fn refusal(file: &SourceFile, doc: &Node) -> ImportError {
    let (construct, line) = match doc
        .entries()
        .iter()
        .find(|(k, _)| k.as_key().as_deref() == Some("runs"))
    {
        Some((k, _)) => (
            "`runs:` (an action definition, read through the `uses:` steps that call it)",
            k.line,
        ),
        None => ("no `jobs:` mapping", 1),
    };
    ImportError::Refused {
        file: file.shown.clone(),
        line,
        construct: construct.into(),
        hint: "pass a workflow file from `.github/workflows/`".into(),
    }
}

/// The job that called a reusable workflow, if any.
struct Caller {
    prefix: String,
    needs: Vec<String>,
    depth: usize,
}

impl Caller {
    fn top() -> Caller {
        Caller {
            prefix: String::new(),
            needs: Vec::new(),
            depth: 0,
        }
    }
}

fn workflow_jobs(
    sources: &mut Sources,
    file: &SourceFile,
    doc: &Node,
    caller: &Caller,
    out: &mut Vec<ImportedJob>,
) -> Result<(), ImportError> {
    let triggers = doc.get("on").map(trigger_features).unwrap_or_default();
    let Some(jobs) = doc.get("jobs") else {
        return Ok(());
    };
    for (name, body) in jobs.entries() {
        let Some(job_name) = name.as_key() else {
            continue;
        };
        let mut job = ImportedJob::new(
            LegacySystem::GithubActions,
            &file.shown,
            &job_name,
            name.line,
        );
        if !caller.prefix.is_empty() {
            job.id = format!("{}-{job_name}", caller.prefix);
            job.scope = format!("{}\u{1}{}", file.shown, caller.prefix);
        }
        triggers.iter().for_each(|t| job.feature(t));
        read_job(sources, file, body, &mut job)?;
        if job.depends_on.is_empty() {
            job.depends_on.clone_from(&caller.needs);
        }
        match body.get("uses").and_then(Node::as_scalar) {
            Some(target) => call_workflow(sources, file, &target, body, job, caller, out)?,
            None => {
                job.classify();
                out.push(job);
            }
        }
    }
    Ok(())
}

fn trigger_features(on: &Node) -> Vec<&'static str> {
    let names: Vec<String> = match &on.value {
        super::yaml::Value::Map(entries) => {
            entries.iter().filter_map(|(k, _)| k.as_key()).collect()
        }
        _ => on.strings(),
    };
    let mut features = vec!["trigger"];
    if names.iter().any(|n| n == "schedule") {
        features.push("schedule");
    }
    if names.iter().any(|n| n == "workflow_dispatch") {
        features.push("manual-trigger");
    }
    features
}

fn read_job(
    sources: &mut Sources,
    file: &SourceFile,
    body: &Node,
    job: &mut ImportedJob,
) -> Result<(), ImportError> {
    if let Some(name) = body.get("name").and_then(Node::as_scalar) {
        job.name = name;
    }
    for need in body.get("needs").map(Node::strings).unwrap_or_default() {
        job.depends_on.push(key(&job.scope, &need));
    }
    if let Some(condition) = body.get("if").and_then(Node::as_scalar) {
        job.condition = Some(condition);
        job.feature("condition");
    }
    read_runner(body, job);
    read_matrix(body, job);
    read_services(body, job);
    job.env = string_map(body.get("env"));
    simple_features(body, job);
    for secret in secret_names(body) {
        job.secret(&secret);
    }
    if !job.secrets.is_empty() || body.get("secrets").is_some() {
        job.feature("secrets");
    }
    let mut steps = Vec::new();
    for step in body.get("steps").map(Node::items).unwrap_or_default() {
        read_step(sources, file, step, job, &mut steps, 0)?;
    }
    job.steps = steps;
    job.run = run_line(&job.steps);
    if job.run.as_deref().is_some_and(|r| r.contains("${{")) {
        job.feature("expression");
    }
    Ok(())
}

fn simple_features(body: &Node, job: &mut ImportedJob) {
    for (key, feature) in [
        ("environment", "environment"),
        ("concurrency", "concurrency"),
        ("permissions", "permissions"),
        ("outputs", "job-outputs"),
        ("continue-on-error", "continue-on-error"),
    ] {
        if body.get(key).is_some() {
            job.feature(feature);
        }
    }
}

fn read_runner(body: &Node, job: &mut ImportedJob) {
    let runner = body
        .get("runs-on")
        .map(|r| r.strings().join(","))
        .filter(|r| !r.is_empty());
    if let Some(runner) = &runner {
        let lower = runner.to_lowercase();
        if lower.contains("macos") {
            job.feature("macos-runner");
        } else if lower.contains("windows") {
            job.feature("windows-runner");
        } else if lower.contains("self-hosted") {
            job.feature("self-hosted-runner");
        } else if lower.contains("${{") {
            job.feature("runner-matrix");
        }
    }
    job.runner = runner;
    if let Some(container) = body.get("container") {
        job.image = container
            .as_scalar()
            .or_else(|| container.get("image").and_then(Node::as_scalar));
        job.feature("container");
    }
}

fn read_matrix(body: &Node, job: &mut ImportedJob) {
    let Some(matrix) = body.get("strategy").and_then(|s| s.get("matrix")) else {
        return;
    };
    job.feature("matrix");
    if let Some(expression) = matrix.as_scalar() {
        job.feature("dynamic-matrix");
        job.matrix.insert("matrix".into(), vec![expression]);
        return;
    }
    let mut axes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (axis, values) in matrix.entries() {
        let Some(axis) = axis.as_key() else { continue };
        match axis.as_str() {
            "exclude" => {}
            "include" => {
                for entry in values.items() {
                    for (k, v) in entry.entries() {
                        if let (Some(k), Some(v)) = (k.as_key(), v.as_scalar()) {
                            push_unique(axes.entry(k).or_default(), v);
                        }
                    }
                }
            }
            _ => {
                let list = axes.entry(axis).or_default();
                for value in values.strings() {
                    push_unique(list, value);
                }
            }
        }
    }
    job.matrix = axes;
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

fn read_services(body: &Node, job: &mut ImportedJob) {
    let Some(services) = body.get("services") else {
        return;
    };
    for (name, service) in services.entries() {
        let Some(name) = name.as_key() else { continue };
        let image = service
            .as_scalar()
            .or_else(|| service.get("image").and_then(Node::as_scalar))
            .unwrap_or_default();
        let ports = service
            .get("ports")
            .map(Node::strings)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| container_port(p))
            .collect();
        job.services.push(ServiceUse {
            name,
            image,
            ports,
            env: string_map(service.get("env")),
        });
    }
    if !job.services.is_empty() {
        job.feature("services");
    }
}

/// The container side of a port mapping: `5432`, `8080:80` → 80, `5080-5430:5080-5430` → 5080.
pub(crate) fn container_port(mapping: &str) -> Option<u16> {
    let container = mapping.rsplit(':').next()?.split('/').next()?;
    container.split('-').next()?.trim().parse().ok()
}

fn read_step(
    sources: &mut Sources,
    file: &SourceFile,
    step: &Node,
    job: &mut ImportedJob,
    steps: &mut Vec<Step>,
    depth: usize,
) -> Result<(), ImportError> {
    let name = step.get("name").and_then(Node::as_scalar);
    if let Some(script) = step.get("run").and_then(Node::as_scalar) {
        for (key, value) in string_map(step.get("env")) {
            job.env.entry(key).or_insert(value);
        }
        let script = match step.get("working-directory").and_then(Node::as_scalar) {
            Some(dir) => format!("(cd {dir} && {script})"),
            None => script,
        };
        if step
            .get("shell")
            .and_then(Node::as_scalar)
            .is_some_and(|s| s.contains("pwsh") || s == "cmd" || s == "powershell")
        {
            job.feature("non-posix-shell");
        }
        if step.get("if").is_some() {
            job.feature("step-condition");
        }
        steps.push(Step::Run { name, script });
        return Ok(());
    }
    let Some(action) = step.get("uses").and_then(Node::as_scalar) else {
        return Ok(());
    };
    let with = string_map(step.get("with"));
    action_features(&action, &with, job);
    if action.starts_with("./")
        && depth < MAX_CALL_DEPTH
        && let Some((action_file, definition)) = sources.local_action(file, &action)?
    {
        job.feature("composite-action");
        job.source(&action_file.shown);
        for inner in definition
            .get("runs")
            .and_then(|r| r.get("steps"))
            .map(Node::items)
            .unwrap_or_default()
        {
            read_step(sources, &action_file, inner, job, steps, depth + 1)?;
        }
        return Ok(());
    }
    steps.push(Step::Uses { action, with });
    Ok(())
}

fn action_features(action: &str, with: &BTreeMap<String, String>, job: &mut ImportedJob) {
    let name = action.split('@').next().unwrap_or(action).to_lowercase();
    let feature = match name.as_str() {
        "actions/checkout" => "checkout",
        "actions/cache"
        | "swatinem/rust-cache"
        | "actions/cache/restore"
        | "actions/cache/save" => {
            job.caches.push(CacheUse {
                key: with.get("key").cloned().unwrap_or_else(|| name.clone()),
                paths: with
                    .get("path")
                    .map(|p| {
                        p.lines()
                            .map(str::to_owned)
                            .filter(|l| !l.trim().is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
            });
            "cache"
        }
        "actions/upload-artifact" => {
            if let Some(path) = with.get("path") {
                job.artifacts.extend(
                    path.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('!'))
                        .map(str::to_owned),
                );
            }
            "artifact-upload"
        }
        "actions/download-artifact" => "artifact-download",
        "docker/setup-qemu-action" | "docker/setup-buildx-action" => "multi-platform",
        "docker/build-push-action" => "docker-build",
        "docker/login-action" => "registry-login",
        n if n.starts_with("./") => "composite-action",
        n if n.starts_with("docker://") => "docker-action",
        n if n.contains("setup-") || n.contains("toolchain") || n.starts_with("dtolnay/") => {
            "toolchain-setup"
        }
        _ => "third-party-action",
    };
    job.feature(feature);
    if with.values().any(|v| v.contains("${{ secrets.")) {
        job.feature("secrets");
    }
}

fn call_workflow(
    sources: &mut Sources,
    file: &SourceFile,
    target: &str,
    body: &Node,
    mut job: ImportedJob,
    caller: &Caller,
    out: &mut Vec<ImportedJob>,
) -> Result<(), ImportError> {
    job.feature("reusable-workflow");
    let line = body.get("uses").map_or(job.line, |n| n.line);
    let callee = if target.starts_with("./") && caller.depth < MAX_CALL_DEPTH {
        sources.local_file(file, target)?
    } else {
        None
    };
    let Some(callee) = callee else {
        sources.unresolved.push(Unresolved {
            file: file.shown.clone(),
            line,
            what: format!("uses: {target}"),
        });
        job.feature("remote-reusable-workflow");
        out.push(job);
        return Ok(());
    };
    let doc = sources.parse(&callee)?;
    job.source(&callee.shown);
    let nested = Caller {
        prefix: if job.id.is_empty() {
            job.job.clone()
        } else {
            job.id.clone()
        },
        needs: job.depends_on.clone(),
        depth: caller.depth + 1,
    };
    let first = out.len();
    workflow_jobs(sources, &callee, &doc, &nested, out)?;
    let called: Vec<String> = out[first..].iter().map(|j| key(&j.scope, &j.job)).collect();
    job.depends_on.extend(called);
    out.push(job);
    Ok(())
}

fn run_line(steps: &[Step]) -> Option<String> {
    let scripts: Vec<String> = steps
        .iter()
        .filter_map(|step| match step {
            Step::Run { script, .. } => Some(shell_expressions(script.trim_end())),
            Step::Uses { .. } => None,
        })
        .collect();
    if scripts.is_empty() {
        return None;
    }
    Some(format!("set -e\n{}", scripts.join("\n")))
}

/// Every `secrets.NAME` the job refers to, in order of first use.
fn secret_names(body: &Node) -> Vec<String> {
    let mut text = Vec::new();
    all_scalars(body, &mut text);
    let mut names = Vec::new();
    for value in text {
        let mut rest = value.as_str();
        while let Some(at) = rest.find("secrets.") {
            rest = &rest[at + "secrets.".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

fn all_scalars(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        super::yaml::Value::Seq(items) => items.iter().for_each(|i| all_scalars(i, out)),
        super::yaml::Value::Map(entries) => entries.iter().for_each(|(_, v)| all_scalars(v, out)),
        _ => out.extend(node.as_scalar()),
    }
}

/// A mapping of scalars as strings (non-scalar values skipped).
pub(crate) fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| Some((k.as_key()?, v.as_scalar().unwrap_or_default())))
            .collect()
    })
    .unwrap_or_default()
}
