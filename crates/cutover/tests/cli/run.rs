//! `cutover run`, `status`, `runs` and `record` against a real SQLite file
//! and real processes.

use std::process::Command as Process;
use std::time::{Duration, Instant};

use crate::util::{Test, example_dir};

/// A spec with one component whose sides are shell lines.
fn spec(extra: &str, legacy: &str, dagger: &str) -> String {
    format!(
        "version: 1
migration:
  name: run-tests
  start: 2027-01-04
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy:
      run: {legacy}
      sources: [legacy.sh]
    dagger:
      run: {dagger}
{extra}"
    )
}

fn status_json(test: &Test) -> serde_json::Value {
    let outcome = test_with(test, &["status", "--format", "json"]).run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("status JSON")
}

/// The same directory, other arguments.
fn test_with(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

#[test]
fn legacy_mode_runs_legacy_only_and_passes_its_exit_code() {
    let test = Test::new()
        .spec(&spec("", "echo legacy-out; exit 7", "echo never; exit 1"))
        .args(&["run", "job"]);
    let outcome = test.run();
    outcome
        .code(7)
        .stdout_has("legacy-out")
        .stderr_has("ran in legacy mode");
    assert!(!outcome.stdout.contains("never"));
    let status = status_json(&test);
    let job = &status["components"][0];
    assert_eq!(job["mode"], "legacy");
    assert_eq!(job["runs"]["total"], 1);
    assert_eq!(job["runs"]["legacy"], 1);
    assert_eq!(job["runs"]["dagger"], 0);
}

#[test]
fn extra_arguments_and_environment_reach_the_side() {
    let test = Test::new()
        .spec(&spec(
            "",
            "echo $CUTOVER_SIDE $CUTOVER_COMPONENT; echo $TRACEPARENT; printf '[%s]'",
            "true",
        ))
        .args(&["run", "job", "--", "a b", "it's"]);
    let outcome = test.run();
    outcome
        .code(0)
        .stdout_has("legacy job\n")
        .stdout_has("[a b][it's]");
    assert!(
        outcome
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("00-") && l.len() == 55),
        "{}",
        outcome.stdout
    );
}

#[test]
fn shadow_runs_both_and_records_parity_after_normalization() {
    let legacy = "printf 'built at 10:00:01\\nresult 42\\n'; mkdir -p $CUTOVER_OUT/dist; echo same > $CUTOVER_OUT/dist/report.txt";
    let dagger = "printf 'built at 11:22:33\\nresult 42\\n'; mkdir -p $CUTOVER_OUT/dist; echo same > $CUTOVER_OUT/dist/report.txt";
    let extra = "    outputs: [dist/report.txt]\n    normalize:\n      - { pattern: \"built at [0-9:]+\", replace: \"built at <time>\" }\n";
    let test = Test::new()
        .spec(&spec(extra, legacy, dagger))
        .args(&["advance", "job", "--to", "shadow"]);
    test.run().code(0).stdout_has("`job`: legacy -> shadow");
    let outcome = test_with(&test, &["run", "job"]).run();
    outcome
        .code(0)
        .stdout_has("built at 10:00:01")
        .stderr_has("parity: match");
    assert!(
        !outcome.stdout.contains("11:22:33"),
        "shadow output must not reach CI's stdout"
    );
    assert_eq!(
        std::fs::read_to_string(test.path().join("dist/report.txt")).expect("output copied"),
        "same\n"
    );
    let status = status_json(&test);
    assert_eq!(status["components"][0]["runs"]["legacy"], 1);
    assert_eq!(status["components"][0]["runs"]["dagger"], 1);
    assert_eq!(status["components"][0]["runs"]["mismatches"], 0);
    assert_eq!(status["components"][0]["parity"], 1.0);
}

#[test]
fn shadow_mismatch_names_the_differing_output() {
    let legacy = "mkdir -p $CUTOVER_OUT/dist; printf 'a\\nb\\n' > $CUTOVER_OUT/dist/report.txt; echo same > $CUTOVER_OUT/dist/other.txt";
    let dagger = "mkdir -p $CUTOVER_OUT/dist; printf 'a\\nc\\n' > $CUTOVER_OUT/dist/report.txt; echo same > $CUTOVER_OUT/dist/other.txt";
    let extra = "    outputs: [dist/report.txt, dist/other.txt]\n";
    let test = Test::new()
        .spec(&spec(extra, legacy, dagger))
        .args(&["advance", "job"]);
    test.run().code(0);
    test_with(&test, &["run", "job"]).run().code(0).stderr_has(
        "parity: mismatch: output `dist/report.txt` differs (bytes):\n--- legacy\n+++ dagger\n@@ -1,2 +1,2 @@\n a\n-b\n+c",
    );
    let runs = test_with(&test, &["runs", "job", "--format", "json"]).run();
    runs.code(0);
    let runs: serde_json::Value = serde_json::from_str(&runs.stdout).expect("json");
    assert_eq!(runs["runs"][0]["parity"], "mismatch");
    let summary = runs["runs"][0]["parity_summary"].as_str().expect("summary");
    assert!(
        summary.contains("dist/report.txt") && !summary.contains("other.txt"),
        "{summary}"
    );
    assert_eq!(status_json(&test)["components"][0]["runs"]["mismatches"], 1);
}

#[test]
fn shadow_runs_concurrently_and_a_failing_shadow_never_fails_ci() {
    let test = Test::new()
        .spec(&spec(
            "    timeout: 30s\n",
            "sleep 1; echo ok",
            "sleep 1; echo broken; exit 3",
        ))
        .args(&["advance", "job"]);
    test.run().code(0);
    let started = Instant::now();
    let outcome = test_with(&test, &["run", "job"]).run();
    let elapsed = started.elapsed();
    outcome
        .code(0)
        .stderr_has("parity: mismatch: exit code: legacy 0, dagger 3");
    assert!(
        elapsed < Duration::from_millis(1900),
        "sides ran one after the other: {elapsed:?}"
    );
}

#[test]
fn a_hanging_shadow_side_is_cut_off_by_its_timeout() {
    let test = Test::new()
        .spec(&spec("    timeout: 1s\n", "echo ok", "sleep 30"))
        .args(&["advance", "job"]);
    test.run().code(0);
    let started = Instant::now();
    test_with(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("exit code: legacy 0, dagger 124");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn rechecks_tell_flakes_from_differences() {
    // The Dagger side differs only on its first execution.
    let dagger = "if [ -e flaked ]; then echo 1; else touch flaked; echo 2; fi";
    // It keeps its state in the project: both sides share it.
    let test = Test::new()
        .spec(&spec(
            "    recheck: 2\n    workspace: shared\n",
            "echo 1",
            dagger,
        ))
        .args(&["advance", "job"]);
    test.run().code(0);
    test_with(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: flaky");
    let always = Test::new()
        .spec(&spec("    recheck: 2\n", "echo 1", "echo 2"))
        .args(&["advance", "job"]);
    always.run().code(0);
    test_with(&always, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: mismatch");
    let status = status_json(&always);
    assert_eq!(
        status["components"][0]["runs"]["dagger"], 3,
        "first execution plus two rechecks"
    );
    assert_eq!(status_json(&test)["components"][0]["runs"]["flaky"], 1);
}

#[test]
fn side_effects_need_a_dry_run_and_happen_exactly_once() {
    let unfenced = spec(
        "    side_effects: true\n",
        "echo deploy >> effects.log",
        "echo deploy >> effects.log",
    );
    let test = Test::new()
        .spec(&unfenced)
        .args(&["advance", "job", "--to", "shadow"]);
    test.run()
        .code(2)
        .stderr_has("has side effects and no `dagger.shadow_run`");
    let fenced = spec(
        "      shadow_run: echo dry-run >> dry.log\n    side_effects: true\n    workspace: shared\n",
        "echo deploy >> effects.log",
        "echo deploy >> effects.log",
    );
    let test = Test::new()
        .spec(&fenced)
        .args(&["advance", "job", "--to", "shadow"]);
    test.run().code(0);
    for _ in 0..3 {
        test_with(&test, &["run", "job"]).run().code(0);
    }
    let effects = std::fs::read_to_string(test.path().join("effects.log")).expect("effects");
    assert_eq!(effects.lines().count(), 3, "one effect per run");
    let dry = std::fs::read_to_string(test.path().join("dry.log")).expect("dry runs");
    assert_eq!(dry.lines().count(), 3);
}

#[test]
fn a_deploy_compares_only_exit_codes_with_its_dry_run() {
    // The real deploy and the dry run print different messages by design:
    // parity must not fall to 0 over it, with no normalize rule.
    let deploy = spec(
        "      shadow_run: echo would push app@1.4.2\n    side_effects: true\n",
        "echo pushed app@1.4.2",
        "echo pushed app@1.4.2",
    );
    let test = Test::new()
        .spec(&deploy)
        .args(&["advance", "job", "--to", "shadow"]);
    test.run().code(0);
    for _ in 0..3 {
        test_with(&test, &["run", "job"]).run().code(0);
    }
    let status = status_json(&test);
    assert_eq!(status["components"][0]["parity"], 1.0, "{status}");
    let runs = test_with(&test, &["runs", "job", "--format", "json"]).run();
    runs.code(0);
    let runs: serde_json::Value = serde_json::from_str(&runs.stdout).expect("runs JSON");
    let basis = runs["parity_basis"].as_str().unwrap_or_default();
    assert!(basis.starts_with("exit code only (side effects"), "{basis}");
    // A failing dry run is still a mismatch.
    let failing = deploy.replace("echo would push app@1.4.2", "exit 3");
    std::fs::write(test.path().join("migration.yaml"), failing).expect("spec");
    test_with(&test, &["run", "job"]).run().code(0);
    assert_eq!(status_json(&test)["components"][0]["runs"]["mismatches"], 1);
}

#[test]
fn bench_of_a_deploy_says_it_timed_dry_runs() {
    let deploy = spec(
        "      shadow_run: echo would push\n    side_effects: true\n",
        "echo pushed >> deploys.log",
        "echo pushed >> deploys.log",
    )
    .replace(
        "      sources: [legacy.sh]\n",
        "      sources: [legacy.sh]\n      shadow_run: echo would push\n",
    );
    let test = Test::new().spec(&deploy);
    test_with(&test, &["bench", "job", "--runs", "2", "--warmup", "0"])
        .run()
        .code(0)
        .stdout_has("Timed: each side's dry run (`shadow_run`)");
    let json = test_with(&test, &["bench", "job", "--runs", "2", "--format", "json"]).run();
    json.code(0);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("bench JSON");
    assert_eq!(json["dry_runs"], true);
    assert!(!test.path().join("deploys.log").exists(), "no real deploy");
}

/// A deploy whose two sides both declare a dry run: the legacy deploy
/// appends to `effects.log`, each dry run says what it would push.
fn deploy_with_dry_runs(legacy_dry_run: &str, dagger_dry_run: &str) -> String {
    spec(
        &format!(
            "      shadow_run: {dagger_dry_run}\n    side_effects: true\n    outputs: [dist/report.txt]\n    gate: [parity >= 0.99, dagger.success_rate >= legacy.success_rate]\n"
        ),
        &format!(
            "echo deploy >> effects.log; echo pushed app@1.4.2\n      shadow_run: {legacy_dry_run}"
        ),
        "echo pushed app@1.4.2 by dagger",
    )
}

/// Both dry runs write the same report and say the same thing.
const DRY_RUN: &str = "mkdir -p $CUTOVER_OUT/dist; echo report > $CUTOVER_OUT/dist/report.txt; echo would push app@1.4.2";

fn runs_json(test: &Test) -> serde_json::Value {
    let runs = test_with(test, &["runs", "job", "--format", "json"]).run();
    runs.code(0);
    serde_json::from_str(&runs.stdout).expect("runs JSON")
}

#[test]
fn a_deploy_with_a_legacy_dry_run_compares_dry_run_with_dry_run() {
    let test = Test::new()
        .spec(&deploy_with_dry_runs(DRY_RUN, DRY_RUN))
        .args(&["advance", "job", "--to", "shadow"]);
    test.run().code(0);
    for _ in 0..3 {
        test_with(&test, &["run", "job"])
            .run()
            .code(0)
            .stdout_has("pushed app@1.4.2\n")
            .stderr_has("parity: dry run vs dry run")
            .stderr_has("parity: match");
    }
    // The real deploy ran once per run, never in a dry run's place.
    let effects = std::fs::read_to_string(test.path().join("effects.log")).expect("effects");
    assert_eq!(effects.lines().count(), 3, "one real deploy per run");
    let runs = runs_json(&test);
    for run in runs["runs"].as_array().expect("runs") {
        assert_eq!(run["comparison"], "dry_runs", "{run}");
        assert_eq!(run["parity"], "match", "{run}");
    }
    let basis = runs["parity_basis"].as_str().unwrap_or_default();
    assert!(basis.starts_with("dry run vs dry run"), "{basis}");
    // The legacy dry run is not a legacy run: three real runs, three shadows.
    let status = status_json(&test);
    let job = &status["components"][0];
    assert_eq!(job["runs"]["legacy"], 3, "{status}");
    assert_eq!(job["runs"]["dagger"], 3, "{status}");
    assert_eq!(job["runs"]["compared_by"]["dry_runs"], 3, "{status}");
    assert_eq!(job["parity"], 1.0);
    let table = test_with(&test, &["status"]).run();
    table.code(0).stdout_has("dry runs");
    let gate = test_with(&test, &["gate", "job", "--format", "json"]).run();
    let gate: serde_json::Value = serde_json::from_str(&gate.stdout).expect("gate JSON");
    let parity = gate["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["expr"] == "parity >= 0.99")
        .expect("the default parity criterion");
    assert_eq!(parity["compared_by"]["dry_runs"], 3, "{gate}");
    // Success rates and durations of the legacy side are its real runs' only.
    let legacy_runs = &gate["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["expr"] == "dagger.success_rate >= legacy.success_rate")
        .expect("success-rate criterion")["metrics"];
    assert_eq!(legacy_runs["legacy.success_rate"], 1.0, "{gate}");
    test_with(&test, &["gate", "job"])
        .run()
        .stdout_has("parity of `job` compared: dry run vs dry run (3 runs)");
}

#[test]
fn a_dry_run_mismatch_is_a_mismatch_and_a_failing_dry_run_never_changes_the_exit_code() {
    let other = DRY_RUN.replace("app@1.4.2", "app@1.4.3");
    let test = Test::new()
        .spec(&deploy_with_dry_runs(DRY_RUN, &other))
        .args(&["advance", "job", "--to", "shadow"]);
    test.run().code(0);
    test_with(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: mismatch: stdout differs");
    assert_eq!(runs_json(&test)["runs"][0]["parity"], "mismatch");
    // The legacy dry run fails: the CI job still gets the real deploy's 0.
    let failing = deploy_with_dry_runs("echo broken; exit 5", DRY_RUN);
    std::fs::write(test.path().join("migration.yaml"), failing).expect("spec");
    test_with(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: mismatch: exit code: legacy 5, dagger 0");
    // The real deploy fails: that is what CI sees, whatever the dry runs did.
    let real_fails = deploy_with_dry_runs(DRY_RUN, DRY_RUN)
        .replace("echo pushed app@1.4.2\n", "echo pushed app@1.4.2; exit 4\n");
    std::fs::write(test.path().join("migration.yaml"), real_fails).expect("spec");
    test_with(&test, &["run", "job"])
        .run()
        .code(4)
        .stderr_has("parity: match");
    let status = status_json(&test);
    assert_eq!(status["components"][0]["runs"]["mismatches"], 2, "{status}");
    let effects = std::fs::read_to_string(test.path().join("effects.log")).expect("effects");
    assert_eq!(effects.lines().count(), 3, "one real deploy per run");
}

#[test]
fn without_a_legacy_dry_run_a_deploy_still_compares_exit_codes_only() {
    let test = Test::new()
        .spec(&spec(
            "      shadow_run: echo would push app@1.4.2\n    side_effects: true\n",
            "echo pushed app@1.4.2",
            "echo pushed app@1.4.2",
        ))
        .args(&["advance", "job", "--to", "shadow"]);
    test.run().code(0);
    test_with(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: exit code only (real run vs dry run)");
    let runs = runs_json(&test);
    assert_eq!(runs["runs"][0]["comparison"], "exit_code");
    assert_eq!(
        status_json(&test)["components"][0]["runs"]["compared_by"]["exit_code"],
        1
    );
}

#[test]
fn canary_routes_deterministically_by_key() {
    let test = Test::new()
        .spec(&spec("", "echo legacy-side", "echo dagger-side"))
        .args(&[
            "advance",
            "job",
            "--to",
            "canary",
            "--percent",
            "50",
            "--force",
            "--reason",
            "test",
        ]);
    test.run().code(0);
    let mut dagger_runs = 0;
    for i in 0..20 {
        let key = format!("sha{i}");
        let first = test_with(&test, &["run", "job", "--key", &key]).run();
        let again = test_with(&test, &["run", "job", "--key", &key]).run();
        assert_eq!(first.stdout, again.stdout, "same key, same side");
        if first.stdout.contains("dagger-side") {
            dagger_runs += 1;
        }
    }
    assert!(
        (4..=16).contains(&dagger_runs),
        "50% canary sent {dagger_runs} of 20 to dagger"
    );
    let status = status_json(&test);
    assert_eq!(status["components"][0]["mode"], "canary");
    assert_eq!(status["components"][0]["canary_percent"], 50);
}

#[test]
fn secrets_never_reach_the_record() {
    let test = Test::new()
        .spec(&spec(
            "    secrets: [API_TOKEN]\n",
            "echo token=$API_TOKEN",
            "echo token=$API_TOKEN-x",
        ))
        .env("API_TOKEN", "hunter2-very-secret")
        .args(&["advance", "job"]);
    test.run().code(0);
    let outcome = test_with(&test, &["run", "job"])
        .env("API_TOKEN", "hunter2-very-secret")
        .run();
    outcome.code(0);
    assert!(!outcome.stdout.contains("hunter2") && !outcome.stderr.contains("hunter2"));
    let mut leaked = Vec::new();
    for entry in walk(&test.path().join(".cutover")) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        if bytes.windows(7).any(|w| w == b"hunter2") {
            leaked.push(entry);
        }
    }
    assert!(leaked.is_empty(), "secret found in {leaked:?}");
}

#[test]
fn secrets_in_differing_outputs_never_reach_the_summary() {
    let test = Test::new()
        .spec(&spec(
            "    secrets: [API_TOKEN]\n    outputs: [config.txt]\n",
            "echo token=$API_TOKEN > $CUTOVER_OUT/config.txt",
            "echo token=$API_TOKEN-x > $CUTOVER_OUT/config.txt",
        ))
        .args(&["advance", "job"]);
    test.run().code(0);
    let outcome = test_with(&test, &["run", "job"])
        .env("API_TOKEN", "hunter2-very-secret")
        .run();
    outcome.code(0).stderr_has("-token=***\n+token=***-x");
    assert!(!outcome.stderr.contains("hunter2"), "{}", outcome.stderr);
    let runs = test_with(&test, &["runs", "job", "--format", "json"]).run();
    assert!(!runs.stdout.contains("hunter2") && runs.stdout.contains("***"));
}

#[test]
fn secrets_never_reach_the_disk_through_bench() {
    let test = Test::new().spec(&spec(
        "    secrets: [API_TOKEN]\n",
        "echo token=$API_TOKEN",
        "echo token=$API_TOKEN; echo $API_TOKEN >&2",
    ));
    test_with(&test, &["bench", "job", "--runs", "2", "--warmup", "0"])
        .env("API_TOKEN", "hunter2-very-secret")
        .run()
        .code(0);
    let files = walk(&test.path().join(".cutover"));
    assert!(
        files.iter().any(|f| f.ends_with("stdout")),
        "bench keeps its captures: {files:?}"
    );
    let leaked: Vec<_> = files
        .into_iter()
        .filter(|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            bytes.windows(7).any(|w| w == b"hunter2")
        })
        .collect();
    assert!(leaked.is_empty(), "secret found in {leaked:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn drift_of_the_legacy_definition_is_flagged() {
    let test = Test::new()
        .spec(&spec("", "sh legacy.sh", "true"))
        .file("legacy.sh", "echo v1\n")
        .args(&["advance", "job"]);
    test.run().code(0);
    assert_eq!(status_json(&test)["components"][0]["drift"], false);
    std::fs::write(test.path().join("legacy.sh"), "echo v2\n").expect("edit legacy");
    assert_eq!(status_json(&test)["components"][0]["drift"], true);
    test_with(&test, &["status"])
        .run()
        .code(0)
        .stdout_has("legacy changed");
}

#[test]
fn editing_either_run_line_is_drift() {
    for (legacy, dagger) in [
        ("sh legacy.sh --fast", "true"),
        ("sh legacy.sh", "echo new"),
    ] {
        let test = Test::new()
            .spec(&spec("", "sh legacy.sh", "true"))
            .file("legacy.sh", "echo v1\n")
            .args(&["advance", "job"]);
        test.run().code(0);
        assert_eq!(status_json(&test)["components"][0]["drift"], false);
        std::fs::write(test.path().join("migration.yaml"), spec("", legacy, dagger))
            .expect("edit the spec");
        assert_eq!(
            status_json(&test)["components"][0]["drift"],
            true,
            "{legacy} / {dagger}"
        );
    }
}

#[test]
fn drift_says_what_changed_and_can_be_acknowledged() {
    let test = Test::new()
        .spec(&spec("", "sh legacy.sh", "true"))
        .file("legacy.sh", "echo v1\n")
        .args(&["advance", "job"]);
    test.run().code(0);
    test_with(&test, &["drift", "ack", "job"])
        .run()
        .code(2)
        .stderr_has("`job` has no drift to acknowledge");
    std::fs::write(test.path().join("legacy.sh"), "echo v2\n").expect("edit legacy");
    let show = test_with(&test, &["drift", "show", "job", "--format", "json"]).run();
    show.code(0);
    let report: serde_json::Value = serde_json::from_str(&show.stdout).expect("json");
    assert_eq!(report["drifted"], true);
    assert_eq!(report["files"][0]["path"], "legacy.sh");
    assert_eq!(report["files"][0]["changed"], true);
    assert_ne!(report["files"][0]["digest"], report["files"][0]["baseline"]);
    test_with(&test, &["drift", "show", "job"])
        .run()
        .code(0)
        .stdout_has("legacy definition changed")
        .stdout_has("legacy.sh");
    test_with(
        &test,
        &["drift", "ack", "job", "--reason", "reviewed: prints v2"],
    )
    .run()
    .code(0)
    .stdout_has("acknowledged");
    assert_eq!(status_json(&test)["components"][0]["drift"], false);
    let log = test_with(&test, &["log", "--format", "json"]).run();
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("log");
    let ack = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "drift_acknowledged")
        .cloned()
        .expect("ack event");
    assert_eq!(ack["reason"], "reviewed: prints v2");
    assert_eq!(ack["detail"]["files"][0]["path"], "legacy.sh");
}

#[test]
fn services_record_their_own_outcomes() {
    let test = Test::new().spec(&spec("", "true", "true")).args(&[
        "record",
        "job",
        "--side",
        "dagger",
        "--exit",
        "1",
        "--duration",
        "1.5s",
    ]);
    test.run().code(0).stdout_has("recorded run");
    let status = status_json(&test);
    assert_eq!(status["components"][0]["runs"]["total"], 1);
    assert_eq!(status["components"][0]["runs"]["dagger"], 1);
    test_with(
        &test,
        &[
            "record",
            "job",
            "--side",
            "both",
            "--exit",
            "0",
            "--duration",
            "1s",
        ],
    )
    .run()
    .code(2);
    test_with(
        &test,
        &[
            "record",
            "nope",
            "--side",
            "dagger",
            "--exit",
            "0",
            "--duration",
            "1s",
        ],
    )
    .run()
    .code(2)
    .stderr_has("no component `nope`");
}

#[test]
fn many_concurrent_runs_on_one_state_file() {
    // Extra arguments are appended to the command line: `exit N`.
    let test = Test::new().spec(&spec("", "exit", "true"));
    let binary = assert_cmd::cargo::cargo_bin("cutover");
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let binary = binary.clone();
            let dir = test.path().to_owned();
            std::thread::spawn(move || {
                let mut wrong = Vec::new();
                for i in 0..100 {
                    let n = worker * 100 + i;
                    let output = Process::new(&binary)
                        .current_dir(&dir)
                        .args(["run", "job", "--", &(n % 4).to_string()])
                        .output()
                        .expect("run");
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    if output.status.code() != Some(n % 4) || stderr.contains("locked") {
                        wrong.push(format!("run {n}: {:?} {stderr}", output.status.code()));
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
    let status = status_json(&test);
    assert_eq!(status["components"][0]["runs"]["total"], 800);
    assert_eq!(status["components"][0]["runs"]["legacy"], 800);
}

#[test]
fn a_killed_run_is_incomplete_not_lost() {
    let test = Test::new().spec(&spec("", "sleep 3", "true"));
    let binary = assert_cmd::cargo::cargo_bin("cutover");
    let mut child = Process::new(&binary)
        .current_dir(test.path())
        .args(["run", "job"])
        .spawn()
        .expect("spawn");
    // Wait until the run is recorded as started, then kill cutover outright.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let started = test_with(&test, &["status", "--format", "json"]).run();
        if started.stdout.contains("\"total\": 1") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    let status = status_json(&test);
    let runs = &status["components"][0]["runs"];
    assert_eq!(runs["total"], 1);
    assert_eq!(runs["incomplete"], 1);
    assert_eq!(runs["mismatches"], 0);
    let listing = test_with(&test, &["runs", "job"]).run();
    listing.code(0).stdout_has("incomplete");
}

#[test]
fn the_example_runs_end_to_end() {
    let copy = tempfile::tempdir().expect("tmp");
    copy_dir(&example_dir(), copy.path());
    let test = Test::at(copy.path());
    let advance = Test::at(copy.path()).args(&[
        "advance",
        "dagger-engine",
        "--to",
        "shadow",
        "--reason",
        "pilot",
    ]);
    advance.run().code(0);
    Test::at(copy.path())
        .args(&["run", "dagger-engine"])
        .run()
        .code(0)
        .stderr_has("parity: match");
    let status = status_json(&test);
    let engine = status["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == "dagger-engine")
        .cloned()
        .expect("engine");
    assert_eq!(engine["mode"], "shadow");
    assert_eq!(engine["parity"], 1.0);
    assert!(
        copy.path().join("out/dagger-engine.txt").exists(),
        "authoritative output lands in the workspace"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn both_sides_share_one_trace_and_the_dagger_trace_url_is_kept() {
    let legacy = "echo $TRACEPARENT";
    let dagger = "echo $TRACEPARENT; echo 'Full trace at https://dagger.cloud/acme/traces/0af7651916cd43dd8448eb211c80319c' >&2";
    let test = Test::new()
        .spec(&spec("", legacy, dagger))
        .args(&["advance", "job"]);
    test.run().code(0);
    test_with(&test, &["run", "job"])
        .run()
        .code(0)
        .stderr_has("parity: match");
    let runs = test_with(&test, &["runs", "job", "--format", "json"]).run();
    let runs: serde_json::Value = serde_json::from_str(&runs.stdout).expect("json");
    let run = &runs["runs"][0];
    assert_eq!(
        run["trace_url"],
        "https://dagger.cloud/acme/traces/0af7651916cd43dd8448eb211c80319c"
    );
    assert_eq!(run["trace_id"].as_str().map(str::len), Some(32));
}

#[test]
fn the_example_deploy_reaches_full_parity_comparing_its_dry_runs() {
    // The bundled example's real scripts: legacy/deploy.sh and the Dagger
    // stand-in, each with --dry-run; no normalize rule for their messages.
    let test = Test::new();
    let status = Process::new("cp")
        .arg("-r")
        .arg(format!("{}/.", example_dir().display()))
        .arg(test.path())
        .status()
        .expect("cp");
    assert!(status.success());
    let spec = std::fs::read_to_string(test.path().join("migration.yaml")).expect("spec");
    let deploy = &spec[spec.find("- id: release-pipeline").expect("deploy")..];
    let deploy = &deploy[..deploy.find("  - id:").unwrap_or(deploy.len())];
    assert!(!deploy.contains("normalize:"), "{deploy}");
    test_with(&test, &["advance", "release-pipeline", "--to", "shadow"])
        .run()
        .code(0);
    for _ in 0..3 {
        test_with(&test, &["run", "release-pipeline"])
            .run()
            .code(0)
            .stdout_has("pushed release-pipeline@1.4.2");
    }
    let deploys = std::fs::read_to_string(test.path().join("deploys.log")).expect("deploys");
    assert_eq!(deploys.lines().count(), 3, "{deploys}");
    let status = status_json(&test);
    let release = status["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == "release-pipeline")
        .expect("release-pipeline");
    assert_eq!(release["parity"], 1.0, "{release}");
    assert_eq!(release["runs"]["compared_by"]["dry_runs"], 3, "{release}");
}
