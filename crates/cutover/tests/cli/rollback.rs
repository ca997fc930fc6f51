//! `cutover rollback`, triggers, decisions and drills.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::Test;

const SPEC: &str = "version: 1
migration: { name: rollback, start: 2027-01-04 }
components:
  - id: base
    kind: infra
    owner: platform
    effort: 1d
    legacy: { run: 'echo ok' }
    dagger: { run: 'echo ok' }
    preserve: [config/base.yaml]
    acceptance:
      - { name: legacy config present, run: 'test -f config/orchestrator.yaml' }
  - id: app
    kind: service
    owner: team
    effort: 1d
    depends_on: [base]
    legacy: { run: 'echo ok' }
    dagger: { run: 'echo ok' }
rollback:
  preserve: [config/orchestrator.yaml, flags/]
";

fn at(test: &Test, args: &[&str]) -> Test {
    Test::at(test.path()).args(args)
}

fn write(test: &Test, path: &str, text: &str) {
    let full = test.path().join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

fn read(test: &Test, path: &str) -> Option<Vec<u8>> {
    std::fs::read(test.path().join(path)).ok()
}

fn modes(test: &Test) -> BTreeMap<String, String> {
    let status = at(test, &["status", "--format", "json"]).run();
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("status JSON");
    status["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            let mode = c["mode"].as_str().unwrap_or_default().to_owned();
            let percent = c["canary_percent"].as_u64().unwrap_or(0);
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                format!("{mode}/{percent}"),
            )
        })
        .collect()
}

/// The cell of an aligned text table under `column`, in the row of `id`.
fn cell(table: &str, id: &str, column: &str) -> String {
    let mut lines = table.lines();
    let header = lines.next().expect("header");
    let start = header.find(column).expect("column");
    let row = lines
        .find(|l| l.starts_with(&format!("{id} ")))
        .expect("row");
    row[start..]
        .split("  ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Every file under the directory (except cutover's own state), with content.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            if relative == ".cutover" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(relative, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn two_rollbacks_restore_each_earlier_state_byte_for_byte() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/orchestrator.yaml", "runner: legacy\n");
    write(&test, "flags/dagger", "off\n");
    let mut states = Vec::new();
    for (step, args) in [
        ("shadow", vec!["advance", "base"]),
        (
            "canary",
            vec!["advance", "base", "--force", "--reason", "test"],
        ),
        (
            "dagger",
            vec!["advance", "base", "--force", "--reason", "test"],
        ),
    ] {
        states.push((modes(&test), tree(test.path())));
        at(&test, &args).run().code(0);
        // The team edits preserved files after each step.
        write(
            &test,
            "config/orchestrator.yaml",
            &format!("runner: {step}\nchanged: true\n"),
        );
        write(&test, "flags/dagger", &format!("{step}\n"));
        write(&test, &format!("flags/extra-{step}"), "added later\n");
    }
    assert_eq!(modes(&test)["base"], "dagger/0");
    at(
        &test,
        &["rollback", "--overwrite", "base", "--reason", "latency"],
    )
    .run()
    .code(0)
    .stdout_has("`base`: dagger -> canary 10%");
    let (expected_modes, expected_files) = &states[2];
    assert_eq!(&modes(&test), expected_modes);
    assert_eq!(
        &tree(test.path()),
        expected_files,
        "files as they were before advancing to dagger"
    );
    at(&test, &["rollback", "--overwrite", "base"])
        .run()
        .code(0)
        .stdout_has("`base`: canary 10% -> shadow");
    let (expected_modes, expected_files) = &states[1];
    assert_eq!(&modes(&test), expected_modes);
    assert_eq!(
        &tree(test.path()),
        expected_files,
        "files as they were before advancing to canary"
    );
    // Nothing is lost: the edits undone are in the safety snapshots.
    let log = at(&test, &["log", "--format", "json"]).run();
    assert!(log.stdout.matches("\"rolled_back\"").count() >= 2);
}

#[test]
fn rollback_to_a_named_mode_skips_back_several_steps() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/orchestrator.yaml", "v0\n");
    at(&test, &["advance", "base"]).run().code(0);
    write(&test, "config/orchestrator.yaml", "v1\n");
    at(
        &test,
        &[
            "advance",
            "base",
            "--to",
            "dagger",
            "--force",
            "--reason",
            "fast track",
        ],
    )
    .run()
    .code(0);
    write(&test, "config/orchestrator.yaml", "v2\n");
    at(
        &test,
        &["rollback", "--overwrite", "base", "--to", "legacy"],
    )
    .run()
    .code(0)
    .stdout_has("dagger -> legacy");
    assert_eq!(
        read(&test, "config/orchestrator.yaml").as_deref(),
        Some(&b"v0\n"[..])
    );
    at(
        &test,
        &["rollback", "--overwrite", "base", "--to", "canary"],
    )
    .run()
    .code(2)
    .stderr_has("is in legacy mode");
}

#[test]
fn dependents_ahead_block_a_rollback_unless_cascaded() {
    let test = Test::new().spec(SPEC);
    at(&test, &["advance", "base"]).run().code(0);
    at(&test, &["advance", "app"]).run().code(0);
    at(&test, &["rollback", "base"])
        .run()
        .code(2)
        .stderr_has("would leave dependents ahead of it: `app` (shadow) depends on `base`")
        .stderr_has("--cascade");
    assert_eq!(modes(&test)["base"], "shadow/0");
    at(&test, &["rollback", "base", "--cascade"])
        .run()
        .code(0)
        .stdout_has("`app`: shadow -> legacy\n`base`: shadow -> legacy");
}

#[test]
fn an_interrupted_rollback_completes_on_the_next_invocation() {
    let setup = |test: &Test| {
        write(test, "config/orchestrator.yaml", "before\n");
        write(test, "config/base.yaml", "base before\n");
        write(test, "flags/a", "a\n");
        at(test, &["advance", "1"]).run().code(0);
        at(test, &["advance", "app"]).run().code(0);
        write(test, "config/orchestrator.yaml", "after\n");
        write(test, "config/base.yaml", "base after\n");
        write(test, "flags/a", "changed\n");
        write(test, "flags/b", "new\n");
    };
    // The reference: an uninterrupted rollback of both components.
    let reference = Test::new().spec(SPEC);
    setup(&reference);
    at(
        &reference,
        &["rollback", "--overwrite", "base", "--cascade"],
    )
    .run()
    .code(0);
    let expected = (modes(&reference), tree(reference.path()));
    assert_eq!(expected.0["base"], "legacy/0");
    for point in [
        "rollback-after-journal",
        "rollback-after-safety-snapshot",
        "rollback-mid-restore",
        "rollback-before-commit",
        "rollback-after-step",
    ] {
        let test = Test::new().spec(SPEC);
        setup(&test);
        let killed = at(&test, &["rollback", "--overwrite", "base", "--cascade"])
            .env("CUTOVER_TEST_FAILPOINT", point)
            .run();
        assert_eq!(
            killed.code, -1,
            "{point}: the process must die by SIGKILL, got {}",
            killed.code
        );
        let status = at(&test, &["status", "--format", "json"]).run();
        status.code(0);
        assert!(
            status.stdout.contains("\"rollback_interrupted\": true"),
            "{point}: status must show the interruption"
        );
        at(&test, &["rollback", "--overwrite", "base", "--cascade"])
            .run()
            .code(0)
            .stdout_has("completed the interrupted rollback of `base`");
        assert_eq!(
            (modes(&test), tree(test.path())),
            expected,
            "{point}: final state differs"
        );
        at(&test, &["rollback", "--resume"])
            .run()
            .code(0)
            .stdout_has("no interrupted rollback");
    }
}

#[test]
fn a_failing_dagger_side_in_canary_is_rolled_back_by_its_trigger() {
    let spec = SPEC.replace("dagger: { run: 'echo ok' }\n    preserve", "dagger: { run: 'echo broken; exit 3' }\n    preserve").replace(
        "rollback:\n",
        "rollback:\n  triggers:\n    - when: dagger.error_rate > legacy.error_rate + 0.10\n      action: rollback\n      min_runs: 4\n",
    );
    let test = Test::new().spec(&spec);
    at(&test, &["advance", "base"]).run().code(0);
    at(
        &test,
        &[
            "advance",
            "base",
            "--to",
            "canary",
            "--percent",
            "100",
            "--force",
            "--reason",
            "try",
        ],
    )
    .run()
    .code(0);
    let mut fired_after = None;
    for run in 1..=6 {
        let outcome = at(&test, &["run", "base"]).run();
        let mode = modes(&test)["base"].clone();
        if fired_after.is_none() {
            // Dagger is authoritative at 100%: CI sees its exit code.
            outcome.code(3).stdout_has("broken");
            if mode == "shadow/0" {
                outcome.stderr_has(
                    "trigger `dagger.error_rate > legacy.error_rate + 0.10` fired for `base`",
                );
                fired_after = Some(run);
            }
        } else {
            // Back in shadow: legacy is authoritative again.
            outcome.code(0).stdout_has("ok");
        }
    }
    assert_eq!(
        fired_after,
        Some(4),
        "the trigger fires once min_runs runs are in"
    );
    let log = at(&test, &["log", "--format", "json"]).run();
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("json");
    let fired = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "trigger_fired")
        .cloned()
        .expect("fired");
    assert_eq!(fired["detail"]["metrics"]["dagger.error_rate"], 1.0);
}

#[test]
fn triggers_watch_only_their_modes_by_default_not_shadow() {
    let trigger = "rollback:\n  triggers:\n    - when: dagger.error_rate > legacy.error_rate + 0.10\n      action: rollback\n      min_runs: 2\n";
    let broken = SPEC.replace(
        "dagger: { run: 'echo ok' }\n    preserve",
        "dagger: { run: 'echo broken; exit 3' }\n    preserve",
    );
    // Default scope (canary, dagger): a failing shadow rolls nothing back.
    let test = Test::new().spec(&broken.replace("rollback:\n", trigger));
    at(&test, &["advance", "base"]).run().code(0);
    for _ in 0..3 {
        at(&test, &["run", "base"]).run().code(0);
    }
    assert_eq!(modes(&test)["base"], "shadow/0");
    // Listed explicitly, shadow is watched.
    let scoped = trigger.to_owned() + "      modes: [shadow]\n";
    let test = Test::new().spec(&broken.replace("rollback:\n", &scoped));
    at(&test, &["advance", "base"]).run().code(0);
    for _ in 0..2 {
        at(&test, &["run", "base"]).run().code(0);
    }
    assert_eq!(modes(&test)["base"], "legacy/0");
    // Only modes where Dagger runs can be named.
    let wrong = trigger.to_owned() + "      modes: [legacy]\n";
    at(&Test::new().spec(&SPEC.replace("rollback:\n", &wrong)), &[])
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("legacy");
}

#[test]
fn an_escalation_holds_the_component_until_someone_decides() {
    let spec = SPEC.replace(
        "rollback:\n",
        "rollback:\n  triggers:\n    - when: dagger.runs >= 2\n      action: escalate\n      modes: [shadow]\n",
    );
    let test = Test::new().spec(&spec);
    at(&test, &["advance", "base"]).run().code(0);
    at(&test, &["run", "base"]).run().code(0);
    at(&test, &["run", "base"])
        .run()
        .code(0)
        .stderr_has("decision point opened");
    let status = at(&test, &["status"]).run();
    status.code(0).stdout_has("parity (all time)");
    assert_eq!(cell(&status.stdout, "base", "decision"), "pending");
    assert_eq!(cell(&status.stdout, "base", "drift"), "-");
    at(&test, &["advance", "base", "--force", "--reason", "x"])
        .run()
        .code(2)
        .stderr_has("`base` is held by a decision point");
    at(
        &test,
        &[
            "decide",
            "base",
            "continue",
            "--reason",
            "expected load test",
        ],
    )
    .run()
    .code(0)
    .stdout_has("no longer held");
    at(&test, &["advance", "base", "--force", "--reason", "x"])
        .run()
        .code(0);
    at(&test, &["decide", "base", "rollback", "--reason", "x"])
        .run()
        .code(2)
        .stderr_has("no open decision point");
}

#[test]
fn a_drill_leaves_live_state_untouched_and_counts_for_gates() {
    let spec = SPEC.replace(
        "components:\n  - id: base",
        "defaults:\n  gate: [drills_passed >= 1]\ncomponents:\n  - id: base",
    );
    let test = Test::new().spec(&spec);
    write(&test, "config/orchestrator.yaml", "v0\n");
    at(&test, &["advance", "base"]).run().code(0);
    write(&test, "config/orchestrator.yaml", "v1\n");
    let before = (modes(&test), tree(test.path()));
    at(&test, &["gate", "base"]).run().code(1);
    let drill = at(&test, &["rollback", "base", "--drill"]).run();
    drill
        .code(0)
        .stdout_has("drill of `base`: passed")
        .stdout_has("rolled back base: shadow -> legacy")
        .stdout_has("legacy acceptance test base › legacy config present: pass");
    assert_eq!(
        (modes(&test), tree(test.path())),
        before,
        "live state and files untouched"
    );
    at(&test, &["gate", "base"]).run().code(0);
    let log = at(&test, &["log"]).run();
    log.code(0).stdout_has("drill");
    at(&test, &["docs", "--out", "docs"]).run().code(0);
    let procedures =
        std::fs::read_to_string(test.path().join("docs/rollback-procedures.md")).expect("doc");
    assert!(
        procedures.contains("| `base` | platform | `config/base.yaml` | passed ("),
        "{procedures}"
    );
}

#[test]
fn a_drill_with_nothing_to_roll_back_is_nothing_to_drill_and_not_recorded() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/orchestrator.yaml", "v0\n");
    let drill = at(&test, &["rollback", "base", "--drill"]).run();
    drill
        .code(0)
        .stdout_has("drill of `base`: nothing to drill")
        .stdout_has("`base` is in legacy mode");
    assert!(!drill.stdout.contains("FAILED"), "{}", drill.stdout);
    at(&test, &["docs", "--out", "docs"]).run().code(0);
    let procedures =
        std::fs::read_to_string(test.path().join("docs/rollback-procedures.md")).expect("doc");
    assert!(!procedures.contains("FAILED"), "{procedures}");
    assert!(
        procedures.contains("| `base` | platform | `config/base.yaml` | none yet"),
        "{procedures}"
    );
    // A passed drill stays the latest after a drill with nothing to do.
    at(&test, &["advance", "base"]).run().code(0);
    at(&test, &["rollback", "base", "--drill"]).run().code(0);
    at(&test, &["rollback", "base"]).run().code(0);
    at(&test, &["rollback", "1", "--drill"])
        .run()
        .code(0)
        .stdout_has("nothing to drill");
    at(&test, &["docs", "--out", "docs"]).run().code(0);
    let procedures =
        std::fs::read_to_string(test.path().join("docs/rollback-procedures.md")).expect("doc");
    assert!(
        procedures.contains("| `base` | platform | `config/base.yaml` | passed ("),
        "{procedures}"
    );
}

#[test]
fn retired_components_cannot_roll_back() {
    let test = Test::new().spec(SPEC);
    at(
        &test,
        &[
            "advance",
            "base",
            "--to",
            "retired",
            "--force",
            "--confirm-retire",
            "--reason",
            "done",
        ],
    )
    .run()
    .code(0);
    at(&test, &["rollback", "base"])
        .run()
        .code(2)
        .stderr_has("`base` is retired")
        .stderr_has("hint:");
}

#[test]
fn a_phase_rolls_back_only_what_moved() {
    let test = Test::new().spec(SPEC);
    at(&test, &["advance", "base"]).run().code(0);
    // Phase 1 holds `base` only; phase 2 holds `app`, still in legacy.
    at(&test, &["rollback", "2"])
        .run()
        .code(2)
        .stderr_has("every component of phase 2 is in legacy mode");
    at(&test, &["advance", "app"]).run().code(0);
    at(&test, &["rollback", "1", "--cascade"])
        .run()
        .code(0)
        .stdout_has("`app`: shadow -> legacy")
        .stdout_has("`base`: shadow -> legacy");
}

#[test]
fn a_crashed_advance_leaves_no_restore_point_behind() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/orchestrator.yaml", "v0\n");
    at(&test, &["advance", "base"]).run().code(0);
    at(&test, &["advance", "base", "--force", "--reason", "t"])
        .run()
        .code(0);
    write(&test, "config/orchestrator.yaml", "v1\n");
    let killed = at(&test, &["advance", "base", "--force", "--reason", "t"])
        .env("CUTOVER_TEST_FAILPOINT", "advance-before-commit")
        .run();
    assert_eq!(killed.code, -1, "killed by SIGKILL");
    assert_eq!(
        modes(&test)["base"],
        "canary/10",
        "the advance did not happen"
    );
    // Without the restore point of the crashed advance, rollback returns to shadow.
    at(&test, &["rollback", "--overwrite", "base"])
        .run()
        .code(0)
        .stdout_has("`base`: canary 10% -> shadow");
    assert_eq!(
        read(&test, "config/orchestrator.yaml").as_deref(),
        Some(&b"v0\n"[..])
    );
}

/// Three independent components: phase 1 holds them all.
const PHASE_SPEC: &str = "version: 1
migration: { name: phase, start: 2027-01-04 }
components:
  - { id: a, kind: infra, owner: p, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'true' }, preserve: [config/a] }
  - { id: b, kind: infra, owner: p, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'true' }, preserve: [config/b] }
  - { id: c, kind: infra, owner: p, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'true' } }
";

#[test]
fn a_phase_advance_killed_between_components_changes_nothing_and_can_be_retried() {
    let test = Test::new().spec(PHASE_SPEC);
    write(&test, "config/a", "a0\n");
    write(&test, "config/b", "b0\n");
    let before = modes(&test);
    let killed = at(&test, &["advance", "1", "--to", "shadow"])
        .env("CUTOVER_TEST_FAILPOINT", "advance-between-components")
        .run();
    assert_eq!(killed.code, -1, "killed by SIGKILL");
    assert_eq!(modes(&test), before, "all-or-nothing: nothing changed");
    at(&test, &["advance", "1", "--to", "shadow"])
        .run()
        .code(0)
        .stdout_has("`a`")
        .stdout_has("`c`");
    assert!(modes(&test).values().all(|m| m == "shadow/0"));
    // One restore point per component: a rollback returns each to legacy
    // with its preserved file as it was.
    write(&test, "config/a", "a1\n");
    at(&test, &["rollback", "--overwrite", "1"])
        .run()
        .code(0)
        .stdout_has("`a`: shadow -> legacy")
        .stdout_has("`c`: shadow -> legacy");
    assert_eq!(read(&test, "config/a").as_deref(), Some(&b"a0\n"[..]));
    assert!(modes(&test).values().all(|m| m == "legacy/0"));
}

/// Atomic-write temporaries (`.NAME.cutover-PID….tmp`) under the directory.
fn temporaries(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.to_string_lossy().ends_with(".tmp")
                && path.to_string_lossy().contains(".cutover-")
            {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_resumed_rollback_removes_the_temporaries_of_the_killed_one() {
    for point in [
        // The first atomic write: the safety snapshot's object store.
        "atomic-write-before-rename",
        // The restore of a preserved file in the project.
        "atomic-write-before-rename:orchestrator.yaml",
    ] {
        let test = Test::new().spec(SPEC);
        write(&test, "config/orchestrator.yaml", "before\n");
        at(&test, &["advance", "base"]).run().code(0);
        write(
            &test,
            "config/orchestrator.yaml",
            "after, and much longer\n",
        );
        // A temporary of a live process (this test) is not garbage.
        let live = format!("config/.other.cutover-{}.tmp", std::process::id());
        write(&test, &live, "in progress\n");
        let killed = at(&test, &["rollback", "--overwrite", "base"])
            .env("CUTOVER_TEST_FAILPOINT", point)
            .run();
        assert_eq!(killed.code, -1, "{point}: killed by SIGKILL");
        assert_eq!(
            temporaries(test.path()).len(),
            2,
            "{point}: the killed rollback left its temporary"
        );
        at(&test, &["rollback", "--resume"])
            .run()
            .code(0)
            .stdout_has("completed the interrupted rollback of `base`");
        assert_eq!(
            temporaries(test.path()),
            vec![test.path().join(&live).to_string_lossy().into_owned()],
            "{point}: only the live process's temporary remains"
        );
        assert_eq!(
            read(&test, "config/orchestrator.yaml").as_deref(),
            Some(&b"before\n"[..])
        );
    }
}

#[test]
fn snapshots_lists_restore_points_and_the_safety_copy_a_rollback_took() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/base.yaml", "runner: legacy\n");
    at(&test, &["snapshots"])
        .run()
        .code(0)
        .stdout_has("no snapshots yet");
    at(&test, &["advance", "base", "--to", "shadow"])
        .run()
        .code(0);
    write(&test, "config/base.yaml", "runner: dagger\n");
    at(
        &test,
        &["rollback", "--overwrite", "base", "--reason", "test"],
    )
    .run()
    .code(0)
    .stdout_has("`base`: restored config/base.yaml");
    let listing = at(&test, &["snapshots", "base", "--format", "json"]).run();
    listing.code(0);
    let json: serde_json::Value = serde_json::from_str(&listing.stdout).expect("JSON");
    let kinds: Vec<&str> = json["snapshots"]
        .as_array()
        .expect("snapshots")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["safety", "restore_point"], "{json}");
    let table = at(&test, &["snapshots"]).run();
    table.code(0);
    assert_eq!(
        cell(&table.stdout, "2", "kind"),
        "safety",
        "{}",
        table.stdout
    );
    at(&test, &["snapshots", "nope"]).run().code(2);
}

#[test]
fn rollback_shows_an_edit_since_the_snapshot_and_refuses_unless_overwrite() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/base.yaml", "runner: legacy\n");
    write(&test, "flags/beta", "off\n");
    at(&test, &["advance", "base", "--to", "shadow"])
        .run()
        .code(0);
    write(&test, "config/base.yaml", "runner: legacy\nhotfix: true\n");
    write(&test, "flags/beta", "on\n");
    write(&test, "flags/new", "x\n");
    let refused = at(&test, &["rollback", "base"]).run();
    refused
        .code(2)
        .stderr_has(
            "preserved paths of `base` were changed since snapshot 1 was taken: config/base.yaml, flags/",
        )
        .stderr_has("+++ flags/beta (now)")
        .stderr_has("-off")
        .stderr_has("flags/new: added since snapshot 1")
        .stderr_has("+hotfix: true")
        .stderr_has("--overwrite");
    assert_eq!(modes(&test)["base"], "shadow/0");
    assert_eq!(
        read(&test, "config/base.yaml").as_deref(),
        Some(&b"runner: legacy\nhotfix: true\n"[..])
    );
    at(&test, &["rollback", "base", "--overwrite"])
        .run()
        .code(0);
    assert_eq!(modes(&test)["base"], "legacy/0");
    assert_eq!(
        read(&test, "config/base.yaml").as_deref(),
        Some(&b"runner: legacy\n"[..])
    );
    // The edit went to the safety snapshot (2); restore brings it back,
    // saving what it replaces first (3).
    at(&test, &["restore", "2", "--reason", "keep the hotfix"])
        .run()
        .code(0)
        .stdout_has("`base`: restored config/base.yaml, config/orchestrator.yaml, flags/ from snapshot 2 (what was there is in safety snapshot 3: `cutover restore 3` undoes this)");
    assert_eq!(
        read(&test, "config/base.yaml").as_deref(),
        Some(&b"runner: legacy\nhotfix: true\n"[..])
    );
    at(&test, &["restore", "3"]).run().code(0);
    assert_eq!(
        read(&test, "config/base.yaml").as_deref(),
        Some(&b"runner: legacy\n"[..])
    );
    assert_eq!(modes(&test)["base"], "legacy/0");
    at(&test, &["log"])
        .run()
        .code(0)
        .stdout_has("from snapshot 2 (replaced content in snapshot 3)");
    at(&test, &["restore", "99"])
        .run()
        .code(2)
        .stderr_has("no snapshot 99")
        .stderr_has("cutover snapshots");
}

#[test]
fn an_unedited_rollback_needs_no_overwrite_and_restore_refuses_pruned_contents() {
    let test = Test::new().spec(SPEC);
    write(&test, "config/base.yaml", "runner: legacy\n");
    at(&test, &["advance", "base", "--to", "shadow"])
        .run()
        .code(0);
    at(&test, &["rollback", "base"]).run().code(0);
    std::fs::remove_dir_all(test.path().join(".cutover/snapshots/objects")).expect("prune");
    at(&test, &["restore", "1"])
        .run()
        .code(2)
        .stderr_has("snapshot 1 can no longer be restored");
    assert_eq!(
        read(&test, "config/base.yaml").as_deref(),
        Some(&b"runner: legacy\n"[..])
    );
}
