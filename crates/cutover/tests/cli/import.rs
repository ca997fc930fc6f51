//! `cutover import` on the real CI files of `../shared/corpus` (laid out as
//! in their repositories): every file imports into a spec that passes
//! `check` or is refused with its line; dependency edges agree with an
//! independent PyYAML computation; mutated files never panic; `--merge`
//! adds without overwriting.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fuzz::mutations;
use crate::util::Test;

/// The corpus beside the repository (CI checks `../shared` out next to the clone).
pub fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(
        dir.is_dir(),
        "the corpus must be at {} (../shared/corpus beside the repository)",
        dir.display()
    );
    dir
}

/// Copies the corpus files of `kinds` into `root/<owner>__<repo>/<path>`.
pub fn lay_out(root: &Path, kinds: &[&str]) -> Vec<(String, PathBuf)> {
    let mut placed = Vec::new();
    for kind in kinds {
        let mut names: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join(kind))
            .expect("corpus kind")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        for source in names {
            let name = source
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let mut parts = name.splitn(3, "__");
            let (owner, repo, rest) = (
                parts.next().expect("owner"),
                parts.next().expect("repo"),
                parts.next().expect("path"),
            );
            let repository = root.join(format!("{owner}__{repo}"));
            let target = repository.join(rest.replace("__", "/"));
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&source, &target).expect("copy");
            placed.push(((*kind).to_owned(), target));
        }
    }
    placed
}

fn repository_of(path: &Path, root: &Path) -> PathBuf {
    let relative = path.strip_prefix(root).expect("inside");
    root.join(relative.components().next().expect("repo"))
}

fn import_into_spec(repository: &Path, from: &str, file: &Path) -> (String, crate::util::Outcome) {
    let relative = file
        .strip_prefix(repository)
        .expect("inside")
        .to_string_lossy()
        .into_owned();
    let outcome = Test::at(repository)
        .args(&["import", "--from", from, &relative, "--start", "2027-01-04"])
        .run();
    (relative, outcome)
}

#[test]
fn github_and_gitlab_edges_agree_with_an_independent_parse() {
    let root = tempfile::tempdir().expect("tmp");
    let placed = lay_out(
        root.path(),
        &[
            "github-actions",
            "github-actions-composite",
            "gitlab-ci",
            "gitlab-ci-includes",
        ],
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/data/ci_edges.py");
    let mut checked = 0;
    for (kind, file) in &placed {
        let from = match kind.as_str() {
            "github-actions" => "github-actions",
            "gitlab-ci" | "gitlab-ci-includes" => "gitlab",
            _ => continue,
        };
        let repository = repository_of(file, root.path());
        let (relative, outcome) = import_into_spec(&repository, from, file);
        assert_eq!(outcome.code, 0, "{relative}: {}", outcome.stderr);
        let spec = repository.join(format!("{}.spec.yaml", relative.replace('/', "_")));
        std::fs::write(&spec, &outcome.stdout).expect("write spec");
        Test::at(&repository)
            .args(&["check", &spec.to_string_lossy()])
            .run()
            .code(0);
        let python = Command::new("python3")
            .arg(&script)
            .arg(from)
            .arg(&relative)
            .arg(&spec)
            .current_dir(&repository)
            .output()
            .expect("python3 runs");
        assert!(
            python.status.success(),
            "{relative}: edges differ from the independent parse:\n{}{}",
            String::from_utf8_lossy(&python.stdout),
            String::from_utf8_lossy(&python.stderr)
        );
        checked += 1;
    }
    assert_eq!(checked, 24, "14 GitHub Actions and 10 GitLab files");
}

/// Every directory of the corpus with the importer its files belong to.
const CORPUS_KINDS: &[(&str, &str)] = &[
    ("github-actions", "github-actions"),
    ("github-actions-composite", "github-actions"),
    ("gitlab-ci", "gitlab"),
    ("gitlab-ci-includes", "gitlab"),
    ("dagger-migration", "github-actions"),
    ("makefile", "make"),
    ("justfile", "just"),
    ("taskfile", "taskfile"),
    ("docker-compose", "compose"),
];

#[test]
fn every_ci_file_of_the_corpus_imports_or_is_refused_with_its_line() {
    let corpus = corpus_dir();
    for (kind, from) in CORPUS_KINDS {
        for entry in std::fs::read_dir(corpus.join(kind)).expect("kind") {
            // The dagger-migration module files (main.go, main.py,
            // dagger.json) are no CI: offered to the importer anyway, they
            // are refused with a line too.
            let path = entry.expect("entry").path();
            let test = Test::new();
            let outcome = test
                .args(&["import", "--from", from, &path.to_string_lossy()])
                .run();
            match outcome.code {
                0 => assert!(outcome.stdout.contains("components:"), "{}", path.display()),
                2 => assert!(
                    (outcome.stderr.contains(" line ") && outcome.stderr.contains("unsupported"))
                        || (outcome.stderr.contains("is not valid YAML")
                            && outcome.stderr.contains(" at line ")),
                    "{}: {}",
                    path.display(),
                    outcome.stderr
                ),
                other => panic!("{}: exit {other}: {}", path.display(), outcome.stderr),
            }
        }
    }
}

#[test]
fn composite_actions_are_refused_naming_runs_and_its_line() {
    let path = corpus_dir().join(
        "github-actions-composite/oxc-project__oxc__.github__actions__clone-submodules__action.yml",
    );
    Test::new()
        .args(&[
            "import",
            "--from",
            "github-actions",
            &path.to_string_lossy(),
        ])
        .run()
        .code(2)
        .stderr_has("`runs:` (an action definition")
        .stderr_has("line ");
}

#[test]
fn mutated_ci_files_never_panic() {
    let corpus = corpus_dir();
    let mut runs = 0;
    for (kind, from) in CORPUS_KINDS {
        for entry in std::fs::read_dir(corpus.join(kind)).expect("kind") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("corpus files are text");
            for (i, mutated) in mutations(&text, 6).into_iter().enumerate() {
                let test = Test::new().file("ci.yml", &mutated);
                let outcome = test.args(&["import", "--from", from, "ci.yml"]).run();
                assert!(
                    matches!(outcome.code, 0 | 2),
                    "{} mutation {i}: exit {}: {}",
                    path.display(),
                    outcome.code,
                    outcome.stderr
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 100);
}

#[test]
fn local_reusable_workflows_and_composite_actions_are_followed() {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(root.path(), &["github-actions", "github-actions-composite"]);
    let repository = root.path().join("open-telemetry__opentelemetry-demo");
    let outcome = Test::at(&repository)
        .args(&[
            "import",
            "--from",
            "github-actions",
            ".github/workflows/checks.yml",
        ])
        .run();
    outcome
        .code(0)
        .stdout_has("id: build_images-build_and_push_images")
        .stdout_has("reusable-workflow");
    let repository = root.path().join("cargo-bins__cargo-binstall");
    Test::at(&repository)
        .args(&[
            "import",
            "--from",
            "github-actions",
            ".github/workflows/ci.yml",
        ])
        .run()
        .code(0)
        .stdout_has("composite-action")
        .stdout_has(".github/actions/just-setup/action.yml");
}

#[test]
fn gitlab_remote_includes_are_listed_never_fetched() {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(root.path(), &["gitlab-ci", "gitlab-ci-includes"]);
    let repository = root.path().join("NVIDIA__gpu-operator");
    Test::at(&repository)
        .args(&["import", "--from", "gitlab", ".gitlab-ci.yml"])
        .run()
        .code(0)
        .stderr_has(
            ".gitlab-ci.yml:3: include: project: nvidia/container-infrastructure/aws-kube-ci",
        )
        .stdout_has(".common-ci.yml");
}

const WORKFLOW_A: &str = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make build\n  test:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
const WORKFLOW_B: &str =
    "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n";

#[test]
fn merge_adds_new_jobs_keeps_comments_and_reports_differences() {
    let test = Test::new()
        .file(".github/workflows/a.yml", WORKFLOW_A)
        .file(".github/workflows/b.yml", WORKFLOW_B);
    let first = Test::at(test.path())
        .args(&[
            "import",
            "--from",
            "github-actions",
            ".github/workflows/a.yml",
            "--start",
            "2027-01-04",
        ])
        .run();
    first.code(0);
    let edited = first
        .stdout
        .replace("owner: unassigned", "owner: platform # edited by a person");
    std::fs::write(test.path().join("migration.yaml"), &edited).expect("write");
    let dry = Test::at(test.path())
        .args(&[
            "import",
            "--from",
            "github-actions",
            ".github/workflows/a.yml",
            ".github/workflows/b.yml",
            "--merge",
            "migration.yaml",
            "--dry-run",
        ])
        .run();
    dry.code(0).stdout_has("would add lint");
    assert_eq!(
        std::fs::read_to_string(test.path().join("migration.yaml")).expect("read"),
        edited,
        "a dry run writes nothing"
    );
    std::fs::write(
        test.path().join(".github/workflows/a.yml"),
        WORKFLOW_A.replace("    needs: build\n", ""),
    )
    .expect("write");
    let merged = Test::at(test.path())
        .args(&[
            "import",
            "--from",
            "github-actions",
            ".github/workflows/a.yml",
            ".github/workflows/b.yml",
            "--merge",
            "migration.yaml",
        ])
        .run();
    merged
        .code(0)
        .stdout_has("added lint")
        .stdout_has("differs test: depends_on is [build] in the spec, [] in the legacy files");
    let text = std::fs::read_to_string(test.path().join("migration.yaml")).expect("read");
    assert!(
        text.starts_with(&edited),
        "everything a person wrote is kept, comments too:\n{text}"
    );
    assert!(text.contains("id: lint"));
    Test::at(test.path()).args(&["check"]).run().code(0);
    let again = Test::at(test.path())
        .args(&[
            "import",
            "--from",
            "github-actions",
            ".github/workflows/b.yml",
            "--merge",
            "migration.yaml",
        ])
        .run();
    again.code(0).stdout_has("added 0 components");
}

#[test]
fn missing_and_invalid_files_are_bad_input() {
    Test::new()
        .args(&["import", "--from", "gitlab", "nope.yml"])
        .run()
        .code(2)
        .stderr_has("failed to read `");
    Test::new()
        .file("ci.yml", "jobs: [\n")
        .args(&["import", "--from", "github-actions", "ci.yml"])
        .run()
        .code(2)
        .stderr_has("is not valid YAML");
}

#[test]
fn makefiles_justfiles_taskfiles_and_compose_files_keep_their_dependencies() {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(
        root.path(),
        &["makefile", "justfile", "taskfile", "docker-compose"],
    );
    let cases: &[(&str, &str, &str, &[&str])] = &[
        // helm declares `test` four times to add prerequisites; target-specific variables are not prerequisites.
        (
            "helm__helm",
            "make",
            "Makefile",
            &[
                "- id: test\n",
                "  depends_on:\n  - build\n  - test-style\n  - test-unit\n",
                "run: make -f Makefile test\n",
            ],
        ),
        // zstd includes libzstd.mk by a literal path: read with it.
        (
            "facebook__zstd",
            "make",
            "lib/Makefile",
            &["- lib/libzstd.mk\n"],
        ),
        (
            "cargo-bins__cargo-binstall",
            "just",
            "justfile",
            &["- id: test\n", "  - unit-tests\n  - build\n  - e2e-tests\n"],
        ),
        // oxc's recipes call each other with `just <recipe>` in their bodies.
        ("oxc-project__oxc", "just", "justfile", &["recipe-calls"]),
        (
            "arduino__arduino-cli",
            "taskfile",
            "Taskfile.yml",
            &[
                "- id: dist-windows_32bit\n",
                "- DistTasks.yml\n",
                "- id: docs-generate\n",
            ],
        ),
        // langfuse anchors a whole depends_on mapping and reuses it.
        (
            "langfuse__langfuse",
            "compose",
            "docker-compose.yml",
            &["- id: langfuse-worker\n", "kind: service", "healthcheck"],
        ),
        (
            "Kong__docker-kong",
            "compose",
            "compose/docker-compose.yml",
            &["profiles"],
        ),
    ];
    for (repository, from, file, needles) in cases {
        let dir = root.path().join(repository);
        let outcome = Test::at(&dir).args(&["import", "--from", from, file]).run();
        outcome.code(0);
        for needle in *needles {
            assert!(
                outcome.stdout.contains(needle),
                "{repository}/{file}: no {needle:?} in\n{}",
                outcome.stdout
            );
        }
        std::fs::write(dir.join("migration.yaml"), &outcome.stdout).expect("write");
        Test::at(&dir).args(&["check"]).run().code(0);
    }
    let langfuse = std::fs::read_to_string(root.path().join("langfuse__langfuse/migration.yaml"))
        .expect("read");
    let worker = langfuse
        .split("- id: langfuse-worker")
        .nth(1)
        .expect("worker");
    let web = langfuse.split("- id: langfuse-web").nth(1).expect("web");
    let deps = |text: &str| text.split("effort:").next().unwrap_or("").to_owned();
    assert_eq!(
        deps(worker)
            .lines()
            .filter(|l| l.starts_with("  - "))
            .count(),
        4
    );
    assert_eq!(
        deps(web).lines().filter(|l| l.starts_with("  - ")).count(),
        4,
        "the alias of the anchored mapping"
    );
    Test::new()
        .args(&[
            "import",
            "--from",
            "make",
            &corpus_dir()
                .join("makefile/facebook__zstd__lib__libzstd.mk")
                .to_string_lossy(),
        ])
        .run()
        .code(2)
        .stderr_has("line 1: unsupported: nothing to import: no targets in the file");
}

#[test]
fn a_file_whose_jobs_are_all_in_missing_includes_names_them() {
    // xen's .gitlab-ci.yml holds no job itself: all come from four local
    // includes, which are not there when the file is outside its repository.
    let path = corpus_dir().join("gitlab-ci/xen-project__xen__.gitlab-ci.yml");
    let outcome = Test::new()
        .args(&["import", "--from", "gitlab", &path.to_string_lossy()])
        .run();
    outcome
        .code(2)
        .stderr_has("line 35: unsupported: nothing to import: no jobs in the file, and 4 references not found here:")
        .stderr_has("automation/gitlab-ci/containers.yaml")
        .stderr_has("(line 35)")
        .stderr_has("where it lives in its repository");
}
