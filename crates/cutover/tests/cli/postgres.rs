//! Every command that reads or writes evidence, against a real PostgreSQL
//! server (`--state postgres://…`), and many CI runners sharing it.
//!
//! `scripts/test.sh` starts the server and sets `CUTOVER_TEST_POSTGRES_URL`;
//! each test creates its own database there. Without the URL these tests
//! fail: they never skip.

use std::path::Path;
use std::process::Command as Process;

use postgres::{Client, NoTls};

use crate::util::Test;

/// A database created for one test, dropped when it ends.
pub(crate) struct Database {
    pub(crate) url: String,
    admin_url: String,
    name: String,
}

impl Database {
    pub(crate) fn create() -> Database {
        let admin_url = std::env::var("CUTOVER_TEST_POSTGRES_URL").expect(
            "CUTOVER_TEST_POSTGRES_URL is not set: run ./scripts/test.sh, which starts PostgreSQL",
        );
        let name = format!("cutover_cli_{:016x}", rand_u64());
        let mut admin = Client::connect(&admin_url, NoTls).expect("connect to the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        Database {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        }
    }

    pub(crate) fn count(&self, sql: &str) -> i64 {
        let mut client = Client::connect(&self.url, NoTls).expect("connect");
        client.query_one(sql, &[]).expect("query").get(0)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&self.admin_url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn rand_u64() -> u64 {
    let mut bytes = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .expect("urandom");
    u64::from_le_bytes(bytes)
}

const SPEC: &str = "version: 1
migration: { name: shared, start: 2027-01-04 }
components:
  - id: base
    kind: infra
    owner: platform
    effort: 1d
    legacy: { run: 'echo ok' }
    dagger: { run: 'echo ok' }
    preserve: [config/base.yaml]
    gate: [runs >= 2, parity >= 1.0]
rollback:
  preserve: [config/orchestrator.yaml]
  triggers:
    - when: dagger.runs >= 2
      action: escalate
      modes: [shadow]
";

fn at(dir: &Path, database: &Database, args: &[&str]) -> Test {
    Test::at(dir).env("CUTOVER_STATE", &database.url).args(args)
}

fn status(dir: &Path, database: &Database) -> serde_json::Value {
    let outcome = at(dir, database, &["status", "--format", "json"]).run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("status JSON")
}

#[test]
fn every_evidence_command_works_against_postgres() {
    let database = Database::create();
    let lead = Test::new()
        .spec(SPEC)
        .file("config/orchestrator.yaml", "v0\n");
    let dir = lead.path();
    at(dir, &database, &["advance", "base", "--reason", "pilot"])
        .run()
        .code(0);
    at(dir, &database, &["run", "base"])
        .run()
        .code(0)
        .stderr_has("parity: match");
    at(dir, &database, &["run", "base"])
        .run()
        .code(0)
        .stderr_has("decision point opened");
    // Another clone of the repository sees the same evidence and modes.
    let other = Test::new().spec(SPEC);
    let seen = status(other.path(), &database);
    let base = &seen["components"][0];
    assert_eq!(base["mode"], "shadow");
    assert_eq!(base["runs"]["total"], 2);
    assert_eq!(base["runs"]["dagger"], 2);
    at(other.path(), &database, &["runs", "base"])
        .run()
        .code(0)
        .stdout_has("match");
    // `--state` works as well as CUTOVER_STATE.
    Test::at(other.path())
        .args(&["gate", "base", "--state", &database.url])
        .run()
        .code(0);
    at(
        dir,
        &database,
        &["decide", "base", "continue", "--reason", "load test"],
    )
    .run()
    .code(0)
    .stdout_has("no longer held");
    at(dir, &database, &["rollback", "base", "--drill"])
        .run()
        .code(0)
        .stdout_has("drill of `base`: passed");
    assert_eq!(status(dir, &database)["components"][0]["mode"], "shadow");
    at(dir, &database, &["rollback", "base", "--reason", "done"])
        .run()
        .code(0);
    assert_eq!(
        status(other.path(), &database)["components"][0]["mode"],
        "legacy"
    );
    let log = at(other.path(), &database, &["log", "--format", "json"]).run();
    log.code(0);
    for kind in [
        "mode_advanced",
        "decision_opened",
        "decision_made",
        "drill_finished",
        "rolled_back",
    ] {
        assert!(
            log.stdout.contains(kind),
            "log lacks {kind}: {}",
            log.stdout
        );
    }
    at(other.path(), &database, &["docs", "--out", "docs"])
        .run()
        .code(0);
    let procedures = std::fs::read_to_string(other.path().join("docs/rollback-procedures.md"))
        .expect("rollback procedures");
    assert!(procedures.contains("passed ("), "{procedures}");
    for clone in [dir, other.path()] {
        assert!(
            !clone.join(".cutover/state.db").exists(),
            "no SQLite file is created when the store is PostgreSQL"
        );
    }
    assert_eq!(database.count("SELECT COUNT(*) FROM runs"), 2);
}

#[test]
fn an_unreachable_postgres_store_is_a_clear_error() {
    let test = Test::new().spec(SPEC);
    let started = std::time::Instant::now();
    let outcome = test
        .args(&[
            "status",
            "--state",
            "postgres://ci:s3cret@127.0.0.1:1/cutover",
        ])
        .run();
    outcome
        .code(3)
        .stderr_has("failed to connect to the state store `postgres://ci:***@127.0.0.1:1/cutover`")
        .stderr_has("check that the PostgreSQL server is up");
    assert!(!outcome.stderr.contains("s3cret"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// The bar of a shared store: eight fresh clones (no `.cutover/`) each run
/// a component in shadow 50 times at once against one PostgreSQL store;
/// all 400 runs are recorded once, each with both sides, and a ninth clone's
/// gate sees them all.
#[test]
fn eight_clones_record_400_concurrent_runs_in_one_postgres_store() {
    const CLONES: usize = 8;
    const RUNS: usize = 50;
    let database = Database::create();
    let spec = SPEC
        .replace("gate: [runs >= 2, parity >= 1.0]", "gate: [runs >= 400, parity >= 1.0]")
        .replace("  triggers:\n    - when: dagger.runs >= 2\n      action: escalate\n      modes: [shadow]\n", "");
    let clones: Vec<Test> = (0..=CLONES).map(|_| Test::new().spec(&spec)).collect();
    at(
        clones[0].path(),
        &database,
        &["advance", "base", "--reason", "pilot"],
    )
    .run()
    .code(0);
    std::fs::remove_dir_all(clones[0].path().join(".cutover")).ok();
    // The mode file advance wrote is committed: every clone checks it out.
    let committed = std::fs::read_to_string(clones[0].path().join("migration.modes"))
        .expect("advance writes the mode file");
    assert!(committed.contains("base: shadow"), "{committed}");
    for clone in &clones[1..] {
        std::fs::write(clone.path().join("migration.modes"), &committed).expect("checkout");
    }
    let binary = assert_cmd::cargo::cargo_bin("cutover");
    let workers: Vec<_> = clones[..CLONES]
        .iter()
        .map(|clone| {
            let (binary, dir, url) = (
                binary.clone(),
                clone.path().to_owned(),
                database.url.clone(),
            );
            std::thread::spawn(move || {
                let mut wrong = Vec::new();
                for i in 0..RUNS {
                    let output = Process::new(&binary)
                        .current_dir(&dir)
                        .env("CUTOVER_STATE", &url)
                        .args(["run", "base"])
                        .output()
                        .expect("run");
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    if !output.status.success() || !stderr.contains("parity: match") {
                        wrong.push(format!("run {i}: {:?} {stderr}", output.status.code()));
                    }
                }
                wrong
            })
        })
        .collect();
    let wrong: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} wrong runs, e.g. {:?}",
        wrong.len(),
        wrong.first()
    );
    let total = (CLONES * RUNS) as i64;
    assert_eq!(database.count("SELECT COUNT(DISTINCT id) FROM runs"), total);
    assert_eq!(
        database.count("SELECT COUNT(*) FROM runs WHERE status = 'complete'"),
        total
    );
    assert_eq!(
        database.count(
            "SELECT COUNT(*) FROM (SELECT run_id FROM run_sides GROUP BY run_id
             HAVING COUNT(*) FILTER (WHERE side = 'legacy') = 1
                AND COUNT(*) FILTER (WHERE side = 'dagger') = 1) both_sides"
        ),
        total,
        "every run has exactly one execution of each side"
    );
    let ninth = clones[CLONES].path();
    let gate = at(ninth, &database, &["gate", "base", "--format", "json"]).run();
    gate.code(0);
    let counts = &status(ninth, &database)["components"][0]["runs"];
    assert_eq!(counts["total"], total);
    assert_eq!(counts["legacy"], total);
    assert_eq!(counts["dagger"], total);
    assert_eq!(counts["matches"], total);
}
