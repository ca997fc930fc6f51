//! How a shadow runs beside the job it shadows: at lowered priority, or
//! after it (`shadow: after`); in its own clean copy of the project, or in
//! the project (`workspace: shared`); rechecks bounded; contended durations
//! left out of duration criteria. Real processes and a real SQLite file.

use std::process::Command as Process;

use crate::util::Test;

/// A spec with one component whose sides are shell lines.
fn spec(extra: &str, legacy: &str, dagger: &str) -> String {
    format!(
        "version: 1
migration:
  name: shadowing
  start: 2027-01-04
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy:
      run: \"{legacy}\"
    dagger:
      run: \"{dagger}\"
{extra}"
    )
}

fn shadowed(extra: &str, legacy: &str, dagger: &str) -> Test {
    let test = Test::new()
        .spec(&spec(extra, legacy, dagger))
        .args(&["advance", "job"]);
    test.run().code(0);
    test
}

fn at(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

/// The one run's directory under `.cutover/runs/`.
fn run_dir(test: &Test) -> std::path::PathBuf {
    let runs = test.path().join(".cutover/runs");
    let mut dirs: Vec<_> = std::fs::read_dir(&runs)
        .expect("runs dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    dirs.pop().expect("a run directory")
}

#[test]
fn the_shadow_runs_at_lowered_cpu_and_io_priority_by_default() {
    // Each side writes its own nice value and I/O class where cutover keeps it.
    let report = "nice > $CUTOVER_OUT/nice; ionice > $CUTOVER_OUT/io; echo done";
    let test = shadowed("", report, report);
    at(&test, &["run", "job"]).run().code(0);
    let dir = run_dir(&test);
    let read = |path: &str| {
        std::fs::read_to_string(dir.join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .trim()
            .to_owned()
    };
    assert_eq!(
        read("legacy/out/nice"),
        "0",
        "the CI job keeps its priority"
    );
    assert_eq!(read("dagger/out/nice"), "19");
    assert_eq!(read("dagger/out/io"), "idle");
    assert_ne!(read("legacy/out/io"), "idle");
}

#[test]
fn shadow_after_runs_the_shadow_once_the_job_is_done() {
    let marker = tempfile::tempdir().expect("tmp");
    let done = marker.path().join("legacy-done");
    let legacy = format!("sleep 1; touch {}; echo ok", done.display());
    let dagger = format!(
        "if [ -e {} ]; then echo ok; else echo during; fi; nice",
        done.display()
    );
    // Both print `ok` only when the Dagger side starts after legacy ended.
    let test = shadowed(
        "    shadow: after\n    stdout: ignore\n    outputs: []\n",
        &legacy,
        &format!("({dagger}) > $CUTOVER_OUT/seen"),
    );
    at(&test, &["run", "job"]).run().code(0);
    let seen = std::fs::read_to_string(run_dir(&test).join("dagger/out/seen")).expect("seen");
    assert_eq!(seen, "ok\n0\n", "after the job, at normal priority");
}

#[test]
fn shadow_timing_is_checked_with_its_location() {
    Test::new()
        .spec(&spec("    shadow: later\n", "true", "true"))
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("later");
}

#[test]
fn the_shadow_works_in_a_fresh_copy_each_run() {
    // The Dagger side leaves a file behind; in its own copy it never sees
    // it again, so both runs match. Shared, the second run differs.
    let dagger = "if [ -e leftover ]; then echo seen; else echo fresh; fi; touch leftover";
    let isolated = shadowed("", "echo fresh", dagger);
    for _ in 0..2 {
        at(&isolated, &["run", "job"])
            .run()
            .code(0)
            .stderr_has("parity: match");
    }
    assert!(!isolated.path().join("leftover").exists());
    let shared = shadowed("    workspace: shared\n", "echo fresh", dagger);
    at(&shared, &["run", "job"]).run().code(0);
    at(&shared, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: mismatch");
}

#[test]
fn in_a_git_repository_the_shadow_copy_holds_only_tracked_files() {
    // The job's untracked build product never reaches the shadow's copy.
    let dagger = "if [ -e build.o ]; then echo incremental; else echo clean; fi";
    let test = Test::new().spec(&spec(
        "    stdout: ignore\n    outputs: [seen]\n",
        "echo clean > $CUTOVER_OUT/seen; touch build.o",
        &format!("{dagger} > $CUTOVER_OUT/seen"),
    ));
    let git = |args: &[&str]| {
        let status = Process::new("git")
            .arg("-C")
            .arg(test.path())
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "migration.yaml"]);
    git(&["commit", "-q", "-m", "spec"]);
    at(&test, &["advance", "job"]).run().code(0);
    at(&test, &["run", "job"]).run().code(0);
    assert!(
        test.path().join("build.o").exists(),
        "the job ran in the project"
    );
    at(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: match");
}

#[test]
fn an_output_left_in_the_shadow_copy_is_compared() {
    // Legacy writes to CUTOVER_OUT, the Dagger side into its working directory.
    let test = shadowed(
        "    outputs: [dist/report.txt]\n",
        "mkdir -p $CUTOVER_OUT/dist; echo same > $CUTOVER_OUT/dist/report.txt",
        "mkdir -p dist; echo same > dist/report.txt",
    );
    at(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: match");
    let other = shadowed(
        "    outputs: [dist/report.txt]\n",
        "mkdir -p $CUTOVER_OUT/dist; echo same > $CUTOVER_OUT/dist/report.txt",
        "mkdir -p dist; echo other > dist/report.txt",
    );
    at(&other, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("dist/report.txt");
}

#[test]
fn rechecks_are_bounded_by_the_job_duration() {
    // A fast job: rechecks get the least budget (5 s) together; each takes
    // 4 s, so at most two start where three were asked for.
    let test = shadowed(
        "    recheck: 3\n    timeout: 60s\n",
        "echo 1",
        "sleep 4; echo 2",
    );
    at(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: mismatch");
    let status = at(&test, &["status", "--format", "json"]).run();
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    let dagger = status["components"][0]["runs"]["dagger"]
        .as_u64()
        .expect("count");
    assert!(
        (2..=3).contains(&dagger),
        "first execution plus at most two rechecks: {dagger}"
    );
}

#[test]
fn gates_leave_contended_durations_out() {
    let test = Test::new()
        .spec(&format!(
            "{}    gate: [dagger.p95_duration <= 1000, legacy.p95_duration <= 1000]\n",
            spec("", "echo 1", "echo 1")
        ))
        .args(&["advance", "job"]);
    test.run().code(0);
    at(&test, &["run", "job"]).run().code(0);
    let gate = at(&test, &["gate", "job", "--format", "json"]).run();
    let gate: serde_json::Value = serde_json::from_str(&gate.stdout).expect("json");
    let criterion = |expr: &str| {
        gate["criteria"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["expr"] == expr))
            .cloned()
            .unwrap_or_else(|| panic!("{expr} in {gate}"))
    };
    // The niced shadow's duration overlapped the job at normal priority:
    // contended. The job's own ran beside a lowered shadow: it counts.
    let dagger = criterion("dagger.p95_duration <= 1000");
    assert_eq!(dagger["contended_left_out"], 1);
    assert_eq!(dagger["verdict"], "inconclusive");
    let legacy = criterion("legacy.p95_duration <= 1000");
    assert_eq!(legacy["verdict"], "pass");
    at(&test, &["gate", "job"])
        .run()
        .stdout_has("`job`: 1 contended duration left out of duration criteria");
}

#[test]
fn a_shadow_after_the_job_gets_its_whole_time_limit() {
    // The job takes most of the limit; the shadow's limit counts from its
    // own start, so it still finishes (counted from the run's start it
    // would be cut off after a second).
    let test = shadowed(
        "    shadow: after\n    timeout: 4s\n",
        "sleep 3; echo ok",
        "sleep 2; echo ok",
    );
    at(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: match");
}
