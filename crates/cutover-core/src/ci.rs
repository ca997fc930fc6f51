//! `cutover ci`: the change to a team's CI files that routes every imported
//! job through `cutover run <component>`, as edited text and a unified diff.
//!
//! Edits are textual so the review shows only what changed: in a GitHub
//! workflow the steps that make up `legacy.run` (its `run` steps and local
//! composite actions) become one `cutover run` step, with the shared-store
//! settings (`CUTOVER_STATE`, `CUTOVER_TOKEN`, see "State across CI
//! runners" in the README) and the matrix values and secrets `legacy.run`
//! reads; in GitLab, a job's `before_script`/`script`/`after_script` become
//! `cutover run` (CI/CD variables reach it as environment already).
//! Checkout, setup, cache and artifact steps, triggers, conditions and
//! approvals stay exactly where they are. Nothing here writes files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::legacy::expression::references;
use crate::legacy::yaml::{self, Node};
use crate::spec::{Component, Migration};

/// Which CI system to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiSystem {
    /// GitHub Actions workflows.
    GithubActions,
    /// GitLab CI.
    Gitlab,
}

impl CiSystem {
    fn origin(self) -> &'static str {
        match self {
            CiSystem::GithubActions => "github-actions",
            CiSystem::Gitlab => "gitlab",
        }
    }
}

/// One changed file.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Path relative to the spec's directory.
    pub path: String,
    /// Content now.
    pub before: String,
    /// Content after the change.
    pub after: String,
}

impl FileChange {
    /// The change as a unified diff (`a/PATH` → `b/PATH`).
    pub fn diff(&self) -> String {
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", self.path), &format!("b/{}", self.path))
            .to_string()
    }
}

/// The whole change.
#[derive(Debug, Clone, Default)]
pub struct CiChange {
    /// Changed files.
    pub files: Vec<FileChange>,
    /// Components routed through `cutover run`.
    pub routed: Vec<String>,
    /// Components left alone, with why.
    pub skipped: Vec<(String, String)>,
}

/// Why the change could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum CiError {
    /// A CI file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A CI file is not valid YAML any more.
    #[error("`{file}` is not valid YAML: {message}")]
    Yaml {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
}

/// Computes the change for every component imported from `system`.
pub fn route_through_cutover(
    migration: &Migration,
    base: &Path,
    system: CiSystem,
) -> Result<CiChange, CiError> {
    let mut files = ParsedFiles {
        base,
        parsed: BTreeMap::new(),
    };
    let mut by_file: BTreeMap<String, Vec<(&Component, String)>> = BTreeMap::new();
    let mut change = CiChange::default();
    for component in &migration.components {
        let Some(legacy) = &component.legacy else {
            continue;
        };
        let Some(origin) = &legacy.origin else {
            continue;
        };
        if origin.from != system.origin() {
            continue;
        }
        // A GitLab job may live in an included file: the first source defining it.
        let candidates = std::iter::once(&origin.file).chain(legacy.sources.iter());
        let mut defining = None;
        for candidate in candidates {
            let (doc, _) = files.get(candidate)?;
            let holder = match system {
                CiSystem::GithubActions => doc.get("jobs"),
                CiSystem::Gitlab => Some(doc),
            };
            if holder.and_then(|h| h.get(&origin.job)).is_some() {
                defining = Some(candidate.clone());
                break;
            }
        }
        match defining {
            Some(file) => by_file
                .entry(file)
                .or_default()
                .push((component, origin.job.clone())),
            None => change.skipped.push((
                component.id.clone(),
                format!("job `{}` is no longer in its files", origin.job),
            )),
        }
    }
    for (file, components) in by_file {
        let (doc, before) = files.get(&file)?;
        let (doc, before) = (doc.clone(), before.clone());
        let lines: Vec<String> = before.split_inclusive('\n').map(str::to_owned).collect();
        let mut edits: Vec<Edit> = Vec::new();
        for (component, job) in components {
            let planned = match system {
                CiSystem::GithubActions => github_edits(&doc, &lines, &job, component),
                CiSystem::Gitlab => gitlab_edits(&doc, &lines, &job, component),
            };
            match planned {
                Ok(mut list) => {
                    edits.append(&mut list);
                    change.routed.push(component.id.clone());
                }
                Err(why) => change.skipped.push((component.id.clone(), why)),
            }
        }
        let after = apply(&lines, edits);
        if after != before {
            change.files.push(FileChange {
                path: file,
                before,
                after,
            });
        }
    }
    Ok(change)
}

/// CI files read and parsed once.
struct ParsedFiles<'a> {
    base: &'a Path,
    parsed: BTreeMap<String, (Node, String)>,
}

impl ParsedFiles<'_> {
    fn get(&mut self, file: &str) -> Result<&(Node, String), CiError> {
        if !self.parsed.contains_key(file) {
            let path = self.base.join(file);
            let text = std::fs::read_to_string(&path).map_err(|source| CiError::Read {
                path: path.clone(),
                source,
            })?;
            let doc = yaml::parse(&text).map_err(|e| CiError::Yaml {
                file: file.to_owned(),
                message: e.message,
            })?;
            self.parsed.insert(file.to_owned(), (doc, text));
        }
        self.parsed.get(file).ok_or_else(|| CiError::Yaml {
            file: file.to_owned(),
            message: "vanished".into(),
        })
    }
}

/// Replace lines `[start, end)` (0-based) with `text`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

fn apply(lines: &[String], mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out: Vec<String> = lines.to_vec();
    for edit in edits {
        let end = edit.end.min(out.len());
        let start = edit.start.min(end);
        out.splice(
            start..end,
            edit.text
                .split_inclusive('\n')
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        );
    }
    out.concat()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_filler(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// The end (exclusive, 0-based) of the block starting at `start` whose
/// continuation lines are indented more than `column`, trailing blank and
/// comment lines left out.
fn block_end(lines: &[String], start: usize, column: usize) -> usize {
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if !is_filler(line) && indent(line) <= column {
            end = i;
            break;
        }
    }
    while end > start + 1 && is_filler(&lines[end - 1]) {
        end -= 1;
    }
    end
}

fn entry_line<'a>(map: &'a Node, key: &str) -> Option<(usize, &'a Node)> {
    map.entries()
        .iter()
        .rev()
        .find(|(k, _)| k.as_key().as_deref() == Some(key))
        .map(|(k, v)| (k.line, v))
}

fn github_edits(
    doc: &Node,
    lines: &[String],
    job: &str,
    component: &Component,
) -> Result<Vec<Edit>, String> {
    let jobs = doc.get("jobs").ok_or("the workflow has no `jobs:`")?;
    let (_, body) =
        entry_line(jobs, job).ok_or_else(|| format!("job `{job}` is no longer in the file"))?;
    let steps = body.get("steps").map(Node::items).unwrap_or_default();
    let mut spans = Vec::new();
    let mut scripts = Vec::new();
    let mut step_env: Vec<(String, String)> = Vec::new();
    for step in steps {
        let local_action = step
            .get("uses")
            .and_then(Node::as_scalar)
            .is_some_and(|u| u.starts_with("./"));
        let Some(script) = step
            .get("run")
            .and_then(Node::as_scalar)
            .or_else(|| local_action.then(String::new))
        else {
            continue;
        };
        scripts.push(script);
        for (key, value) in step.get("env").map(Node::entries).unwrap_or_default() {
            if let (Some(key), Some(value)) = (key.as_key(), value.as_scalar())
                && !step_env.iter().any(|(k, _)| *k == key)
            {
                step_env.push((key, value));
            }
        }
        let start = step.line.checked_sub(1).ok_or("a step without a line")?;
        let column = lines
            .get(start)
            .map(|l| l.find('-').unwrap_or(indent(l)))
            .ok_or("a step outside the file")?;
        spans.push((start, block_end(lines, start, column), column));
    }
    // The one `cutover run` step goes where the last command was, after
    // every setup step the commands relied on.
    let Some(&(first, first_end, column)) = spans.last() else {
        return Err("no commands of its own (only actions or a reusable workflow)".into());
    };
    let text = cutover_step(
        &component.id,
        column,
        &step_env,
        &scripts,
        &component.secrets,
    );
    let mut edits = vec![Edit {
        start: first,
        end: first_end,
        text,
    }];
    edits.extend(
        spans
            .iter()
            .take(spans.len() - 1)
            .map(|&(start, end, _)| removal(lines, start, end, lines.len())),
    );
    Ok(edits)
}

/// The one step that replaces a job's commands, at dash column `column`.
fn cutover_step(
    id: &str,
    column: usize,
    step_env: &[(String, String)],
    scripts: &[String],
    secrets: &[String],
) -> String {
    let pad = " ".repeat(column);
    let mut text = format!(
        "{pad}- name: Run {id} through cutover\n{pad}  run: cutover run {id}\n{pad}  env:\n",
        id = id
    );
    text.push_str(&format!("{pad}    CUTOVER_STATE: ${{{{ vars.CUTOVER_STATE }}}}\n{pad}    CUTOVER_TOKEN: ${{{{ secrets.CUTOVER_TOKEN }}}}\n"));
    let mut seen = Vec::new();
    for (key, value) in step_env {
        // The steps' own environment, as written (GitHub still evaluates it).
        text.push_str(&format!(
            "{pad}    {key}: {}\n",
            serde_json::to_string(value).unwrap_or_default()
        ));
        seen.push(key.clone());
    }
    for script in scripts {
        for (variable, expression) in references(script) {
            if !seen.contains(&variable) && !secrets.contains(&variable) {
                text.push_str(&format!("{pad}    {variable}: {expression}\n"));
                seen.push(variable);
            }
        }
    }
    for secret in secrets {
        text.push_str(&format!("{pad}    {secret}: ${{{{ secrets.{secret} }}}}\n"));
    }
    text
}

/// Deleting lines `[start, end)`, with the comment lines just above them
/// and the blank lines just below, so no orphan comment or gap remains.
fn removal(lines: &[String], start: usize, end: usize, limit: usize) -> Edit {
    let mut first = start;
    while first > 0 && lines[first - 1].trim_start().starts_with('#') {
        first -= 1;
    }
    let mut last = end;
    while last < limit.min(lines.len()) && lines[last].trim().is_empty() {
        last += 1;
    }
    Edit {
        start: first,
        end: last,
        text: String::new(),
    }
}

fn gitlab_edits(
    doc: &Node,
    lines: &[String],
    job: &str,
    component: &Component,
) -> Result<Vec<Edit>, String> {
    let (key_line, body) =
        entry_line(doc, job).ok_or_else(|| format!("job `{job}` is no longer in the file"))?;
    let start = key_line.checked_sub(1).ok_or("a job without a line")?;
    let job_column = lines
        .get(start)
        .map(|l| indent(l))
        .ok_or("a job outside the file")?;
    let end = block_end(lines, start, job_column);
    let child_column = lines[start + 1..end]
        .iter()
        .find(|l| !is_filler(l))
        .map_or(job_column + 2, |l| indent(l));
    let mut edits = Vec::new();
    for key in ["before_script", "script", "after_script"] {
        let Some((line, _)) = entry_line(body, key) else {
            continue;
        };
        let at = line.saturating_sub(1);
        if at > start && at < end {
            // Blank lines past the job's end belong to the next job: the
            // replacement goes there.
            edits.push(removal(lines, at, block_end(lines, at, child_column), end));
        }
    }
    let pad = " ".repeat(child_column);
    let text = format!(
        "{pad}before_script: []\n{pad}script:\n{pad}  - cutover run {}\n{pad}after_script: []\n",
        component.id
    );
    edits.push(Edit {
        start: end,
        end,
        text,
    });
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_replace_and_delete_from_the_bottom_up() {
        let lines: Vec<String> = ["a\n", "b\n", "c\n", "d\n"].map(String::from).to_vec();
        let edits = vec![
            Edit {
                start: 0,
                end: 1,
                text: "A\nA2\n".into(),
            },
            Edit {
                start: 2,
                end: 3,
                text: String::new(),
            },
        ];
        assert_eq!(apply(&lines, edits), "A\nA2\nb\nd\n");
        let block: Vec<String> = [
            "  - run: x\n",
            "    env: {}\n",
            "\n",
            "  # next\n",
            "  - run: y\n",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(block_end(&block, 0, 2), 2);
    }
}
