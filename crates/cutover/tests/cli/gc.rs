//! `cutover gc` and `retention:`: captured run files pruned by count and
//! age (by `run` itself once over the limit), snapshot contents no rollback
//! needs pruned, run records kept.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::util::Test;

fn spec(retention: &str) -> String {
    format!(
        "version: 1
migration: {{ name: gc, start: 2027-01-04 }}
components:
  - id: a
    kind: infra
    owner: p
    effort: 1d
    legacy: {{ run: 'echo legacy; mkdir -p out; echo same > out/r.txt' }}
    dagger: {{ run: 'echo legacy; mkdir -p out; echo same > out/r.txt' }}
    outputs: [out/r.txt]
    preserve: [config/a]
{retention}"
    )
}

fn at(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

/// Names in a directory (dot files excluded), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn gc_json(test: &Test, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["gc", "--format", "json"];
    all.extend_from_slice(args);
    let outcome = at(test, &all).run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("gc JSON")
}

fn runs_recorded(test: &Test) -> u64 {
    let status = at(test, &["runs", "a", "--format", "json", "--limit", "1000"]).run();
    status.code(0);
    let runs: serde_json::Value = serde_json::from_str(&status.stdout).expect("runs JSON");
    runs["runs"].as_array().map_or(0, |r| r.len() as u64)
}

#[test]
fn run_prunes_captured_files_over_the_limit_and_gc_by_count_and_age() {
    let test = Test::new().spec(&spec("retention: { runs: { keep: 3 } }\n"));
    let runs_dir = test.path().join(".cutover/runs");
    at(&test, &["advance", "a"]).run().code(0);
    for _ in 0..4 {
        at(&test, &["run", "a"]).run().code(0);
    }
    assert_eq!(
        names(&runs_dir).len(),
        4,
        "within a tenth over: not pruned yet"
    );
    at(&test, &["run", "a"]).run().code(0);
    let kept = names(&runs_dir);
    assert_eq!(kept.len(), 3, "over the limit: run pruned to `keep`");
    // A capture older than max_age (default 30 days), as `run` writes it.
    let old = runs_dir.join("20200101T000000000-0123abcd");
    std::fs::create_dir_all(old.join("legacy/out")).expect("mkdir");
    std::fs::write(old.join("legacy/stdout"), "legacy\n").expect("write");
    std::fs::write(old.join("legacy/out/r.txt"), "same\n").expect("write");
    let dry = gc_json(&test, &["--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["runs"]["pruned"], 1);
    assert_eq!(dry["runs"]["freed"]["files"], 2);
    assert_eq!(dry["runs"]["freed"]["bytes"], 12);
    assert!(old.exists(), "a dry run removes nothing");
    let done = gc_json(&test, &[]);
    assert_eq!(done["runs"]["pruned"], 1);
    assert_eq!(done["total"]["bytes"], 12);
    assert_eq!(names(&runs_dir), kept, "only the old capture went");
    assert_eq!(runs_recorded(&test), 5, "run records are kept forever");
    at(&test, &["gc"])
        .run()
        .code(0)
        .stdout_has("run captures: freed 0 files, 0 B of 0 runs (3 runs kept)")
        .stdout_has("total: freed 0 files, 0 B");
}

/// Makes every snapshot object look written two hours ago.
fn age_objects(test: &Test) {
    let objects = test.path().join(".cutover/snapshots/objects");
    let then = SystemTime::now() - Duration::from_secs(7200);
    for name in names(&objects) {
        std::fs::File::options()
            .write(true)
            .open(objects.join(name))
            .expect("open")
            .set_modified(then)
            .expect("age");
    }
}

#[test]
fn gc_keeps_what_a_rollback_needs_and_prunes_the_rest() {
    let test = Test::new().spec(&spec("retention: { snapshots: { keep_safety: 2 } }\n"));
    let objects = test.path().join(".cutover/snapshots/objects");
    let write = |text: &str| {
        std::fs::create_dir_all(test.path().join("config")).expect("mkdir");
        std::fs::write(test.path().join("config/a"), text).expect("write");
    };
    write("v0\n");
    // Four cycles: each rollback saves the edited file (a safety snapshot)
    // and restores v0 from the restore point of the advance.
    for cycle in 1..=4 {
        at(&test, &["advance", "a"]).run().code(0);
        write(&format!("edit {cycle}\n"));
        at(&test, &["rollback", "--overwrite", "a"]).run().code(0);
    }
    // The restore point a rollback still needs: v0 again, before advancing.
    at(&test, &["advance", "a"]).run().code(0);
    assert_eq!(names(&objects).len(), 5, "v0 and four edits");
    let fresh = gc_json(&test, &[]);
    assert_eq!(
        fresh["snapshot_objects"]["freed"]["files"], 0,
        "objects written within the hour are kept"
    );
    age_objects(&test);
    let dry = gc_json(&test, &["--dry-run"]);
    assert_eq!(dry["snapshot_objects"]["freed"]["files"], 2);
    assert_eq!(names(&objects).len(), 5);
    let done = gc_json(&test, &[]);
    assert_eq!(done["snapshot_objects"]["freed"]["files"], 2);
    assert_eq!(done["snapshot_objects"]["freed"]["bytes"], 14);
    assert_eq!(done["snapshot_objects"]["kept"], 3);
    // The two oldest edits went; the newest two and v0 remain usable.
    write("edit 5\n");
    at(&test, &["rollback", "--overwrite", "a"]).run().code(0);
    assert_eq!(
        std::fs::read_to_string(test.path().join("config/a")).expect("read"),
        "v0\n"
    );
}

#[test]
fn retention_values_are_checked_with_their_location() {
    let test = Test::new().spec(&spec(
        "retention:\n  runs: { keep: 10, max_age: soon }\n  snapshots: { keep_safety: 0 }\n",
    ));
    at(&test, &["check"])
        .run()
        .code(2)
        .stderr_has("invalid duration `soon`")
        .stderr_has("retention.runs.max_age")
        .stderr_has("keep_safety must be at least 1")
        .stderr_has("migration.yaml:13");
    let test = Test::new().spec(&spec("retention: { runs: { keepers: 1 } }\n"));
    at(&test, &["check"]).run().code(2).stderr_has("keepers");
}
