//! Hostile and careless specs: deep nesting, absurd numbers, zero limits,
//! duplicate keys, non-UTF-8 bytes. Each is a located error with exit code 2,
//! never a crash and never a library's internal vocabulary; and a property
//! test feeds random specs and criteria through `check`.

use crate::util::{Test, VALID};

#[track_caller]
fn rejected(spec: &str, needle: &str) -> String {
    for command in ["check", "status", "plan"] {
        let test = Test::new().spec(spec).args(&[command]);
        let outcome = test.run();
        outcome.code(2).stderr_has(needle);
        assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
        assert_eq!(test.files().len(), 1, "`{command}` wrote files");
    }
    Test::new().spec(spec).args(&["check"]).run().stderr
}

fn with_gate(criterion: &str) -> String {
    format!("{VALID}    gate:\n      - \"{criterion}\"\n")
}

#[test]
fn deeply_nested_criterion_is_an_error_not_a_crash() {
    let depth = 6_800;
    let spec = with_gate(&format!(
        "{}parity >= 1{}",
        "(".repeat(depth),
        ")".repeat(depth)
    ));
    rejected(
        &spec,
        "migration.yaml:18:74: invalid criterion: criterion nested too deeply",
    );
    let spec = with_gate(&format!("{}parity >= 1", "not ".repeat(depth)));
    rejected(&spec, "migration.yaml:18:");
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_crash() {
    let depth = 100_000;
    let spec = format!(
        "{VALID}    outputs: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let stderr = rejected(&spec, "migration.yaml:17:");
    assert!(!stderr.contains("budget"), "{stderr}");
    // Block nesting under a list of mappings stops at the first nested list.
    let spec = format!("{VALID}stakeholders:\n{}", nested_block(3_000));
    let stderr = rejected(&spec, "migration.yaml:19:5: expected mapping start");
    assert!(!stderr.contains("budget"), "{stderr}");
}

fn nested_block(depth: usize) -> String {
    (0..depth)
        .map(|i| format!("{}- \n", " ".repeat(2 + 2 * i)))
        .collect::<String>()
}

#[test]
fn phase_beyond_any_plan_is_located() {
    let spec = VALID.replace("    effort: 3d", "    effort: 3d\n    phase: 4294967295");
    rejected(
        &spec,
        "migration.yaml:16:12: phase 4294967295 does not exist: 2 components make at most 2 phases",
    );
}

#[test]
fn settings_of_a_phase_beyond_any_plan_are_located() {
    let spec = format!("{VALID}phases:\n  - phase: 4294967295\n    gate: [parity >= 1]\n");
    rejected(
        &spec,
        "migration.yaml:18:12: phase 4294967295 does not exist: 2 components make at most 2 phases",
    );
}

#[test]
fn zero_timeout_and_absurd_recheck_are_refused() {
    let spec = format!("{VALID}    timeout: 0s\n    recheck: 4294967295\n");
    let stderr = rejected(&spec, "migration.yaml:17:14: time limit `0s` is zero");
    assert!(
        stderr.contains("migration.yaml:18:14: recheck 4294967295 is more than 10"),
        "{stderr}"
    );
}

#[test]
fn duplicate_keys_read_in_our_words() {
    let spec = VALID.replace("    effort: 3d", "    effort: 3d\n    owner: again");
    let stderr = rejected(&spec, "duplicate key `owner`");
    assert!(!stderr.contains("DuplicateKeyPolicy"), "{stderr}");
}

#[test]
fn alias_bombs_read_in_our_words() {
    // A billion-node alias bomb, where any value is accepted.
    let mut spec =
        String::from("version: 1\nmigration: { name: a, start: 2027-01-04 }\nstakeholders:\n");
    spec.push_str(&format!("  - &a0 [{}]\n", vec!["1"; 100].join(",")));
    for i in 1..4 {
        let previous = format!("*a{}", i - 1);
        spec.push_str(&format!(
            "  - &a{i} [{}]\n",
            vec![previous.as_str(); 100].join(",")
        ));
    }
    spec.push_str("components: []\n");
    let stderr = rejected(&spec, "error: migration.yaml:");
    assert!(
        !stderr.contains("budget") && !stderr.contains("Nodes"),
        "{stderr}"
    );
}

#[test]
fn non_utf8_spec_points_at_the_byte() {
    let test = Test::new().args(&["check"]);
    let mut bytes = VALID.as_bytes().to_vec();
    let at = VALID.find("owner: backend").expect("owner") + 7;
    bytes[at] = 0xff;
    std::fs::write(test.path().join("migration.yaml"), bytes).expect("write");
    let outcome = test.run();
    outcome
        .code(2)
        .stderr_has("migration.yaml:13:12: the spec is not valid UTF-8 text")
        .stderr_has("save the file as UTF-8");
    assert!(
        !outcome.stderr.contains("--spec PATH"),
        "{}",
        outcome.stderr
    );
}

/// A tiny deterministic generator, seeded so a failure reproduces.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A random criterion: well-formed pieces glued at random, sometimes nested
/// far deeper than any person writes.
fn criterion(random: &mut Random) -> String {
    const PIECES: [&str; 16] = [
        "parity",
        "dagger.runs",
        "legacy.p95_duration",
        ">=",
        "<",
        "==",
        "and",
        "or",
        "not",
        "(",
        ")",
        "0.99",
        "10%",
        "not_slower(10%)",
        "-",
        "*",
    ];
    let mut text: String = (0..1 + random.below(12))
        .map(|_| random.pick(&PIECES))
        .collect::<Vec<_>>()
        .join(" ");
    if random.below(4) == 0 {
        let depth = 1 + random.below(20_000);
        let open = random.pick(&["(", "not ", "-", "!"]);
        text = format!(
            "{}{text}{}",
            open.repeat(depth),
            ")".repeat(random.below(depth + 1))
        );
    }
    text.replace('"', "")
}

/// A random spec: the valid one with random criteria and numbers; one in
/// three draws only from values that should be accepted.
fn spec(random: &mut Random) -> String {
    let valid = random.below(3) == 0;
    let (phase, timeout, recheck) = if valid {
        ("2", "30m", "3")
    } else {
        (
            random.pick(&["1", "2", "0", "3", "4294967295", "-1", "99999999999"]),
            random.pick(&["0s", "1s", "30m", "10", "-5s", "99999999999h"]),
            random.pick(&["0", "3", "10", "11", "4294967295"]),
        )
    };
    let mut text = VALID.replace(
        "    effort: 3d",
        &format!(
            "    effort: 3d\n    phase: {phase}\n    timeout: {timeout}\n    recheck: {recheck}"
        ),
    );
    text.push_str("    gate:\n");
    for _ in 0..1 + random.below(3) {
        let criterion = if valid {
            random
                .pick(&[
                    "parity >= 0.99",
                    "not_slower(10%)",
                    "((dagger.runs >= 20))",
                    "not mismatches > 0",
                ])
                .to_owned()
        } else {
            criterion(random)
        };
        text.push_str(&format!("      - \"{criterion}\"\n"));
    }
    text
}

#[test]
fn random_specs_and_criteria_never_crash_check() {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut rejected) = (0, 0);
    for case in 0..150 {
        let text = spec(&mut random);
        let outcome = Test::new().spec(&text).args(&["check"]).run();
        assert!(
            outcome.code == 0 || outcome.code == 2,
            "case {case} exited {}:\n{}\n--- spec\n{text}",
            outcome.code,
            outcome.stderr
        );
        assert!(
            !outcome.stderr.contains("panicked"),
            "case {case}: {}",
            outcome.stderr
        );
        if outcome.code == 0 {
            accepted += 1;
        } else {
            rejected += 1;
            assert!(
                outcome.stderr.starts_with("error: migration.yaml:"),
                "case {case}: {}",
                outcome.stderr
            );
        }
    }
    assert!(
        accepted > 0 && rejected > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn every_problem_comes_in_one_round() {
    let spec = "\
version: 1
migration:
  name: demo
  start: 2027-01-99
  capacity: lots
components:
  - id: base-image
    effort: 2d
  - id: build-api
    kind: pipelin
    owner: backend
    dependson: [base-image]
    depends_on: [nope]
    effort: 3d
    risk: high
";
    let outcome = Test::new().spec(spec).args(&["check"]).run();
    outcome
        .code(2)
        .stderr_has("migration.yaml:4:10: invalid date `2027-01-99`")
        .stderr_has("migration.yaml:5:13: invalid value `lots`: expected a whole number")
        .stderr_has("migration.yaml:7:5: missing required key `kind`")
        .stderr_has("migration.yaml:7:5: missing required key `owner`")
        .stderr_has("migration.yaml:10:11: unknown value `pipelin`")
        .stderr_has("migration.yaml:12:5: unknown key `dependson`")
        .stderr_has("migration.yaml:13:18: unknown dependency `nope` of `build-api`")
        .stderr_has("has 7 problems");
    assert!(
        !outcome
            .stderr
            .contains("migration.yaml:9:5: missing required key `kind`"),
        "a wrong `kind` is not also reported missing:\n{}",
        outcome.stderr
    );
}
