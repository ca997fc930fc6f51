//! The signed links of stakeholder messages, end to end: real `cutover`
//! processes record runs through a real `cutover serve`, whose messages
//! carry links signed with the spec's key; the server checks them (a
//! viewer may look, only an operator acts, a changed or expired link does
//! nothing) and headless Chromium opens one as its reader would.

use super::browser::artifacts;
use super::dashboard::{node, post};
use super::serve::{OPERATOR, Server, VIEWER};
use crate::util::{Outcome, Test};

/// Two components whose Dagger side fails: each run escalates a decision.
const LINKED: &str = "version: 1
migration: { name: links-demo, start: 2027-01-04 }
components:
  - { id: api, kind: job, owner: backend, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'exit 1' } }
  - { id: web, kind: job, owner: frontend, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'exit 1' } }
stakeholders:
  - { id: oncall, name: SRE on call, group: operations, raci: responsible, channels: [inbox] }
  - { id: lead, name: Platform lead, group: management, raci: accountable, channels: [inbox] }
channels:
  - { id: inbox, file: { dir: inbox } }
rollback:
  triggers:
    - when: dagger.error_rate > 0.5
      action: escalate
      modes: [shadow]
      decide_within: 2h
";

const LINK_KEY: &str = "link-key-0123456789abcdef";

/// `cutover ARGS` in `dir` through `server` as the operator, signing links.
fn cutover(server: &Server, dir: &std::path::Path, args: &[&str], now: Option<&str>) -> Outcome {
    let mut test = Test::at(dir)
        .args(args)
        .env("CUTOVER_STATE", server.url())
        .env("CUTOVER_TOKEN", OPERATOR)
        .env("CUTOVER_SERVER_URL", "https://cutover.example.com")
        .env("CUTOVER_LINK_SECRET", LINK_KEY);
    if let Some(now) = now {
        test = test.env("CUTOVER_TEST_NOW", now);
    }
    test.run()
}

/// The query of the first link labelled `label` in a message about `component`.
fn link_query(messages: &[serde_json::Value], component: &str, label: &str) -> String {
    messages
        .iter()
        .filter(|m| m["subject"].as_str().is_some_and(|s| s.contains(component)))
        .flat_map(|m| m["actions"].as_array().cloned().unwrap_or_default())
        .find(|a| a["label"] == label)
        .and_then(|a| a["url"].as_str().map(str::to_owned))
        .and_then(|url| url.split_once('?').map(|(_, query)| query.to_owned()))
        .unwrap_or_else(|| panic!("no `{label}` link about {component}: {messages:#?}"))
}

fn body(query: &str, reason: Option<&str>) -> String {
    serde_json::json!({ "link": query, "reason": reason }).to_string()
}

#[test]
fn a_signed_link_acts_only_for_an_operator_only_as_signed_and_only_until_it_expires() {
    let checkout = Test::new().spec(LINKED);
    let dir = checkout.path();
    let server = Server::start_in_with_env(dir, &[("CUTOVER_LINK_SECRET", LINK_KEY)]);
    for component in ["api", "web"] {
        cutover(&server, dir, &["advance", component], None).code(0);
    }
    cutover(&server, dir, &["run", "api"], None).code(0);
    // web's messages are written as if ten days ago: their links expired.
    cutover(&server, dir, &["run", "web"], Some("2020-01-01T00:00:00Z")).code(0);
    let outbox = cutover(
        &server,
        dir,
        &["comms", "outbox", "--limit", "0", "--format", "json"],
        None,
    );
    outbox.code(0);
    let json: serde_json::Value = serde_json::from_str(&outbox.stdout).expect("outbox JSON");
    let messages = json["messages"].as_array().cloned().unwrap_or_default();
    let api_rollback = link_query(&messages, "api", "Decide: roll back");
    let web_rollback = link_query(&messages, "web", "Decide: roll back");

    // A viewer may see what a link grants, not do it.
    let (status, granted) = post(
        &server,
        "/v1/links/check",
        Some(VIEWER),
        &body(&api_rollback, None),
    );
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["action"], "decide");
    assert_eq!(granted["needs_reason"], true);
    assert!(
        granted["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("`api`"),
        "{granted}"
    );
    let (status, _) = post(
        &server,
        "/v1/links/act",
        Some(VIEWER),
        &body(&api_rollback, Some("no")),
    );
    assert_eq!(status, 403);
    let (status, _) = post(
        &server,
        "/v1/links/act",
        None,
        &body(&api_rollback, Some("no")),
    );
    assert_eq!(status, 401);
    // One parameter changed: the signature no longer matches.
    let changed = api_rollback.replace("component=api", "component=web");
    assert_ne!(changed, api_rollback);
    let (status, refused) = post(
        &server,
        "/v1/links/act",
        Some(OPERATOR),
        &body(&changed, Some("x")),
    );
    assert_eq!(status, 403, "{refused}");
    let (status, refused) = post(
        &server,
        "/v1/links/act",
        Some(OPERATOR),
        &body(&web_rollback, Some("x")),
    );
    assert_eq!(status, 410, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{refused}"
    );
    let (status, refused) = post(
        &server,
        "/v1/links/act",
        Some(OPERATOR),
        &body(&api_rollback, None),
    );
    assert_eq!(status, 400, "a decision needs a reason: {refused}");
    let log = cutover(&server, dir, &["log", "--format", "json"], None);
    assert!(
        !log.stdout.contains("decision_made"),
        "nothing was decided yet: {}",
        log.stdout
    );

    // The operator opens the link in a browser and confirms.
    let artifacts = artifacts();
    let seen = node(
        "link.cjs",
        &[
            ("URL", server.url()),
            ("QUERY", &api_rollback),
            ("TOKEN", OPERATOR),
            ("REASON", "the Dagger side fails every run"),
            ("ARTIFACTS", artifacts.to_str().expect("utf-8")),
        ],
    );
    assert!(
        seen["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("decide `api`: roll it back"),
        "{seen}"
    );
    assert_eq!(seen["token_in_url"], false, "{seen}");
    assert_eq!(seen["result_is_error"], false, "{seen}");
    assert!(
        seen["result"]
            .as_str()
            .unwrap_or_default()
            .contains("decision recorded"),
        "{seen}"
    );
    let status = cutover(&server, dir, &["status", "--format", "json"], None);
    status.code(0);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("status JSON");
    let api = status["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "api"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(api["mode"], "legacy", "rolled back by the decision: {api}");
    let log = cutover(&server, dir, &["log", "--format", "json"], None);
    let events: serde_json::Value = serde_json::from_str(&log.stdout).expect("log JSON");
    let decided = events["events"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["kind"] == "decision_made"))
        .cloned()
        .unwrap_or_else(|| panic!("no decision_made event: {events:#}"));
    assert_eq!(
        decided["actor"], "alice",
        "the caller acted, not the link: {decided}"
    );
    // The same link again: nothing is open to decide any more.
    let (status, _) = post(
        &server,
        "/v1/links/act",
        Some(OPERATOR),
        &body(&api_rollback, Some("x")),
    );
    assert_ne!(status, 200);
}

#[test]
fn a_server_without_the_key_says_how_to_check_links() {
    let checkout = Test::new().spec(LINKED);
    let server = Server::start_in(checkout.path());
    let query = "action=rollback&target=api&expires=4102444800&sig=00";
    let (status, refused) = post(&server, "/v1/links/check", Some(VIEWER), &body(query, None));
    assert_eq!(status, 503, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("CUTOVER_LINK_SECRET"),
        "{refused}"
    );
    let page = server
        .agent()
        .get(format!("{}/act?{query}", server.url()))
        .call()
        .expect("GET /act");
    assert_eq!(
        page.status().as_u16(),
        200,
        "the page loads; it acts only when confirmed"
    );
}
