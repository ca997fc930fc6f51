//! `cutover plan` under the ordering rules, teams and what-if: an
//! independent check of generated plans (Python with networkx), the rules'
//! switches, and `--what-if` with its errors.

use std::path::Path;
use std::process::Command;

use crate::util::{Test, VALID};

/// 14 components, capacity 2, 43 days of porting, soaks 4d + 2d.
const FOURTEEN: &str = "\
version: 1
migration:
  name: fourteen
  start: 2027-01-04
  capacity: 2
defaults:
  soak: { shadow: 4d, canary: 2d }
components:
  - { id: engine, kind: infra, owner: platform, effort: 4d }
  - { id: runners, kind: infra, owner: platform, effort: 3d, depends_on: [engine] }
  - { id: cache, kind: infra, owner: platform, effort: 2d, depends_on: [engine] }
  - { id: lint, kind: job, owner: backend, effort: 2d, risk: low, depends_on: [runners] }
  - { id: unit, kind: job, owner: backend, effort: 3d, risk: low, depends_on: [runners] }
  - { id: build, kind: pipeline, owner: backend, effort: 4d, depends_on: [runners, cache] }
  - { id: image, kind: pipeline, owner: backend, effort: 3d, depends_on: [build] }
  - { id: scan, kind: job, owner: security, effort: 2d, depends_on: [image] }
  - { id: e2e, kind: job, owner: qa, effort: 4d, depends_on: [image] }
  - { id: publish, kind: pipeline, owner: platform, effort: 3d, depends_on: [image, scan] }
  - { id: docs, kind: job, owner: backend, effort: 2d, depends_on: [build] }
  - { id: staging, kind: service, owner: platform, effort: 4d, depends_on: [publish, e2e] }
  - { id: release, kind: pipeline, owner: platform, effort: 4d, depends_on: [staging] }
  - { id: portal, kind: service, owner: frontend, effort: 3d, user_facing: true, depends_on: [release, docs] }
";

fn span(test: &Test) -> u64 {
    let outcome = test.run();
    outcome.code(0);
    let plan: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    plan["span_days"].as_u64().expect("span_days")
}

#[test]
fn generated_plans_obey_the_rules_and_stay_within_the_bound() {
    let work = tempfile::tempdir().expect("temp dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/plan_check.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_cutover"))
        .arg(work.path())
        .args(["20", "200", "2000"])
        .output()
        .expect("python3 runs (scripts/test.sh installs networkx)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "plan check failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(stdout.matches(": ok").count(), 9, "{stdout}");
}

#[test]
fn overlapping_work_beats_the_strict_sequence() {
    let json = ["plan", "--format", "json"];
    let default = span(&Test::new().spec(FOURTEEN).args(&json));
    let strict_spec = format!("{FOURTEEN}planning:\n  porting_after: cutover\n  overlap: false\n");
    let strict = span(&Test::new().spec(&strict_spec).args(&json));
    // The planner before the ordering rules existed planned this spec in
    // 114 work days; `porting_after: cutover` with `overlap: false` is that
    // strict sequence.
    assert_eq!(strict, 114);
    assert!(default <= 40, "default rules span {default} work days");
}

#[test]
fn the_table_names_the_constraint_of_every_link_and_the_bound() {
    let outcome = Test::new()
        .spec(&FOURTEEN.replace(
            "  capacity: 2\n",
            "  capacity: 2\n  teams: { platform: 1 }\n",
        ))
        .args(&["plan"])
        .run();
    outcome
        .code(0)
        .stdout_has("critical path (")
        .stdout_has("-[dependency]->")
        .stdout_has("lower bound: ")
        .stdout_has("plan / bound = ");
}

#[test]
fn what_if_prints_both_plans_and_the_difference() {
    let outcome = Test::new()
        .spec(FOURTEEN)
        .args(&[
            "plan",
            "--what-if",
            "soak.shadow=1d",
            "--what-if",
            "capacity=3",
        ])
        .run();
    outcome
        .code(0)
        .stdout_has("what-if soak.shadow=1d, capacity=3:")
        .stdout_has("baseline")
        .stdout_has("difference: -");
    Test::new()
        .spec(FOURTEEN)
        .args(&["plan", "--format", "md", "--what-if", "capacity=3"])
        .run()
        .code(0)
        .stdout_has("## What-if: capacity=3")
        .stdout_has("**Difference:** -");
    let json = Test::new()
        .spec(FOURTEEN)
        .args(&["plan", "--format", "json", "--what-if", "without=portal"])
        .run();
    json.code(0);
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let what_if = &plan["what_if"];
    assert_eq!(what_if["changes"][0], "without=portal");
    assert!(what_if["difference_days"].as_i64().expect("difference") < 0);
    assert!(
        !what_if["critical_path"]
            .as_array()
            .expect("path")
            .contains(&"portal".into())
    );
}

#[test]
fn bad_what_ifs_are_bad_input() {
    for (change, needle) in [
        ("speed=2", "unknown what-if `speed=2`"),
        ("capacity=0", "at least 1"),
        ("team.nobody=2", "no component is owned by that team"),
        ("without=ghost", "no such component"),
        ("soak.shadow=soon", "work days"),
    ] {
        let test = Test::new()
            .spec(FOURTEEN)
            .args(&["plan", "--what-if", change]);
        test.run().code(2).stderr_has(needle);
    }
}

#[test]
fn the_plan_document_carries_a_sensitivity_table() {
    let spec = FOURTEEN.replace(
        "  capacity: 2\n",
        "  capacity: 3\n  teams: { platform: 1, backend: 1 }\n",
    );
    let outcome = Test::new()
        .spec(&spec)
        .args(&["plan", "--format", "md"])
        .run();
    outcome
        .code(0)
        .stdout_has("## Sensitivity")
        .stdout_has("one more person in `platform`")
        .stdout_has("one day less shadow soak")
        .stdout_has("--what-if team.platform=2 --what-if capacity=4");
}

#[test]
fn teams_must_have_people() {
    let spec = FOURTEEN.replace(
        "  capacity: 2\n",
        "  capacity: 2\n  teams: { platform: 0 }\n",
    );
    Test::new()
        .spec(&spec)
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("team `platform` must have at least 1 person");
}

#[test]
fn advance_refuses_canary_while_a_dependency_is_in_shadow() {
    let test = Test::new().spec(VALID).args(&["advance", "base-image"]);
    test.run()
        .code(0)
        .stdout_has("`base-image`: legacy -> shadow");
    let at = |args: &[&str]| Test::at(test.path()).args(args).run();
    at(&["advance", "build-api"]).code(0);
    at(&["advance", "build-api", "--to", "canary"])
        .code(2)
        .stderr_has(
            "`build-api` cannot enter canary while its dependency `base-image` is in shadow",
        );
    // Nothing moved.
    let status = at(&["status", "--format", "json"]);
    status.code(0).stdout_has("\"mode\": \"shadow\"");
    assert!(!status.stdout.contains("\"canary\""), "{}", status.stdout);
    // The override is explicit and recorded.
    at(&[
        "advance",
        "build-api",
        "--to",
        "canary",
        "--force",
        "--reason",
        "dependency verified by hand",
    ])
    .code(0)
    .stdout_has("shadow -> canary");
}

#[test]
fn a_team_that_owns_nothing_is_a_misspelling() {
    let spec = FOURTEEN.replace(
        "  capacity: 2\n",
        "  capacity: 2\n  teams: { platfrom: 1 }\n",
    );
    Test::new()
        .spec(&spec)
        .args(&["plan"])
        .run()
        .code(2)
        .stderr_has("team `platfrom` owns no component")
        .stderr_has("did you mean `platform`?");
}
