//! Justfiles read both ways: through `just --dump --dump-format json` when
//! `just` is on `PATH` (the real binary, from PyPI's `rust-just`, installed
//! by `scripts/test.sh` and named by `CUTOVER_TEST_JUST`), and through
//! cutover's parser without it. On every Justfile of the corpus both give
//! the same components and dependencies, and those agree with what `just`
//! itself dumps, read here independently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::import::corpus_dir;
use crate::util::{Outcome, Test};

/// The directory holding the real `just` binary.
fn just_dir() -> PathBuf {
    let just = std::env::var_os("CUTOVER_TEST_JUST").unwrap_or_else(|| {
        panic!("CUTOVER_TEST_JUST is not set: run the suite through ./scripts/test.sh, which installs `just`")
    });
    let just = PathBuf::from(just);
    assert!(just.is_file(), "{} is not a file", just.display());
    just.parent().expect("a directory").to_owned()
}

/// A `PATH` with no `just` on it.
fn path_without_just() -> String {
    let path = "/usr/local/bin:/usr/bin:/bin";
    for directory in path.split(':') {
        assert!(
            !Path::new(directory).join("just").exists(),
            "`just` is installed in {directory}: the parser path cannot be tested"
        );
    }
    path.to_owned()
}

fn import(dir: &Path, path: &str, file: &str) -> Outcome {
    Test::at(dir)
        .env("PATH", path)
        .args(&[
            "import",
            "--from",
            "just",
            file,
            "--start",
            "2027-01-04",
            "--name",
            "j",
        ])
        .run()
}

/// `id -> depends_on` of a spec.
fn dependencies(spec: &str) -> BTreeMap<String, Vec<String>> {
    let value: serde_json::Value = serde_saphyr::from_str(spec).expect("a spec");
    value["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            let id = c["id"].as_str().expect("id").to_owned();
            let depends_on = c["depends_on"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .map(|v| v.as_str().expect("id").to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (id, depends_on)
        })
        .collect()
}

/// `(id, name)` of every component: the name is the recipe's.
fn names(spec: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_saphyr::from_str(spec).expect("a spec");
    value["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            let text = |key: &str| c[key].as_str().expect("a string").to_owned();
            (text("id"), text("name"))
        })
        .collect()
}

#[test]
fn corpus_justfiles_read_by_just_and_by_the_parser_agree() {
    let with_just = format!("{}:{}", just_dir().display(), path_without_just());
    for entry in std::fs::read_dir(corpus_dir().join("justfile")).expect("corpus") {
        let source = entry.expect("entry").path();
        let test = Test::new().file(
            "justfile",
            &std::fs::read_to_string(&source).expect("a justfile"),
        );
        let dumped = import(test.path(), &with_just, "justfile");
        dumped
            .code(0)
            .stderr_has("read `justfile` with `just --dump --dump-format json`");
        let parsed = import(test.path(), &path_without_just(), "justfile");
        parsed
            .code(0)
            .stderr_has("read `justfile` with cutover's Justfile parser (no `just` on PATH)");
        assert_eq!(
            dependencies(&dumped.stdout),
            dependencies(&parsed.stdout),
            "{}: the two readings differ",
            source.display()
        );
        assert_eq!(dumped.stdout, parsed.stdout, "{}", source.display());
        // And both agree with `just`'s own dump, read here without cutover.
        let output = Command::new(just_dir().join("just"))
            .args(["--justfile", "justfile", "--dump", "--dump-format", "json"])
            .current_dir(test.path())
            .output()
            .expect("just runs");
        assert!(output.status.success());
        let dump: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let imported = dependencies(&dumped.stdout);
        let names = names(&dumped.stdout);
        let id_of = |recipe: &str| {
            names
                .iter()
                .find(|(_, name)| name == recipe)
                .map(|(id, _)| id.clone())
                .unwrap_or_else(|| panic!("{}: no component for recipe {recipe}", source.display()))
        };
        let recipes = dump["recipes"].as_object().expect("recipes");
        for (name, recipe) in recipes {
            let depends_on = &imported[&id_of(name)];
            for dependency in recipe["dependencies"].as_array().expect("dependencies") {
                let dependency = dependency["recipe"].as_str().expect("a recipe");
                assert!(
                    depends_on.contains(&id_of(dependency)),
                    "{}: {name} depends on {dependency} for `just`, not in {depends_on:?}",
                    source.display()
                );
            }
        }
        // Recipes `just` does not show here are the other platforms' ones.
        let text = std::fs::read_to_string(&source).expect("text");
        for (_, name) in names.iter().filter(|(_, name)| !recipes.contains_key(name)) {
            let defined = text
                .lines()
                .position(|l| {
                    l.starts_with(&format!("{name}:")) || l.starts_with(&format!("{name} "))
                })
                .unwrap_or_else(|| panic!("{}: {name} is not in the text", source.display()));
            let attributes = text.lines().take(defined).last().unwrap_or("");
            assert!(
                attributes.contains("[macos]") || attributes.contains("[windows]"),
                "{}: `just` drops {name}, which is not limited to another platform",
                source.display()
            );
        }
    }
}

#[test]
fn just_follows_imports_the_parser_only_lists() {
    let test = Test::new()
        .file("build.just", "build:\n    cargo build\n")
        .file(
            "justfile",
            "import 'build.just'\n\ntest: build\n    cargo test\n",
        );
    let with_just = format!("{}:{}", just_dir().display(), path_without_just());
    let dumped = import(test.path(), &with_just, "justfile");
    dumped.code(0);
    assert_eq!(
        dependencies(&dumped.stdout).get("test"),
        Some(&vec!["build".to_owned()]),
        "{}",
        dumped.stdout
    );
    assert!(!dumped.stderr.contains("not followed"), "{}", dumped.stderr);
    let parsed = import(test.path(), &path_without_just(), "justfile");
    parsed
        .code(0)
        .stderr_has("not followed")
        .stderr_has("justfile:1: import 'build.just'");
    assert!(!dependencies(&parsed.stdout).contains_key("build"));
}

#[test]
fn a_justfile_just_rejects_is_refused_with_its_line() {
    let test = Test::new().file("justfile", "build:\n    cargo build\n\ntest: build (\n");
    let with_just = format!("{}:{}", just_dir().display(), path_without_just());
    let outcome = import(test.path(), &with_just, "justfile");
    outcome
        .code(2)
        .stderr_has("`justfile` line 4: unsupported: `just` rejects it:");
    assert!(outcome.stdout.is_empty());
}

#[test]
fn mutated_justfiles_never_panic_through_either_reader() {
    let with_just = format!("{}:{}", just_dir().display(), path_without_just());
    let mut refused_by_just = 0;
    for entry in std::fs::read_dir(corpus_dir().join("justfile")).expect("corpus") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("text");
        for (i, mutated) in crate::fuzz::mutations(&text, 12).into_iter().enumerate() {
            let test = Test::new().file("justfile", &mutated);
            for path in [with_just.as_str(), &path_without_just()] {
                let outcome = import(test.path(), path, "justfile");
                assert!(
                    matches!(outcome.code, 0 | 2),
                    "mutation {i}: exit {}: {}",
                    outcome.code,
                    outcome.stderr
                );
                if outcome.code == 2 {
                    assert!(outcome.stderr.contains(" line "), "{}", outcome.stderr);
                    refused_by_just += usize::from(outcome.stderr.contains("`just` rejects it"));
                }
            }
        }
    }
    assert!(
        refused_by_just > 0,
        "some mutations reach just's own refusal"
    );
}
