//! `cutover calibrate`: the legacy side run against itself; what varies on
//! its own becomes `normalize` rules, and runs/gate count mismatches that
//! only this noise explains apart.

use crate::util::Test;

/// Prints a timestamp (nanoseconds) and a random build id, on stdout and in
/// a text output: two runs never agree byte for byte.
const BUILD: &str = r#"#!/bin/sh
id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
echo "built at $(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"
echo "build id: $id"
echo "result: 42"
printf 'build %s\nfiles: 3\n' "$id" > "$CUTOVER_OUT/report.txt"
"#;

const SPEC: &str = "version: 1
migration:
  name: noisy
  start: 2027-01-04
components:
  # identical implementations on both sides
  - id: build
    kind: job
    owner: me
    effort: 1d
    legacy:
      run: sh build.sh
    dagger:
      run: sh build.sh
    outputs:
      - { path: report.txt, compare: text }
    recheck: 0   # no second chances
  - id: deploy
    kind: job
    owner: me
    effort: 1d
    side_effects: true
    legacy:
      run: sh build.sh
    dagger:
      run: sh build.sh
      shadow_run: sh build.sh --dry-run
";

fn json(test: &Test, args: &[&str]) -> serde_json::Value {
    let outcome = Test::at(test.path()).args(args).run();
    serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}\n{}", outcome.stdout, outcome.stderr))
}

fn parities(test: &Test) -> Vec<String> {
    json(test, &["runs", "build", "--format", "json"])["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["parity"].as_str().unwrap_or("-").to_owned())
        .collect()
}

fn shadow_runs(test: &Test, count: usize) {
    for _ in 0..count {
        Test::at(test.path()).args(&["run", "build"]).run().code(0);
    }
}

#[test]
fn calibrated_rules_bring_identical_sides_to_full_parity() {
    let test = Test::new().spec(SPEC).file("build.sh", BUILD);
    Test::at(test.path())
        .args(&["advance", "build", "--to", "shadow"])
        .run()
        .code(0);
    shadow_runs(&test, 3);
    assert_eq!(parities(&test), ["mismatch"; 3]);

    let calibrated = Test::at(test.path())
        .args(&["calibrate", "build", "--runs", "3", "--write"])
        .run();
    calibrated
        .code(0)
        .stdout_has("ran the legacy side of `build` 6 times")
        .stdout_has("added 3 rules to `normalize:` of `build`")
        .stdout_has("<time>");
    let spec = std::fs::read_to_string(test.path().join("migration.yaml")).expect("spec");
    assert!(spec.starts_with(&SPEC[..SPEC.find("    recheck").expect("recheck")]));
    assert!(
        spec.contains("    recheck: 0   # no second chances\n    normalize:\n      - { pattern: "),
        "{spec}"
    );
    Test::at(test.path()).args(&["check"]).run().code(0);

    // The earlier mismatches were noise only, and are counted apart.
    let before = json(&test, &["runs", "build", "--format", "json"]);
    assert_eq!(before["noise"]["mismatches"], 3);
    assert_eq!(
        before["noise"]["noise_only"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(before["noise"]["parity_net_of_noise"], 1.0);
    Test::at(test.path())
        .args(&["runs", "build"])
        .run()
        .code(0)
        .stdout_has("mismatch (noise)")
        .stdout_has("3 mismatches, 3 of them only calibrated noise: parity net of noise 100.0%");

    shadow_runs(&test, 3);
    assert_eq!(parities(&test)[..3], ["match"; 3]);
    let gate = json(&test, &["gate", "build", "--format", "json"]);
    assert_eq!(gate["noise"]["build"]["compared"], 6);
    assert_eq!(gate["noise"]["build"]["parity_net_of_noise"], 1.0);
    let log = Test::at(test.path()).args(&["log"]).run();
    log.code(0)
        .stdout_has("noise calibrated over 3 rounds: 3 rules learned and written");
}

#[test]
fn without_write_the_rules_are_printed_and_the_spec_untouched() {
    let test = Test::new().spec(SPEC).file("build.sh", BUILD);
    let outcome = Test::at(test.path())
        .args(&["calibrate", "build", "--runs", "1"])
        .run();
    outcome.code(0).stdout_has(
        "paste under `build` in the spec (or run again with --write):\nnormalize:\n  - { pattern: ",
    );
    assert_eq!(
        std::fs::read_to_string(test.path().join("migration.yaml")).expect("spec"),
        SPEC
    );
    assert!(
        !test
            .path()
            .join(".cutover/calibrate")
            .read_dir()
            .expect("dir")
            .any(|_| true)
    );
}

#[test]
fn side_effects_need_the_legacy_dry_run() {
    let test = Test::new().spec(SPEC).file("build.sh", BUILD);
    Test::at(test.path())
        .args(&["calibrate", "deploy"])
        .run()
        .code(2)
        .stderr_has("`deploy` has side effects and no `legacy.shadow_run`");
    let with_dry_run = SPEC.replace(
        "      run: sh build.sh\n    dagger:\n      run: sh build.sh\n      shadow_run",
        "      run: exit 1\n      shadow_run: sh build.sh --dry-run\n    dagger:\n      run: sh build.sh\n      shadow_run",
    );
    let test = Test::new().spec(&with_dry_run).file("build.sh", BUILD);
    Test::at(test.path())
        .args(&["calibrate", "deploy", "--runs", "1"])
        .run()
        .code(0)
        .stdout_has("ran the dry run of `deploy` 2 times (sh build.sh --dry-run)");
    Test::at(test.path())
        .args(&["calibrate", "nope"])
        .run()
        .code(2);
}

#[test]
fn lines_that_come_and_go_are_reported_and_fail() {
    // Whichever of the two simultaneous runs comes second finds a warm cache.
    let flaky = "#!/bin/sh\necho start\nmkdir seen 2>/dev/null || echo 'cache: warm'\n";
    let test = Test::new().spec(SPEC).file("build.sh", flaky);
    Test::at(test.path())
        .args(&["calibrate", "build", "--runs", "1"])
        .run()
        .code(1)
        .stdout_has("unexplained in stdout: `")
        .stdout_has("cache: warm`");
}
