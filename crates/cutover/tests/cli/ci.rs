//! `cutover ci`: the change routing imported jobs through `cutover run`,
//! checked by importing the changed files again: every job with commands now
//! runs exactly `cutover run <its id>`, the dependency graph is unchanged,
//! and every action step is still there.

use std::path::Path;

use crate::import::lay_out;
use crate::util::Test;

fn import(dir: &Path, from: &str, file: &str) -> String {
    let outcome = Test::at(dir)
        .args(&["import", "--from", from, file, "--start", "2027-01-04"])
        .run();
    outcome.code(0);
    outcome.stdout
}

/// `(id, depends_on lines, run)` of every component in an imported spec.
fn shape(spec: &str) -> Vec<(String, Vec<String>, String)> {
    spec.split("\n- id: ")
        .skip(1)
        .map(|item| {
            let id = item.lines().next().unwrap_or("").to_owned();
            let deps = item
                .split("depends_on:\n")
                .nth(1)
                .map(|rest| {
                    rest.lines()
                        .take_while(|l| l.starts_with("  - "))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let run = item
                .split("    run: ")
                .nth(1)
                .map(|rest| {
                    rest.lines()
                        .take_while(|l| !l.starts_with("    sources:"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            (id, deps, run)
        })
        .collect()
}

#[test]
fn github_jobs_run_through_cutover_with_their_setup_steps_kept() {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(root.path(), &["github-actions", "github-actions-composite"]);
    for repository in ["BurntSushi__ripgrep", "wagtail__wagtail", "sharkdp__bat"] {
        let dir = root.path().join(repository);
        let file = std::fs::read_dir(dir.join(".github/workflows"))
            .expect("dir")
            .map(|e| e.expect("e").path())
            .find(|p| p.is_file())
            .expect("a workflow");
        let relative = file
            .strip_prefix(&dir)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        let before_text = std::fs::read_to_string(&file).expect("read");
        let spec = import(&dir, "github-actions", &relative);
        std::fs::write(dir.join("migration.yaml"), &spec).expect("write");
        let diff = Test::at(&dir).args(&["ci", "github-actions"]).run();
        diff.code(0)
            .stdout_has(&format!("--- a/{relative}"))
            .stdout_has("run: cutover run ")
            .stderr_has("routed through `cutover run`");
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            before_text,
            "printing a diff writes nothing"
        );
        Test::at(&dir)
            .args(&["ci", "github-actions", "--out", "."])
            .run()
            .code(0);
        let after_text = std::fs::read_to_string(&file).expect("read");
        assert_eq!(
            before_text.matches("uses: ").count(),
            after_text.matches("uses: ").count(),
            "{repository}: every action step stays"
        );
        let before = shape(&spec);
        let after = shape(&import(&dir, "github-actions", &relative));
        assert_eq!(before.len(), after.len());
        for ((id, deps, run), (id_after, deps_after, run_after)) in before.iter().zip(&after) {
            assert_eq!(id, id_after);
            assert_eq!(
                deps, deps_after,
                "{repository}/{id}: the graph is unchanged"
            );
            if run.trim().trim_matches('"') != "true" {
                assert!(
                    run_after.contains(&format!("cutover run {id}"))
                        && run_after.lines().count() <= 3,
                    "{repository}/{id}: {run_after}"
                );
            }
        }
    }
}

#[test]
fn gitlab_jobs_in_included_files_run_through_cutover() {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(root.path(), &["gitlab-ci", "gitlab-ci-includes"]);
    for repository in [
        "xen-project__xen",
        "NVIDIA__gpu-operator",
        "videolan__dav1d",
    ] {
        let dir = root.path().join(repository);
        let spec = import(&dir, "gitlab", ".gitlab-ci.yml");
        std::fs::write(dir.join("migration.yaml"), &spec).expect("write");
        Test::at(&dir)
            .args(&["ci", "gitlab", "--out", "."])
            .run()
            .code(0);
        let before = shape(&spec);
        let after = shape(&import(&dir, "gitlab", ".gitlab-ci.yml"));
        assert_eq!(before.len(), after.len(), "{repository}");
        for ((id, deps, run), (_, deps_after, run_after)) in before.iter().zip(&after) {
            assert_eq!(
                deps, deps_after,
                "{repository}/{id}: the graph is unchanged"
            );
            if !run.is_empty() && run.trim().trim_matches('"') != "true" {
                assert_eq!(
                    run_after.trim(),
                    format!("|-\n      set -e\n      cutover run {id}"),
                    "{repository}/{id}"
                );
            }
        }
    }
    let xen = std::fs::read_to_string(
        root.path()
            .join("xen-project__xen/automation/gitlab-ci/build.yaml"),
    )
    .expect("read");
    assert!(
        xen.contains("    - cutover run "),
        "jobs defined in included files are changed where they live"
    );
}
