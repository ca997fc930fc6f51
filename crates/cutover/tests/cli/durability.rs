//! What runs and commands cost the local store, on real SQLite files and
//! processes: a legacy-mode run never opens, writes, syncs or checkpoints
//! it (its record waits in the spool, and the next command delivers it); a
//! mode change syncs and leaves the WAL checkpointed and truncated; `gc`
//! checkpoints; and over many shadow runs the WAL stays within its bound.
//! fsync calls are counted with `strace` (installed by `scripts/test.sh`).

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::util::Test;

const SPEC: &str = "version: 1
migration: { name: durability, start: 2027-01-04 }
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: { run: \"echo out\" }
    dagger: { run: \"echo out\" }
";

/// The store's bound (`WAL_BOUND_PAGES` in `store/connection.rs`) plus the
/// pages of the run whose commit crosses it, with room to spare.
const WAL_PAGES_AT_MOST: u64 = 100 + 40;

/// A SQLite WAL frame: a 24-byte header and a 4,096-byte page.
const FRAME_BYTES: u64 = 24 + 4096;

fn store(dir: &Path) -> PathBuf {
    dir.join(".cutover").join("state.db")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// The bytes of the store's three files (`None` for one that is missing).
fn store_bytes(dir: &Path) -> Vec<Option<Vec<u8>>> {
    let db = store(dir);
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| std::fs::read(with_suffix(&db, suffix)).ok())
        .collect()
}

fn wal_size(dir: &Path) -> u64 {
    std::fs::metadata(with_suffix(&store(dir), "-wal")).map_or(0, |m| m.len())
}

fn spooled(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(".cutover").join("spool")).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .count()
    })
}

fn runs(dir: &Path) -> serde_json::Value {
    let status = Test::at(dir).args(&["status", "--format", "json"]).run();
    status.code(0);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("status JSON");
    status["components"][0]["runs"].clone()
}

/// Runs `cutover ARGS` in `dir` under `strace -f`; returns its exit code
/// and how many fsync and fdatasync calls it and its children made.
fn fsyncs(dir: &Path, args: &[&str]) -> (Option<i32>, u64) {
    let report = tempfile::NamedTempFile::new().expect("report file");
    let status = Process::new("strace")
        .args(["-f", "-c", "-e", "trace=fsync,fdatasync", "-o"])
        .arg(report.path())
        .arg(assert_cmd::cargo::cargo_bin("cutover"))
        .args(args)
        .current_dir(dir)
        .env_remove("CUTOVER_STATE")
        .env_remove("CUTOVER_SPOOL_ONLY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("strace (scripts/test.sh installs it)");
    let text = std::fs::read_to_string(report.path()).expect("strace report");
    // Rows: % time, seconds, usecs/call, calls, [errors,] syscall.
    let calls = text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = fields.last()?;
            (*name == "fsync" || *name == "fdatasync")
                .then(|| fields.get(3)?.parse::<u64>().ok())
                .flatten()
        })
        .sum();
    (status.code(), calls)
}

#[test]
fn a_legacy_run_never_touches_the_store_and_the_next_command_counts_it() {
    let test = Test::new()
        .spec(SPEC)
        .file("migration.modes", "job: legacy\n");
    assert_eq!(runs(test.path())["total"], 0, "the store exists now");
    let before = store_bytes(test.path());
    for _ in 0..3 {
        let (code, calls) = fsyncs(test.path(), &["run", "job"]);
        assert_eq!((code, calls), (Some(0), 0), "exit code and fsync calls");
    }
    let run = Test::at(test.path()).args(&["run", "job"]).run();
    run.code(0);
    assert_eq!(run.stdout, "out\n");
    assert!(
        store_bytes(test.path()) == before,
        "a legacy-mode run wrote the store (or its WAL or index)"
    );
    assert_eq!(spooled(test.path()), 4, "each run keeps its record");
    let counted = runs(test.path());
    assert_eq!(
        (&counted["total"], &counted["legacy"]),
        (&4.into(), &4.into())
    );
    assert_eq!(spooled(test.path()), 0, "the command delivered them");
    assert_eq!(runs(test.path())["total"], 4, "delivered once");
}

#[test]
fn without_a_mode_file_a_legacy_run_reads_the_store_and_writes_none_of_it() {
    let test = Test::new().spec(SPEC);
    // No store yet: every component is in legacy, and a run does not create one.
    Test::at(test.path()).args(&["run", "job"]).run().code(0);
    assert!(!store(test.path()).exists(), "a run created the store");
    assert_eq!(runs(test.path())["total"], 1);
    let [db, wal, _] = <[_; 3]>::try_from(store_bytes(test.path())).expect("three files");
    let (code, calls) = fsyncs(test.path(), &["run", "job"]);
    assert_eq!((code, calls), (Some(0), 0), "exit code and fsync calls");
    let [db_after, wal_after, _] =
        <[_; 3]>::try_from(store_bytes(test.path())).expect("three files");
    assert!(
        db_after == db && wal_after == wal,
        "the run wrote the store"
    );
    assert_eq!(runs(test.path())["total"], 2);
}

#[test]
fn a_mode_change_syncs_and_truncates_the_wal_and_gc_checkpoints() {
    let test = Test::new().spec(SPEC);
    assert_eq!(runs(test.path())["total"], 0);
    let (code, calls) = fsyncs(test.path(), &["advance", "job", "--to", "shadow"]);
    assert_eq!(code, Some(0));
    assert!(
        calls >= 1,
        "a mode change must be synced before it succeeds"
    );
    assert_eq!(
        wal_size(test.path()),
        0,
        "the WAL is checkpointed and truncated"
    );
    Test::at(test.path()).args(&["run", "job"]).run().code(0);
    assert!(
        wal_size(test.path()) > 0,
        "a shadow run's record is a relaxed commit: it stays in the WAL"
    );
    Test::at(test.path()).args(&["gc"]).run().code(0);
    assert_eq!(wal_size(test.path()), 0, "gc checkpoints the WAL");
    assert_eq!(runs(test.path())["total"], 1);
}

#[test]
fn the_wal_stays_within_its_bound_over_many_shadow_runs() {
    let test = Test::new().spec(SPEC);
    Test::at(test.path())
        .args(&["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    let count = 40;
    let mut largest = 0;
    for _ in 0..count {
        Test::at(test.path()).args(&["run", "job"]).run().code(0);
        largest = largest.max(wal_size(test.path()));
    }
    assert!(
        largest <= 32 + WAL_PAGES_AT_MOST * FRAME_BYTES,
        "the WAL grew to {largest} bytes"
    );
    let counted = runs(test.path());
    assert_eq!(
        (&counted["total"], &counted["matches"]),
        (&count.into(), &count.into())
    );
}
