//! Justfiles → one component per recipe. Read as text (a small parser for
//! the parts that matter here): recipe headers with parameters and
//! dependencies (`a: b (c "x") && d`), attributes (`[linux]`, `[private]`),
//! recipes defined twice for different platforms (merged), aliases and
//! settings (skipped), and `just <recipe>` calls inside bodies, which count
//! as dependencies too. A component's `legacy.run` is `just -f FILE RECIPE`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::error::ImportError;
use super::job::{ImportedJob, LegacySystem, Step, Unresolved, key};
use super::source::{SourceFile, Sources};

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@?([A-Za-z_][A-Za-z0-9_-]*)((?:\s+[^:]*?)?)\s*:([^=].*)?$")
        .expect("a constant, valid pattern")
});
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;&|(])just\s+(?:-[^\s]+\s+)*([A-Za-z_][A-Za-z0-9_-]*)")
        .expect("a constant, valid pattern")
});

#[derive(Debug, Default)]
struct Recipe {
    line: usize,
    dependencies: Vec<String>,
    body: Vec<String>,
    attributes: Vec<String>,
}

/// Imports a Justfile.
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let text = sources.read(file)?;
    let (recipes, order) = parse(sources, file, &text);
    let mut jobs = Vec::new();
    for name in &order {
        let Some(recipe) = recipes.get(name) else {
            continue;
        };
        let mut job = ImportedJob::new(LegacySystem::Just, &file.shown, name, recipe.line);
        job.feature("shell");
        let mut dependencies = recipe.dependencies.clone();
        for line in &recipe.body {
            for call in CALL.captures_iter(line) {
                if recipes.contains_key(&call[1]) && !dependencies.contains(&call[1].to_owned()) {
                    job.feature("recipe-calls");
                    dependencies.push(call[1].to_owned());
                }
            }
        }
        for dependency in dependencies
            .iter()
            .filter(|d| *d != name && recipes.contains_key(*d))
        {
            job.depends_on.push(key(&file.shown, dependency));
        }
        if recipe.attributes.iter().any(|a| a.contains("macos")) {
            job.feature("macos-runner");
        }
        if recipe.attributes.iter().any(|a| a.contains("windows"))
            && !recipe
                .attributes
                .iter()
                .any(|a| a.contains("unix") || a.contains("linux"))
        {
            job.feature("windows-runner");
        }
        if recipe.attributes.iter().any(|a| a.contains("parallel")) {
            job.feature("parallel");
        }
        let command = format!("just -f {} {name}", file.shown);
        job.steps.push(Step::Run {
            name: None,
            script: command.clone(),
        });
        job.run = Some(command);
        job.classify();
        jobs.push(job);
    }
    Ok(jobs)
}

fn parse(
    sources: &mut Sources,
    file: &SourceFile,
    text: &str,
) -> (BTreeMap<String, Recipe>, Vec<String>) {
    let mut recipes: BTreeMap<String, Recipe> = BTreeMap::new();
    let mut order = Vec::new();
    let mut current: Option<String> = None;
    let mut attributes = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t']) {
            if let Some(recipe) = current.as_ref().and_then(|c| recipes.get_mut(c)) {
                recipe.body.push(line.trim().to_owned());
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        current = None;
        if trimmed.starts_with('[') {
            attributes.push(trimmed.to_owned());
            continue;
        }
        let first = trimmed.split_whitespace().next().unwrap_or("");
        if matches!(first, "alias" | "set" | "export") || trimmed.contains(":=") {
            attributes.clear();
            continue;
        }
        if matches!(first, "import" | "mod" | "import?" | "mod?") {
            sources.unresolved.push(Unresolved {
                file: file.shown.clone(),
                line: index + 1,
                what: trimmed.to_owned(),
            });
            continue;
        }
        let Some(caps) = HEADER.captures(trimmed) else {
            attributes.clear();
            continue;
        };
        let name = caps[1].to_owned();
        let dependencies = caps
            .get(3)
            .map(|m| dependency_names(m.as_str()))
            .unwrap_or_default();
        if !recipes.contains_key(&name) {
            order.push(name.clone());
        }
        let recipe = recipes.entry(name.clone()).or_insert_with(|| Recipe {
            line: index + 1,
            ..Recipe::default()
        });
        for dependency in dependencies {
            if !recipe.dependencies.contains(&dependency) {
                recipe.dependencies.push(dependency);
            }
        }
        recipe.attributes.append(&mut attributes);
        current = Some(name);
    }
    (recipes, order)
}

/// Recipe names in a dependency list: `b (c "x") && d` → `b`, `c`, `d`.
fn dependency_names(list: &str) -> Vec<String> {
    let mut rest = list.split(" #").next().unwrap_or(list);
    let mut names = Vec::new();
    let valid = |token: &str| -> String {
        token
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect()
    };
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let token = if let Some(inner) = rest.strip_prefix('(') {
            let end = inner.find(')').unwrap_or(inner.len());
            rest = inner.get(end + 1..).unwrap_or("");
            valid(inner[..end].trim_start())
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let token = &rest[..end];
            rest = &rest[end..];
            if token == "&&" {
                String::new()
            } else {
                valid(token)
            }
        };
        if !token.is_empty() {
            names.push(token);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_dependencies() {
        let caps = HEADER
            .captures("test: unit-tests build e2e-tests")
            .expect("a header");
        assert_eq!(&caps[1], "test");
        assert!(HEADER.captures("cargo := x").is_none());
        assert_eq!(dependency_names(" b (c \"x y\") && d"), vec!["b", "c", "d"]);
        assert!(CALL.captures("  just fmt").is_some());
    }
}
