//! `cutover scaffold` on specs imported from the corpus: the modules
//! type-check against the real SDK packages (PyPI `dagger-io` with
//! `mypy --strict`, npm `@dagger.io/dagger` with `tsc --strict`, installed by
//! `scripts/test.sh`), for the stable CLI and for the 1.0 beta (whose
//! `dagger.toml` and `dagger-module.toml` are validated against Dagger's own
//! JSON Schemas), `dagger.run` is set, and each dagger-migration project's
//! "before" CI scaffolds to functions matching its "after" CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::import::{corpus_dir, lay_out};
use crate::util::Test;

fn sdk_env(name: &str) -> PathBuf {
    let value = std::env::var_os(name)
        .unwrap_or_else(|| panic!("{name} is not set: run the suite through ./scripts/test.sh, which installs the Dagger SDKs"));
    PathBuf::from(value)
}

fn mypy_strict(module: &Path) -> std::process::Output {
    mypy_strict_with(&sdk_env("CUTOVER_SDK_PYTHON"), module)
}

fn mypy_strict_with(python: &Path, module: &Path) -> std::process::Output {
    Command::new(python)
        .args(["-m", "mypy", "--strict", "--no-incremental", "src"])
        .current_dir(module)
        .output()
        .expect("mypy runs")
}

fn tsc_strict(module: &Path) -> std::process::Output {
    tsc_strict_with(
        &sdk_env("CUTOVER_SDK_NODE_MODULES"),
        module,
        "tsconfig.json",
    )
}

fn tsc_strict_with(modules: &Path, module: &Path, config: &str) -> std::process::Output {
    let link = module.join("node_modules");
    if !link.exists() {
        std::os::unix::fs::symlink(modules, &link).expect("link node_modules");
    }
    Command::new("node")
        .arg(modules.join("typescript/bin/tsc"))
        .args(["-p", config, "--strict"])
        .current_dir(module)
        .output()
        .expect("tsc runs")
}

fn show(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A spec imported from five repositories of the corpus (GitHub and GitLab).
fn imported_workspace() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(
        root.path(),
        &[
            "github-actions",
            "github-actions-composite",
            "gitlab-ci",
            "gitlab-ci-includes",
        ],
    );
    let github = Test::at(root.path())
        .args(&[
            "import",
            "--from",
            "github-actions",
            "--start",
            "2027-01-04",
            "wagtail__wagtail/.github/workflows/test.yml",
            "BurntSushi__ripgrep/.github/workflows/ci.yml",
            "cargo-bins__cargo-binstall/.github/workflows/ci.yml",
        ])
        .run();
    github.code(0);
    std::fs::write(root.path().join("migration.yaml"), &github.stdout).expect("write");
    Test::at(root.path())
        .args(&[
            "import",
            "--from",
            "gitlab",
            "NVIDIA__gpu-operator/.gitlab-ci.yml",
            "videolan__dav1d/.gitlab-ci.yml",
            "--merge",
            "migration.yaml",
        ])
        .run()
        .code(0);
    root
}

#[test]
fn python_scaffolds_type_check_against_dagger_io() {
    let root = imported_workspace();
    let outcome = Test::at(root.path())
        .args(&[
            "scaffold",
            "--all",
            "--sdk",
            "python",
            "--out",
            "py",
            "--name",
            "ci-to-dagger",
        ])
        .run();
    outcome
        .code(0)
        .stdout_has("(check)")
        .stdout_has("WRAPPED steps")
        .stdout_has("set test-sqlite.dagger.run: dagger call -m py test-sqlite --source .");
    let module = root.path().join("py");
    let main = std::fs::read_to_string(module.join("src/ci_to_dagger/main.py")).expect("main.py");
    let functions = main.matches("    @function\n").count();
    assert!(functions >= 5, "{functions} functions");
    for needle in [
        "with_service_binding(",
        "with_secret_variable(",
        "with_mounted_cache(",
        "@check",
        "# WRAPPED:",
        "-> dagger.Directory",
        // The repository (the context's root), not the module's own directory.
        "DefaultPath(\"/\")",
    ] {
        assert!(main.contains(needle), "the module lacks {needle}");
    }
    assert!(module.join("dagger.json").is_file() && module.join("pyproject.toml").is_file());
    let checked = mypy_strict(&module);
    assert!(
        checked.status.success(),
        "mypy --strict failed:\n{}",
        show(&checked)
    );
    // The checker is real: a type error in the same module fails it.
    std::fs::write(
        module.join("src/ci_to_dagger/broken.py"),
        "from dagger import dag\n\nx: int = dag.container()\n",
    )
    .expect("write");
    assert!(
        !mypy_strict(&module).status.success(),
        "mypy accepted a type error"
    );
    Test::at(root.path()).args(&["check"]).run().code(0);
}

#[test]
fn typescript_scaffolds_type_check_against_the_dagger_sdk() {
    let root = imported_workspace();
    let outcome = Test::at(root.path())
        .args(&[
            "scaffold",
            "--all",
            "--sdk",
            "typescript",
            "--out",
            "ts",
            "--name",
            "ci-to-dagger",
        ])
        .run();
    outcome.code(0);
    let module = root.path().join("ts");
    let index = std::fs::read_to_string(module.join("src/index.ts")).expect("index.ts");
    assert!(index.matches("  @func()\n").count() >= 5);
    for needle in [
        "withServiceBinding(",
        "withSecretVariable(",
        "withMountedCache(",
        "@check()",
        "// WRAPPED:",
        "defaultPath: \"/\"",
    ] {
        assert!(index.contains(needle), "the module lacks {needle}");
    }
    let checked = tsc_strict(&module);
    assert!(
        checked.status.success(),
        "tsc --strict failed:\n{}",
        show(&checked)
    );
    std::fs::write(
        module.join("src/broken.ts"),
        "import { dag } from \"@dagger.io/dagger\"\nexport const x: number = dag.container()\n",
    )
    .expect("write");
    assert!(
        !tsc_strict(&module).status.success(),
        "tsc accepted a type error"
    );
}

#[test]
fn scaffold_keeps_an_existing_dagger_side_and_refuses_to_overwrite_a_module() {
    let root = imported_workspace();
    let spec = root.path().join("migration.yaml");
    let text = std::fs::read_to_string(&spec).expect("read");
    let edited = text.replacen(
        "\n  legacy:\n",
        "\n  dagger:\n    run: ./port.sh\n  legacy:\n",
        1,
    );
    std::fs::write(&spec, &edited).expect("write");
    let first = Test::at(root.path())
        .args(&["scaffold", "--all", "--sdk", "python"])
        .run();
    first
        .code(0)
        .stdout_has("kept ")
        .stdout_has("(already set): ./port.sh");
    Test::at(root.path())
        .args(&["scaffold", "--all", "--sdk", "python"])
        .run()
        .code(2)
        .stderr_has("already holds a Dagger module");
    Test::at(root.path())
        .args(&["scaffold", "nope", "--sdk", "python"])
        .run()
        .code(2)
        .stderr_has("no component `nope`");
}

/// For each dagger-migration project: (before file, after file, pairs of
/// (job of the after CI, the scaffolded function a reader matches it with,
/// or `None` where the after CI added a job no legacy job corresponds to)).
type Pairs = &'static [(&'static str, Option<&'static str>)];
const MIGRATIONS: &[(&str, &str, Pairs)] = &[
    (
        "aurelio-labs__semantic-router__c877b7f00e__.github__workflows__test.yml",
        "aurelio-labs__semantic-router__ec1dec7595__.github__workflows__test.yml",
        &[("test", Some("build"))],
    ),
    (
        "flipt-io__flipt__1804b13091__.github__workflows__integration-test.yml",
        "flipt-io__flipt__f1905b61b5__.github__workflows__integration-test.yml",
        &[
            ("discover-tests", None),
            ("build-cache", None),
            ("test", Some("test")),
            ("ui", Some("ui")),
        ],
    ),
    (
        "jumppad-labs__jumppad__e1d74c7ec7__.github__workflows__build_and_deploy.yaml",
        "jumppad-labs__jumppad__e162d476f6__.github__workflows__build_and_deploy.yaml",
        &[
            ("dagger_build", Some("build_dev")),
            ("functional_test_docker", Some("functional_test_docker")),
            ("functional_test_podman", Some("functional_test_podman")),
            ("release", Some("github_release")),
            ("sync_winget", Some("winget")),
            ("winget", Some("winget")),
        ],
    ),
];

#[test]
fn dagger_migration_projects_scaffold_one_function_per_before_job_matching_the_after_ci() {
    let corpus = corpus_dir().join("dagger-migration");
    for (before, after, pairs) in MIGRATIONS {
        let test = Test::new().file(
            ".github/workflows/ci.yml",
            &std::fs::read_to_string(corpus.join(before)).expect("before"),
        );
        let imported = Test::at(test.path())
            .args(&[
                "import",
                "--from",
                "github-actions",
                ".github/workflows/ci.yml",
            ])
            .run();
        imported.code(0);
        std::fs::write(test.path().join("migration.yaml"), &imported.stdout).expect("write");
        let scaffolded = Test::at(test.path())
            .args(&["scaffold", "--all", "--sdk", "python"])
            .run();
        scaffolded.code(0);
        let main = std::fs::read_dir(test.path().join(".dagger/src"))
            .expect("src")
            .map(|e| e.expect("entry").path().join("main.py"))
            .find(|p| p.is_file())
            .expect("main.py");
        let main = std::fs::read_to_string(main).expect("read");
        let before_jobs = jobs_of(&std::fs::read_to_string(corpus.join(before)).expect("before"));
        assert_eq!(
            main.matches("    @function\n").count(),
            before_jobs,
            "{before}: one function per job"
        );
        let after_text = std::fs::read_to_string(corpus.join(after)).expect("after");
        for (after_job, function) in *pairs {
            assert!(
                after_text.contains(&format!("\n  {after_job}:\n")),
                "{after} has no job {after_job}"
            );
            if let Some(function) = function {
                assert!(
                    main.contains(&format!("async def {function}(")),
                    "{before}: no function {function} for the after job {after_job}"
                );
            }
        }
    }
}

/// Jobs of a workflow, counted independently of cutover (two-space keys under `jobs:`).
fn jobs_of(workflow: &str) -> usize {
    let mut in_jobs = false;
    let mut count = 0;
    for line in workflow.lines() {
        if line.starts_with("jobs:") {
            in_jobs = true;
            continue;
        }
        if in_jobs && !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') {
            in_jobs = false;
        }
        let key = line
            .strip_prefix("  ")
            .filter(|rest| !rest.starts_with([' ', '#']) && rest.trim_end().ends_with(':'));
        if in_jobs && key.is_some() {
            count += 1;
        }
    }
    count
}

/// Validates a Dagger config file with Dagger's published JSON Schema
/// (`tests/cli/data/dagger-1.0-beta/`), through Python's tomllib and jsonschema.
#[track_caller]
fn assert_valid_dagger_config(schema: &str, file: &Path) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/data");
    let output = Command::new("python3")
        .arg(data.join("dagger_config_check.py"))
        .arg(data.join("dagger-1.0-beta").join(schema))
        .arg(file)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{} does not follow {schema}:\n{}",
        file.display(),
        show(&output)
    );
}

fn scaffold_beta(root: &Path, sdk: &str) -> crate::util::Outcome {
    Test::at(root)
        .args(&[
            "scaffold",
            "--all",
            "--sdk",
            sdk,
            "--dagger-cli",
            "1.0-beta",
            "--name",
            "ci-to-dagger",
        ])
        .run()
}

#[test]
fn python_scaffolds_for_the_1_0_beta_install_a_workspace_module_that_type_checks() {
    let root = imported_workspace();
    std::fs::write(
        root.path().join("dagger.toml"),
        "# the team's workspace\n[modules.eslint]\nsource = \"github.com/dagger/eslint@v0.3.0\" # pinned\n",
    )
    .expect("write");
    let outcome = scaffold_beta(root.path(), "python");
    outcome
        .code(0)
        .stdout_has("installed it in the workspace")
        .stdout_has(
            "set test-sqlite.dagger.run: dagger api call ci-to-dagger test-sqlite --source .",
        );
    let workspace = root.path().join("dagger.toml");
    let text = std::fs::read_to_string(&workspace).expect("dagger.toml");
    assert!(
        text.starts_with("# the team's workspace\n[modules.eslint]\nsource = \"github.com/dagger/eslint@v0.3.0\" # pinned\n"),
        "the team's lines stay as they were:\n{text}"
    );
    assert!(text.contains("[modules.ci-to-dagger]\nsource = \".dagger/modules/ci-to-dagger\"\n"));
    assert!(text.contains(
        "[[modules.dagger-python-sdk.as-sdk.modules]]\npath = \".dagger/modules/ci-to-dagger\"\n"
    ));
    assert_valid_dagger_config("dagger-workspace.schema.json", &workspace);
    let module = root.path().join(".dagger/modules/ci-to-dagger");
    assert_valid_dagger_config(
        "dagger-module.schema.json",
        &module.join("dagger-module.toml"),
    );
    assert!(
        !module.join("dagger.json").exists(),
        "no 0.x config in a beta module"
    );
    let source = std::fs::read_to_string(module.join("src/ci_to_dagger/__init__.py"))
        .expect("the class lives in __init__.py, as the beta SDK's template has it");
    assert!(source.matches("    @function\n").count() >= 5);
    assert!(source.contains("@check") && source.contains("# WRAPPED:"));
    assert!(
        std::fs::read_to_string(module.join("pyproject.toml"))
            .expect("pyproject")
            .contains("dagger-io = { path = \"sdk\", editable = true }")
    );
    let python = sdk_env("CUTOVER_SDK_BETA_PYTHON");
    let checked = mypy_strict_with(&python, &module);
    assert!(
        checked.status.success(),
        "mypy --strict (beta SDK) failed:\n{}",
        show(&checked)
    );
    std::fs::write(
        module.join("src/ci_to_dagger/broken.py"),
        "from dagger import dag\n\nx: int = dag.container()\n",
    )
    .expect("write");
    assert!(
        !mypy_strict_with(&python, &module).status.success(),
        "mypy accepted a type error"
    );
    Test::at(root.path()).args(&["check"]).run().code(0);
    let again = scaffold_beta(root.path(), "python");
    again.code(2).stderr_has("already holds a Dagger module");
    let outside = tempfile::tempdir().expect("tmp");
    Test::at(root.path())
        .args(&[
            "scaffold",
            "--all",
            "--sdk",
            "python",
            "--dagger-cli",
            "1.0-beta",
            "--out",
            &outside.path().to_string_lossy(),
        ])
        .run()
        .code(2)
        .stderr_has("is outside the spec's directory");
}

#[test]
fn typescript_scaffolds_for_the_1_0_beta_type_check_against_the_beta_sdk() {
    let root = imported_workspace();
    let outcome = scaffold_beta(root.path(), "typescript");
    outcome.code(0);
    let workspace = root.path().join("dagger.toml");
    assert_valid_dagger_config("dagger-workspace.schema.json", &workspace);
    let text = std::fs::read_to_string(&workspace).expect("dagger.toml");
    assert!(
        text.contains("[modules.dagger-typescript-sdk.as-sdk]\nname = \"typescript\"\n"),
        "{text}"
    );
    let module = root.path().join(".dagger/modules/ci-to-dagger");
    assert_valid_dagger_config(
        "dagger-module.schema.json",
        &module.join("dagger-module.toml"),
    );
    let tsconfig = std::fs::read_to_string(module.join("tsconfig.json")).expect("tsconfig");
    assert!(
        tsconfig.contains("\"@dagger.io/dagger\": [\"./sdk/index.ts\"]"),
        "{tsconfig}"
    );
    let index = std::fs::read_to_string(module.join("src/index.ts")).expect("index.ts");
    assert!(index.matches("  @func()\n").count() >= 5);
    // The module's tsconfig points `@dagger.io/dagger` at the `sdk/` that
    // `dagger generate` bundles; here the same beta SDK comes from npm.
    std::fs::write(
        module.join("tsconfig.check.json"),
        "{\"extends\": \"./tsconfig.json\", \"compilerOptions\": {\"paths\": {}, \"module\": \"NodeNext\", \"moduleResolution\": \"NodeNext\", \"noEmit\": true}, \"include\": [\"src/**/*.ts\"]}\n",
    )
    .expect("write");
    let modules = sdk_env("CUTOVER_SDK_BETA_NODE_MODULES");
    let checked = tsc_strict_with(&modules, &module, "tsconfig.check.json");
    assert!(
        checked.status.success(),
        "tsc --strict (beta SDK) failed:\n{}",
        show(&checked)
    );
    std::fs::write(
        module.join("src/broken.ts"),
        "import { dag } from \"@dagger.io/dagger\"\nexport const x: number = dag.container()\n",
    )
    .expect("write");
    assert!(
        !tsc_strict_with(&modules, &module, "tsconfig.check.json")
            .status
            .success(),
        "tsc accepted a type error"
    );
    let spec = std::fs::read_to_string(root.path().join("migration.yaml")).expect("spec");
    assert!(
        spec.contains("run: \"dagger api call ci-to-dagger "),
        "dagger.run is the beta's call"
    );
}
