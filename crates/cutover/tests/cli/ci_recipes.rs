//! The CI recipes in `examples/ci/`: every file parses as YAML, every
//! `cutover` command they call exists, and the jobs they route look exactly
//! like what `cutover ci` writes (same store settings, same script shape).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::Test;

fn recipes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ci")
}

/// Every YAML file of the recipes, parsed.
fn recipes() -> Vec<(PathBuf, Value)> {
    let mut files = Vec::new();
    let mut dirs = vec![recipes_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("examples/ci") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yml") {
                let text = std::fs::read_to_string(&path).expect("read recipe");
                let value: Value = serde_saphyr::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
                files.push((path, value));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() >= 5, "the recipes are there: {files:?}");
    files
}

/// The shell lines of a GitHub workflow or action (`run:` of each step).
fn github_steps(recipe: &Value) -> Vec<&Value> {
    let mut steps: Vec<&Value> = Vec::new();
    if let Some(jobs) = recipe["jobs"].as_object() {
        for job in jobs.values() {
            steps.extend(job["steps"].as_array().into_iter().flatten());
        }
    }
    steps.extend(recipe["runs"]["steps"].as_array().into_iter().flatten());
    steps
}

/// The script lines of a GitLab file's jobs, with the job.
fn gitlab_jobs(recipe: &Value) -> Vec<(&String, &Value)> {
    recipe
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, job)| job.get("script").is_some())
        .collect()
}

fn is_gitlab(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".gitlab-ci.yml")
}

/// Every shell line of a recipe.
fn shell_lines(path: &Path, recipe: &Value) -> Vec<String> {
    let texts: Vec<&Value> = if is_gitlab(path) {
        gitlab_jobs(recipe)
            .into_iter()
            .flat_map(|(_, job)| {
                ["before_script", "script", "after_script"]
                    .into_iter()
                    .filter_map(|key| job[key].as_array())
                    .flatten()
            })
            .collect()
    } else {
        github_steps(recipe)
            .into_iter()
            .map(|step| &step["run"])
            .collect()
    };
    texts
        .into_iter()
        .filter_map(Value::as_str)
        .flat_map(|text| text.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// The subcommands `cutover --help` lists.
fn subcommands() -> Vec<String> {
    let help = Test::new().args(&["--help"]).run();
    help.code(0);
    help.stdout
        .split("Commands:\n")
        .nth(1)
        .expect("a command list")
        .lines()
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn every_cutover_command_in_the_recipes_exists() {
    let known = subcommands();
    let mut called = Vec::new();
    for (path, recipe) in recipes() {
        for line in shell_lines(&path, &recipe) {
            let words: Vec<&str> = line.split_whitespace().collect();
            for pair in words.windows(2) {
                if pair[0] == "cutover" && !pair[1].starts_with('-') {
                    assert!(
                        known.iter().any(|k| k == pair[1]),
                        "{}: `cutover {}` is not a command (known: {known:?})",
                        path.display(),
                        pair[1]
                    );
                    called.push(pair[1].to_owned());
                }
            }
        }
    }
    for needed in ["run", "push", "ingest", "gate"] {
        assert!(
            called.iter().any(|c| c == needed),
            "no recipe calls `cutover {needed}`"
        );
    }
}

#[test]
fn no_recipe_caches_the_shared_state() {
    for (path, recipe) in recipes() {
        let text = recipe.to_string();
        for cached in recipe_caches(&recipe) {
            assert!(
                !cached.contains(".cutover"),
                "{} caches {cached}: .cutover/ must never be cached",
                path.display()
            );
        }
        assert!(!text.contains("CUTOVER_TOKEN: ghp_"), "no token in a file");
    }
}

/// The `path` of every GitHub cache step and the `paths` of GitLab caches.
fn recipe_caches(recipe: &Value) -> Vec<String> {
    let mut cached = Vec::new();
    for step in github_steps(recipe) {
        if step["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/cache"))
        {
            cached.push(step["with"]["path"].to_string());
        }
    }
    for (_, job) in gitlab_jobs(recipe) {
        cached.push(job["cache"].to_string());
    }
    cached
}

/// A one-job legacy pipeline routed by `cutover ci`; the changed file.
fn routed_by_cutover_ci(system: &str, file: &str, text: &str) -> String {
    let test = Test::new().file(file, text);
    let spec = Test::at(test.path())
        .args(&["import", "--from", system, file, "--start", "2027-01-04"])
        .run();
    spec.code(0);
    std::fs::write(test.path().join("migration.yaml"), &spec.stdout).expect("spec");
    Test::at(test.path())
        .args(&["ci", system, "--out", "."])
        .run()
        .code(0);
    std::fs::read_to_string(test.path().join(file)).expect("changed file")
}

#[test]
fn github_recipes_pass_the_store_settings_cutover_ci_writes() {
    let routed = routed_by_cutover_ci(
        "github-actions",
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make build\n",
    );
    let routed: Value = serde_saphyr::from_str(&routed).expect("routed workflow");
    let generated = github_steps(&routed)
        .into_iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.starts_with("cutover run"))
        })
        .expect("a cutover step")
        .clone();
    let mut checked = 0;
    for (path, recipe) in recipes() {
        for step in github_steps(&recipe) {
            let Some(run) = step["run"].as_str() else {
                continue;
            };
            let uses_store = !step["env"]["CUTOVER_STATE"].is_null();
            if run.starts_with("cutover ") && uses_store {
                for key in ["CUTOVER_STATE", "CUTOVER_TOKEN"] {
                    assert_eq!(
                        step["env"][key],
                        generated["env"][key],
                        "{}: `{run}` passes {key} unlike `cutover ci`",
                        path.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "the shared-store recipe routes its jobs");
}

#[test]
fn gitlab_recipes_route_jobs_as_cutover_ci_does() {
    let routed = routed_by_cutover_ci(
        "gitlab",
        ".gitlab-ci.yml",
        "stages: [build]\nbuild:\n  stage: build\n  before_script:\n    - make deps\n  script:\n    - make build\n",
    );
    let routed: Value = serde_saphyr::from_str(&routed).expect("routed file");
    let shape = |job: &Value| {
        (
            job["before_script"].clone(),
            job["script"].as_array().map(Vec::len),
            job["after_script"].clone(),
        )
    };
    let generated = shape(&routed["build"]);
    let mut checked = 0;
    for (path, recipe) in recipes().into_iter().filter(|(p, _)| is_gitlab(p)) {
        for (name, job) in gitlab_jobs(&recipe) {
            let script = job["script"].to_string();
            if script.contains("cutover run") {
                assert_eq!(
                    shape(job),
                    generated,
                    "{}: job `{name}` is not shaped as `cutover ci gitlab` writes it",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "both GitLab recipes route their jobs");
}

#[test]
fn the_install_action_keys_its_cache_by_the_c_library_it_was_built_against() {
    let path = recipes_dir().join("github-actions/install-cutover/action.yml");
    let text = std::fs::read_to_string(&path).expect("action");
    let action: Value = serde_saphyr::from_str(&text).expect("YAML");
    let steps = github_steps(&action);
    let step = |id: &str| {
        steps
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no step `{id}`"))
    };
    let key = step("cache")["with"]["key"].as_str().unwrap_or_default();
    assert!(
        key.contains("${{ steps.libc.outputs.version }}") && key.contains("${{ inputs.rev }}"),
        "a binary built on another image's C library must not be restored: {key}"
    );
    // The step runs here as the runner runs a `shell: bash` step (`bash
    // --noprofile --norc -eo pipefail`), many times: a pipeline that can die
    // of SIGPIPE fails only some of them. Each names this machine's C
    // library in exactly one line.
    let dir = tempfile::tempdir().expect("tmp");
    let script = step("libc")["run"].as_str().expect("run");
    for round in 0..300 {
        let output = dir.path().join(format!("github_output-{round}"));
        let status = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .env("GITHUB_OUTPUT", &output)
            .status()
            .expect("bash");
        assert!(status.success(), "round {round}");
        let written = std::fs::read_to_string(&output).expect("output");
        let version = written
            .strip_prefix("version=")
            .and_then(|v| v.strip_suffix('\n'))
            .unwrap_or_else(|| panic!("one line `version=…`, round {round}: {written:?}"));
        assert!(
            version.split('.').all(|part| part.parse::<u32>().is_ok()) && version.contains('.'),
            "round {round}: {written:?}"
        );
    }
}
