//! Makefiles → one component per explicit target. Read as text, never run:
//! `make -p` would evaluate `$(shell …)` lines, which are code from the
//! file. Handles continuation lines, recipes, `.PHONY`, targets declared
//! several times (prerequisites add up), double-colon rules, target-specific
//! variables, order-only prerequisites, conditionals (both branches count),
//! `define` blocks, and `include` of literal paths (imported with the file;
//! includes built from variables are listed as not followed). Pattern
//! rules and targets named by variables are features, not components.
//! A component's `legacy.run` is `make -f FILE TARGET`.

use std::collections::BTreeMap;

use super::error::ImportError;
use super::job::{ImportedJob, LegacySystem, Step, Unresolved, key};
use super::source::{SourceFile, Sources};

const MAX_INCLUDE_DEPTH: usize = 10;

/// A target as read so far.
#[derive(Debug, Default)]
struct Target {
    line: usize,
    file: String,
    prerequisites: Vec<String>,
    recipe: Vec<String>,
    double_colon: bool,
}

#[derive(Debug, Default)]
struct Database {
    targets: BTreeMap<String, Target>,
    order: Vec<String>,
    phony: Vec<String>,
    pattern_rules: usize,
    files: Vec<String>,
}

/// Imports a Makefile and the files it includes by literal path.
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let mut database = Database::default();
    read_file(sources, file, &mut database, 0)?;
    let mut jobs = Vec::new();
    for name in &database.order {
        let Some(target) = database.targets.get(name) else {
            continue;
        };
        let mut job = ImportedJob::new(LegacySystem::Make, &file.shown, name, target.line);
        database.files.iter().for_each(|f| job.source(f));
        job.feature("make-target");
        if target.double_colon {
            job.feature("double-colon-rule");
        }
        if target.file != file.shown {
            job.feature("include");
        }
        if database.pattern_rules > 0 && !database.phony.contains(name) {
            job.feature("pattern-rule");
        }
        for prerequisite in &target.prerequisites {
            if database.targets.contains_key(prerequisite) && prerequisite != name {
                job.depends_on.push(key(&file.shown, prerequisite));
            }
        }
        let command = format!("make -f {} {name}", shell_word(&file.shown));
        job.steps.push(Step::Run {
            name: None,
            script: command.clone(),
        });
        job.run = Some(command);
        job.image = Some("buildpack-deps:bookworm".into());
        job.classify();
        jobs.push(job);
    }
    Ok(jobs)
}

fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn read_file(
    sources: &mut Sources,
    file: &SourceFile,
    database: &mut Database,
    depth: usize,
) -> Result<(), ImportError> {
    let text = sources.read(file)?;
    database.files.push(file.shown.clone());
    let mut current: Option<String> = None;
    let mut in_define = false;
    for (line_number, line) in logical_lines(&text) {
        if in_define {
            in_define = !line.trim_start().starts_with("endef");
            continue;
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            if let Some(target) = current.as_ref().and_then(|t| database.targets.get_mut(t)) {
                target.recipe.push(recipe.to_owned());
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed == "define"
            || trimmed.starts_with("define ")
            || trimmed.starts_with("override define ")
        {
            in_define = true;
            continue;
        }
        let word = trimmed.split_whitespace().next().unwrap_or("");
        match word {
            "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif" | "export" | "unexport"
            | "vpath" | "undefine" => continue,
            "include" | "-include" | "sinclude" => {
                include(sources, file, database, trimmed, line_number, depth)?;
                continue;
            }
            _ => {}
        }
        current = rule(file, database, trimmed, line_number);
    }
    Ok(())
}

/// Lines with backslash continuations joined, each with its first line number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let (start, mut joined) = pending.take().unwrap_or((index + 1, String::new()));
        if !joined.is_empty() {
            joined.push(' ');
            joined.push_str(raw.trim_start());
        } else {
            joined.push_str(raw);
        }
        match joined.strip_suffix('\\') {
            Some(rest) => pending = Some((start, rest.trim_end().to_owned())),
            None => out.push((start, joined)),
        }
    }
    out.extend(pending);
    out
}

fn include(
    sources: &mut Sources,
    file: &SourceFile,
    database: &mut Database,
    line: &str,
    line_number: usize,
    depth: usize,
) -> Result<(), ImportError> {
    let names: Vec<&str> = line.split_whitespace().skip(1).collect();
    let directory = file
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    for name in names {
        let literal = !name.contains('$') && !name.contains('*');
        let path = directory.join(name);
        if literal && path.is_file() && depth < MAX_INCLUDE_DEPTH {
            let included = sources.file(&path);
            if !database.files.contains(&included.shown) {
                read_file(sources, &included, database, depth + 1)?;
            }
        } else if !line.starts_with('-') && !line.starts_with("sinclude") {
            sources.unresolved.push(Unresolved {
                file: file.shown.clone(),
                line: line_number,
                what: format!("include {name}"),
            });
        }
    }
    Ok(())
}

/// Reads a rule line; returns the target whose recipe follows, if any.
fn rule(
    file: &SourceFile,
    database: &mut Database,
    line: &str,
    line_number: usize,
) -> Option<String> {
    let line = line.split(" #").next().unwrap_or(line);
    let colon = find_rule_colon(line)?;
    let (targets, rest) = line.split_at(colon);
    let double_colon = rest.starts_with("::");
    let rest = rest.trim_start_matches(':');
    if rest.starts_with('=') || targets.contains('=') {
        return None;
    }
    let (prerequisites, inline_recipe) = match rest.split_once(';') {
        Some((p, r)) => (p, Some(r.trim().to_owned())),
        None => (rest, None),
    };
    if is_assignment(prerequisites) {
        return None;
    }
    let prerequisites: Vec<String> = prerequisites
        .split_whitespace()
        .filter(|p| *p != "|")
        .map(str::to_owned)
        .collect();
    let mut last = None;
    for target in targets.split_whitespace() {
        if target == ".PHONY" {
            database.phony.extend(prerequisites.iter().cloned());
            continue;
        }
        if target.contains('%') {
            database.pattern_rules += 1;
            continue;
        }
        if target.starts_with('.') || target.contains('$') {
            continue;
        }
        if !database.targets.contains_key(target) {
            database.order.push(target.to_owned());
        }
        let entry = database
            .targets
            .entry(target.to_owned())
            .or_insert_with(|| Target {
                line: line_number,
                file: file.shown.clone(),
                ..Target::default()
            });
        entry.double_colon |= double_colon;
        for prerequisite in &prerequisites {
            if !entry.prerequisites.contains(prerequisite) {
                entry.prerequisites.push(prerequisite.clone());
            }
        }
        if let Some(recipe) = &inline_recipe {
            entry.recipe.push(recipe.clone());
        }
        last = Some(target.to_owned());
    }
    last
}

/// The colon that separates targets from prerequisites, outside `$(…)`.
fn find_rule_colon(line: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in line.char_indices() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            '=' if depth == 0 => return None,
            ':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// A target-specific variable (`test: TESTFLAGS += -race`).
fn is_assignment(prerequisites: &str) -> bool {
    let mut depth = 0usize;
    for c in prerequisites.chars() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            '=' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_variables_and_continuations() {
        let lines = logical_lines("a: b \\\n  c\n\techo hi\n");
        assert_eq!(lines[0], (1, "a: b c".to_owned()));
        assert!(is_assignment(" TESTFLAGS += -race"));
        assert!(!is_assignment(" build $(BINDIR)/x"));
        assert_eq!(find_rule_colon("$(BINDIR)/$(BINNAME): x"), Some(20));
        assert_eq!(find_rule_colon("X = a:b"), None);
    }
}
