//! `cutover comms invite`: training invitations through the outbox — a
//! typed event with its messages, to the stakeholders a team's sessions are
//! for and nobody else, delivered by `comms send` into a real file inbox;
//! once, and again only when the plan moves a session.

use std::path::Path;

use serde_json::Value;

use crate::util::Test;

/// One team (`web`) whose developers are stakeholders, and a manager who
/// must not be invited; every message lands in a file inbox.
const SPEC: &str = "\
version: 1
migration: { name: invitations, start: 2027-01-04 }
components:
  - id: base
    kind: infra
    owner: web
    effort: 2d
    secrets: [TOKEN]
    legacy: { run: make base }
    dagger: { run: dagger call base }
  - id: site
    kind: service
    owner: web
    depends_on: [base]
    effort: 10d
    legacy: { run: make site }
    dagger: { run: dagger call site }
stakeholders:
  - id: web-devs
    name: Web developers
    group: developers
    raci: responsible
    cares_about: { owners: [web] }
    channels: [inbox]
  - id: cto
    name: CTO
    group: management
    raci: accountable
    channels: [inbox]
channels:
  - id: inbox
    file: { dir: comms/inbox }
";

fn inbox(dir: &Path) -> Vec<String> {
    let mut messages: Vec<String> = std::fs::read_dir(dir.join("comms/inbox"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    messages.sort();
    messages
}

fn training_events(dir: &Path) -> Vec<Value> {
    let outcome = Test::at(dir).args(&["log", "--format", "json"]).run();
    outcome.code(0);
    let log: Value = serde_json::from_str(&outcome.stdout).expect("log JSON");
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "training_scheduled")
        .cloned()
        .collect()
}

#[test]
fn invitations_reach_the_invited_once_and_again_when_a_session_moves() {
    let test = Test::new().spec(SPEC);
    let at = |args: &[&str]| Test::at(test.path()).args(args).run();
    let first = at(&["comms", "invite"]);
    first
        .code(0)
        .stdout_has("invited `web` to session 1 (Dagger foundations, by ");
    let events = training_events(test.path());
    assert!(events.len() >= 2, "{events:?}");
    let foundations = &events[0]["detail"];
    assert_eq!(foundations["team"], "web");
    assert_eq!(foundations["invitees"], serde_json::json!(["web-devs"]));
    // `base` enters shadow on 2027-01-06: the foundations are due 5 work
    // days before, in the run-up to the migration.
    assert_eq!(foundations["first_component"], "base");
    assert_eq!(foundations["first_shadow"], "2027-01-06");
    assert_eq!(foundations["by"], "2026-12-30");
    // Secrets (for `base`) and services (for `site`) are taught too.
    let concepts: Vec<String> = events
        .iter()
        .flat_map(|e| {
            e["detail"]["concepts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|c| c.as_str().unwrap_or_default().to_owned())
        .collect();
    for wanted in ["secrets", "services", "functions"] {
        assert!(concepts.contains(&wanted.to_owned()), "{concepts:?}");
    }

    at(&["comms", "send"]).code(0);
    let delivered = inbox(test.path());
    assert_eq!(delivered.len(), events.len(), "one message per session");
    for message in &delivered {
        assert!(message.contains("To: web-devs\n"), "{message}");
        assert!(
            !message.contains("To: cto"),
            "management is not invited: {message}"
        );
        assert!(message.contains("Dagger training for web"), "{message}");
    }
    assert!(
        delivered
            .iter()
            .any(|m| m.contains("**Secrets**: `Secret` arguments")),
        "the invitation says what the session covers"
    );

    // Again: nothing new.
    at(&["comms", "invite"])
        .code(0)
        .stdout_has("already announced as planned");
    assert_eq!(training_events(test.path()).len(), events.len());

    // The plan moves by a week: every session is announced again, with its new date.
    std::fs::write(
        test.path().join("migration.yaml"),
        SPEC.replace("start: 2027-01-04", "start: 2027-01-11"),
    )
    .expect("write spec");
    at(&["comms", "invite"])
        .code(0)
        .stdout_has("invited `web` to session 1 (Dagger foundations, by 2027-01-06;");
    assert_eq!(training_events(test.path()).len(), 2 * events.len());
}

#[test]
fn without_stakeholders_invite_is_refused_and_uncovered_teams_are_named() {
    let bare = Test::new().spec(&SPEC[..SPEC.find("stakeholders:").expect("section")]);
    Test::at(bare.path())
        .args(&["comms", "invite"])
        .run()
        .code(2)
        .stderr_has("no stakeholders");
    // Its developers are filed under operations: nobody who changes definitions covers `web`.
    let other_team = Test::new().spec(&SPEC.replace("group: developers", "group: operations"));
    Test::at(other_team.path())
        .args(&["comms", "invite"])
        .run()
        .code(0)
        .stdout_has("`web`: no stakeholder covers its components");
    assert!(training_events(other_team.path()).is_empty());
}
