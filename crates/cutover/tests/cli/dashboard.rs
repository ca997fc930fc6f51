//! The dashboard and the OFREP flags of `cutover serve`, started in a
//! checkout: a real server process, headless Chromium driven by
//! playwright-core, the OpenFeature SDK's real OFREP provider, and real
//! `cutover run` processes to compare its flags with. The npm packages come
//! from `scripts/test.sh` (`CUTOVER_WEB_NODE_MODULES`); a test without them
//! fails, it never skips.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use super::browser::artifacts;
use super::serve::{
    OPERATOR, RUNNER, SPEC, Server, VIEWER, operator_only_calls, state_fingerprint,
};
use crate::util::Test;

/// A component whose sides print their names, committed in canary 30%.
const CANARY_SPEC: &str = "version: 1
migration: { name: flags, start: 2027-01-04 }
components:
  - id: api
    kind: service
    owner: web
    effort: 1d
    legacy: { run: 'echo legacy' }
    dagger: { run: 'echo dagger' }
";
const CANARY_MODES: &str = "api: canary 30\n";

/// The npm packages `scripts/test.sh` installs outside the repository.
fn web_modules() -> PathBuf {
    let value = std::env::var_os("CUTOVER_WEB_NODE_MODULES").unwrap_or_else(|| {
        panic!("CUTOVER_WEB_NODE_MODULES is not set: run the suite through ./scripts/test.sh, which installs playwright-core and the OpenFeature SDK")
    });
    PathBuf::from(value)
}

/// Runs `tests/cli/data/SCRIPT` with node and `env`; its stdout as JSON.
pub(super) fn node(script: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/data")
        .join(script);
    let output = Process::new("node")
        .arg(&path)
        .env("NODE_PATH", web_modules())
        .envs(env.iter().copied())
        .output()
        .expect("node runs (scripts/test.sh installs it)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{script}: {e}: {stdout}"))
}

/// A checkout with `spec` (and `modes`) and a server started in it.
fn served_checkout(spec: &str, modes: Option<&str>) -> (Test, Server) {
    let mut checkout = Test::new().spec(spec);
    if let Some(modes) = modes {
        checkout = checkout.file("migration.modes", modes);
    }
    let server = Server::start_in(checkout.path());
    (checkout, server)
}

/// A copy of the checkout's spec and mode file: another clone.
fn clone_of(checkout: &Test) -> Test {
    let mut clone = Test::new();
    for name in ["migration.yaml", "migration.modes"] {
        if let Ok(text) = std::fs::read_to_string(checkout.path().join(name)) {
            clone = clone.file(name, &text);
        }
    }
    clone
}

/// `POST path` with `token` (or none): status and JSON body (null when none).
pub(super) fn post(
    server: &Server,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut request = server.agent().post(format!("{}{path}", server.url));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let mut response = request
        .header("content-type", "application/json")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

fn evaluate(server: &Server, key: &str, targeting_key: &str) -> (u16, serde_json::Value) {
    let body = serde_json::json!({"context": {"targetingKey": targeting_key}}).to_string();
    post(
        server,
        &format!("/ofrep/v1/evaluate/flags/{key}"),
        Some(VIEWER),
        &body,
    )
}

#[test]
fn the_page_shows_an_advance_made_through_the_api_within_two_seconds_and_fits_390_px() {
    let (_checkout, server) = served_checkout(SPEC, None);
    let artifacts = artifacts();
    let result = node(
        "dashboard.cjs",
        &[
            ("URL", &server.url),
            ("VIEWER", VIEWER),
            ("OPERATOR", OPERATOR),
            ("COMPONENT", "job"),
            ("TO", "shadow"),
            ("ARTIFACTS", artifacts.to_str().expect("utf-8")),
        ],
    );
    assert_eq!(result["caller"], "board (viewer)", "{result}");
    assert_eq!(result["act_hidden_for_viewer"], true, "{result}");
    assert_eq!(
        result["token_in_url"], false,
        "the token leaves the URL: {result}"
    );
    assert_eq!(result["before"], "legacy", "{result}");
    assert_eq!(result["advance_status"], 200, "{result}");
    assert_eq!(result["after"], "shadow", "{result}");
    assert_eq!(result["not_reloaded"], true, "{result}");
    let shown = result["shown_after_ms"].as_u64();
    assert!(
        shown.is_some_and(|ms| ms <= 2_000),
        "not shown within 2 s: {result}"
    );
    assert_eq!(
        result["narrow_scroll_width"], result["narrow_client_width"],
        "horizontal overflow at 390 px: {result}"
    );
    assert_eq!(result["after_rollback"], "legacy", "{result}");
    assert!(artifacts.join("dashboard.png").is_file());
    assert!(artifacts.join("dashboard-390.png").is_file());
    // Both operations are events with the caller as actor.
    let events = server.get("/v1/events?component=job&limit=100", VIEWER);
    let actors: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["actor"].as_str())
        .collect();
    assert!(actors.iter().all(|a| *a == "alice"), "{actors:?}");
    assert!(actors.len() >= 2, "{actors:?}");
}

#[test]
fn an_openfeature_sdk_agrees_with_cutover_run_for_1000_keys_at_canary_30() {
    let (checkout, server) = served_checkout(CANARY_SPEC, Some(CANARY_MODES));
    let keys: Vec<String> = (0..1_000).map(|i| format!("commit-{i:04}")).collect();
    let keys_file = checkout.path().join("keys.txt");
    std::fs::write(&keys_file, keys.join("\n")).expect("keys file");
    let answers = node(
        "ofrep.cjs",
        &[
            ("URL", &server.url),
            ("TOKEN", VIEWER),
            ("FLAG", "dagger.api"),
            ("KEYS", keys_file.to_str().expect("utf-8")),
        ],
    );
    assert_eq!(
        answers["(unknown flag)"]["error"], "FLAG_NOT_FOUND",
        "{}",
        answers["(unknown flag)"]
    );
    // The real binary's decision for each key: the authoritative side's stdout.
    let clone = clone_of(&checkout);
    let sides = run_keys(clone.path(), &keys);
    let mut dagger = 0;
    for (key, side) in keys.iter().zip(&sides) {
        let answer = &answers[key.as_str()];
        assert_eq!(answer["reason"], "SPLIT", "{key}: {answer}");
        assert_eq!(answer["variant"], side.as_str(), "{key}: {answer}");
        assert_eq!(answer["value"], side == "dagger", "{key}: {answer}");
        dagger += usize::from(side == "dagger");
    }
    assert!(
        (230..=370).contains(&dagger),
        "{dagger} of 1000 keys on Dagger at 30%"
    );
}

/// `cutover run api --key K` for every key (four at a time): the side
/// whose output CI saw, for each.
fn run_keys(dir: &Path, keys: &[String]) -> Vec<String> {
    let chunks: Vec<&[String]> = keys.chunks(keys.len().div_ceil(4)).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|key| {
                            let outcome = Test::at(dir).args(&["run", "api", "--key", key]).run();
                            outcome.code(0);
                            outcome.stdout.trim().to_owned()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("runner thread"))
            .collect()
    })
}

#[test]
fn ofrep_answers_in_the_protocol_shapes_with_etags() {
    let (_checkout, server) = served_checkout(CANARY_SPEC, Some(CANARY_MODES));
    let (status, body) = evaluate(&server, "dagger.api", "commit-1");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["key"], "dagger.api");
    assert!(body["value"].is_boolean(), "{body}");
    assert_eq!(body["reason"], "SPLIT");
    assert_eq!(body["metadata"]["mode"], "canary");
    assert_eq!(body["metadata"]["canaryPercent"], 30);
    let (status, body) = evaluate(&server, "dagger.nope", "k");
    assert_eq!(
        (status, &body["errorCode"]),
        (404, &"FLAG_NOT_FOUND".into()),
        "{body}"
    );
    assert_eq!(body["key"], "dagger.nope");
    let cases = [
        (r#"{"context":{}}"#, 400, "TARGETING_KEY_MISSING"),
        ("not json", 400, "PARSE_ERROR"),
        (r#"{"context":[1]}"#, 400, "INVALID_CONTEXT"),
    ];
    for (request, expected, code) in cases {
        let (status, body) = post(
            &server,
            "/ofrep/v1/evaluate/flags/dagger.api",
            Some(VIEWER),
            request,
        );
        assert_eq!(
            (status, &body["errorCode"]),
            (expected, &code.into()),
            "{request}: {body}"
        );
        assert!(body["errorDetails"].is_string(), "{body}");
    }
    // Without a token: 401; with the token as X-API-Key: evaluated.
    assert_eq!(
        post(&server, "/ofrep/v1/evaluate/flags/dagger.api", None, "{}").0,
        401
    );
    let response = server
        .agent()
        .post(format!("{}/ofrep/v1/evaluate/flags/dagger.api", server.url))
        .header("x-api-key", VIEWER)
        .send(r#"{"context":{"targetingKey":"k"}}"#)
        .expect("POST");
    assert_eq!(response.status(), 200);
    // Bulk: every flag, an ETag, and 304 for a matching If-None-Match.
    let bulk = |etag: Option<&str>| {
        let mut request = server
            .agent()
            .post(format!("{}/ofrep/v1/evaluate/flags", server.url))
            .header("authorization", format!("Bearer {VIEWER}"));
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        let mut response = request
            .send(r#"{"context":{"targetingKey":"k"}}"#)
            .expect("bulk");
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (response.status().as_u16(), etag, text)
    };
    let (status, etag, text) = bulk(None);
    assert_eq!(status, 200);
    let flags: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(flags["flags"][0]["key"], "dagger.api", "{flags}");
    let etag = etag.expect("an ETag");
    let (status, again, text) = bulk(Some(&etag));
    assert_eq!((status, text.as_str()), (304, ""));
    assert_eq!(again.as_deref(), Some(etag.as_str()));
    assert_eq!(bulk(Some("\"stale\"")).0, 200);
}

#[test]
fn an_override_reaches_the_flags_before_the_rollback_returns() {
    let (checkout, server) = served_checkout(CANARY_SPEC, None);
    for (to, percent) in [("shadow", None), ("canary", Some(30))] {
        let body = serde_json::json!({
            "target": "api", "to": to, "percent": percent, "force": true, "reason": "flag test"
        });
        let (status, answer) = post(
            &server,
            "/v1/operations/advance",
            Some(OPERATOR),
            &body.to_string(),
        );
        assert_eq!(status, 200, "{answer}");
    }
    let key = (0..100)
        .map(|i| format!("k{i}"))
        .find(|k| evaluate(&server, "dagger.api", k).1["value"] == true)
        .expect("a key on Dagger at 30%");
    // A rollback from another clone, through the store API only.
    let clone = clone_of(&checkout);
    server
        .cutover(
            clone.path(),
            Some(OPERATOR),
            &["rollback", "api", "--reason", "brake"],
        )
        .code(0);
    let (_, body) = evaluate(&server, "dagger.api", &key);
    assert_eq!(body["value"], false, "{body}");
    assert_eq!(body["reason"], "DISABLED", "{body}");
    assert_eq!(body["metadata"]["heldBack"], true, "{body}");
}

/// Every mutating endpoint with a valid body: the store API's, the
/// dashboard's operations and the signed links'.
fn mutating_calls() -> Vec<(String, serde_json::Value)> {
    let legacy = serde_json::json!({"mode": "legacy", "canary_percent": 0});
    let run = serde_json::json!({
        "id": "20270104T000000000-deadbeef", "component": "job",
        "mode": legacy, "authoritative": "legacy", "pid": 0, "run_key": null,
        "trace_id": "t", "source": "run", "implementation": null
    });
    let mut calls: Vec<(String, serde_json::Value)> = operator_only_calls()
        .into_iter()
        .map(|(path, body)| (path.to_owned(), body))
        .collect();
    calls.extend([
        ("/v1/runs".into(), run),
        ("/v1/runs/20270104T000000000-deadbeef/finish".into(), serde_json::json!({
            "id": "x", "exit_code": 0, "parity": null, "parity_summary": null,
            "trace_url": null, "sides": []})),
        ("/v1/runs/import".into(), serde_json::json!([])),
        ("/v1/tests".into(), serde_json::json!({
            "component": "job", "phase": null, "test": "t", "side": "legacy",
            "passed": true, "duration_ms": 1, "detail": null})),
        ("/v1/overrides".into(), serde_json::json!({"set": {
            "component": "job", "mode": "legacy", "canary_percent": 0,
            "set_at": "2027-01-04T00:00:00Z", "actor": "x", "reason": "brake"}})),
        ("/v1/overrides/job/clear".into(), serde_json::json!({"expected": legacy, "file": legacy})),
        ("/v1/operations/advance".into(), serde_json::json!({"target": "job", "to": "canary", "percent": 10, "force": true, "reason": "x"})),
        ("/v1/operations/rollback".into(), serde_json::json!({"target": "job", "reason": "x"})),
        ("/v1/operations/decide".into(), serde_json::json!({"component": "job", "decision": "rollback", "reason": "x"})),
        ("/v1/links/act".into(), serde_json::json!({"link": "action=rollback&target=job&expires=4102444800&sig=00", "reason": "x"})),
    ]);
    calls
}

/// What any mutating call could change, read back through the server and
/// the checkout.
fn everything(server: &Server, checkout: &Path) -> serde_json::Value {
    serde_json::json!({
        "store": state_fingerprint(server),
        "overrides": server.get("/v1/overrides", VIEWER),
        "runs": server.get("/v1/runs/counts", VIEWER),
        "mode_file": std::fs::read_to_string(checkout.join("migration.modes")).ok(),
        "flags": evaluate(server, "dagger.job", "k").1,
    })
}

#[test]
fn a_viewer_token_or_none_changes_nothing_through_any_mutating_endpoint() {
    let (checkout, server) = served_checkout(SPEC, None);
    let (status, answer) = post(
        &server,
        "/v1/operations/advance",
        Some(OPERATOR),
        r#"{"target":"job","to":"shadow"}"#,
    );
    assert_eq!(status, 200, "{answer}");
    let before = everything(&server, checkout.path());
    for (path, body) in mutating_calls() {
        let body = body.to_string();
        assert_eq!(
            post(&server, &path, Some(VIEWER), &body).0,
            403,
            "{path} as a viewer"
        );
        assert_eq!(
            post(&server, &path, None, &body).0,
            401,
            "{path} without a token"
        );
        assert_eq!(
            everything(&server, checkout.path()),
            before,
            "{path} changed state"
        );
    }
    // Reads need a token too; the page and its assets hold no data.
    for path in ["/v1/dashboard", "/v1/stream", "/v1/whoami"] {
        let status = server
            .agent()
            .get(format!("{}{path}", server.url))
            .call()
            .expect("GET")
            .status();
        assert_eq!(status, 401, "{path}");
    }
    for path in ["/", "/assets/dashboard.js", "/assets/dashboard.css"] {
        let status = server
            .agent()
            .get(format!("{}{path}", server.url))
            .call()
            .expect("GET")
            .status();
        assert_eq!(status, 200, "{path}");
    }
    // The bodies were valid: an operator's advance goes through, as the caller.
    let (status, answer) = post(
        &server,
        "/v1/operations/advance",
        Some(OPERATOR),
        &mutating_calls()
            .into_iter()
            .find(|(path, _)| path == "/v1/operations/advance")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default(),
    );
    assert_eq!(status, 200, "{answer}");
    let (status, _) = post(
        &server,
        "/v1/operations/rollback",
        Some(RUNNER),
        r#"{"target":"job"}"#,
    );
    assert_eq!(status, 403, "a runner cannot roll back from the page");
    let dashboard = server.get("/v1/dashboard?kind=mode_advanced", VIEWER);
    let events = dashboard["events"].as_array().expect("events");
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.iter().all(|e| e["actor"] == "alice"), "{events:?}");
}

#[test]
fn the_page_operations_refuse_for_the_reasons_the_command_line_gives() {
    let (_checkout, server) = served_checkout(SPEC, None);
    let advance = |body: &str| post(&server, "/v1/operations/advance", Some(OPERATOR), body);
    assert_eq!(advance(r#"{"target":"job","to":"shadow"}"#).0, 200);
    // The gate (parity >= 1.0 over no runs) keeps it from going further: exit 1 on the CLI, 409 here.
    let (status, body) = advance(r#"{"target":"job"}"#);
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("gate")),
        "{body}"
    );
    let (status, body) = advance(r#"{"target":"job","force":true}"#);
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("reason")),
        "{body}"
    );
    assert_eq!(advance(r#"{"target":"nope"}"#).0, 404);
    let (status, body) = post(
        &server,
        "/v1/operations/decide",
        Some(OPERATOR),
        r#"{"component":"job","decision":"continue","reason":"x"}"#,
    );
    assert_eq!(status, 400, "nothing to decide: {body}");
}

#[test]
fn a_named_spec_that_cannot_be_read_is_bad_input_for_serve() {
    let dir = Test::new().file("tokens", super::serve::TOKENS);
    Test::at(dir.path())
        .args(&[
            "serve",
            "--tokens",
            "tokens",
            "--listen",
            "127.0.0.1:0",
            "--spec",
            "missing.yaml",
        ])
        .run()
        .code(2)
        .stderr_has("missing.yaml");
}

/// Reads server-sent events from `reader` until one whose data has
/// `needle`; the lines read.
fn read_events_until(reader: &mut impl std::io::BufRead, needle: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        let found = line.starts_with("data:") && line.contains(needle);
        lines.push(std::mem::take(&mut line));
        if found {
            break;
        }
    }
    lines
}

#[test]
fn a_recorded_run_is_an_event_on_the_stream_and_sigterm_ends_it() {
    use std::io::BufRead;
    let (_checkout, server) = served_checkout(SPEC, None);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .into();
    let response = agent
        .get(format!("{}/v1/stream", server.url))
        .header("authorization", format!("Bearer {VIEWER}"))
        .call()
        .expect("stream");
    assert_eq!(response.status(), 200);
    let mut reader = std::io::BufReader::new(response.into_body().into_reader());
    let first = read_events_until(&mut reader, "generation");
    assert!(
        first.iter().any(|l| l.starts_with("event: change")),
        "{first:?}"
    );
    let run = serde_json::json!({
        "id": "20270104T000000000-feedbeef", "component": "job",
        "mode": {"mode": "legacy", "canary_percent": 0}, "authoritative": "legacy",
        "pid": 0, "run_key": null, "trace_id": "t", "source": "run", "implementation": null
    });
    let started = std::time::Instant::now();
    assert_eq!(
        post(&server, "/v1/runs", Some(RUNNER), &run.to_string()).0,
        200
    );
    let lines = read_events_until(&mut reader, "\"run\"");
    assert!(
        lines.iter().any(|l| l.contains("\"kind\":\"run\"")),
        "{lines:?}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // SIGTERM: the server exits and the open stream ends.
    let pid = server.child.id().to_string();
    let stopped = Process::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let mut rest = String::new();
    while reader.read_line(&mut rest).unwrap_or(0) > 0 {}
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut server = server;
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            // 128 + SIGTERM, as every cutover command stopped by it.
            assert_eq!(status.code(), Some(143), "{status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop within 5 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
