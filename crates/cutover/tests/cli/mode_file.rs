//! The committed mode file (`migration.modes`) and the store's overrides:
//! fresh clones route by the file, `check` points into it, a rollback in
//! one clone brakes every clone sharing the store, `sync` writes the brake
//! into the file and clears it.

use std::path::Path;

use crate::util::Test;

/// One component whose sides say which ran (and the Dagger side leaves a mark).
const SPEC: &str = "\
version: 1
migration: { name: modes, start: 2027-01-04 }
components:
  - id: app
    kind: job
    owner: me
    effort: 1d
    legacy: { run: 'echo legacy-side' }
    dagger: { run: 'echo dagger-side; touch dagger-ran' }
";

/// The same directory, other arguments.
fn at(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

/// A directory with only the spec: a checkout with no `.cutover/`.
fn clone_of(source: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["migration.yaml", "migration.modes"] {
        let from = source.join(name);
        if from.exists() {
            std::fs::copy(&from, dir.path().join(name)).expect("copy");
        }
    }
    dir
}

fn status_json(test: &Test) -> serde_json::Value {
    let outcome = at(test, &["status", "--format", "json"]).run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("status JSON")
}

fn modes_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("migration.modes")).unwrap_or_default()
}

/// Advances `app` to dagger through shadow (restore points on the way).
fn advance_to_dagger(test: &Test) {
    advance_to_dagger_with(&|args| at(test, args));
}

/// [`advance_to_dagger`] with each invocation made by `make`.
fn advance_to_dagger_with(make: &dyn Fn(&[&str]) -> Test) {
    make(&["advance", "app"]).run().code(0);
    make(&[
        "advance", "app", "--to", "dagger", "--force", "--reason", "ported",
    ])
    .run()
    .code(0)
    .stdout_has("`app`: shadow -> dagger")
    .stdout_has("git add migration.modes && git commit -m \"cutover: app shadow -> dagger\"");
}

#[test]
fn a_fresh_clone_with_the_committed_mode_file_routes_by_it() {
    let lead = Test::new().spec(SPEC);
    advance_to_dagger(&lead);
    assert!(modes_of(lead.path()).contains("\napp: dagger\n"));
    let clone = clone_of(lead.path());
    assert!(!clone.path().join(".cutover").exists());
    let outcome = Test::at(clone.path()).args(&["run", "app"]).run();
    outcome.code(0).stdout_has("dagger-side");
    assert!(
        !outcome.stdout.contains("legacy-side"),
        "{}",
        outcome.stdout
    );
    let status = status_json(&Test::at(clone.path()));
    assert_eq!(status["components"][0]["mode"], "dagger");
    assert_eq!(status["components"][0]["mode_source"], "file");
}

#[test]
fn a_clone_advances_and_rolls_back_from_its_file_not_its_empty_store() {
    let lead = Test::new().spec(SPEC);
    at(&lead, &["advance", "app"]).run().code(0);
    let clone = clone_of(lead.path());
    let here = Test::at(clone.path());
    let forced = [
        "advance",
        "app",
        "--to",
        "canary",
        "--percent",
        "20",
        "--force",
        "--reason",
        "r",
    ];
    at(&here, &forced)
        .run()
        .code(0)
        .stdout_has("`app`: shadow -> canary 20%");
    at(&here, &["rollback", "app"])
        .run()
        .code(0)
        .stdout_has("`app`: canary 20% -> shadow");
    assert!(modes_of(clone.path()).contains("\napp: shadow\n"));
}

#[test]
fn the_store_modes_move_into_the_file_on_first_sync() {
    let lead = Test::new().spec(SPEC);
    advance_to_dagger(&lead);
    std::fs::remove_file(lead.path().join("migration.modes")).expect("rm");
    // Without a file the store's modes apply, as before mode files.
    assert_eq!(status_json(&lead)["components"][0]["mode_source"], "store");
    at(&lead, &["sync"])
        .run()
        .code(0)
        .stdout_has("wrote migration.modes");
    assert!(modes_of(lead.path()).contains("\napp: dagger\n"));
}

#[test]
fn check_points_at_the_line_and_column_of_a_bad_mode_file() {
    let test = Test::new()
        .spec(SPEC)
        .file("migration.modes", "# modes\napp: canary\nap: shadow\n");
    at(&test, &["check"])
        .run()
        .code(2)
        .stderr_has("migration.modes:2:6: canary needs its share")
        .stderr_has("migration.modes:3:1: no component `ap` in the spec")
        .stderr_has("did you mean `app`?")
        .stderr_has("`migration.modes` has 2 problems");
    // Nothing routes by an invalid file, and nothing is written.
    at(&test, &["run", "app"])
        .run()
        .code(2)
        .stderr_has("canary needs its share");
    assert!(!test.path().join(".cutover").exists());
    std::fs::write(test.path().join("migration.modes"), "app: canary 101\n").expect("write");
    at(&test, &["check"])
        .run()
        .code(2)
        .stderr_has("migration.modes:1:13: canary share `101` is not a percent from 1 to 100");
}

#[test]
fn check_refuses_a_retired_component_whose_dependents_still_run_legacy() {
    let spec = format!(
        "{SPEC}  - id: web\n    kind: job\n    owner: me\n    effort: 1d\n    depends_on: [app]\n    legacy: {{ run: 'true' }}\n    dagger: {{ run: 'true' }}\n"
    );
    let test = Test::new()
        .spec(&spec)
        .file("migration.modes", "app: retired\nweb: shadow\n");
    at(&test, &["check"])
        .run()
        .code(2)
        .stderr_has("migration.modes:1:1: `app` is retired but components that depend on it still run legacy: `web` (shadow)");
    std::fs::write(
        test.path().join("migration.modes"),
        "app: retired\nweb: dagger\n",
    )
    .expect("write");
    at(&test, &["check"])
        .run()
        .code(0)
        .stdout_has("mode file `migration.modes` is valid: 2 components listed");
}

/// Two checkouts of one commit (the same mode file) sharing one store.
struct Team {
    lead: tempfile::TempDir,
    runner: tempfile::TempDir,
    _shared: tempfile::TempDir,
    state: String,
}

impl Team {
    fn new() -> Team {
        let shared = tempfile::tempdir().expect("temp dir");
        let state = shared.path().join("state.db").display().to_string();
        let lead = tempfile::tempdir().expect("temp dir");
        std::fs::write(lead.path().join("migration.yaml"), SPEC).expect("spec");
        let team = Team {
            runner: tempfile::tempdir().expect("temp dir"),
            lead,
            _shared: shared,
            state,
        };
        advance_to_dagger_with(&|args| team.on(team.lead.path(), args));
        // The runner checks out the commit that has `app: dagger`.
        let runner = clone_of(team.lead.path());
        for name in ["migration.yaml", "migration.modes"] {
            std::fs::copy(runner.path().join(name), team.runner.path().join(name)).expect("copy");
        }
        team
    }

    fn on(&self, dir: &Path, args: &[&str]) -> Test {
        Test::at(dir).args(&["--state", &self.state]).args(args)
    }

    fn status(&self, dir: &Path) -> serde_json::Value {
        let outcome = self.on(dir, &["status", "--format", "json"]).run();
        outcome.code(0);
        serde_json::from_str(&outcome.stdout).expect("status JSON")
    }
}

#[test]
fn a_rollback_in_one_clone_brakes_the_next_run_of_another_without_a_commit() {
    let team = Team::new();
    let runner = team.runner.path();
    team.on(runner, &["run", "app"])
        .run()
        .code(0)
        .stdout_has("dagger-side");
    let committed = modes_of(runner);
    team.on(
        team.lead.path(),
        &["rollback", "app", "--to", "legacy", "--reason", "outage"],
    )
    .run()
    .code(0)
    .stdout_has("`app`: dagger -> legacy")
    .stdout_has("git add migration.modes")
    .stdout_has("an override in the store holds every runner");
    assert!(modes_of(team.lead.path()).contains("\napp: legacy\n"));
    let outcome = team.on(runner, &["run", "app"]).run();
    outcome.code(0).stdout_has("legacy-side");
    assert!(
        !outcome.stdout.contains("dagger-side"),
        "{}",
        outcome.stdout
    );
    assert_eq!(
        modes_of(runner),
        committed,
        "the runner's file is untouched"
    );
    let status = team.status(runner);
    let app = &status["components"][0];
    assert_eq!(app["mode"], "legacy");
    assert_eq!(app["committed"]["mode"], "dagger");
    assert_eq!(app["override"]["mode"], "legacy");
    assert_eq!(app["override"]["in_file"], false);
    assert_eq!(app["override"]["reason"], "outage");
    team.on(runner, &["status"])
        .run()
        .code(0)
        .stdout_has("legacy, not in file")
        .stdout_has("`app`: held at legacy (file says dagger)")
        .stdout_has("hint: `cutover sync` writes them into the mode file");
}

#[test]
fn sync_writes_the_override_into_the_file_and_clears_it() {
    let team = Team::new();
    let runner = team.runner.path();
    team.on(team.lead.path(), &["rollback", "app", "--to", "shadow"])
        .run()
        .code(0);
    team.on(runner, &["sync"])
        .run()
        .code(0)
        .stdout_has("`app`: dagger -> shadow (the override, now in the mode file)")
        .stdout_has("`app`: override shadow cleared: the mode file reflects it")
        .stdout_has("git add migration.modes && git commit -m \"cutover: app dagger -> shadow\"");
    assert!(modes_of(runner).contains("\napp: shadow\n"));
    let status = team.status(runner);
    assert_eq!(status["components"][0]["mode"], "shadow");
    assert!(status["components"][0]["override"].is_null());
    let log = team.on(runner, &["log", "--format", "json"]).run();
    log.code(0);
    let kinds: Vec<String> = serde_json::from_str::<serde_json::Value>(&log.stdout)
        .expect("log JSON")["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter_map(|e| e["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        kinds.ends_with(&[
            "override_set".into(),
            "rolled_back".into(),
            "rollback_completed".into(),
            "override_cleared".into()
        ]),
        "{kinds:?}"
    );
    team.on(runner, &["sync"])
        .run()
        .code(0)
        .stdout_has("nothing to sync");
}

#[test]
fn an_override_never_moves_a_component_toward_dagger() {
    let team = Team::new();
    let runner = team.runner.path();
    // A rollback toward dagger is refused, and no override is recorded.
    team.on(team.lead.path(), &["rollback", "app", "--to", "shadow"])
        .run()
        .code(0);
    team.on(team.lead.path(), &["rollback", "app", "--to", "dagger"])
        .run()
        .code(2)
        .stderr_has("`app` is in shadow; rollback moves back to an earlier mode");
    // A runner whose committed file is further back than the override
    // stays where its file says: the override only ever holds back.
    std::fs::write(runner.join("migration.modes"), "app: legacy\n").expect("write");
    let outcome = team.on(runner, &["run", "app"]).run();
    outcome.code(0).stdout_has("legacy-side");
    assert!(!outcome.stdout.contains("dagger-side"));
    let status = team.status(runner);
    let app = &status["components"][0];
    assert_eq!(app["mode"], "legacy");
    assert_eq!(app["override"]["mode"], "shadow");
    assert_eq!(app["override"]["in_file"], true);
}
