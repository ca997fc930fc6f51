//! The spool: `run` keeps its record until the store has it, whatever the
//! store does; `push` and `ingest` deliver spooled records exactly once.
//! The store that does not answer is a real one: the test holds an
//! exclusive SQLite lock on it, so every write blocks. A legacy-mode run on
//! a local store leaves its record for the next command by design (see
//! `durability.rs`), so the tests of a run's own delivery route the job to
//! dagger with the committed mode file ([`delivering`]).

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use crate::util::{Outcome, Test};

const SPEC: &str = "version: 1
migration: { name: spool, start: 2027-01-04 }
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: { run: \"echo out; echo err >&2; exit 3\" }
    dagger: { run: \"echo out; echo err >&2; exit 3\" }
";

/// A project whose job runs in dagger mode (committed mode file): each
/// run delivers its own record to the local store.
fn delivering() -> Test {
    Test::new()
        .spec(SPEC)
        .file("migration.modes", "job: dagger\n")
}

/// Longer than any run here takes with [`LOCKED_BOUND`], far
/// shorter than the minute a write waits for a locked SQLite file.
const NEVER_BLOCKED: Duration = Duration::from_secs(20);

/// The delivery bound while the store is locked: short, so tests are quick.
const LOCKED_BOUND: &str = "300ms";
/// The bound while the store answers: generous, so a loaded machine never
/// leaves a record behind by chance.
const ANSWERING_BOUND: &str = "30s";

fn run(dir: &Path) -> Outcome {
    run_within(dir, ANSWERING_BOUND)
}

fn run_within(dir: &Path, bound: &str) -> Outcome {
    Test::at(dir)
        .args(&["run", "job"])
        .env("CUTOVER_DELIVERY_TIMEOUT", bound)
        .run()
}

fn total(dir: &Path) -> serde_json::Value {
    let status = Test::at(dir).args(&["status", "--format", "json"]).run();
    status.code(0);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("status JSON");
    status["components"][0]["runs"].clone()
}

fn spool_dir(dir: &Path) -> PathBuf {
    dir.join(".cutover").join("spool")
}

fn spooled(dir: &Path) -> usize {
    records_in(&spool_dir(dir))
}

fn records_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .count()
    })
}

/// How many runs the store holds, read straight from its file.
fn stored_runs(dir: &Path) -> i64 {
    rusqlite::Connection::open(dir.join(".cutover").join("state.db"))
        .expect("open store")
        .query_row("SELECT count(*) FROM runs", [], |row| row.get(0))
        .expect("count runs")
}

/// An exclusive lock on the store, held until dropped: every write waits.
fn lock_store(dir: &Path) -> rusqlite::Connection {
    let connection =
        rusqlite::Connection::open(dir.join(".cutover").join("state.db")).expect("open store");
    connection
        .execute_batch("BEGIN EXCLUSIVE")
        .expect("lock store");
    connection
}

/// Runs `job` while the store is locked: each run exits as its side did,
/// with the same output, within the bound, saying once that it kept the record.
fn runs_while_locked(dir: &Path, count: usize, expected: &Outcome) {
    let lock = lock_store(dir);
    for _ in 0..count {
        let started = Instant::now();
        let outcome = run_within(dir, LOCKED_BOUND);
        outcome.code(3);
        assert!(
            started.elapsed() < NEVER_BLOCKED,
            "the run waited for the store"
        );
        assert_eq!(
            outcome.stdout, expected.stdout,
            "the job's output is unchanged"
        );
        assert!(outcome.stderr.starts_with("err\n"), "{}", outcome.stderr);
        assert_eq!(
            outcome.stderr.matches("is kept in").count(),
            1,
            "{}",
            outcome.stderr
        );
        assert!(outcome.stderr.contains("did not confirm it within 300ms"));
    }
    drop(lock);
}

#[test]
fn a_store_that_does_not_answer_never_changes_the_job_and_push_delivers_once() {
    let test = delivering();
    let first = run(test.path());
    first.code(3);
    assert_eq!(first.stdout, "out\n");
    assert_eq!(spooled(test.path()), 0, "delivered: nothing kept");
    runs_while_locked(test.path(), 3, &first);
    assert_eq!(spooled(test.path()), 3);
    // Read past cutover: any command but `push` would deliver them first.
    assert_eq!(
        stored_runs(test.path()),
        1,
        "the locked store got none of them"
    );
    let push = Test::at(test.path()).args(&["push"]).run();
    push.code(0)
        .stdout_has("delivered 3 runs (3 finished, 0 incomplete); 0 still spooled")
        .stderr_has("[3/3]");
    assert_eq!(spooled(test.path()), 0);
    let runs = total(test.path());
    assert_eq!((&runs["total"], &runs["dagger"]), (&4.into(), &4.into()));
    assert_eq!(runs["incomplete"], 0);
    let again = Test::at(test.path()).args(&["push"]).run();
    again.code(0).stdout_has("delivered 0 runs");
    assert_eq!(total(test.path())["total"], 4, "delivered exactly once");
    let listing = Test::at(test.path())
        .args(&["runs", "job", "--format", "json"])
        .run();
    let listing: serde_json::Value = serde_json::from_str(&listing.stdout).expect("runs JSON");
    let runs = listing
        .as_array()
        .or(listing["runs"].as_array())
        .expect("runs");
    assert_eq!(runs.len(), 4);
    assert!(
        runs.iter()
            .all(|r| r["status"] == "complete" && r["exit_code"] == 3)
    );
}

#[test]
fn the_next_run_delivers_what_earlier_runs_kept() {
    let test = delivering();
    let first = run(test.path());
    runs_while_locked(test.path(), 2, &first);
    assert_eq!(spooled(test.path()), 2);
    run(test.path()).code(3);
    assert_eq!(spooled(test.path()), 0);
    assert_eq!(total(test.path())["total"], 4);
    assert_eq!(total(test.path())["incomplete"], 0);
}

#[test]
fn push_says_when_records_remain() {
    let test = delivering();
    let first = run(test.path());
    runs_while_locked(test.path(), 1, &first);
    std::fs::write(spool_dir(test.path()).join("torn.json"), "{").expect("junk");
    // What a writer killed before its rename leaves: swept by push.
    let stale = spool_dir(test.path()).join(".r.json.cutover-4194303-1.tmp");
    std::fs::write(&stale, "{").expect("temporary");
    let push = Test::at(test.path()).args(&["push"]).run();
    assert!(!stale.exists(), "a dead writer's temporary is removed");
    push.code(1)
        .stdout_has("delivered 1 run (1 finished, 0 incomplete); 1 still spooled")
        .stderr_has("torn.json` is not a cutover run record");
    assert_eq!(total(test.path())["total"], 2);
}

#[test]
fn a_run_killed_midway_is_delivered_as_incomplete_never_as_a_success() {
    let spec = SPEC.replace("echo out; echo err >&2; exit 3", "sleep 2");
    let test = Test::new().spec(&spec);
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("cutover"))
        .current_dir(test.path())
        .args(["run", "job"])
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(10);
    while spooled(test.path()) == 0 || total(test.path())["total"] != 1 {
        assert!(Instant::now() < deadline, "the run never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    assert_eq!(spooled(test.path()), 1, "the record outlives its process");
    Test::at(test.path())
        .args(&["push"])
        .run()
        .code(0)
        .stdout_has("(0 finished, 1 incomplete)");
    let runs = total(test.path());
    assert_eq!(
        (&runs["total"], &runs["incomplete"]),
        (&1.into(), &1.into())
    );
    assert_eq!(spooled(test.path()), 0);
}

/// Copies every file of `from` into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read spool") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[test]
fn spools_uploaded_from_many_runners_are_ingested_once() {
    let runners = [Test::new().spec(SPEC), Test::new().spec(SPEC)];
    let artifacts = tempfile::tempdir().expect("artifacts");
    for (index, runner) in runners.iter().enumerate() {
        for _ in 0..=index + 1 {
            Test::at(runner.path())
                .args(&["run", "job"])
                .env("CUTOVER_SPOOL_ONLY", "1")
                .run()
                .code(3);
        }
        assert_eq!(
            total(runner.path())["total"],
            0,
            "spool only: not delivered"
        );
        copy_dir(
            &spool_dir(runner.path()),
            &artifacts.path().join(format!("spool-{index}")),
        );
    }
    let gate = Test::new().spec(SPEC);
    let dir = artifacts.path().to_str().expect("utf-8 path");
    let ingest = Test::at(gate.path()).args(&["ingest", dir]).run();
    ingest
        .code(0)
        .stdout_has("ingested 5 records")
        .stdout_has("(5 finished, 0 incomplete)");
    assert_eq!(total(gate.path())["total"], 5);
    Test::at(gate.path()).args(&["ingest", dir]).run().code(0);
    assert_eq!(
        total(gate.path())["total"],
        5,
        "ingested twice, stored once"
    );
    // The records stay where they were: they are the artifact's.
    assert_eq!(records_in(&artifacts.path().join("spool-1")), 3);
}

#[test]
fn ingest_refuses_anything_but_records_and_writes_nothing() {
    let artifacts = tempfile::tempdir().expect("artifacts");
    std::fs::write(artifacts.path().join("run.json"), "{\"version\": 1}").expect("write");
    let gate = Test::new().spec(SPEC);
    let dir = artifacts.path().to_str().expect("utf-8 path");
    Test::at(gate.path())
        .args(&["ingest", dir])
        .run()
        .code(2)
        .stderr_has("is not a cutover run record");
    Test::at(gate.path())
        .args(&["ingest", "no-such-dir"])
        .run()
        .code(2)
        .stderr_has("not a directory");
    assert!(!gate.path().join(".cutover").exists(), "nothing written");
}

/// Starts `count` runs of `job` at once; waits for all, returns their exit codes.
fn concurrent_runs(dir: &Path, count: usize, bound: &str) -> Vec<Option<i32>> {
    let children: Vec<_> = (0..count)
        .map(|_| {
            Process::new(assert_cmd::cargo::cargo_bin("cutover"))
                .current_dir(dir)
                .args(["run", "job"])
                .env("CUTOVER_DELIVERY_TIMEOUT", bound)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn")
        })
        .collect();
    children
        .into_iter()
        .map(|mut child| child.wait().expect("wait").code())
        .collect()
}

#[test]
fn concurrent_runs_racing_over_the_same_spool_store_each_record_once() {
    let test = delivering();
    run(test.path()).code(3);
    let lock = lock_store(test.path());
    assert_eq!(
        concurrent_runs(test.path(), 8, LOCKED_BOUND),
        vec![Some(3); 8]
    );
    drop(lock);
    assert_eq!(spooled(test.path()), 8);
    // Four runs at once, each delivering the same older records first.
    assert_eq!(
        concurrent_runs(test.path(), 4, ANSWERING_BOUND),
        vec![Some(3); 4]
    );
    assert_eq!(spooled(test.path()), 0);
    let runs = total(test.path());
    assert_eq!((&runs["total"], &runs["dagger"]), (&13.into(), &13.into()));
}
