//! Justfiles → one component per recipe. When `just` is on `PATH` the
//! recipes come from `just --dump --dump-format json` ([`super::just_dump`]:
//! `just`'s own reading, imports resolved, only the variant of a recipe this
//! platform runs); otherwise from a small parser of the parts that matter
//! here: recipe headers with parameters and dependencies (`a: b (c "x") &&
//! d`), attributes (`[linux]`, `[private]`), recipes defined twice for
//! different platforms (merged), aliases and settings (skipped). Either way
//! `just <recipe>` calls inside bodies count as dependencies too, lines come
//! from the text, and a component's `legacy.run` is `just -f FILE RECIPE`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::error::ImportError;
use super::job::{ImportedJob, LegacySystem, Step, Unresolved, key};
use super::just_dump::{self, DumpedRecipe};
use super::source::{SourceFile, Sources};

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@?([A-Za-z_][A-Za-z0-9_-]*)((?:\s+[^:]*?)?)\s*:([^=].*)?$")
        .expect("a constant, valid pattern")
});
static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s;&|(])just\s+(?:-[^\s]+\s+)*([A-Za-z_][A-Za-z0-9_-]*)")
        .expect("a constant, valid pattern")
});

#[derive(Debug, Default, Clone)]
struct Recipe {
    line: usize,
    /// How many times the text defines it (once per platform, say).
    definitions: usize,
    dependencies: Vec<String>,
    body: Vec<String>,
    attributes: Vec<String>,
}

/// Imports a Justfile, through `just --dump` when `just` is installed.
pub fn import(sources: &mut Sources, file: &SourceFile) -> Result<Vec<ImportedJob>, ImportError> {
    let text = sources.read(file)?;
    let unresolved_before = sources.unresolved.len();
    let (parsed, order) = parse(sources, file, &text);
    let (recipes, order) = match just_dump::recipes(file)? {
        Some(dumped) => {
            // `just` followed the imports the parser lists as not followed.
            let mut index = unresolved_before;
            while index < sources.unresolved.len() {
                if sources.unresolved[index].what.starts_with("import") {
                    sources.unresolved.remove(index);
                } else {
                    index += 1;
                }
            }
            sources.notes.push(format!(
                "read `{}` with `just --dump --dump-format json`",
                file.shown
            ));
            with_lines(dumped, &parsed, &order)
        }
        None => {
            sources.notes.push(format!(
                "read `{}` with cutover's Justfile parser (no `just` on PATH)",
                file.shown
            ));
            (parsed, order)
        }
    };
    Ok(jobs_of(file, &recipes, &order))
}

/// Attributes that limit a recipe to some platforms.
const PLATFORMS: &[&str] = &[
    "linux",
    "macos",
    "unix",
    "windows",
    "openbsd",
    "freebsd",
    "netbsd",
    "dragonfly",
    "android",
];

fn platform_specific(recipe: &Recipe) -> bool {
    recipe
        .attributes
        .iter()
        .any(|a| PLATFORMS.iter().any(|p| a.contains(p)))
}

/// `just`'s recipes, each at the line the text defines it, in file order,
/// completed from the text where `just` only shows this platform: a recipe
/// limited to other platforms (`[macos]`, `[windows]`), which `just` drops
/// here, is kept, and a recipe defined once per platform gets the
/// dependencies and attributes of every definition — the team's CI runs
/// them all. Recipes only `just` sees (from imports) come last, at line 1.
fn with_lines(
    dumped: BTreeMap<String, DumpedRecipe>,
    parsed: &BTreeMap<String, Recipe>,
    parsed_order: &[String],
) -> (BTreeMap<String, Recipe>, Vec<String>) {
    let mut recipes: BTreeMap<String, Recipe> = BTreeMap::new();
    let mut order = Vec::new();
    for name in parsed_order {
        let Some(text) = parsed.get(name) else {
            continue;
        };
        let recipe = match dumped.get(name) {
            Some(dumped) => {
                let mut recipe = Recipe {
                    line: text.line,
                    definitions: text.definitions,
                    dependencies: dumped.dependencies.clone(),
                    body: dumped.body.clone(),
                    attributes: dumped.attributes.clone(),
                };
                if text.definitions > 1 {
                    for dependency in &text.dependencies {
                        if !recipe.dependencies.contains(dependency) {
                            recipe.dependencies.push(dependency.clone());
                        }
                    }
                    recipe.attributes.extend(text.attributes.iter().cloned());
                }
                recipe
            }
            None if platform_specific(text) => text.clone(),
            None => continue,
        };
        recipes.insert(name.clone(), recipe);
        order.push(name.clone());
    }
    for (name, dumped) in dumped {
        if recipes.contains_key(&name) {
            continue;
        }
        order.push(name.clone());
        recipes.insert(
            name,
            Recipe {
                line: 1,
                definitions: 1,
                dependencies: dumped.dependencies,
                body: dumped.body,
                attributes: dumped.attributes,
            },
        );
    }
    (recipes, order)
}

fn jobs_of(
    file: &SourceFile,
    recipes: &BTreeMap<String, Recipe>,
    order: &[String],
) -> Vec<ImportedJob> {
    let mut jobs = Vec::new();
    for name in order {
        let Some(recipe) = recipes.get(name) else {
            continue;
        };
        let mut job = ImportedJob::new(LegacySystem::Just, &file.shown, name, recipe.line);
        job.feature("shell");
        let mut dependencies = recipe.dependencies.clone();
        for line in &recipe.body {
            for call in CALL.captures_iter(line.trim()) {
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
    jobs
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
        recipe.definitions += 1;
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
