//! `cutover doctor` with no `dagger` on PATH and with stand-ins that honour
//! the CLI's contract (result on stdout, errors on stderr, exit codes): the
//! report says exactly what was found, and exits 1 unless an engine answers.

use crate::util::Test;

fn stand_in(test: &Test, engine: &str) -> String {
    let script = format!(
        "#!/bin/sh\ncase \"$1 $2\" in\n  \"version \"*) echo \"dagger v0.19.11 (registry.dagger.io/engine:v0.19.11) linux/amd64\" ;;\n  \"core version\") {engine} ;;\nesac\n"
    );
    let bin = test.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let path = bin.join("dagger");
    std::fs::write(&path, script).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!("{}:/usr/bin:/bin", bin.display())
}

#[test]
fn without_a_dagger_cli_it_says_so_and_fails() {
    let test = Test::new();
    Test::at(test.path())
        .env("PATH", "/usr/bin:/bin")
        .args(&["doctor"])
        .run()
        .code(1)
        .stdout_has("no `dagger` on PATH")
        .stdout_has("needs the dagger CLI");
}

#[test]
fn an_engine_that_does_not_answer_is_reported_with_its_error() {
    let test = Test::new();
    let path = stand_in(
        &test,
        "echo 'Error: failed to connect to the engine' >&2; exit 1",
    );
    let outcome = Test::at(test.path())
        .env("PATH", &path)
        .args(&["doctor", "--format", "json"])
        .run();
    outcome.code(1);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(report["checks"][0]["version"], "v0.19.11");
    assert_eq!(report["checks"][1]["status"], "unreachable");
    assert!(
        report["checks"][1]["detail"]
            .as_str()
            .expect("detail")
            .contains("failed to connect to the engine")
    );
}

#[test]
fn a_hanging_engine_is_cut_off_at_the_timeout() {
    let test = Test::new();
    let path = stand_in(&test, "sleep 30");
    let started = std::time::Instant::now();
    Test::at(test.path())
        .env("PATH", &path)
        .args(&["doctor", "--engine-timeout", "1s"])
        .run()
        .code(1)
        .stdout_has("unreachable");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

#[test]
fn an_answering_engine_and_an_existing_store_pass() {
    let test = Test::new().spec("version: 1\nmigration:\n  name: d\n  start: 2027-01-04\ncomponents:\n  - id: a\n    kind: job\n    owner: me\n    effort: 1d\n    legacy:\n      run: \"true\"\n");
    // A legacy-mode run only spools its record; the next command creates the store.
    Test::at(test.path()).args(&["run", "a"]).run().code(0);
    Test::at(test.path()).args(&["status"]).run().code(0);
    let path = stand_in(&test, "echo v0.19.11");
    let outcome = Test::at(test.path())
        .env("PATH", &path)
        .args(&["doctor"])
        .run();
    outcome
        .code(0)
        .stdout_has("engine")
        .stdout_has("schema version");
}

/// A stand-in for the 1.0-beta CLI: `dagger version` prints its multi-line
/// form, `-m core api call version` answers as the engine would, and every
/// invocation is logged so the test sees what doctor asked.
fn beta_stand_in(test: &Test) -> (String, std::path::PathBuf) {
    let log = test.path().join("dagger.log");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> {log}\ncase \"$*\" in\n  version) printf 'version:     v1.0.0-beta.10\\ncommit:      13d493ee6e75\\ndirty:       no\\nplatform:    linux/amd64\\n' ;;\n  \"-m core api call version\") echo v1.0.0-beta.10 ;;\n  *) echo \"Command is deprecated or unknown: $*\" >&2; exit 1 ;;\nesac\n",
        log = log.display()
    );
    let bin = test.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let path = bin.join("dagger");
    std::fs::write(&path, script).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (format!("{}:/usr/bin:/bin", bin.display()), log)
}

#[test]
fn a_1_0_beta_cli_is_asked_for_the_engine_through_the_api() {
    let test = Test::new();
    let (path, log) = beta_stand_in(&test);
    let outcome = Test::at(test.path())
        .env("PATH", &path)
        .args(&["doctor", "--format", "json"])
        .run();
    outcome.code(0);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(report["checks"][0]["version"], "v1.0.0-beta.10");
    assert_eq!(report["checks"][1]["status"], "ok");
    assert!(
        report["checks"][1]["detail"]
            .as_str()
            .expect("detail")
            .contains("`dagger -m core api call version` answered"),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        std::fs::read_to_string(log).expect("log"),
        "version\n-m core api call version\n",
        "doctor asked only what needs no engine, then the engine through the API"
    );
}
