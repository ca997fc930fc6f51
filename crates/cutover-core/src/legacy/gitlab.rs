//! GitLab CI → [`ImportedJob`]s: `stages` and their implicit order, `needs`,
//! `extends` (deep merge, chains), `!reference`, `rules`/`only`/`except`,
//! `include: local` (every local include, conditional ones too, resolved from
//! the repository root), anchors and merge keys (expanded by the YAML layer),
//! `default:`, artifacts, caches and services. Remote, project, template and
//! component includes and cross-project `needs` are listed as unresolved,
//! never fetched.
//!
//! Edges: a job with `needs` depends on exactly the jobs it names; a job
//! without waits for every job of every earlier stage, which is written as
//! the smallest set with the same reach (the transitive reduction of the
//! stage edges).

use std::collections::{BTreeMap, BTreeSet};

use super::error::ImportError;
use super::github::{container_port, string_map};
use super::job::{CacheUse, ImportedJob, LegacySystem, ServiceUse, Step, Unresolved, key};
use super::source::{SourceFile, Sources};
use super::yaml::{Node, Value};

/// Keys at the top of `.gitlab-ci.yml` that are not jobs.
const RESERVED: &[&str] = &[
    "image",
    "services",
    "stages",
    "types",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "default",
    "workflow",
    "spec",
];
const MAX_INCLUDE_DEPTH: usize = 20;
const MAX_EXTENDS_DEPTH: usize = 11;

/// Imports a `.gitlab-ci.yml` with its local includes.
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let mut files = Vec::new();
    let doc = load_with_includes(sources, file, 0, &mut files)?;
    if !doc.is_map() {
        return Err(ImportError::Refused {
            file: file.shown.clone(),
            line: doc.line.max(1),
            construct: "a document that is not a mapping of jobs".into(),
            hint: "pass a `.gitlab-ci.yml` file".into(),
        });
    }
    let stages = stage_list(&doc);
    let mut jobs = Vec::new();
    for (name, body) in doc.entries() {
        let Some(job_name) = name.as_key() else {
            continue;
        };
        if job_name.starts_with('.') || RESERVED.contains(&job_name.as_str()) || !body.is_map() {
            continue;
        }
        let resolved = resolve_job(&doc, body, &file.shown, &job_name, name.line)?;
        let mut job = ImportedJob::new(LegacySystem::Gitlab, &file.shown, &job_name, name.line);
        files.iter().for_each(|f: &String| job.source(f));
        read_job(sources, file, &doc, &resolved, &mut job);
        jobs.push((job, stage_of(&resolved), resolved.get("needs").cloned()));
    }
    wire_dependencies(sources, file, &stages, &mut jobs);
    Ok(jobs.into_iter().map(|(job, _, _)| job).collect())
}

fn load_with_includes(
    sources: &mut Sources,
    file: &SourceFile,
    depth: usize,
    files: &mut Vec<String>,
) -> Result<Node, ImportError> {
    let doc = sources.parse(file)?;
    files.push(file.shown.clone());
    let Some(include) = doc.get("include") else {
        return Ok(doc);
    };
    let mut merged = Node::synthetic(Value::Map(Vec::new()));
    let entries: Vec<Node> = match &include.value {
        Value::Seq(items) => items.clone(),
        _ => vec![include.clone()],
    };
    for entry in entries {
        let local = entry
            .as_scalar()
            .filter(|s| !s.contains("://"))
            .or_else(|| entry.get("local").and_then(Node::as_scalar));
        let target = match local {
            Some(path) if depth < MAX_INCLUDE_DEPTH => sources.local_file(file, &path)?,
            _ => None,
        };
        match target {
            Some(target) if !files.contains(&target.shown) => {
                let included = load_with_includes(sources, &target, depth + 1, files)?;
                merged = deep_merge(&merged, &included);
            }
            Some(_) => {}
            None => sources.unresolved.push(Unresolved {
                file: file.shown.clone(),
                line: entry.line,
                what: format!("include: {}", describe_include(&entry)),
            }),
        }
    }
    Ok(deep_merge(&merged, &doc))
}

fn describe_include(entry: &Node) -> String {
    if let Some(text) = entry.as_scalar() {
        return text;
    }
    entry
        .entries()
        .iter()
        .filter_map(|(k, v)| Some(format!("{}: {}", k.as_key()?, v.strings().join(", "))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// GitLab's merge: mappings merge key by key, recursively; anything else
/// in `over` replaces what is in `base`.
fn deep_merge(base: &Node, over: &Node) -> Node {
    let (Value::Map(base_entries), Value::Map(over_entries)) = (&base.value, &over.value) else {
        return over.clone();
    };
    let mut entries = base_entries.clone();
    for (k, v) in over_entries {
        match entries
            .iter_mut()
            .find(|(existing, _)| existing.as_key() == k.as_key())
        {
            Some((_, existing)) => *existing = deep_merge(existing, v),
            None => entries.push((k.clone(), v.clone())),
        }
    }
    Node {
        line: over.line,
        tag: over.tag.clone(),
        value: Value::Map(entries),
    }
}

fn resolve_job(
    doc: &Node,
    body: &Node,
    file: &str,
    name: &str,
    line: usize,
) -> Result<Node, ImportError> {
    let extended = extend(doc, body, 0).ok_or_else(|| ImportError::Refused {
        file: file.to_owned(),
        line,
        construct: format!(
            "`extends` of `{name}` nests deeper than {MAX_EXTENDS_DEPTH} levels or loops"
        ),
        hint: "GitLab refuses this too; break the chain".into(),
    })?;
    Ok(references(doc, &extended, 0))
}

fn extend(doc: &Node, body: &Node, depth: usize) -> Option<Node> {
    if depth > MAX_EXTENDS_DEPTH {
        return None;
    }
    let parents = body.get("extends").map(Node::strings).unwrap_or_default();
    let mut merged = Node::synthetic(Value::Map(Vec::new()));
    for parent in parents {
        if let Some(template) = doc.get(&parent) {
            merged = deep_merge(&merged, &extend(doc, template, depth + 1)?);
        }
    }
    Some(deep_merge(&merged, body))
}

/// Replaces `!reference [job, key, …]` by what it points at.
fn references(doc: &Node, node: &Node, depth: usize) -> Node {
    if node.tag.as_deref() == Some("!reference") && depth < MAX_EXTENDS_DEPTH {
        let path = node.strings();
        let mut target = Some(doc);
        for part in &path {
            target = target.and_then(|t| t.get(part));
        }
        if let Some(found) = target {
            return references(doc, found, depth + 1);
        }
        return Node::synthetic(Value::Null);
    }
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|i| references(doc, i, depth)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), references(doc, v, depth)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        line: node.line,
        tag: node.tag.clone(),
        value,
    }
}

/// The pipeline's stages, with `.pre` first and `.post` last.
fn stage_list(doc: &Node) -> Vec<String> {
    let declared = doc
        .get("stages")
        .or_else(|| doc.get("types"))
        .map(Node::strings)
        .unwrap_or_else(|| ["build", "test", "deploy"].map(String::from).to_vec());
    let mut stages = vec![".pre".to_owned()];
    stages.extend(declared.into_iter().filter(|s| s != ".pre" && s != ".post"));
    stages.push(".post".into());
    stages
}

fn stage_of(job: &Node) -> String {
    job.get("stage")
        .and_then(Node::as_scalar)
        .unwrap_or_else(|| "test".into())
}

fn read_job(
    sources: &mut Sources,
    file: &SourceFile,
    doc: &Node,
    job_node: &Node,
    job: &mut ImportedJob,
) {
    let defaults = doc.get("default");
    let inherited = |key: &str| {
        job_node
            .get(key)
            .or_else(|| defaults.and_then(|d| d.get(key)))
            .or_else(|| doc.get(key))
    };
    let mut script = Vec::new();
    for part in ["before_script", "script", "after_script"] {
        if let Some(lines) = inherited(part) {
            script.extend(lines.strings());
        }
    }
    if !script.is_empty() {
        job.steps.push(Step::Run {
            name: None,
            script: script.join("\n"),
        });
        job.run = Some(format!("set -e\n{}", script.join("\n")));
    }
    if let Some(image) = inherited("image") {
        job.image = image
            .as_scalar()
            .or_else(|| image.get("name").and_then(Node::as_scalar));
        job.feature("container");
    }
    read_services(inherited("services"), job);
    read_cache(inherited("cache"), job);
    let mut env = string_map(doc.get("variables"));
    env.extend(string_map(job_node.get("variables")));
    job.env = env.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    read_features(job_node, job);
    if let Some(matrix) = job_node.get("parallel").and_then(|p| p.get("matrix")) {
        for entry in matrix.items() {
            for (axis, values) in entry.entries() {
                let Some(axis) = axis.as_key() else { continue };
                let list = job.matrix.entry(axis).or_default();
                values.strings().into_iter().for_each(|v| {
                    if !list.contains(&v) {
                        list.push(v)
                    }
                });
            }
        }
    }
    for secret in secret_variables(job.run.as_deref().unwrap_or(""), &job.env) {
        job.secret(&secret);
    }
    if !job.secrets.is_empty() {
        job.feature("secrets");
    }
    let _ = (sources, file);
    job.classify();
}

fn read_features(job_node: &Node, job: &mut ImportedJob) {
    job.feature("stages");
    if let Some(paths) = job_node.get("artifacts").and_then(|a| a.get("paths")) {
        job.artifacts = paths.strings();
    }
    for (key, feature) in [
        ("needs", "needs"),
        ("extends", "extends"),
        ("rules", "condition"),
        ("only", "condition"),
        ("except", "condition"),
        ("environment", "environment"),
        ("artifacts", "artifact-upload"),
        ("dependencies", "artifact-download"),
        ("trigger", "downstream-pipeline"),
        ("resource_group", "concurrency"),
        ("tags", "runner-tags"),
        ("retry", "retry"),
        ("secrets", "secrets"),
        ("coverage", "coverage-report"),
    ] {
        if job_node.get(key).is_some() {
            job.feature(feature);
        }
    }
    if let Some(parallel) = job_node.get("parallel") {
        job.feature(if parallel.is_map() {
            "matrix"
        } else {
            "parallel"
        });
    }
    let manual = job_node.get("when").and_then(Node::as_scalar).as_deref() == Some("manual")
        || job_node.get("rules").is_some_and(|r| {
            r.items()
                .iter()
                .any(|rule| rule.get("when").and_then(Node::as_scalar).as_deref() == Some("manual"))
        });
    if manual {
        job.feature("manual-approval");
    }
    if let Some(condition) = job_node.get("rules").or_else(|| job_node.get("only")) {
        job.condition = Some(condition.strings().join(" ; "));
    }
    if let Some(tags) = job_node.get("tags") {
        job.runner = Some(tags.strings().join(","));
    }
}

fn read_services(node: Option<&Node>, job: &mut ImportedJob) {
    let Some(node) = node else { return };
    for service in node.items() {
        let image = service
            .as_scalar()
            .or_else(|| service.get("name").and_then(Node::as_scalar))
            .unwrap_or_default();
        let alias = service
            .get("alias")
            .and_then(Node::as_scalar)
            .unwrap_or_else(|| service_host(&image));
        let ports = service
            .get("ports")
            .map(Node::strings)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| container_port(p))
            .collect();
        job.services.push(ServiceUse {
            name: alias,
            image,
            ports,
            env: string_map(service.get("variables")),
        });
    }
    if !job.services.is_empty() {
        job.feature("services");
    }
}

/// GitLab's default host name for a service image: `postgres:16` → `postgres`.
fn service_host(image: &str) -> String {
    let name = image.split(':').next().unwrap_or(image);
    name.rsplit('/').next().unwrap_or(name).to_owned()
}

fn read_cache(node: Option<&Node>, job: &mut ImportedJob) {
    let Some(node) = node else { return };
    let caches: Vec<&Node> = if node.is_map() {
        vec![node]
    } else {
        node.items().iter().collect()
    };
    for cache in caches {
        let key = cache
            .get("key")
            .map(|k| k.as_scalar().unwrap_or_else(|| k.strings().join("-")))
            .unwrap_or_else(|| "default".into());
        job.caches.push(CacheUse {
            key,
            paths: cache.get("paths").map(Node::strings).unwrap_or_default(),
        });
    }
    if !job.caches.is_empty() {
        job.feature("cache");
    }
}

/// Variables a script reads that look like credentials and are not defined
/// in the file (GitLab keeps those in masked CI/CD settings).
fn secret_variables(script: &str, env: &BTreeMap<String, String>) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = script;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let name: String = rest
            .trim_start_matches('{')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let secret_like = ["TOKEN", "PASSWORD", "SECRET", "API_KEY", "PRIVATE_KEY"]
            .iter()
            .any(|w| name.contains(w));
        if secret_like
            && !name.starts_with("CI_")
            && !env.contains_key(&name)
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

type Pending = (ImportedJob, String, Option<Node>);

fn wire_dependencies(
    sources: &mut Sources,
    file: &SourceFile,
    stages: &[String],
    jobs: &mut [Pending],
) {
    let names: BTreeSet<String> = jobs.iter().map(|(j, _, _)| j.job.clone()).collect();
    // A stage missing from `stages:` (its template came from an include that
    // was not followed) takes no part in stage order; it is reported.
    let rank = |stage: &str| stages.iter().position(|s| s == stage);
    let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut from_stages = BTreeSet::new();
    for (job, stage, needs) in jobs.iter() {
        let list = match needs {
            Some(needs) => explicit_needs(sources, file, needs, &names),
            None => match rank(stage) {
                Some(mine) => {
                    from_stages.insert(job.job.clone());
                    jobs.iter()
                        .filter(|(_, s, _)| rank(s).is_some_and(|r| r < mine))
                        .map(|(j, _, _)| j.job.clone())
                        .collect()
                }
                None => {
                    sources.unresolved.push(Unresolved {
                        file: file.shown.clone(),
                        line: job.line,
                        what: format!("stage `{stage}` of `{}` is not in `stages:`", job.job),
                    });
                    Vec::new()
                }
            },
        };
        raw.insert(job.job.clone(), list);
    }
    let mut reach = BTreeMap::new();
    for (job, _, _) in jobs.iter_mut() {
        let mut direct = raw.get(&job.job).cloned().unwrap_or_default();
        if from_stages.contains(&job.job) {
            let covered: BTreeSet<String> = direct
                .iter()
                .flat_map(|d| ancestors(d, &raw, &mut reach))
                .collect();
            direct.retain(|d| !covered.contains(d));
        }
        job.depends_on = direct.iter().map(|d| key(&file.shown, d)).collect();
    }
}

fn explicit_needs(
    sources: &mut Sources,
    file: &SourceFile,
    needs: &Node,
    names: &BTreeSet<String>,
) -> Vec<String> {
    let mut list = Vec::new();
    let mut entries = Vec::new();
    flatten(needs, &mut entries);
    for entry in entries {
        if entry.is_null() {
            continue;
        }
        let name = entry.as_scalar().or_else(|| {
            if entry.get("project").is_some() || entry.get("pipeline").is_some() {
                None
            } else {
                entry.get("job").and_then(Node::as_scalar)
            }
        });
        match name {
            Some(name) if names.contains(&name) => {
                if !list.contains(&name) {
                    list.push(name);
                }
            }
            _ => sources.unresolved.push(Unresolved {
                file: file.shown.clone(),
                line: entry.line,
                what: format!("needs: {}", describe_include(entry)),
            }),
        }
    }
    list
}

fn flatten<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| flatten(i, out)),
        _ => out.push(node),
    }
}

/// Every job `job` waits for, directly or not (memoized; loops stop).
fn ancestors(
    job: &str,
    raw: &BTreeMap<String, Vec<String>>,
    memo: &mut BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    if let Some(found) = memo.get(job) {
        return found.clone();
    }
    memo.insert(job.to_owned(), BTreeSet::new());
    let mut all = BTreeSet::new();
    for dependency in raw.get(job).into_iter().flatten() {
        all.insert(dependency.clone());
        all.extend(ancestors(dependency, raw, memo));
    }
    memo.insert(job.to_owned(), all.clone());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_deeply_and_replaces_lists() {
        let base = crate::legacy::yaml::parse("a: {x: 1, y: [1, 2]}\n").expect("test input");
        let over = crate::legacy::yaml::parse("a: {y: [3], z: 4}\n").expect("test input");
        let merged = deep_merge(&base, &over);
        let a = merged.get("a").expect("test input");
        assert_eq!(
            a.get("x").expect("test input").as_scalar().as_deref(),
            Some("1")
        );
        assert_eq!(a.get("y").expect("test input").strings(), vec!["3"]);
        assert_eq!(
            a.get("z").expect("test input").as_scalar().as_deref(),
            Some("4")
        );
    }

    #[test]
    fn finds_credentials_not_defined_in_the_file() {
        let env = BTreeMap::from([("DEFINED_TOKEN".to_owned(), "x".to_owned())]);
        let names = secret_variables(
            "curl -H $API_TOKEN ${DEFINED_TOKEN} $CI_JOB_TOKEN $HOME",
            &env,
        );
        assert_eq!(names, vec!["API_TOKEN"]);
    }
}
