//! `cutover advance`, `rollback` and `log`: legal transitions, events with
//! who and why.

use crate::util::{Test, VALID};

fn in_dir(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

#[test]
fn advance_one_step_at_a_time_and_log_who_and_why() {
    // Without its dependency, so the ordering rule (see plan_rules.rs) stays out of the way.
    let spec = VALID.replace("    depends_on: [base-image]\n", "");
    let test = Test::new().spec(&spec).env("CUTOVER_USER", "ada").args(&[
        "advance",
        "build-api",
        "--reason",
        "ready",
    ]);
    test.run()
        .code(0)
        .stdout_has("`build-api`: legacy -> shadow");
    in_dir(&test, &["advance", "build-api", "--to", "dagger"])
        .run()
        .code(2)
        .stderr_has("cannot skip from shadow to dagger; the next step is canary");
    in_dir(
        &test,
        &["advance", "build-api", "--to", "dagger", "--force"],
    )
    .run()
    .code(2)
    .stderr_has("--force needs --reason");
    // Leaving shadow needs a passing gate; this spec defines none, so the
    // gate is inconclusive and only a forced advance with a reason goes through.
    in_dir(
        &test,
        &["advance", "build-api", "--to", "canary", "--percent", "25"],
    )
    .run()
    .code(1)
    .stderr_has("gate inconclusive for `build-api`: no enforced gate criteria")
    .stderr_has("hint: see the evidence with `cutover gate build-api`");
    let forced = [
        "advance",
        "build-api",
        "--to",
        "canary",
        "--percent",
        "25",
        "--force",
        "--reason",
        "trial",
    ];
    in_dir(&test, &forced)
        .run()
        .code(0)
        .stdout_has("shadow -> canary 25%");
    let log = in_dir(&test, &["log", "--format", "json"])
        .env("CUTOVER_USER", "ada")
        .run();
    log.code(0);
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    let events = log["events"].as_array().expect("events");
    // The first step of `build-api` is also the start of its phase.
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["actor"], "ada");
    assert_eq!(events[0]["reason"], "ready");
    assert_eq!(events[1]["kind"], "phase_started");
    assert_eq!(events[2]["detail"]["to"]["canary_percent"], 25);
    assert_eq!(events[2]["detail"]["forced"], true);
    assert_eq!(events[2]["detail"]["gate"]["verdict"], "inconclusive");
}

#[test]
fn rollback_returns_to_the_previous_mode_and_retired_is_final() {
    let test = Test::new().spec(VALID).args(&["advance", "build-api"]);
    test.run().code(0);
    in_dir(
        &test,
        &["advance", "build-api", "--force", "--reason", "no gate yet"],
    )
    .run()
    .code(0)
    .stdout_has("shadow -> canary 10%");
    in_dir(&test, &["rollback", "build-api", "--reason", "errors"])
        .run()
        .code(0)
        .stdout_has("canary 10% -> shadow");
    in_dir(&test, &["rollback", "build-api"])
        .run()
        .code(0)
        .stdout_has("shadow -> legacy");
    in_dir(&test, &["rollback", "build-api"])
        .run()
        .code(2)
        .stderr_has("is in legacy mode: there is nothing to roll back");
    in_dir(
        &test,
        &[
            "advance",
            "build-api",
            "--to",
            "retired",
            "--force",
            "--confirm-retire",
            "--override-dependencies",
            "--reason",
            "done",
        ],
    )
    .run()
    .code(0);
    in_dir(&test, &["rollback", "build-api"])
        .run()
        .code(2)
        .stderr_has("`build-api` is retired");
}

#[test]
fn retiring_needs_its_own_confirmation_and_dependencies_at_dagger() {
    let test = Test::new().spec(VALID);
    let retire = |extra: &[&str]| {
        let mut args = vec![
            "advance",
            "build-api",
            "--to",
            "retired",
            "--force",
            "--reason",
            "done",
        ];
        args.extend_from_slice(extra);
        in_dir(&test, &args).run()
    };
    retire(&[]).code(2).stderr_has(
        "retiring `build-api` removes the way back to legacy; confirm with --confirm-retire",
    );
    retire(&["--confirm-retire"]).code(2).stderr_has(
        "`build-api` cannot retire while its dependencies are not at dagger: base-image (legacy)",
    );
    in_dir(
        &test,
        &[
            "advance",
            "build-api",
            "--to",
            "retired",
            "--force",
            "--confirm-retire",
            "--override-dependencies",
        ],
    )
    .run()
    .code(2)
    .stderr_has("--force needs --reason");
    let status = in_dir(&test, &["status", "--format", "json"]).run();
    assert!(!status.stdout.contains("retired"), "{}", status.stdout);
    retire(&["--confirm-retire", "--override-dependencies"])
        .code(0)
        .stdout_has("legacy -> retired");
}

#[test]
fn a_phase_moves_together() {
    let test = Test::new().spec(VALID).args(&["advance", "1"]);
    test.run()
        .code(0)
        .stdout_has("`base-image`: legacy -> shadow");
    in_dir(&test, &["advance", "9"])
        .run()
        .code(2)
        .stderr_has("there is no phase 9");
    in_dir(&test, &["advance", "biuld-api"])
        .run()
        .code(2)
        .stderr_has("did you mean `build-api`?");
}

#[test]
fn a_state_file_from_a_newer_cutover_is_refused() {
    let test = Test::new().spec(VALID).args(&["status"]);
    test.run().code(0);
    let db = test.path().join(".cutover/state.db");
    let connection = rusqlite_version_bump(&db);
    assert!(connection);
    in_dir(&test, &["status"])
        .run()
        .code(3)
        .stderr_has("newer than this cutover understands");
}

fn rusqlite_version_bump(db: &std::path::Path) -> bool {
    std::process::Command::new("python3")
        .args(["-c", &format!("import sqlite3; c=sqlite3.connect('{}'); c.execute('PRAGMA user_version=99'); c.commit()", db.display())])
        .status()
        .is_ok_and(|s| s.success())
}
