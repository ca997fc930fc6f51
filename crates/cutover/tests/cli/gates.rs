//! `cutover gate`, criteria in `check`, `cutover test`, `bench` and `docs`.

use crate::util::Test;

fn spec(gate: &str, component_extra: &str) -> String {
    format!(
        "version: 1
migration:
  name: gates
  start: 2027-01-04
defaults:
  gate:
{gate}
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: {{ run: 'echo same' }}
    dagger: {{ run: 'echo same' }}
{component_extra}"
    )
}

fn at(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

fn gate_json(test: &Test) -> (i32, serde_json::Value) {
    let outcome = at(test, &["gate", "job", "--format", "json"]).run();
    (
        outcome.code,
        serde_json::from_str(&outcome.stdout).expect("gate JSON"),
    )
}

fn shadow_runs(test: &Test, count: usize) {
    at(test, &["advance", "job", "--to", "shadow"])
        .run()
        .code(0);
    for _ in 0..count {
        at(test, &["run", "job"]).run().code(0);
    }
}

#[test]
fn too_few_runs_is_inconclusive_and_advance_refuses() {
    let test = Test::new().spec(&spec("    - dagger.runs >= 5\n    - parity >= 0.99", ""));
    shadow_runs(&test, 2);
    let (code, gate) = gate_json(&test);
    assert_eq!(code, 1);
    assert_eq!(gate["target"], "job");
    assert_eq!(gate["parity_basis"]["job"], "exit code, stdout");
    at(&test, &["gate", "job"])
        .run()
        .stdout_has("parity of `job` based on: exit code, stdout\n");
    assert_eq!(gate["verdict"], "inconclusive");
    assert_eq!(gate["criteria"][0]["expr"], "dagger.runs >= 5");
    assert_eq!(gate["criteria"][0]["verdict"], "inconclusive");
    assert_eq!(gate["criteria"][0]["observed"], 2.0);
    assert_eq!(gate["criteria"][1]["verdict"], "pass");
    at(&test, &["advance", "job"]).run().code(1).stderr_has(
        "gate inconclusive for `job`: `dagger.runs >= 5` is inconclusive (observed 2 vs 5)",
    );
    for _ in 0..3 {
        at(&test, &["run", "job"]).run().code(0);
    }
    assert_eq!(gate_json(&test), (0, gate_json(&test).1));
    assert_eq!(gate_json(&test).1["verdict"], "pass");
    at(&test, &["advance", "job"])
        .run()
        .code(0)
        .stdout_has("shadow -> canary 10%");
}

#[test]
fn notes_of_a_phase_gate_name_their_component() {
    let second = "  - id: other
    kind: job
    owner: me
    effort: 1d
    legacy: { run: 'echo same' }
    dagger: { run: 'echo same' }
";
    let test = Test::new().spec(&spec("    - not_slower(25%)", second));
    let outcome = at(&test, &["gate", "1"]).run();
    outcome
        .code(1)
        .stdout_has("`job` not_slower(25%): needs at least 5 durations")
        .stdout_has("`other` not_slower(25%): needs at least 5 durations");
}

#[test]
fn log_shows_forced_advances_with_their_evidence_drills_and_phase_gates() {
    let test = Test::new().spec(
        &spec("    - dagger.runs >= 1\n    - dagger.success_rate >= 1", "")
            .replace("dagger: { run: 'echo same' }", "dagger: { run: 'exit 3' }"),
    );
    shadow_runs(&test, 1);
    at(
        &test,
        &["advance", "job", "--force", "--reason", "known flaky"],
    )
    .run()
    .code(0);
    at(&test, &["gate", "1"]).run().code(1);
    at(&test, &["rollback", "job", "--drill"]).run().code(0);
    let log = at(&test, &["log"]).run();
    log.code(0)
        .stdout_has("shadow -> canary 10% FORCED over gate fail: `dagger.success_rate >= 1` is fail (observed 0 vs 1)")
        .stdout_has("drill passed (");
    let phase_row = log
        .stdout
        .lines()
        .find(|l| l.contains("gate_evaluated") && l.contains("phase 1"));
    assert!(phase_row.is_some(), "{}", log.stdout);
}

#[test]
fn a_component_criterion_overrides_the_default_with_the_same_left_side() {
    let test = Test::new().spec(&spec(
        "    - dagger.runs >= 5\n    - parity >= 0.99",
        "    gate: [dagger.runs >= 1]\n",
    ));
    shadow_runs(&test, 2);
    let (code, gate) = gate_json(&test);
    assert_eq!(code, 0, "{gate}");
    let criteria = gate["criteria"].as_array().expect("criteria");
    let exprs: Vec<&str> = criteria.iter().filter_map(|c| c["expr"].as_str()).collect();
    assert_eq!(exprs, ["parity >= 0.99", "dagger.runs >= 1"]);
    assert_eq!(criteria[1]["source"], "component (overrides defaults)");
    assert_eq!(gate["verdict"], "pass");
}

#[test]
fn gate_since_judges_a_manual_window() {
    let test = Test::new().spec(&spec("    - dagger.runs >= 2", ""));
    shadow_runs(&test, 2);
    let gate = |since: &str| {
        let outcome = at(
            &test,
            &["gate", "job", "--since", since, "--format", "json"],
        )
        .run();
        let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap_or_default();
        (outcome.code, json)
    };
    let (code, all) = gate("2000-01-01");
    assert_eq!((code, all["criteria"][0]["runs"].as_u64()), (0, Some(2)));
    assert_eq!(
        all["criteria"][0]["window"],
        "since 2000-01-01T00:00:00Z (--since)"
    );
    let (code, none) = gate("2999-01-01T00:00:00Z");
    assert_eq!((code, none["verdict"].as_str()), (1, Some("inconclusive")));
    assert_eq!(none["criteria"][0]["runs"], 0);
    at(&test, &["gate", "job", "--since", "last tuesday"])
        .run()
        .code(2)
        .stderr_has("expected an RFC 3339 time");
}

#[test]
fn a_changed_dagger_definition_leaves_runs_of_the_old_one_out_of_the_gate() {
    let spec = spec("    - dagger.runs >= 2", "").replace(
        "dagger: { run: 'echo same' }",
        "dagger: { run: 'sh dagger.sh', sources: [dagger.sh] }",
    );
    let test = Test::new().spec(&spec).file("dagger.sh", "echo same\n");
    shadow_runs(&test, 3);
    let (code, gate) = gate_json(&test);
    assert_eq!(
        (code, gate["criteria"][0]["runs"].as_u64()),
        (0, Some(3)),
        "{gate}"
    );
    assert_eq!(gate["criteria"][0]["excluded_runs"], 0);
    // The Dagger side is sped up: its three runs judged the old definition.
    std::fs::write(test.path().join("dagger.sh"), "echo same  # faster\n").expect("write");
    at(&test, &["run", "job"]).run().code(0);
    let (code, gate) = gate_json(&test);
    let criterion = &gate["criteria"][0];
    assert_eq!((code, criterion["runs"].as_u64()), (1, Some(1)), "{gate}");
    assert_eq!(criterion["excluded_runs"], 3);
    let why = criterion["excluded_because"].as_str().unwrap_or_default();
    assert!(why.contains("earlier Dagger implementation"), "{why}");
    // A manual window counts every run again.
    let all = at(
        &test,
        &["gate", "job", "--since", "2000-01-01", "--format", "json"],
    )
    .run();
    all.code(0);
    let all: serde_json::Value = serde_json::from_str(&all.stdout).expect("JSON");
    assert_eq!(all["criteria"][0]["runs"], 4);
    at(&test, &["gate", "job"])
        .run()
        .stdout_has("3 runs left out: they ran an earlier Dagger implementation");
}

#[test]
fn an_observe_only_failure_is_reported_but_does_not_block() {
    let gate = "    - dagger.runs >= 2\n    - expr: dagger.success_rate >= 1.5\n      enforce: false\n    - expr: mismatches > 0\n      dry_run: true";
    let test = Test::new().spec(&spec(gate, ""));
    shadow_runs(&test, 2);
    let (code, report) = gate_json(&test);
    assert_eq!(code, 0);
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["criteria"][1]["verdict"], "fail");
    assert_eq!(report["criteria"][1]["enforce"], false);
    assert_eq!(report["criteria"][2]["verdict"], "fail");
    at(&test, &["gate", "job"])
        .run()
        .code(0)
        .stdout_has("fail (observe only)");
}

#[test]
fn a_failing_gate_blocks_unless_forced_with_a_reason() {
    let test = Test::new().spec(
        &spec("    - dagger.runs >= 1\n    - dagger.success_rate >= 1", "")
            .replace("dagger: { run: 'echo same' }", "dagger: { run: 'exit 3' }"),
    );
    shadow_runs(&test, 1);
    assert_eq!(gate_json(&test).1["verdict"], "fail");
    at(&test, &["advance", "job"])
        .run()
        .code(1)
        .stderr_has("gate fail for `job`: `dagger.success_rate >= 1` is fail (observed 0 vs 1)");
    at(
        &test,
        &["advance", "job", "--force", "--reason", "known flaky infra"],
    )
    .run()
    .code(0);
    let log = at(&test, &["log", "--format", "json"]).run();
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    let advance = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .rev()
        .find(|e| e["kind"] == "mode_advanced")
        .cloned()
        .expect("advance");
    assert_eq!(advance["reason"], "known flaky infra");
    assert_eq!(advance["detail"]["gate"]["verdict"], "fail");
    assert!(
        advance["detail"]["gate"]["blocking"][0]
            .as_str()
            .is_some_and(|e| e.contains("success_rate"))
    );
}

#[test]
fn windows_limit_the_evidence() {
    let gate = "    - expr: dagger.runs >= 3\n      window: 2 runs";
    let test = Test::new().spec(&spec(gate, ""));
    shadow_runs(&test, 4);
    let (_, report) = gate_json(&test);
    assert_eq!(report["criteria"][0]["observed"], 2.0);
    assert_eq!(report["criteria"][0]["window"], "last 2 runs");
}

#[test]
fn criteria_errors_point_into_the_yaml() {
    let test = Test::new()
        .spec(&spec("    - dagger.sucess_rate >= 0.99", ""))
        .args(&["check"]);
    test.run()
        .code(2)
        .stderr_has("migration.yaml:7:14: invalid criterion: unknown metric `sucess_rate`")
        .stderr_has("did you mean `success_rate`?");
    let quoted = Test::new()
        .spec(&spec("    - \"parity >= \"", ""))
        .args(&["check"]);
    quoted
        .run()
        .code(2)
        .stderr_has("migration.yaml:7:18: invalid criterion: expected a value");
    let mapped = Test::new()
        .spec(&spec("    - expr: parity => 1\n      window: 3 weeks", ""))
        .args(&["check"]);
    mapped
        .run()
        .code(2)
        .stderr_has("migration.yaml:7:20: invalid criterion: `=` is not an operator")
        .stderr_has("migration.yaml:8:15: invalid window `3 weeks`");
    let component = "    gate: [p95_duration < 3]\n";
    Test::new()
        .spec(&spec("    - parity >= 1", component))
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("migration.yaml:15:12: invalid criterion: `p95_duration` belongs to a side");
}

#[test]
fn a_failing_acceptance_test_shows_what_the_side_printed_with_secrets_masked() {
    let extra = "    secrets: [API_TOKEN]
    acceptance:
      - name: count
        run: printf 'token %s\\ncount 4\\n' \"$API_TOKEN\"
        stdout: '^count 3$'
      - name: multi-line
        run: printf 'header\\n3\\n'
        stdout: '^3$'
";
    let test = Test::new().spec(&spec("    - parity >= 1", extra));
    let outcome = at(&test, &["test", "job", "--side", "legacy"])
        .env("API_TOKEN", "hunter2-secret")
        .run();
    outcome
        .code(1)
        .stdout_has("stdout does not match `^count 3$`; it printed: `token ***` / `count 4`")
        .stdout_has("PASS job › multi-line [legacy]");
    assert!(!outcome.stdout.contains("hunter2"), "{}", outcome.stdout);
}

#[test]
fn acceptance_tests_run_per_side_feed_gates_and_write_junit() {
    let extra = "    acceptance:
      - name: greets
        run: echo hello from $CUTOVER_SIDE
        stdout: hello from (legacy|dagger)
      - name: dagger only
        run: test \"$CUTOVER_SIDE\" = legacy || exit 4
        expect_exit: 0
";
    let gate = "    - dagger.tests_total >= 2\n    - dagger.tests_passed == dagger.tests_total";
    let test = Test::new().spec(&spec(gate, extra));
    let outcome = at(&test, &["test", "job", "--junit", "junit.xml"]).run();
    outcome
        .code(1)
        .stdout_has("PASS job › greets [legacy]")
        .stdout_has("FAIL job › dagger only [dagger]")
        .stdout_has("exit code 4, expected 0")
        .stdout_has("3 passed, 1 failed");
    let xml = std::fs::read_to_string(test.path().join("junit.xml")).expect("junit written");
    assert!(
        xml.contains("<testsuite name=\"job\" tests=\"4\"") && xml.contains("failures=\"1\""),
        "{xml}"
    );
    let (_, report) = gate_json(&test);
    assert_eq!(report["criteria"][0]["verdict"], "pass");
    assert_eq!(report["criteria"][1]["verdict"], "fail");
    at(&test, &["test", "job", "--side", "legacy"])
        .run()
        .code(0)
        .stdout_has("2 passed, 0 failed");
}

#[test]
fn bench_reports_statistics_and_records_executions() {
    let test = Test::new().spec(&spec("    - dagger.runs >= 1", ""));
    let outcome = at(
        &test,
        &[
            "bench", "job", "--runs", "6", "--warmup", "1", "--out", "bench",
        ],
    )
    .run();
    outcome
        .code(0)
        .stdout_has("| legacy | 6 | 0 |")
        .stdout_has("| dagger | 6 | 0 |")
        .stdout_has("**Ratio (Dagger / legacy):**")
        .stdout_has("**Mann-Whitney p-value:**");
    let files: Vec<String> = std::fs::read_dir(test.path().join("bench"))
        .expect("report dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with(".md")) && files.iter().any(|f| f.ends_with(".svg")),
        "{files:?}"
    );
    // Benchmark executions are kept apart from run evidence: they are not
    // runs, and do not count toward `dagger.runs`.
    let status = at(&test, &["status", "--format", "json"]).run();
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("json");
    assert_eq!(status["components"][0]["runs"]["legacy"], 0);
    assert_eq!(status["components"][0]["runs"]["dagger"], 0);
    at(&test, &["gate", "job"])
        .run()
        .code(1)
        .stdout_has("gate `job`: inconclusive");
    let json = at(&test, &["bench", "job", "--runs", "5", "--format", "json"]).run();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(json["legacy"].as_array().map(Vec::len), Some(5));
    assert!(json["ratio"]["low"].as_f64() <= json["ratio"]["high"].as_f64());
}

#[test]
fn docs_render_criteria_tests_and_live_verdicts() {
    let extra = "    acceptance:\n      - { name: smoke, run: 'true' }\n";
    let test = Test::new().spec(&spec(
        "    - dagger.runs >= 1\n    - expr: not_slower(20%)\n      enforce: false",
        extra,
    ));
    let first = at(&test, &["docs", "--out", "docs"]).run();
    first
        .code(0)
        .stdout_has("wrote")
        .stdout_has("no recorded runs yet");
    assert!(
        !test.path().join(".cutover").exists(),
        "docs must not create a store"
    );
    // The default gate is one table, not repeated per component.
    let planned = std::fs::read_to_string(test.path().join("docs/success-criteria.md"))
        .expect("success criteria");
    assert_eq!(
        planned.matches("`dagger.runs >= 1`").count(),
        1,
        "{planned}"
    );
    assert!(planned.contains("## Default gate"), "{planned}");
    assert!(
        planned.contains("Criteria: the default gate, nothing more."),
        "{planned}"
    );
    shadow_runs(&test, 1);
    at(&test, &["docs", "--out", "docs"]).run().code(0);
    let criteria = std::fs::read_to_string(test.path().join("docs/success-criteria.md"))
        .expect("success criteria");
    assert!(
        criteria.contains(
            "| `dagger.runs >= 1` | defaults | yes | since the current mode began | pass |"
        ),
        "{criteria}"
    );
    assert!(criteria.contains("no (observe only)"));
    assert!(criteria.contains("**smoke**: `true` — expects exit code 0"));
    assert!(
        criteria.contains("Parity is based on: exit code, stdout."),
        "{criteria}"
    );
    let strategy = std::fs::read_to_string(test.path().join("docs/testing-strategy.md"))
        .expect("testing strategy");
    assert!(
        strategy.contains("## Performance methodology")
            && strategy.contains("## Approach per phase")
    );
    let rollback = std::fs::read_to_string(test.path().join("docs/rollback-procedures.md"))
        .expect("rollback procedures");
    assert!(rollback.contains("## Commands") && rollback.contains("cutover rollback --resume"));
    assert!(
        rollback.contains(
            "| `job` | me | mode only | none yet — run `cutover rollback job --drill` | – |"
        ),
        "{rollback}"
    );
    for file in ["phased-plan.md", "phased-plan.html"] {
        assert!(test.path().join("docs").join(file).exists(), "{file}");
    }
    // Every Markdown document opens with the same executive summary.
    for file in [
        "phased-plan.md",
        "success-criteria.md",
        "testing-strategy.md",
        "rollback-procedures.md",
        "communication-plan.md",
    ] {
        let text = std::fs::read_to_string(test.path().join("docs").join(file)).expect("doc");
        let opening: Vec<&str> = text.lines().take(8).collect();
        assert_eq!(opening[2], "## Executive summary", "{file}:\n{text}");
        assert!(
            opening[4].starts_with("- **Where we stand:** of 1 component, 1 in shadow;"),
            "{file}: {opening:?}"
        );
        assert!(
            opening[5].starts_with("- **Next:** phase 1 (")
                && opening[5].contains("job (gate: pass)"),
            "{file}: {opening:?}"
        );
        assert!(text.contains("- **Needs a decision:**"), "{file}");
        assert!(text.contains("- **Risks:**"), "{file}");
    }
}
