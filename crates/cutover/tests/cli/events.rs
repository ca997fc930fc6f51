//! The typed event stream: `cutover log --format json` validates against the
//! committed `schema/event.schema.json`, and a state file written by the
//! previous release (schema version 3, untyped event kinds) opens and keeps
//! its whole history.

use std::path::Path;
use std::process::Command;

use crate::util::Test;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/state-v3");
const EVENT_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../schema/event.schema.json"
);

/// A copy of the fixture workspace: the spec, a preserved file, and the
/// state file exactly as the previous release left it.
fn old_workspace() -> Test {
    let spec = std::fs::read_to_string(Path::new(FIXTURE).join("migration.yaml")).expect("spec");
    let config =
        std::fs::read_to_string(Path::new(FIXTURE).join("config/base.yaml")).expect("config");
    let test = Test::new().spec(&spec).file("config/base.yaml", &config);
    let state = test.path().join(".cutover");
    std::fs::create_dir_all(&state).expect("mkdir");
    std::fs::copy(Path::new(FIXTURE).join("state.db"), state.join("state.db")).expect("copy");
    test
}

fn at(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

/// Validates `log` (JSON text) against the committed schema with Python's
/// `jsonschema` (installed by scripts/test.sh); fails if it is missing.
#[track_caller]
fn assert_valid(log: &str, dir: &Path) {
    let path = dir.join("log.json");
    std::fs::write(&path, log).expect("write log");
    let output = Command::new("python3")
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             jsonschema.Draft202012Validator.check_schema(schema)\n\
             jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))",
            EVENT_SCHEMA,
        ])
        .arg(&path)
        .output()
        .expect("python3 runs (scripts/test.sh installs jsonschema)");
    assert!(
        output.status.success(),
        "log does not validate against schema/event.schema.json:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn kinds(log: &serde_json::Value) -> Vec<String> {
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_state_file_from_the_previous_release_keeps_its_history() {
    let test = old_workspace();
    let log = at(&test, &["log", "--format", "json"]).run();
    log.code(0);
    let json: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    assert_eq!(
        kinds(&json),
        [
            "mode_advanced",
            "gate_evaluated",
            "mode_advanced",
            "mode_advanced",
            "trigger_fired",
            "decision_made",
            "drill_finished",
            "rolled_back",
        ]
    );
    let events = &json["events"];
    assert_eq!(events[0]["reason"], "start");
    assert_eq!(events[0]["actor"], "ada");
    assert_eq!(events[2]["detail"]["to"]["canary_percent"], 20);
    assert_eq!(events[2]["detail"]["gate"]["verdict"], "pass");
    assert_eq!(events[4]["detail"]["action"], "escalate");
    assert_eq!(events[5]["detail"]["decision"], "continue");
    assert_eq!(events[7]["detail"]["journal"], 1);
    assert_valid(&log.stdout, test.path());
    let status = at(&test, &["status", "--format", "json"]).run();
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("status");
    assert_eq!(status["components"][0]["mode"], "shadow");
    assert_eq!(status["components"][0]["runs"]["total"], 4);
    assert_eq!(status["components"][1]["runs"]["mismatches"], 2);
}

#[test]
fn new_events_after_the_old_ones_are_typed_and_valid() {
    let test = old_workspace();
    for _ in 0..2 {
        at(&test, &["run", "base"]).run().code(0);
    }
    at(&test, &["gate", "base"]).run().code(0);
    at(
        &test,
        &["advance", "base", "--to", "canary", "--reason", "again"],
    )
    .run()
    .code(0);
    at(&test, &["rollback", "base", "--drill"]).run().code(0);
    at(&test, &["rollback", "base", "--reason", "undo"])
        .run()
        .code(0);
    for _ in 0..2 {
        at(&test, &["run", "app"]).run();
    }
    at(
        &test,
        &["decide", "app", "rollback", "--reason", "real difference"],
    )
    .run()
    .code(0);
    let log = at(&test, &["log", "--format", "json"]).run();
    let json: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    let kinds = kinds(&json);
    assert_eq!(
        kinds[8..],
        [
            "gate_evaluated",
            "mode_advanced",
            "drill_finished",
            // Every rollback step sets the override (the brake) first; the
            // last step records the rollback as a whole.
            "override_set",
            "rolled_back",
            "rollback_completed",
            "trigger_fired",
            "decision_opened",
            // The decision point is already open: the trigger fires again
            // but opens no second one.
            "trigger_fired",
            "override_set",
            "rolled_back",
            "rollback_completed",
            "decision_made",
        ]
    );
    assert_valid(&log.stdout, test.path());
    at(&test, &["log"])
        .run()
        .code(0)
        .stdout_has("decision: rollback");
}
