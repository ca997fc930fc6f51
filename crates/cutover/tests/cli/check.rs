//! `cutover check`: one test per error class, each asserting where the
//! message points (file:line:column) and that nothing was written.

use crate::util::{Test, VALID};

#[track_caller]
fn rejects(spec: &str, location: &str, message: &str) -> String {
    let test = Test::new().spec(spec).args(&["check"]);
    let outcome = test.run();
    outcome
        .code(2)
        .stderr_has(&format!("migration.yaml:{location}: {message}"))
        .stderr_has("nothing was written");
    assert!(outcome.stdout.is_empty(), "stdout must be empty on error");
    assert_eq!(test.files().len(), 1, "check must not write files");
    outcome.stderr.clone()
}

#[test]
fn accepts_a_valid_spec() {
    Test::new()
        .spec(VALID)
        .args(&["check"])
        .run()
        .code(0)
        .stdout_has("is valid: 2 components, 1 dependency");
}

#[test]
fn accepts_the_bundled_example() {
    let spec = crate::util::example_dir().join("migration.yaml");
    Test::new()
        .args(&["check", spec.to_str().expect("utf-8 path")])
        .run()
        .code(0)
        .stdout_has("24 components");
}

#[test]
fn a_pin_that_empties_a_phase_is_pointed_at_with_a_fix() {
    let spec = "version: 1
migration: { name: x, start: 2027-01-04 }
components:
  - id: a
    kind: infra
    owner: p
    effort: 1d
  - id: b
    kind: infra
    owner: p
    effort: 1d
  - id: c
    kind: infra
    owner: p
    effort: 1d
    phase: 3
";
    let stderr = rejects(
        spec,
        "16:12",
        "phase 2 would be empty: `c` is pinned to phase 3, but only 1 phase is planned without pins",
    );
    assert!(
        stderr.contains("help: pin `c` to phase 1 or earlier"),
        "{stderr}"
    );
}

#[test]
fn a_tab_is_reported_on_its_own_line() {
    let spec = VALID.replace("    owner: backend", "\towner: backend");
    let stderr = rejects(&spec, "13:1", "while scanning a plain scalar, found a tab");
    assert!(stderr.contains("replace the tab with spaces"), "{stderr}");
}

#[test]
fn yaml_syntax_error() {
    let spec = VALID.replace("  name: demo", "  name: \"demo");
    rejects(&spec, "3:9", "unclosed quote");
}

#[test]
fn unknown_key_with_suggestion() {
    let spec = VALID.replace(
        "    depends_on: [base-image]",
        "    dependson: [base-image]",
    );
    let stderr = rejects(&spec, "14:5", "unknown key `dependson`");
    assert!(stderr.contains("did you mean `depends_on`?"), "{stderr}");
}

#[test]
fn unknown_top_level_key() {
    let spec = format!("{VALID}rollbak: {{}}\n");
    let stderr = rejects(&spec, "17:1", "unknown key `rollbak`");
    assert!(stderr.contains("did you mean `rollback`?"), "{stderr}");
}

#[test]
fn missing_required_field() {
    let spec = VALID.replace("    owner: backend\n", "");
    rejects(&spec, "11:5", "missing required key `owner`");
    let spec = VALID.replace("    kind: infra\n", "");
    rejects(&spec, "7:5", "missing required key `kind`");
}

#[test]
fn wrong_type() {
    let spec = VALID.replace("  capacity: 2", "  capacity: lots");
    rejects(
        &spec,
        "5:13",
        "invalid value `lots`: expected a whole number",
    );
}

#[test]
fn unknown_enum_value_with_suggestion() {
    let spec = VALID.replace("    risk: high", "    risk: hihg");
    let stderr = rejects(&spec, "16:11", "unknown value `hihg`");
    assert!(stderr.contains("did you mean `high`?"), "{stderr}");
}

#[test]
fn duplicate_ids() {
    let spec = VALID.replace("  - id: build-api", "  - id: base-image");
    let stderr = rejects(&spec, "11:9", "duplicate component id `base-image`");
    assert!(stderr.contains("first defined here"), "{stderr}");
}

#[test]
fn invalid_id() {
    let spec = VALID.replace("  - id: build-api", "  - id: Build API");
    let stderr = rejects(&spec, "11:9", "invalid component id `Build API`");
    assert!(
        stderr.contains("`build-api`"),
        "suggests a valid id: {stderr}"
    );
}

#[test]
fn unknown_dependency_with_suggestion() {
    let spec = VALID.replace("[base-image]", "[base-imag]");
    let stderr = rejects(
        &spec,
        "14:18",
        "unknown dependency `base-imag` of `build-api`",
    );
    assert!(stderr.contains("did you mean `base-image`?"), "{stderr}");
    assert!(
        stderr.contains("components[1].depends_on[0]"),
        "key path: {stderr}"
    );
}

#[test]
fn dependency_cycle_printed_as_a_path() {
    let spec = VALID.replace(
        "    owner: platform\n    effort: 2d",
        "    owner: platform\n    effort: 2d\n    depends_on: [build-api]",
    );
    rejects(
        &spec,
        "11:18",
        "dependency cycle: base-image -> build-api -> base-image",
    );
}

#[test]
fn self_dependency_is_a_cycle() {
    let spec = VALID.replace("[base-image]", "[build-api]");
    rejects(&spec, "14:18", "dependency cycle: build-api -> build-api");
}

#[test]
fn pin_contradicting_dependencies() {
    let spec = VALID
        .replace("    effort: 2d", "    effort: 2d\n    phase: 3")
        .replace("    effort: 3d", "    effort: 3d\n    phase: 2");
    let stderr = rejects(
        &spec,
        "17:12",
        "`build-api` is pinned to phase 2, but it depends on `base-image`, which is pinned to phase 3",
    );
    assert!(stderr.contains("pinned here"), "{stderr}");
}

#[test]
fn bad_duration() {
    let spec = VALID.replace("effort: 3d", "effort: 3 days");
    rejects(&spec, "15:13", "invalid duration `3 days`");
}

#[test]
fn bad_date() {
    let spec = VALID.replace("2027-01-04", "2027-02-30");
    rejects(&spec, "4:10", "invalid date `2027-02-30`");
}

#[test]
fn unknown_day_name() {
    let spec = VALID.replace(
        "  capacity: 2",
        "  capacity: 2\n  calendar:\n    workdays: [mon, tues]",
    );
    let stderr = rejects(&spec, "7:21", "unknown day name `tues`");
    assert!(stderr.contains("did you mean `tue`?"), "{stderr}");
}

#[test]
fn a_stakeholder_without_a_group_is_located() {
    let spec = format!("{VALID}stakeholders:\n  - id: ops\n");
    rejects(&spec, "18:5", "missing required key `group`");
}

#[test]
fn several_problems_reported_at_once() {
    let spec = VALID
        .replace("2027-01-04", "2027-01-99")
        .replace("[base-image]", "[nope]")
        .replace("effort: 2d", "effort: soon");
    let test = Test::new().spec(&spec).args(&["check"]);
    let outcome = test.run();
    outcome
        .code(2)
        .stderr_has("migration.yaml:4:10: invalid date")
        .stderr_has("migration.yaml:10:13: invalid duration `soon`")
        .stderr_has("migration.yaml:14:18: unknown dependency `nope`")
        .stderr_has("has 3 problems");
}

#[test]
fn missing_spec_file() {
    Test::new()
        .args(&["check"])
        .run()
        .code(2)
        .stderr_has("error: failed to read spec `migration.yaml`")
        .stderr_has("Caused by:")
        .stderr_has("hint:");
}

#[test]
fn spec_from_environment_and_flag() {
    let test = Test::new().file("specs/m.yaml", VALID);
    let by_env = test.env("CUTOVER_SPEC", "specs/m.yaml").args(&["check"]);
    by_env.run().code(0);
    Test::new()
        .file("specs/m.yaml", VALID)
        .args(&["--spec", "specs/m.yaml", "check"])
        .run()
        .code(0);
}

#[test]
fn bad_arguments_exit_2_and_help_exits_0() {
    Test::new().args(&["plan", "--format", "pdf"]).run().code(2);
    Test::new().args(&["frobnicate"]).run().code(2);
    Test::new()
        .args(&["--help"])
        .run()
        .code(0)
        .stdout_has("Usage:");
}

#[test]
fn schema_is_json_and_names_the_core_fields() {
    let outcome = Test::new().args(&["schema"]).run();
    outcome.code(0);
    let schema: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("valid JSON");
    let component = &schema["$defs"]["ComponentSpec"]["properties"];
    for field in [
        "id",
        "depends_on",
        "effort",
        "risk",
        "phase",
        "side_effects",
        "outputs",
    ] {
        assert!(component.get(field).is_some(), "schema lacks {field}");
    }
}

#[test]
fn invalid_regular_expressions() {
    let spec = format!(
        "{VALID}    normalize:\n      - {{ pattern: \"built at (\", replace: x }}\n    acceptance:\n      - {{ name: t, run: 'true', stdout: \"[a-\" }}\n"
    );
    let stderr = rejects(
        &spec,
        "18:20",
        "invalid regular expression `built at (`: unclosed group",
    );
    assert!(
        stderr.contains(
            "migration.yaml:20:41: invalid regular expression `[a-`: unclosed character class"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("components[1].normalize[0].pattern")
            && stderr.contains("components[1].acceptance[0].stdout")
    );
}

#[test]
fn output_comparators_are_checked_where_they_are_written() {
    let outputs = "    stdout: ignore
    outputs:
      - dist/plain.txt
      - { path: lib.a, compare: symbols, allow: [\"v_*\"] }
      - { path: r.json, compare: json, ignore: [build/time] }
      - { path: x.tar, compare: archive, members: [{ match: \"*.a\", compare: command }] }
      - { path: y, compare: command }
      - { path: z, compare: junit, allow: [a] }
";
    let spec = format!("{VALID}{outputs}");
    let stderr = rejects(&spec, "21:9", "`build/time` is not a JSON Pointer");
    assert!(
        stderr.contains("JSON Pointers start with `/`: `/build/time`"),
        "{stderr}"
    );
    for (location, message) in [
        (
            "22:9",
            "archive members cannot be compared as `archive` or `command`",
        ),
        ("23:9", "`compare: command` needs `run:`"),
        ("24:9", "`allow` only applies to `compare: symbols`"),
    ] {
        assert!(
            stderr.contains(&format!("migration.yaml:{location}: {message}")),
            "{location} {message}: {stderr}"
        );
    }
    let typo = format!("{VALID}    outputs:\n      - path: lib.a\n        compare: symbol\n");
    let stderr = rejects(&typo, "19:18", "unknown value `symbol`");
    assert!(stderr.contains("did you mean `symbols`?"), "{stderr}");
    let key = format!("{VALID}    outputs:\n      - {{ path: lib.a, compar: symbols }}\n");
    let stderr = rejects(&key, "18:24", "unknown key `compar`");
    assert!(stderr.contains("did you mean `compare`?"), "{stderr}");
    let valid = format!(
        "{VALID}{}",
        &outputs[..outputs.find("      - { path: r.json").unwrap_or(0)]
    );
    Test::new().spec(&valid).args(&["check"]).run().code(0);
}

/// The communication sections as a team writes them, with each kind of
/// channel and every optional key.
const COMMUNICATION: &str = "\
stakeholders:
  - id: backend-devs
    name: Backend developers
    group: developers
    raci: responsible
    cares_about: { owners: [backend], components: [base-image], phases: [1] }
    channels: [mail, chat, inbox]
    email: [backend@example.com]
  - id: security
    group: { custom: security }
    channels: [inbox]
channels:
  - id: mail
    email: { from: Desk <desk@example.com>, host_env: SMTP_HOST, tls: tls, username_env: SMTP_USER, password_env: SMTP_PASSWORD, ca_file_env: SMTP_CA }
  - id: chat
    webhook: { url_env: CHAT_URL, secret_env: CHAT_SECRET, format: mattermost }
  - id: inbox
    file: { dir: comms/inbox }
schedule:
  time_zone: America/New_York
  status_updates:
    - { group: developers, every: two_weeks, on: fri, at: \"16:30\" }
    - { group: { custom: security }, every: day, at: \"08:00\", time_zone: UTC }
escalation:
  levels:
    - { who: [backend-devs], within: 30m }
    - { who: [security], within: 1d }
links: { server_url: \"https://cutover.example.com/\", secret_env: LINK_KEY, valid_for: 12h }
";

#[test]
fn accepts_the_communication_sections() {
    Test::new()
        .spec(&format!("{VALID}{COMMUNICATION}"))
        .args(&["check"])
        .run()
        .code(0)
        .stdout_has(
            "2 stakeholders in 2 groups, 3 channels, 2 status-update cadences, 2 escalation levels",
        );
}

#[test]
fn communication_sections_report_every_problem_at_its_place() {
    let spec = format!(
        "{VALID}{}",
        COMMUNICATION
            .replace("group: developers", "group: developer")
            .replace(
                "channels: [mail, chat, inbox]",
                "channels: [mial, chat, inbox]"
            )
            .replace("[backend@example.com]", "[backend]")
            .replace("owners: [backend]", "owners: [backnd]")
            .replace("host_env: SMTP_HOST", "host_env: \"smtp://u:pw@host\"")
            .replace("format: mattermost", "format: matermost")
            .replace("dir: comms/inbox", "dir: ../inbox")
            .replace("on: fri", "on: fr")
            .replace("\"08:00\"", "\"8am\"")
            .replace("time_zone: UTC", "time_zone: Mars/Olympus")
            .replace("[security], within", "[securty], within")
            .replace("within: 30m", "within: 30 minutes")
            .replace("https://cutover", "cutover")
    );
    let stderr = rejects(&spec, "20:12", "unknown value `developer`");
    for expected in [
        "migration.yaml:20:12: unknown value `developer`",
        "did you mean `developers`?",
        "migration.yaml:22:29: no component is owned by `backnd` (at `stakeholders[0].cares_about.owners[0]`)",
        "migration.yaml:23:16: unknown channel `mial` (at `stakeholders[0].channels[0]`)",
        "did you mean `mail`?",
        "migration.yaml:24:13: `backend` is not a mail address (at `stakeholders[0].email[0]`)",
        "migration.yaml:30:55: not the name of an environment variable (at `channels[0].email.host_env`)",
        "migration.yaml:32:68: unknown value `matermost`",
        "migration.yaml:34:18: path `../inbox` leaves the project",
        "migration.yaml:38:16: unknown value `developer`",
        "migration.yaml:38:49: unknown day name `fr` (at `schedule.status_updates[0].on`)",
        "migration.yaml:39:54: invalid time of day `8am` (at `schedule.status_updates[1].at`)",
        "migration.yaml:39:72: unknown time zone `Mars/Olympus` (at `schedule.status_updates[1].time_zone`)",
        "migration.yaml:42:38: invalid duration `30 minutes`",
        "migration.yaml:43:15: unknown stakeholder `securty` (at `escalation.levels[1].who[0]`)",
        "migration.yaml:44:22: `cutover.example.com/` is not an http(s) URL (at `links.server_url`)",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    // A secret written where its variable's name belongs is never repeated.
    assert!(!stderr.contains("u:pw@host"), "{stderr}");
}

#[test]
fn a_channel_is_exactly_one_kind_and_email_needs_addresses() {
    let spec = format!(
        "{VALID}stakeholders:\n  - {{ id: ops, group: operations, channels: [mail] }}\n\
         channels:\n  - id: mail\n    email: {{ from: a@b.c, host_env: H }}\n    file: {{ dir: inbox }}\n"
    );
    let stderr = rejects(
        &spec,
        "20:9",
        "channel `mail` is more than one kind of channel",
    );
    assert!(
        stderr.contains("unknown channel `mail`"),
        "a broken channel is not defined: {stderr}"
    );
    let spec = format!(
        "{VALID}stakeholders:\n  - {{ id: ops, group: operations, channels: [mail] }}\n\
         channels:\n  - id: mail\n    email: {{ from: a@b.c, host_env: H }}\n"
    );
    rejects(
        &spec,
        "18:11",
        "stakeholder `ops` has an email channel but no address",
    );
}
