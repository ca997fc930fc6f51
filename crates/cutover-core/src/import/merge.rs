//! `cutover import --merge`: adds imported components to an existing spec
//! without touching anything already there. The spec is edited as text —
//! new items are inserted at the end of the `components:` list, so comments
//! and formatting stay exactly as the person left them — and the result must
//! pass validation before it may be written. A job already in the spec (same
//! `legacy.origin`) is never overwritten: differences are reported instead.

use std::collections::BTreeMap;

use super::render;
use crate::legacy::job::{ImportedJob, component_id};
use crate::spec::{Migration, parse_spec};

/// What a merge did or would do.
#[derive(Debug, Clone, Default)]
pub struct MergeOutcome {
    /// The new spec text.
    pub text: String,
    /// Ids of the components added.
    pub added: Vec<String>,
    /// Differences between the spec and the legacy files, left as they are:
    /// `(component id, what differs)`.
    pub differences: Vec<(String, String)>,
}

/// Why a merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The spec has no `components:` list to add to.
    #[error("the spec has no top-level `components:` list")]
    NoComponents,
    /// The merged text does not validate (a bug, or a conflict the user must resolve).
    #[error("the merged spec would not validate: {0}")]
    Invalid(String),
}

/// Merges `jobs` into `existing` (the validated spec) whose text is `text`.
pub fn merge(
    text: &str,
    file_name: &str,
    existing: &Migration,
    mut jobs: Vec<ImportedJob>,
) -> Result<MergeOutcome, MergeError> {
    let by_origin: BTreeMap<(String, String), String> = existing
        .components
        .iter()
        .filter_map(|c| {
            let origin = c.legacy.as_ref()?.origin.as_ref()?;
            Some(((origin.file.clone(), origin.job.clone()), c.id.clone()))
        })
        .collect();
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: Vec<String> = existing.components.iter().map(|c| c.id.clone()).collect();
    let mut fresh = Vec::new();
    for job in &jobs {
        match by_origin.get(&(job.file.clone(), job.job.clone())) {
            Some(id) => {
                renamed.insert(job.id.clone(), id.clone());
            }
            None => {
                let id = unique(&job.id, &taken);
                taken.push(id.clone());
                renamed.insert(job.id.clone(), id);
                fresh.push(job.id.clone());
            }
        }
    }
    let mut outcome = MergeOutcome::default();
    for job in &mut jobs {
        job.id = renamed
            .get(&job.id)
            .cloned()
            .unwrap_or_else(|| job.id.clone());
        job.depends_on = job
            .depends_on
            .iter()
            .map(|d| renamed.get(d).cloned().unwrap_or_else(|| d.clone()))
            .collect();
    }
    let fresh_ids: Vec<String> = fresh
        .iter()
        .filter_map(|old| renamed.get(old).cloned())
        .collect();
    for job in &jobs {
        if fresh_ids.contains(&job.id) {
            continue;
        }
        if let Some(component) = existing.components.iter().find(|c| c.id == job.id) {
            outcome.differences.extend(
                differences(existing, component, job)
                    .into_iter()
                    .map(|d| (job.id.clone(), d)),
            );
        }
    }
    let added: Vec<&ImportedJob> = jobs.iter().filter(|j| fresh_ids.contains(&j.id)).collect();
    outcome.text = insert_components(text, &added)?;
    outcome.added = fresh_ids;
    parse_spec(file_name, &outcome.text).map_err(|errors| {
        MergeError::Invalid(
            errors
                .reports()
                .next()
                .map(|r| r.to_string())
                .unwrap_or_default(),
        )
    })?;
    Ok(outcome)
}

fn unique(id: &str, taken: &[String]) -> String {
    let base = component_id(id);
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

fn differences(
    existing: &Migration,
    component: &crate::spec::Component,
    job: &ImportedJob,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut have: Vec<String> = component
        .depends_on
        .iter()
        .map(|&i| existing.components[i].id.clone())
        .collect();
    let mut want = job.depends_on.clone();
    have.sort();
    want.sort();
    if have != want {
        out.push(format!(
            "depends_on is [{}] in the spec, [{}] in the legacy files",
            have.join(", "),
            want.join(", ")
        ));
    }
    if let (Some(legacy), Some(run)) = (&component.legacy, &job.run)
        && legacy.run.trim() != run.trim()
    {
        out.push("legacy.run differs from the legacy files".into());
    }
    if let Some(legacy) = &component.legacy {
        let missing: Vec<&String> = job
            .features
            .iter()
            .filter(|f| !legacy.features.contains(f))
            .collect();
        if !missing.is_empty() {
            out.push(format!(
                "legacy.features lacks {}",
                missing
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

/// Inserts rendered components at the end of the `components:` list,
/// indented like the items already there.
fn insert_components(text: &str, jobs: &[&ImportedJob]) -> Result<String, MergeError> {
    if jobs.is_empty() {
        return Ok(text.to_owned());
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("components:"))
        .ok_or(MergeError::NoComponents)?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| {
            l.chars()
                .next()
                .is_some_and(|c| !c.is_whitespace() && c != '#' && c != '-')
        })
        .map_or(lines.len(), |p| p + start + 1);
    let indent = lines[start + 1..end]
        .iter()
        .find_map(|l| {
            l.trim_start()
                .starts_with("- ")
                .then(|| l.len() - l.trim_start().len())
        })
        .unwrap_or(2);
    let rendered = render::components(jobs);
    let reindented: String = rendered
        .lines()
        .map(|l| match l.strip_prefix("  ") {
            Some(rest) => format!("{}{rest}\n", " ".repeat(indent)),
            None => format!("{l}\n"),
        })
        .collect();
    let mut out: String = lines[..end].concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&reindented);
    out.push_str(&lines[end..].concat());
    Ok(out)
}
