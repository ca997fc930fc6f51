//! `cutover serve` and the `http://` store: a real server process on a
//! free port of 127.0.0.1, real `cutover` processes talking to it, tokens
//! with roles. No mocks: every assertion reads back through the server.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::{Outcome, Test};

pub(super) const OPERATOR: &str = "op-0123456789abcdef";
pub(super) const RUNNER: &str = "ci-0123456789abcdef";
pub(super) const VIEWER: &str = "vw-0123456789abcdef";

pub(super) const TOKENS: &str = "\
# role name token
operator alice op-0123456789abcdef
runner ci-runner ci-0123456789abcdef
viewer board vw-0123456789abcdef
";

/// One component in shadow-able shape; both sides print the same line.
pub(super) const SPEC: &str = "version: 1
migration: { name: served, start: 2027-01-04 }
defaults:
  gate: [parity >= 1.0]
components:
  - id: job
    kind: job
    owner: me
    effort: 1d
    legacy: { run: 'echo same' }
    dagger: { run: 'echo same' }
rollback:
  triggers:
    - when: dagger.runs >= 2
      action: escalate
      modes: [shadow]
";

/// A `cutover serve` process, stopped when dropped.
pub(super) struct Server {
    pub(super) child: Child,
    pub(super) url: String,
    /// The CA that issued an `https://` server's certificate.
    ca: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

/// A throwaway CA and a server certificate it issued for 127.0.0.1 (an IP
/// SAN), made by the `openssl` CLI in `dir`: (`ca.pem`, `server.pem`, `server.key`).
pub(crate) fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let output = Process::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl (scripts/test.sh installs it)");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2";
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("extensions file");
    for command in [
        format!("req -x509 {ec} -subj /CN=cutover-test-ca -keyout ca.key -out ca.pem"),
        format!("req {ec} -subj /CN=127.0.0.1 -keyout server.key -out server.csr"),
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
         -extfile server.ext -out server.pem"
            .to_owned(),
    ] {
        openssl(&command.split_whitespace().collect::<Vec<_>>());
    }
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

impl Server {
    /// Starts a server on a free port with [`TOKENS`] and a fresh SQLite store.
    pub(super) fn start() -> Server {
        let dir = tempfile::tempdir().expect("server dir");
        let mut server = Server::start_in(dir.path());
        server._dir = Some(dir);
        server
    }

    /// Starts an `https://` server on a free port with [`TOKENS`], a fresh
    /// SQLite store, and a certificate from a throwaway CA.
    fn start_tls() -> Server {
        let dir = tempfile::tempdir().expect("server dir");
        let (ca, cert, key) = make_certificates(dir.path());
        let (cert, key) = (cert.to_str().expect("utf-8"), key.to_str().expect("utf-8"));
        let mut server = Server::launch(dir.path(), &["--tls-cert", cert, "--tls-key", key]);
        server.ca = Some(ca);
        server._dir = Some(dir);
        server
    }

    /// Starts a server on a free port with [`TOKENS`] and the store in `dir`.
    pub(super) fn start_in(dir: &Path) -> Server {
        Server::launch(dir, &[])
    }

    /// Starts a server on a free port with [`TOKENS`], the store in `dir`
    /// and `env` added to its environment.
    pub(super) fn start_in_with_env(dir: &Path, env: &[(&str, &str)]) -> Server {
        Server::launch_with(dir, &[], env)
    }

    /// `cutover serve EXTRA` in `dir` with [`TOKENS`]; waits for its URL.
    fn launch(dir: &Path, extra: &[&str]) -> Server {
        Server::launch_with(dir, extra, &[])
    }

    fn launch_with(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        std::fs::write(dir.join("tokens"), TOKENS).expect("tokens file");
        let mut child = Process::new(assert_cmd::cargo::cargo_bin("cutover"))
            .current_dir(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--tokens", "tokens"])
            .args(["--state", "state.db"])
            .args(extra)
            .env_remove("CUTOVER_STATE")
            .env_remove("CUTOVER_SERVE_TOKENS")
            .env_remove("CUTOVER_SERVE_TOKENS_FILE")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cutover serve");
        let stderr = child.stderr.take().expect("stderr");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let first = received
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens");
        let scheme = if extra.is_empty() {
            "http://"
        } else {
            "https://"
        };
        let url = first
            .split_whitespace()
            .find(|word| word.starts_with(scheme))
            .unwrap_or_else(|| panic!("no {scheme} URL in {first:?}"))
            .to_owned();
        assert!(
            !first.contains(OPERATOR) && !first.contains(RUNNER),
            "{first}"
        );
        Server {
            child,
            url,
            ca: None,
            _dir: None,
        }
    }

    /// Its base URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// An HTTP client that trusts this server (its CA, when `https://`).
    pub(super) fn agent(&self) -> ureq::Agent {
        let mut config = ureq::Agent::config_builder().http_status_as_error(false);
        if let Some(ca) = &self.ca {
            let pem = std::fs::read(ca).expect("CA file");
            let roots: Vec<_> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                    _ => None,
                })
                .collect();
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&roots))
                    .build(),
            );
        }
        config.build().into()
    }

    /// `cutover ARGS` in `dir` against this server with `token`.
    pub(super) fn cutover(&self, dir: &Path, token: Option<&str>, args: &[&str]) -> Outcome {
        let mut test = Test::at(dir).args(args).env("CUTOVER_STATE", &self.url);
        if let Some(ca) = &self.ca {
            test = test.env("CUTOVER_CA_FILE", ca.to_str().expect("utf-8"));
        }
        if let Some(token) = token {
            test = test.env("CUTOVER_TOKEN", token);
        }
        test.env("CUTOVER_USER", "mallory").run()
    }

    /// `GET path` with `token`, as JSON.
    pub(super) fn get(&self, path: &str, token: &str) -> serde_json::Value {
        let mut response = self
            .agent()
            .get(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(response.status(), 200, "GET {path}");
        response.body_mut().read_json().expect("JSON answer")
    }

    /// `POST path` with `token` (or none); the status code.
    pub(super) fn post(&self, path: &str, token: Option<&str>, body: &serde_json::Value) -> u16 {
        let mut request = self.agent().post(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request
            .send_json(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
            .status()
            .as_u16()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory holding only the spec: a fresh clone without `.cutover/`.
fn clone_dir() -> Test {
    Test::new().spec(SPEC)
}

fn mode(server: &Server) -> String {
    server.get("/v1/modes/job", VIEWER)["mode"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn event_count(server: &Server) -> usize {
    server
        .get("/v1/events?limit=1000", VIEWER)
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn every_evidence_command_works_through_the_server() {
    every_evidence_command_works_through(&Server::start());
}

#[test]
fn every_evidence_command_works_through_an_https_server() {
    every_evidence_command_works_through(&Server::start_tls());
}

/// `run`, `status`, `runs`, `gate`, `watch`, `decide`, `rollback`, `docs`
/// and `log` against `server`, each checked through it.
fn every_evidence_command_works_through(server: &Server) {
    let clone = clone_dir();
    let dir = clone.path();
    assert_eq!(
        server.get("/v1/health", VIEWER)["status"],
        "ok",
        "health answers"
    );
    server
        .cutover(dir, Some(OPERATOR), &["advance", "job", "--to", "shadow"])
        .code(0);
    assert_eq!(mode(server), "shadow");
    server
        .cutover(dir, Some(RUNNER), &["run", "job"])
        .code(0)
        .stdout_has("same");
    server.cutover(dir, Some(RUNNER), &["run", "job"]).code(0);
    let status = server.cutover(dir, Some(VIEWER), &["status", "--format", "json"]);
    status.code(0);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).expect("status JSON");
    assert_eq!(status["components"][0]["runs"]["total"], 2);
    assert_eq!(status["components"][0]["runs"]["dagger"], 2);
    server
        .cutover(dir, Some(VIEWER), &["runs", "job"])
        .code(0)
        .stdout_has("match");
    // A runner may gate (its result is an event) but not open the decision
    // its trigger asks for; an operator's `watch` does.
    let gate = server.cutover(dir, Some(RUNNER), &["gate", "job", "--format", "json"]);
    assert!(gate.code == 0 || gate.code == 1, "{}", gate.stderr);
    server
        .cutover(dir, Some(OPERATOR), &["watch", "--once"])
        .code(0);
    assert!(server.get("/v1/decisions/open?component=job", VIEWER)["id"].is_i64());
    server
        .cutover(
            dir,
            Some(OPERATOR),
            &["decide", "job", "continue", "--reason", "load test"],
        )
        .code(0);
    server
        .cutover(
            dir,
            Some(OPERATOR),
            &["rollback", "job", "--reason", "done"],
        )
        .code(0);
    assert_eq!(mode(server), "legacy");
    // A runner's benchmark is kept by the server; the documents show it.
    server
        .cutover(dir, Some(RUNNER), &["bench", "job", "--runs", "5"])
        .code(0);
    let latest = server.get("/v1/benchmarks?component=job", VIEWER);
    assert_eq!(latest["legacy_runs"], 5, "{latest}");
    assert!(latest["ratio"].is_f64(), "{latest}");
    let out = clone.path().join("docs-out");
    server
        .cutover(
            dir,
            Some(VIEWER),
            &["docs", "--out", out.to_str().expect("utf-8")],
        )
        .code(0);
    assert!(std::fs::read_dir(&out).expect("docs written").count() > 0);
    let criteria = std::fs::read_to_string(out.join("success-criteria.md")).expect("criteria");
    assert!(
        criteria.contains("| `job` |") && criteria.contains("| 5 / 5 |"),
        "{criteria}"
    );
    // The actor of every event is the token's name, never what the client claims.
    let log = server.cutover(dir, Some(VIEWER), &["log", "--format", "json"]);
    log.code(0);
    let log: serde_json::Value = serde_json::from_str(&log.stdout).expect("log JSON");
    let events = log["events"].as_array().expect("events");
    let actors: Vec<&str> = events.iter().filter_map(|e| e["actor"].as_str()).collect();
    assert!(
        actors.contains(&"alice") && actors.contains(&"ci-runner"),
        "{actors:?}"
    );
    assert!(!actors.contains(&"mallory"), "{actors:?}");
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    for kind in [
        "mode_advanced",
        "gate_evaluated",
        "decision_made",
        "rolled_back",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

/// Valid bodies for every operator-only endpoint, as the client sends them.
pub(super) fn operator_only_calls() -> Vec<(&'static str, serde_json::Value)> {
    let shadow = serde_json::json!({"mode": "shadow", "canary_percent": 0});
    let legacy = serde_json::json!({"mode": "legacy", "canary_percent": 0});
    let event = serde_json::json!({
        "component": "job", "actor": "ci-runner", "reason": "runner says so",
        "event": {"kind": "rolled_back", "detail": {"from": shadow, "to": legacy, "journal": 1}}
    });
    vec![
        (
            "/v1/modes",
            serde_json::json!({"changes": [{
            "component": "job", "expected": shadow, "new": legacy,
            "sources_digest": null, "restore_point": [], "event": event}]}),
        ),
        (
            "/v1/drift/job/ack",
            serde_json::json!({"digest": "sha256:x", "event": event}),
        ),
        (
            "/v1/events",
            serde_json::json!({"event": event, "durability": "synced"}),
        ),
        (
            "/v1/snapshots",
            serde_json::json!({
            "component": "job", "kind": "safety", "state": legacy, "files": []}),
        ),
        (
            "/v1/rollbacks",
            serde_json::json!({"target": "job", "reason": null, "steps": [{
            "component": "job", "snapshot": null, "from": shadow, "to": legacy,
            "consumes": [], "done": false}]}),
        ),
        (
            "/v1/rollbacks/1/steps/0",
            serde_json::json!({"event": event}),
        ),
        (
            "/v1/decisions",
            serde_json::json!({
            "component": "job", "trigger": "dagger.runs >= 2", "evidence": "2 runs"}),
        ),
        (
            "/v1/decisions/1/decide",
            serde_json::json!({
            "decision": {"id": 1, "component": "job", "trigger": "t",
                         "opened_at": "2027-01-04T00:00:00Z", "evidence": "e", "decision": null},
            "outcome": "rollback", "reason": "runner says so"}),
        ),
        (
            "/v1/drills",
            serde_json::json!({
            "drill": {"component": "job", "at": "2027-01-04T00:00:00Z", "passed": true,
                      "duration_ms": 1.0, "detail": {}},
            "event": event}),
        ),
        (
            "/v1/outbox/1/claim",
            serde_json::json!({"seen": "2027-01-04T00:00:00Z", "until": "2027-01-04T00:10:00Z"}),
        ),
        (
            "/v1/outbox/1/delivery",
            serde_json::json!({"outcome": "delivered"}),
        ),
        ("/v1/outbox/1/ack", serde_json::json!({})),
        (
            "/v1/outbox/1/escalate",
            serde_json::json!({"from_level": 1, "event": event}),
        ),
    ]
}

/// Everything an operator-only call could have changed, read back.
pub(super) fn state_fingerprint(server: &Server) -> serde_json::Value {
    serde_json::json!({
        "mode": server.get("/v1/modes/job", VIEWER),
        "events": server.get("/v1/events?limit=1000", VIEWER),
        "snapshots": server.get("/v1/snapshots?component=job", VIEWER),
        "rollbacks": server.get("/v1/rollbacks/unfinished", VIEWER),
        "decision": server.get("/v1/decisions/open?component=job", VIEWER),
        "drills": server.get("/v1/drills?component=job", VIEWER),
        "outbox": server.get("/v1/outbox?limit=1000", VIEWER),
    })
}

#[test]
fn a_runner_or_viewer_token_changes_no_state_on_any_operator_endpoint() {
    let server = Server::start();
    let clone = clone_dir();
    server
        .cutover(
            clone.path(),
            Some(OPERATOR),
            &["advance", "job", "--to", "shadow"],
        )
        .code(0);
    let before = state_fingerprint(&server);
    for (path, body) in operator_only_calls() {
        for token in [RUNNER, VIEWER] {
            assert_eq!(
                server.post(path, Some(token), &body),
                403,
                "{path} with {token}"
            );
        }
        assert_eq!(state_fingerprint(&server), before, "{path} changed state");
    }
    // The same bodies are valid: an operator's first call is accepted.
    let (path, body) = &operator_only_calls()[3];
    assert_eq!(server.post(path, Some(OPERATOR), body), 200, "{path}");
}

#[test]
fn a_runner_cannot_advance_roll_back_or_decide_from_the_command_line() {
    let server = Server::start();
    let clone = clone_dir();
    let dir = clone.path();
    server
        .cutover(dir, Some(RUNNER), &["advance", "job", "--to", "shadow"])
        .code(3)
        .stderr_has("(403)")
        .stderr_has("operator");
    assert_eq!(mode(&server), "legacy");
    assert_eq!(event_count(&server), 0);
    server
        .cutover(dir, Some(OPERATOR), &["advance", "job", "--to", "shadow"])
        .code(0);
    server.cutover(dir, Some(RUNNER), &["run", "job"]).code(0);
    server.cutover(dir, Some(RUNNER), &["run", "job"]).code(0);
    server
        .cutover(dir, Some(OPERATOR), &["watch", "--once"])
        .code(0);
    let events = event_count(&server);
    let refused = server.cutover(dir, Some(RUNNER), &["rollback", "job"]);
    assert_ne!(refused.code, 0, "{}", refused.stderr);
    refused.stderr_has("(403)");
    assert_eq!(mode(&server), "shadow");
    server
        .cutover(
            dir,
            Some(RUNNER),
            &["decide", "job", "rollback", "--reason", "x"],
        )
        .stderr_has("(403)");
    assert!(server.get("/v1/decisions/open?component=job", VIEWER)["id"].is_i64());
    assert_eq!(mode(&server), "shadow");
    assert_eq!(event_count(&server), events);
}

#[test]
fn no_token_or_a_wrong_one_is_refused_and_changes_nothing() {
    let server = Server::start();
    let clone = clone_dir();
    let run = serde_json::json!({
        "id": "20270104T000000000-deadbeef", "component": "job",
        "mode": {"mode": "legacy", "canary_percent": 0}, "authoritative": "legacy",
        "pid": 0, "run_key": null, "trace_id": "t", "source": "run", "implementation": null
    });
    assert_eq!(server.post("/v1/runs", None, &run), 401);
    assert_eq!(
        server.post("/v1/runs", Some("not-a-known-token-at-all"), &run),
        401
    );
    let outcome = server.cutover(clone.path(), None, &["run", "job"]);
    outcome
        .code(3)
        .stderr_has("(401)")
        .stderr_has("CUTOVER_TOKEN");
    assert!(
        !outcome.stdout.contains("same"),
        "nothing ran without a token"
    );
    server
        .cutover(
            clone.path(),
            Some("not-a-known-token-at-all"),
            &["advance", "job"],
        )
        .code(3)
        .stderr_has("(401)");
    assert_eq!(server.get("/v1/runs/counts", VIEWER), serde_json::json!({}));
    assert_eq!(event_count(&server), 0);
    // A runner's record is accepted: the same body was valid all along.
    assert_eq!(server.post("/v1/runs", Some(RUNNER), &run), 200);
}

#[test]
fn eight_clones_record_400_runs_through_one_server() {
    eight_clones_record_400_runs_through(&Server::start());
}

#[test]
fn eight_clones_record_400_runs_through_one_https_server() {
    eight_clones_record_400_runs_through(&Server::start_tls());
}

/// Eight fresh clones with the committed mode file run `job` 50 times
/// each, concurrently, against `server`: 400 runs, none lost or doubled.
fn eight_clones_record_400_runs_through(server: &Server) {
    let setup = clone_dir();
    server
        .cutover(
            setup.path(),
            Some(OPERATOR),
            &["advance", "job", "--to", "shadow"],
        )
        .code(0);
    let binary = assert_cmd::cargo::cargo_bin("cutover");
    let clones: Vec<Test> = (0..8).map(|_| Test::new().spec(SPEC)).collect();
    // The mode file advance wrote is committed: every clone checks it out.
    let committed = std::fs::read_to_string(setup.path().join("migration.modes"))
        .expect("advance writes the mode file");
    for clone in &clones {
        std::fs::write(clone.path().join("migration.modes"), &committed).expect("checkout");
    }
    let workers: Vec<_> = clones
        .iter()
        .map(|clone| {
            let (binary, dir) = (binary.clone(), clone.path().to_owned());
            let (url, ca) = (server.url.clone(), server.ca.clone());
            std::thread::spawn(move || runs_in(&binary, &dir, &url, ca.as_deref(), 50))
        })
        .collect();
    let wrong: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} failed runs, e.g. {:?}",
        wrong.len(),
        wrong.first()
    );
    let ninth = clone_dir();
    let gate = server.cutover(
        ninth.path(),
        Some(RUNNER),
        &["gate", "job", "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_str(&gate.stdout).expect("gate JSON");
    assert_eq!(report["criteria"][0]["runs"], 400, "{}", gate.stdout);
    let runs = server.get("/v1/runs?component=job&limit=1000", VIEWER);
    let runs = runs.as_array().expect("runs");
    let ids: std::collections::BTreeSet<&str> =
        runs.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!((runs.len(), ids.len()), (400, 400), "none lost or doubled");
    assert!(
        runs.iter()
            .all(|r| r["status"] == "complete" && r["parity"] == "match")
    );
    let counts = &server.get("/v1/runs/counts", VIEWER)["job"];
    assert_eq!(
        (&counts["legacy"], &counts["dagger"]),
        (&400.into(), &400.into())
    );
}

/// `count` runs of `job` in `dir`; a description of each that went wrong.
fn runs_in(
    binary: &PathBuf,
    dir: &Path,
    url: &str,
    ca: Option<&Path>,
    count: usize,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for n in 0..count {
        let mut run = Process::new(binary);
        run.current_dir(dir)
            .args(["run", "job"])
            .env("CUTOVER_STATE", url)
            .env("CUTOVER_TOKEN", RUNNER)
            .env_remove("CUTOVER_SPEC")
            .env_remove("CUTOVER_CA_FILE");
        if let Some(ca) = ca {
            run.env("CUTOVER_CA_FILE", ca);
        }
        let output = run.output().expect("run");
        if output.status.code() != Some(0) {
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            wrong.push(format!("run {n} in {}: {stderr}", dir.display()));
        }
    }
    wrong
}

#[test]
fn an_unreachable_server_fails_fast_naming_the_url_not_the_token() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let clone = clone_dir();
    let started = Instant::now();
    let outcome = Test::at(clone.path())
        .args(&["status"])
        .env("CUTOVER_STATE", &url)
        .env("CUTOVER_TOKEN", OPERATOR)
        .run();
    assert!(started.elapsed() < Duration::from_secs(10));
    outcome.code(3).stderr_has(&url).stderr_has("cutover serve");
    assert!(!outcome.stderr.contains(OPERATOR), "{}", outcome.stderr);
}

#[test]
fn a_client_without_the_ca_is_refused_naming_the_url_and_records_nothing() {
    let server = Server::start_tls();
    let clone = clone_dir();
    let untrusting = |args: &[&str]| {
        Test::at(clone.path())
            .args(args)
            .env("CUTOVER_STATE", &server.url)
            .env("CUTOVER_TOKEN", RUNNER)
            .run()
    };
    let status = untrusting(&["status"]);
    status
        .code(3)
        .stderr_has(&server.url)
        .stderr_has("TLS")
        .stderr_has("CUTOVER_CA_FILE");
    assert!(!status.stderr.contains(RUNNER), "{}", status.stderr);
    // `run` still runs its side (it never fails for its store) but the
    // server records nothing from a client that does not trust it.
    untrusting(&["run", "job"]).code(0).stdout_has("same");
    assert_eq!(server.get("/v1/runs/counts", VIEWER), serde_json::json!({}));
    assert_eq!(event_count(&server), 0);
    // A CA file that is no CA is bad input.
    let bogus = clone.path().join("bogus.pem");
    std::fs::write(&bogus, "not a certificate\n").expect("bogus CA");
    Test::at(clone.path())
        .args(&["status"])
        .env("CUTOVER_STATE", &server.url)
        .env("CUTOVER_CA_FILE", bogus.to_str().expect("utf-8"))
        .run()
        .code(2)
        .stderr_has("CUTOVER_CA_FILE");
}

#[test]
fn a_bad_certificate_or_key_is_bad_input_and_no_token_is_echoed() {
    let dir = tempfile::tempdir().expect("dir");
    let (ca, cert, key) = make_certificates(dir.path());
    let path = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let missing = dir.path().join("missing.pem");
    for (cert, key, says) in [
        (
            path(&missing),
            path(&key),
            "failed to read the TLS certificate",
        ),
        (path(&key), path(&key), "holds no PEM certificate"),
        (
            path(&cert),
            path(&missing),
            "failed to read a PEM private key",
        ),
        (path(&cert), path(&ca), "failed to read a PEM private key"),
        (
            path(&cert),
            path(&dir.path().join("ca.key")),
            "cannot be used together",
        ),
    ] {
        let outcome = Test::new()
            .env("CUTOVER_SERVE_TOKENS", &format!("runner ci {RUNNER}"))
            .args(&[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                &cert,
                "--tls-key",
                &key,
            ])
            .run();
        outcome.code(2).stderr_has(says);
        assert!(!outcome.stderr.contains(RUNNER), "{}", outcome.stderr);
    }
}

#[test]
fn bad_tokens_are_bad_input_and_never_echoed() {
    let test = Test::new()
        .file("tokens", "admin root super-secret-token-value\n")
        .args(&["serve", "--listen", "127.0.0.1:0", "--tokens", "tokens"]);
    let outcome = test.run();
    outcome.code(2).stderr_has("unknown role `admin`");
    assert!(
        !outcome.stderr.contains("super-secret"),
        "{}",
        outcome.stderr
    );
    let short = Test::new()
        .file("tokens", "runner ci short\n")
        .args(&["serve", "--listen", "127.0.0.1:0", "--tokens", "tokens"])
        .run();
    short.code(2).stderr_has("shorter than 16");
    assert!(!short.stderr.contains(" short\n"), "{}", short.stderr);
    Test::new()
        .args(&["serve", "--listen", "127.0.0.1:0"])
        .run()
        .code(2)
        .stderr_has("no tokens");
}

/// The emergency brake through the server: a rollback from one clone makes
/// every other clone's next run take the legacy path without a commit, and
/// `cutover sync` there writes the mode file so the override is cleared.
#[test]
fn a_rollback_from_one_clone_brakes_every_other_until_sync() {
    let server = Server::start();
    let lead = clone_dir();
    server
        .cutover(
            lead.path(),
            Some(OPERATOR),
            &["advance", "job", "--to", "shadow"],
        )
        .code(0);
    let committed = std::fs::read_to_string(lead.path().join("migration.modes")).expect("modes");
    assert!(committed.contains("job: shadow"), "{committed}");
    // Two runners check out the commit holding the mode file.
    let runners: Vec<Test> = (0..2).map(|_| clone_dir()).collect();
    for runner in &runners {
        std::fs::write(runner.path().join("migration.modes"), &committed).expect("checkout");
        server
            .cutover(runner.path(), Some(RUNNER), &["run", "job"])
            .code(0);
    }
    let counts = |server: &Server| {
        let counts = &server.get("/v1/runs/counts", VIEWER)["job"];
        (counts["legacy"].as_u64(), counts["dagger"].as_u64())
    };
    assert_eq!(counts(&server), (Some(2), Some(2)), "both ran in shadow");
    server
        .cutover(
            lead.path(),
            Some(OPERATOR),
            &["rollback", "job", "--reason", "outage"],
        )
        .code(0);
    assert_eq!(
        server.get("/v1/overrides", VIEWER)[0]["actor"],
        "alice",
        "the override is the caller's"
    );
    for runner in &runners {
        server
            .cutover(runner.path(), Some(RUNNER), &["run", "job"])
            .code(0);
        let file = std::fs::read_to_string(runner.path().join("migration.modes")).expect("modes");
        assert_eq!(file, committed, "no commit needed to brake");
    }
    assert_eq!(
        counts(&server),
        (Some(4), Some(2)),
        "legacy only after the brake"
    );
    let runner = runners[0].path();
    let status = server.cutover(runner, Some(VIEWER), &["status", "--format", "json"]);
    assert!(status.stdout.contains("\"override\""), "{}", status.stdout);
    server.cutover(runner, Some(OPERATOR), &["sync"]).code(0);
    let synced = std::fs::read_to_string(runner.join("migration.modes")).expect("modes");
    assert!(synced.contains("job: legacy"), "{synced}");
    assert_eq!(server.get("/v1/overrides", VIEWER), serde_json::json!([]));
}

/// With the server stopped mid-way every run exits exactly as its
/// authoritative side did and keeps its record; after a restart `cutover
/// push` delivers every spooled record exactly once.
#[test]
fn with_the_server_stopped_runs_exit_as_their_side_and_push_delivers_each_once() {
    let store = tempfile::tempdir().expect("store dir");
    let server = Server::start_in(store.path());
    let clone = Test::new().spec(&SPEC.replace("'echo same'", "'echo same; exit 3'"));
    let dir = clone.path();
    server
        .cutover(dir, Some(OPERATOR), &["advance", "job", "--to", "shadow"])
        .code(0);
    for _ in 0..2 {
        let run = server.cutover(dir, Some(RUNNER), &["run", "job"]);
        assert_eq!((run.code, run.stdout.as_str()), (3, "same\n"));
    }
    let url = server.url.clone();
    drop(server);
    for _ in 0..3 {
        let run = Test::at(dir)
            .args(&["run", "job"])
            .env("CUTOVER_STATE", &url)
            .env("CUTOVER_TOKEN", RUNNER)
            .run();
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (3, "same\n"),
            "exits as its side did: {}",
            run.stderr
        );
    }
    let spooled = std::fs::read_dir(dir.join(".cutover/spool"))
        .expect("spool")
        .count();
    assert_eq!(spooled, 3, "every record kept");
    let server = Server::start_in(store.path());
    server.cutover(dir, Some(RUNNER), &["push"]).code(0);
    server.cutover(dir, Some(RUNNER), &["push"]).code(0);
    let runs = server.get("/v1/runs?component=job&limit=100", VIEWER);
    let runs = runs.as_array().expect("runs");
    let ids: std::collections::BTreeSet<&str> =
        runs.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!((runs.len(), ids.len()), (5, 5), "each record exactly once");
    assert!(runs.iter().all(|r| r["status"] == "complete"));
}

/// A viewer (a manager's read-only token) sees a gate's verdict; the
/// result is not written to the audit log, and the command says so.
#[test]
fn a_viewer_sees_a_gate_verdict_without_recording_it() {
    let server = Server::start();
    let clone = clone_dir();
    let dir = clone.path();
    let before = event_count(&server);
    let gate = server.cutover(dir, Some(VIEWER), &["gate", "job", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&gate.stdout).expect("gate JSON");
    assert_eq!(report["criteria"][0]["runs"], 0, "{}", gate.stdout);
    assert!(
        gate.stderr.contains("not in the audit log"),
        "{}",
        gate.stderr
    );
    assert_eq!(event_count(&server), before, "a viewer writes nothing");
}
