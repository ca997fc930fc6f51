//! `cutover comms`: the stakeholder outbox delivered through a real SMTP
//! server (aiosmtpd, STARTTLS and AUTH required) and a real HTTP receiver
//! (Python), both on 127.0.0.1 and independent of cutover's code: the
//! receiver checks the HMAC with Python's `hmac`, Slack payloads with the
//! Slack SDK's Block Kit models, and de-duplicates by idempotency key.
//! `scripts/test.sh` installs `aiosmtpd` and `slack_sdk`; without them these
//! tests fail, they never skip.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use crate::util::Test;

/// A helper process (a receiver, an SMTP server), killed when dropped.
struct Helper {
    child: Child,
    port: u16,
}

impl Helper {
    /// Starts `python3 data/SCRIPT ARGS` and reads the port it prints.
    fn start(script: &str, args: &[&str]) -> Helper {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/cli/data")
            .join(script);
        let mut child = Process::new("python3")
            .arg(path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 (scripts/test.sh installs aiosmtpd and slack_sdk)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the helper prints its port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("{script} printed {line:?}: are aiosmtpd and slack_sdk installed?")
        });
        Helper { child, port }
    }

    /// A webhook receiver on `port` (0: any) logging to `log`, with `secret`.
    fn receiver(port: u16, secret: &str, log: &Path, delay: Option<&str>) -> Helper {
        let port = port.to_string();
        let mut args = vec![port.as_str(), secret, log.to_str().expect("utf-8")];
        args.extend(delay);
        Helper::start("webhook_receiver.py", &args)
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The JSON lines a helper logged (none yet: empty).
fn logged(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("log line"))
        .collect()
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `cutover comms outbox --format json`'s messages.
fn outbox(test: &Test) -> Vec<serde_json::Value> {
    let outcome = Test::at(test.path())
        .args(&["comms", "outbox", "--limit", "0", "--format", "json"])
        .run();
    outcome.code(0);
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("outbox JSON");
    json["messages"].as_array().cloned().unwrap_or_default()
}

fn field<'a>(message: &'a serde_json::Value, name: &str) -> &'a str {
    message[name].as_str().unwrap_or_default()
}

/// An RFC 3339 time `offset` from now (the test clock `comms` reasons with).
fn later(offset: Duration) -> String {
    let offset = jiff::SignedDuration::try_from(offset).expect("offset");
    (jiff::Timestamp::now() + offset).to_string()
}

const ONE_COMPONENT: &str = "version: 1
migration: { name: comms-demo, start: 2027-01-04 }
defaults:
  gate: [parity < 0.5]
components:
  - { id: build, name: Build the API, kind: job, owner: backend, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'true' } }
";

const DELIVERY_CHANNELS: &str = "stakeholders:
  - id: ops
    name: Operations on call
    group: operations
    raci: responsible
    channels: [mail, generic, slack, teams, mattermost]
    email: [ops@example.com, oncall@example.com]
  - id: devs
    name: Backend developers
    group: developers
    raci: responsible
    channels: [mail]
    email: [dev@example.com]
channels:
  - id: mail
    email: { from: Migration desk <migration@example.com>, host_env: TEST_SMTP_HOST, username_env: TEST_SMTP_USER, password_env: TEST_SMTP_PASSWORD, ca_file_env: TEST_SMTP_CA }
  - id: generic
    webhook: { url_env: HOOK_GENERIC, secret_env: HOOK_SECRET }
  - id: slack
    webhook: { url_env: HOOK_SLACK, secret_env: HOOK_SECRET, format: slack }
  - id: teams
    webhook: { url_env: HOOK_TEAMS, secret_env: HOOK_SECRET, format: teams }
  - id: mattermost
    webhook: { url_env: HOOK_MATTERMOST, secret_env: HOOK_SECRET, format: mattermost }
";

const HOOK_SECRET: &str = "whsec-0123456789abcdef";
const SMTP_PASSWORD: &str = "smtp-pa55word-xyz";

#[test]
fn messages_arrive_by_smtp_with_starttls_and_by_signed_webhooks_in_every_format() {
    let test = Test::new().spec(&format!("{ONE_COMPONENT}{DELIVERY_CHANNELS}"));
    let certificates = tempfile::tempdir().expect("certificates");
    let (ca, cert, key) = crate::serve::make_certificates(certificates.path());
    let mail_log = test.path().join("mail.jsonl");
    let smtp = Helper::start(
        "smtp_server.py",
        &[
            cert.to_str().expect("utf-8"),
            key.to_str().expect("utf-8"),
            "cutover-test",
            SMTP_PASSWORD,
            mail_log.to_str().expect("utf-8"),
        ],
    );
    let hook_log = test.path().join("hooks.jsonl");
    let receiver = Helper::receiver(0, HOOK_SECRET, &hook_log, None);
    let at = |args: &[&str]| {
        Test::at(test.path())
            .args(args)
            .env("TEST_SMTP_HOST", &format!("127.0.0.1:{}", smtp.port))
            .env("TEST_SMTP_USER", "cutover-test")
            .env("TEST_SMTP_PASSWORD", SMTP_PASSWORD)
            .env("TEST_SMTP_CA", ca.to_str().expect("utf-8"))
            .env("HOOK_SECRET", HOOK_SECRET)
            .env("HOOK_GENERIC", &receiver.url("generic"))
            .env("HOOK_SLACK", &receiver.url("slack"))
            .env("HOOK_TEAMS", &receiver.url("teams"))
            .env("HOOK_MATTERMOST", &receiver.url("mattermost"))
            .env("CUTOVER_SERVER_URL", "https://cutover.example.com")
            .env("CUTOVER_LINK_SECRET", "link-key-0123456789")
    };
    at(&["comms", "announce"])
        .run()
        .code(0)
        .stdout_has("6 messages in the outbox");
    at(&["advance", "build", "--reason", "ported"])
        .run()
        .code(0);
    at(&["run", "build"]).run().code(0);
    // A gate that cannot pass: its failure tells those responsible, with actions.
    at(&["gate", "build"]).run().code(1);
    let messages = outbox(&test);
    assert_eq!(
        messages.len(),
        18,
        "three events, six messages each: {messages:#?}"
    );
    at(&["comms", "send"])
        .run()
        .code(0)
        .stdout_has("18 delivered, 0 to retry, 0 given up");
    let messages = outbox(&test);
    assert!(
        messages.iter().all(|m| field(m, "status") == "sent"),
        "{messages:#?}"
    );

    let mails = logged(&mail_log);
    assert_eq!(mails.len(), 6, "{mails:#?}");
    for mail in &mails {
        assert_eq!(mail["encrypted"], true, "STARTTLS: {mail}");
        assert_eq!(mail["user"], "cutover-test");
        let sent = messages
            .iter()
            .find(|m| mail["message_id"] == format!("<{}@cutover>", field(m, "key")))
            .unwrap_or_else(|| panic!("no outbox message for {}", mail["message_id"]));
        assert_eq!(mail["subject"], sent["subject"]);
        assert_eq!(mail["rcpt_tos"], sent["addresses"]);
        let body = mail["body"].as_str().unwrap_or_default();
        match field(sent, "group") {
            "operations" => {
                assert_eq!(
                    mail["rcpt_tos"],
                    serde_json::json!(["ops@example.com", "oncall@example.com"])
                );
                assert!(
                    body.contains("What to watch") || body.contains("rollback"),
                    "{body}"
                );
            }
            "developers" => {
                assert_eq!(mail["rcpt_tos"], serde_json::json!(["dev@example.com"]));
                assert!(
                    body.contains("What changes") || body.contains("your CI"),
                    "{body}"
                );
            }
            other => panic!("unexpected group {other}"),
        }
        match field(sent, "kind") {
            "phase_starting" => assert!(
                body.contains("Build the API (`build`, owned by backend): legacy → shadow"),
                "{body}"
            ),
            "gate_failed" => {
                assert!(body.contains("parity"), "{body}");
                assert!(body.contains("`cutover gate build`"), "{body}");
                assert!(
                    body.contains(
                        "https://cutover.example.com/act?action=rollback&target=build&expires="
                    ),
                    "{body}"
                );
            }
            _ => assert!(
                body.contains("The plan runs from 2027-01-04 to 2027-01-18"),
                "{body}"
            ),
        }
    }
    assert!(mails.iter().any(|m| {
        m["subject"]
            .as_str()
            .is_some_and(|s| s.contains("The migration plan"))
    }));
    assert!(mails.iter().any(|m| {
        m["subject"]
            .as_str()
            .is_some_and(|s| s.contains("is starting"))
    }));

    let hooks = logged(&hook_log);
    assert_eq!(hooks.len(), 12, "four formats, three events");
    for hook in &hooks {
        assert_eq!(
            hook["signature_valid"], true,
            "HMAC checked by Python's hmac: {hook}"
        );
        assert_eq!(hook["duplicate"], false);
        let sent = messages
            .iter()
            .find(|m| hook["key"] == m["key"])
            .expect("the idempotency key is the outbox key");
        let payload = &hook["payload"];
        match hook["path"].as_str().unwrap_or_default() {
            "/generic" => {
                assert_eq!(payload["subject"], sent["subject"]);
                assert_eq!(payload["recipients"], serde_json::json!(["ops"]));
                assert!(payload["body"].as_str().is_some_and(|b| !b.is_empty()));
            }
            "/slack" => {
                assert_eq!(
                    hook["slack_problem"],
                    serde_json::Value::Null,
                    "slack_sdk: {hook}"
                );
                assert_eq!(payload["blocks"][0]["text"]["text"], sent["subject"]);
                if field(sent, "kind") == "gate_failed" {
                    let buttons = payload["blocks"]
                        .as_array()
                        .and_then(|b| b.iter().find(|b| b["type"] == "actions"))
                        .expect("an actions block with the signed link");
                    let url = buttons["elements"][0]["url"].as_str().unwrap_or_default();
                    let query = url.split_once('?').map_or("", |(_, q)| q);
                    let granted = cutover_core::comms::link::verify(
                        query,
                        b"link-key-0123456789",
                        jiff::Timestamp::now(),
                    );
                    assert!(granted.is_ok(), "{url}: {granted:?}");
                }
            }
            "/teams" => {
                let card = &payload["attachments"][0]["content"];
                assert_eq!(card["type"], "AdaptiveCard");
                assert_eq!(card["body"][0]["text"], sent["subject"]);
            }
            "/mattermost" => {
                let text = payload["text"].as_str().unwrap_or_default();
                assert!(
                    text.starts_with(&format!("#### {}", field(sent, "subject"))),
                    "{text}"
                );
            }
            other => panic!("unexpected path {other}"),
        }
    }
    // The password, the secret and the URLs never reach the store.
    let state = std::fs::read(test.path().join(".cutover/state.db")).expect("state");
    let state = String::from_utf8_lossy(&state);
    for secret in [SMTP_PASSWORD, HOOK_SECRET, &receiver.url("slack")] {
        assert!(!state.contains(secret), "{secret} in the store");
    }
}

const FILE_AND_HOOK: &str = "stakeholders:
  - { id: ops, group: operations, raci: responsible, channels: [inbox, hook] }
  - { id: lead, group: management, raci: accountable, channels: [inbox, hook] }
channels:
  - { id: inbox, file: { dir: comms/inbox } }
  - { id: hook, webhook: { url_env: HOOK_URL, secret_env: HOOK_SECRET } }
";

fn inbox_files(test: &Test) -> usize {
    std::fs::read_dir(test.path().join("comms/inbox")).map_or(0, |d| d.count())
}

#[test]
fn with_the_receiver_down_messages_wait_then_arrive_exactly_once() {
    let test = Test::new().spec(&format!("{ONE_COMPONENT}{FILE_AND_HOOK}"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let at = |args: &[&str]| {
        Test::at(test.path())
            .args(args)
            .env("HOOK_URL", &url)
            .env("HOOK_SECRET", HOOK_SECRET)
    };
    at(&["comms", "announce"]).run().code(0);
    at(&["advance", "build"]).run().code(0);
    let down = at(&["comms", "send"]).run();
    down.code(3)
        .stdout_has("4 delivered, 4 to retry, 0 given up")
        .stderr_has("retried by the next `cutover comms send`");
    assert_eq!(
        inbox_files(&test),
        4,
        "the file channel is not held up by the webhook"
    );
    let pending: Vec<_> = outbox(&test)
        .into_iter()
        .filter(|m| field(m, "channel") == "hook")
        .collect();
    assert_eq!(pending.len(), 4);
    for message in &pending {
        assert_eq!(field(message, "status"), "pending");
        let next: jiff::Timestamp = field(message, "next_attempt_at")
            .parse()
            .expect("next attempt");
        assert!(next > jiff::Timestamp::now(), "{message}");
        let error = field(message, "last_error");
        assert!(
            !error.is_empty() && !error.contains(&url),
            "no URL in {error}"
        );
    }
    // Not due yet: nothing is tried.
    at(&["comms", "send"])
        .run()
        .code(0)
        .stdout_has("0 delivered, 0 to retry, 0 given up; 4 not due yet");
    let log = test.path().join("hooks.jsonl");
    let _receiver = Helper::receiver(port, HOOK_SECRET, &log, None);
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", &later(Duration::from_secs(3600)))
        .run()
        .code(0)
        .stdout_has("4 delivered, 0 to retry");
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", &later(Duration::from_secs(7200)))
        .run()
        .code(0)
        .stdout_has("0 delivered");
    let hooks = logged(&log);
    let mut keys: Vec<String> = hooks.iter().map(|h| field(h, "key").to_owned()).collect();
    keys.sort();
    keys.dedup();
    let mut expected: Vec<String> = pending.iter().map(|m| field(m, "key").to_owned()).collect();
    expected.sort();
    assert_eq!(keys, expected, "every message arrives, each counted once");
    assert_eq!(hooks.len(), 4, "and none twice");
    assert!(hooks.iter().all(|h| h["signature_valid"] == true));
    assert!(outbox(&test).iter().all(|m| field(m, "status") == "sent"));
}

const HOOK_ONLY: &str = "stakeholders:
  - { id: a, group: operations, channels: [hook] }
  - { id: b, group: management, channels: [hook] }
  - { id: c, group: developers, channels: [hook] }
  - { id: d, group: end_users, channels: [hook] }
channels:
  - { id: hook, webhook: { url_env: HOOK_URL, secret_env: HOOK_SECRET } }
";

/// `cutover comms send` in `dir` as a child process (to kill).
fn send_process(dir: &Path, url: &str, failpoint: Option<&str>) -> Child {
    let mut command = Process::new(assert_cmd::cargo::cargo_bin("cutover"));
    command
        .current_dir(dir)
        .args(["comms", "send"])
        .env_remove("CUTOVER_STATE")
        .env_remove("CUTOVER_SPEC")
        .env_remove("CUTOVER_TEST_NOW")
        .env("HOOK_URL", url)
        .env("HOOK_SECRET", HOOK_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = failpoint {
        command.env("CUTOVER_TEST_FAILPOINT", point);
    }
    command.spawn().expect("cutover comms send")
}

/// Three `comms announce`: 12 messages to the hook for [`HOOK_ONLY`].
fn announce_three_times(test: &Test) {
    for _ in 0..3 {
        Test::at(test.path())
            .args(&["comms", "announce"])
            .run()
            .code(0);
    }
}

#[test]
fn a_send_killed_midway_loses_nothing_and_each_message_counts_once() {
    let test = Test::new().spec(&format!("{ONE_COMPONENT}{HOOK_ONLY}"));
    announce_three_times(&test);
    let messages = outbox(&test);
    assert_eq!(messages.len(), 12);
    let log = test.path().join("hooks.jsonl");
    // A slow receiver: each delivery takes 300 ms, so the sender is killed mid-way.
    let receiver = Helper::receiver(0, HOOK_SECRET, &log, Some("0.3"));
    let url = receiver.url("hook");
    let mut sender = send_process(test.path(), &url, None);
    let started = Instant::now();
    while logged(&log).len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no delivery arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    sender.kill().expect("SIGKILL");
    sender.wait().expect("reaped");
    let after_kill = outbox(&test);
    let sent = after_kill
        .iter()
        .filter(|m| field(m, "status") == "sent")
        .count();
    assert!(sent < 12, "killed before the end ({sent} sent)");
    assert!(
        after_kill
            .iter()
            .all(|m| matches!(field(m, "status"), "sent" | "pending"))
    );
    // Deterministically: a crash between delivering and recording.
    let mut crashed = send_process(test.path(), &url, Some("comms-after-delivery"));
    crashed.wait().expect("crashed");
    // The messages the dead senders had claimed wait out the claim's lease
    // (another sender could still be at work); then they go.
    Test::at(test.path())
        .args(&["comms", "send"])
        .env("HOOK_URL", &url)
        .env("HOOK_SECRET", HOOK_SECRET)
        .env("CUTOVER_TEST_NOW", &later(Duration::from_secs(11 * 60)))
        .run()
        .code(0);
    let final_outbox = outbox(&test);
    assert!(
        final_outbox.iter().all(|m| field(m, "status") == "sent"),
        "nothing lost"
    );
    let hooks = logged(&log);
    let unique: std::collections::BTreeSet<String> = hooks
        .iter()
        .filter(|h| h["duplicate"] == false)
        .map(|h| field(h, "key").to_owned())
        .collect();
    let expected: std::collections::BTreeSet<String> = final_outbox
        .iter()
        .map(|m| field(m, "key").to_owned())
        .collect();
    assert_eq!(unique, expected, "the receiver counts each message once");
    assert!(
        hooks.iter().any(|h| h["duplicate"] == true),
        "the crash after delivering made one delivery twice (at least once)"
    );
}

#[test]
fn two_senders_at_once_deliver_each_message_once() {
    let test = Test::new().spec(&format!("{ONE_COMPONENT}{HOOK_ONLY}"));
    announce_three_times(&test);
    let log = test.path().join("hooks.jsonl");
    // A slow receiver, so both senders are at work at the same time.
    let receiver = Helper::receiver(0, HOOK_SECRET, &log, Some("0.1"));
    let url = receiver.url("hook");
    let senders: Vec<Child> = (0..2)
        .map(|_| send_process(test.path(), &url, None))
        .collect();
    for mut sender in senders {
        assert!(sender.wait().expect("sender").success());
    }
    let hooks = logged(&log);
    assert_eq!(
        hooks.len(),
        12,
        "each message is delivered by one sender only: {hooks:#?}"
    );
    assert!(hooks.iter().all(|h| h["duplicate"] == false), "{hooks:#?}");
    assert!(
        outbox(&test).iter().all(|m| field(m, "status") == "sent"),
        "every message sent"
    );
}

const ESCALATION: &str = "version: 1
migration: { name: escalation-demo, start: 2027-01-04 }
components:
  - { id: api, kind: job, owner: backend, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'exit 1' } }
  - { id: web, kind: job, owner: frontend, effort: 1d, legacy: { run: 'true' }, dagger: { run: 'exit 1' } }
stakeholders:
  - { id: oncall, name: SRE on call, group: operations, raci: responsible, channels: [inbox] }
  - { id: lead, name: Platform lead, group: management, raci: accountable, channels: [inbox] }
  - { id: director, name: Engineering director, group: { custom: leadership }, raci: consulted, channels: [inbox] }
channels:
  - { id: inbox, file: { dir: inbox } }
escalation:
  levels:
    - { who: [oncall], within: 30m }
    - { who: [lead], within: 1h }
    - { who: [director], within: 1d }
rollback:
  triggers:
    - when: dagger.error_rate > 0.5
      action: rollback
      modes: [shadow]
";

/// The first messages of threads of `kind`, by component in their subject.
fn thread_of<'a>(messages: &'a [serde_json::Value], component: &str) -> &'a serde_json::Value {
    messages
        .iter()
        .find(|m| {
            field(m, "kind") == "rollback_triggered"
                && m["thread"].is_null()
                && field(m, "subject").contains(component)
        })
        .unwrap_or_else(|| panic!("no rollback_triggered thread for {component}"))
}

#[test]
fn an_unacknowledged_rollback_escalates_a_level_per_window_until_acknowledged() {
    let test = Test::new().spec(ESCALATION);
    let at = |args: &[&str]| Test::at(test.path()).args(args);
    for component in ["api", "web"] {
        at(&["advance", component]).run().code(0);
        // Both sides run; the Dagger side fails: the trigger rolls it back.
        at(&["run", component]).run().code(0);
    }
    let messages = outbox(&test);
    let (api, web) = (thread_of(&messages, "api"), thread_of(&messages, "web"));
    assert_eq!(api["needs_ack"], true);
    assert!(
        field(api, "subject").contains("Rollback triggered"),
        "{api}"
    );
    assert!(
        messages
            .iter()
            .any(|m| field(m, "kind") == "rollback_complete")
    );
    at(&["comms", "escalate"])
        .run()
        .code(0)
        .stdout_has("nothing overdue");
    let after_window = later(Duration::from_secs(31 * 60));
    let escalate = |clock: &str| {
        at(&["comms", "escalate"])
            .env("CUTOVER_TEST_NOW", clock)
            .run()
    };
    escalate(&after_window)
        .code(0)
        .stdout_has(&format!("escalated #{} to level 2", api["id"]))
        .stdout_has(&format!("escalated #{} to level 2", web["id"]));
    // Safe to run again: nothing moves twice.
    escalate(&after_window)
        .code(0)
        .stdout_has("nothing overdue");
    let messages = outbox(&test);
    let escalations: Vec<_> = messages
        .iter()
        .filter(|m| field(m, "kind") == "escalation")
        .collect();
    assert_eq!(
        escalations.len(),
        2,
        "one per thread, to level 2's stakeholders"
    );
    assert!(
        escalations
            .iter()
            .all(|m| m["recipients"] == serde_json::json!(["lead"]) && m["level"] == 2)
    );
    // Acknowledging through the escalation's own key settles the api thread.
    let api_escalation = escalations
        .iter()
        .find(|m| m["thread"] == api["id"])
        .expect("api's escalation");
    at(&["comms", "ack", field(api_escalation, "key")])
        .env("CUTOVER_USER", "lead")
        .run()
        .code(0)
        .stdout_has("it will not escalate further");
    escalate(&later(Duration::from_secs(4 * 3600)))
        .code(0)
        .stdout_has(&format!("escalated #{} to level 3", web["id"]));
    let messages = outbox(&test);
    let level = |id: &serde_json::Value| {
        messages
            .iter()
            .find(|m| &m["id"] == id)
            .map(|m| (m["level"].clone(), m["acknowledged_by"].clone()))
    };
    assert_eq!(
        level(&api["id"]),
        Some((2.into(), "lead".into())),
        "acknowledged: stays at level 2"
    );
    assert_eq!(level(&web["id"]), Some((3.into(), serde_json::Value::Null)));
    assert_eq!(
        messages
            .iter()
            .filter(|m| field(m, "kind") == "escalation")
            .count(),
        3
    );
    let inbox: Vec<PathBuf> = std::fs::read_dir(test.path().join("inbox"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    assert!(inbox.is_empty(), "nothing is sent until `comms send`");
    at(&["comms", "send"]).run().code(0);
    let texts: Vec<String> = std::fs::read_dir(test.path().join("inbox"))
        .expect("inbox")
        .filter_map(|e| e.ok().and_then(|e| std::fs::read_to_string(e.path()).ok()))
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Escalated (level 3)") && t.contains("To: director"))
    );
    assert!(texts.iter().any(|t| t.contains("cutover comms ack ")));
    at(&["log"])
        .run()
        .code(0)
        .stdout_has("message_escalated")
        .stdout_has("message_acknowledged");
}

#[test]
fn a_dry_run_renders_what_would_be_sent_and_sends_nothing() {
    let test = Test::new().spec(&format!("{ONE_COMPONENT}{FILE_AND_HOOK}"));
    let log = test.path().join("hooks.jsonl");
    let receiver = Helper::receiver(0, HOOK_SECRET, &log, None);
    let url = receiver.url("hook");
    Test::at(test.path())
        .args(&["comms", "announce"])
        .run()
        .code(0);
    let dry = Test::at(test.path())
        .args(&["comms", "send", "--dry-run"])
        .env("HOOK_URL", &url)
        .env("HOOK_SECRET", HOOK_SECRET)
        .run();
    dry.code(0)
        .stdout_has("would send #1 plan_announced")
        .stdout_has("POST $HOOK_URL (generic payload)")
        .stdout_has("\"subject\": \"[comms-demo] The migration plan")
        .stdout_has("dry run: 4 messages due, nothing sent or recorded");
    assert!(!dry.stdout.contains(&url) && !dry.stdout.contains(HOOK_SECRET));
    assert!(logged(&log).is_empty());
    assert_eq!(inbox_files(&test), 0);
    assert!(
        outbox(&test)
            .iter()
            .all(|m| field(m, "status") == "pending" && m["attempts"] == 0)
    );
}

#[test]
fn messages_go_through_cutover_serve_with_their_events() {
    let server = crate::serve::Server::start();
    let clone = Test::new().spec(&format!("{ONE_COMPONENT}{FILE_AND_HOOK}"));
    let token = Some(crate::serve::OPERATOR);
    server
        .cutover(clone.path(), token, &["advance", "build"])
        .code(0);
    let listed = server.cutover(
        clone.path(),
        token,
        &["comms", "outbox", "--format", "json"],
    );
    listed.code(0);
    let messages: serde_json::Value = serde_json::from_str(&listed.stdout).expect("outbox");
    let messages = messages["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 4, "written by the server with the event");
    let log = server.cutover(clone.path(), token, &["log", "--format", "json"]);
    let events: serde_json::Value = serde_json::from_str(&log.stdout).expect("log");
    let started = events["events"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["kind"] == "phase_started"))
        .expect("the phase's event");
    assert!(messages.iter().all(|m| m["event_id"] == started["id"]));
    let sent = Test::at(clone.path())
        .args(&["comms", "send"])
        .env("CUTOVER_STATE", &server_url(&server))
        .env("CUTOVER_TOKEN", crate::serve::OPERATOR)
        .env("HOOK_URL", "http://127.0.0.1:9/unreachable")
        .env("HOOK_SECRET", HOOK_SECRET)
        .run();
    sent.code(3).stdout_has("2 delivered, 2 to retry");
    assert_eq!(inbox_files(&clone), 2);
}

fn server_url(server: &crate::serve::Server) -> String {
    server.url().to_owned()
}

#[test]
fn messages_are_written_with_their_events_in_postgres() {
    let database = crate::postgres::Database::create();
    let test = Test::new().spec(&format!("{ONE_COMPONENT}{FILE_AND_HOOK}"));
    let at = |args: &[&str]| {
        Test::at(test.path())
            .args(args)
            .env("CUTOVER_STATE", &database.url)
    };
    at(&["advance", "build"]).run().code(0);
    assert_eq!(database.count("SELECT COUNT(*) FROM outbox"), 4);
    assert_eq!(
        database.count(
            "SELECT COUNT(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.kind = 'phase_started'"
        ),
        4
    );
    at(&["comms", "send"])
        .env("HOOK_URL", "http://127.0.0.1:9/x")
        .env("HOOK_SECRET", "s")
        .run()
        .code(3);
    assert_eq!(
        database.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'"),
        2
    );
    assert_eq!(inbox_files(&test), 2);
}

#[test]
fn the_communication_plan_of_the_bundled_example_is_specific_to_it() {
    let out = tempfile::tempdir().expect("out");
    let spec = crate::util::example_dir().join("migration.yaml");
    Test::new()
        .args(&[
            "--spec",
            spec.to_str().expect("utf-8"),
            "docs",
            "--out",
            out.path().to_str().expect("utf-8"),
        ])
        .run()
        .code(0)
        .stdout_has("communication-plan.md");
    let plan = std::fs::read_to_string(out.path().join("communication-plan.md")).expect("written");
    for expected in [
        "# Stakeholder communication plan — orchestrator-to-dagger",
        "## Executive summary",
        "| SRE on call (`sre-oncall`) | operations | R (responsible) | the whole migration | inbox, ops-chat |",
        "| Security team (`security-team`) | security | C (consulted) |",
        "| management | every Monday at 09:00 (Europe/Berlin) | Platform lead, Engineering director | Mon 2027-01-04 09:00 CET,",
        "| end_users | every other Thursday at 14:00 (Europe/Berlin) |",
        "| `ops-chat` | webhook | slack payload to the URL in `$CUTOVER_OPS_SLACK_URL`, signed with HMAC-SHA256",
        "| 2 | Platform lead | 2 h |",
        "| 3 | Engineering director | 1 d |",
        "**To developers** (Orchestration developers",
        "> **[orchestrator-to-dagger] Phase 2 (Pilot) is starting: 3 components enter shadow**",
        "`cutover decide legacy-adapters rollback --reason \"…\"`",
        "Escalated (level 2): Rollback triggered: legacy-adapters",
    ] {
        assert!(plan.contains(expected), "missing {expected:?} in:\n{plan}");
    }
    let kinds = [
        "plan_announced",
        "phase_starting",
        "phase_complete",
        "component_advanced",
        "gate_failed",
        "rollback_triggered",
        "rollback_complete",
        "decision_needed",
        "decision_made",
        "escalation",
        "status_update",
        "drift_seen",
        "tests_failed",
        "decision_expired",
        "gate_date_missed",
    ];
    for kind in kinds {
        let section = plan
            .split(&format!("### `{kind}`"))
            .nth(1)
            .unwrap_or_else(|| panic!("no template section for {kind}"));
        let section = section.split("\n### ").next().unwrap_or_default();
        assert!(
            section.contains("> **[orchestrator-to-dagger] "),
            "{kind} rendered for nobody:\n{section}"
        );
    }
    for placeholder in ["{{", "{%", "undefined", "TODO", "(the shipped template"] {
        assert!(!plan.contains(placeholder), "{placeholder} in the plan");
    }
}

const SWEEP: &str = "version: 1
migration: { name: sweep-demo, start: 2027-01-04 }
components:
  - id: api
    kind: job
    owner: backend
    effort: 1d
    legacy: { run: 'cat legacy.sh > /dev/null', sources: [legacy.sh] }
    dagger: { run: 'exit 1' }
stakeholders:
  - { id: backend-devs, name: Backend developers, group: developers, raci: responsible, cares_about: { owners: [backend] }, channels: [inbox] }
  - { id: oncall, name: SRE on call, group: operations, raci: responsible, channels: [inbox] }
  - { id: lead, name: Platform lead, group: management, raci: accountable, channels: [inbox] }
channels:
  - { id: inbox, file: { dir: inbox } }
schedule:
  time_zone: UTC
  status_updates:
    - { group: operations, every: day, at: \"08:30\" }
rollback:
  triggers:
    - when: dagger.error_rate > 0.5
      action: escalate
      modes: [shadow]
      decide_within: 2h
";

fn kinds(messages: &[serde_json::Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| field(m, "kind").to_owned())
        .collect()
}

#[test]
fn a_decision_point_tells_its_decider_at_once_and_the_sweep_records_what_became_overdue() {
    let test = Test::new().spec(SWEEP).file("legacy.sh", "echo v1\n");
    let at = |args: &[&str]| Test::at(test.path()).args(args);
    at(&["advance", "api"]).run().code(0);
    at(&["run", "api"]).run().code(0);
    let messages = outbox(&test);
    let needed: Vec<_> = messages
        .iter()
        .filter(|m| field(m, "kind") == "decision_needed")
        .collect();
    // The decider (the owner team's stakeholders) and the accountable lead, at once.
    let mut told: Vec<String> = needed
        .iter()
        .flat_map(|m| m["recipients"].as_array().cloned().unwrap_or_default())
        .map(|r| r.as_str().unwrap_or_default().to_owned())
        .collect();
    told.sort();
    assert_eq!(told, ["backend-devs", "lead"], "{needed:#?}");
    assert!(
        needed
            .iter()
            .all(|m| field(m, "subject").contains("Decision needed: api"))
    );
    // Nothing overdue yet; then the legacy definition changes behind the port.
    at(&["comms", "escalate"])
        .run()
        .code(0)
        .stdout_has("nothing overdue");
    std::fs::write(test.path().join("legacy.sh"), "echo v2\n").expect("edit");
    let later_on = later(Duration::from_secs(3 * 3600));
    let sweep = at(&["comms", "escalate"])
        .env("CUTOVER_TEST_NOW", &later_on)
        .run();
    sweep
        .code(0)
        .stdout_has("decision on `api` is overdue")
        .stdout_has("legacy definition of `api` changed after its port");
    // A second sweep records nothing twice.
    at(&["comms", "escalate"])
        .env("CUTOVER_TEST_NOW", &later_on)
        .run()
        .code(0)
        .stdout_has("nothing overdue");
    let kinds = kinds(&outbox(&test));
    assert!(kinds.contains(&"decision_expired".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"drift_seen".to_owned()), "{kinds:?}");
    let expired: Vec<_> = outbox(&test)
        .into_iter()
        .filter(|m| field(m, "kind") == "decision_expired")
        .collect();
    assert!(expired.iter().all(|m| m["needs_ack"] == true));
    // Its planned gate date long past, phase 1 is behind: recorded once.
    let far = "2031-01-01T00:00:00Z";
    at(&["comms", "escalate"])
        .env("CUTOVER_TEST_NOW", far)
        .run()
        .code(0)
        .stdout_has("phase 1 missed its gate date");
    at(&["comms", "escalate"])
        .env("CUTOVER_TEST_NOW", far)
        .run()
        .code(0)
        .stdout_has("nothing overdue");
    at(&["log"])
        .run()
        .code(0)
        .stdout_has("decision_expired")
        .stdout_has("drift_seen")
        .stdout_has("gate_date_missed");
}

#[test]
fn status_updates_go_out_on_schedule_once_per_slot_with_a_digest() {
    let test = Test::new().spec(SWEEP).file("legacy.sh", "echo v1\n");
    let at = |args: &[&str]| Test::at(test.path()).args(args);
    // Before the migration starts, no status update.
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", "2027-01-03T09:00:00Z")
        .run()
        .code(0)
        .stdout_lacks("status update");
    at(&["advance", "api"]).run().code(0);
    let monday = "2027-01-04T09:00:00Z";
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", monday)
        .run()
        .code(0)
        .stdout_has("status update for operations: 1 message");
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", monday)
        .run()
        .code(0)
        .stdout_lacks("status update");
    let updates: Vec<_> = outbox(&test)
        .into_iter()
        .filter(|m| field(m, "kind") == "status_update")
        .collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["recipients"], serde_json::json!(["oncall"]));
    let text = std::fs::read_dir(test.path().join("inbox"))
        .expect("inbox")
        .filter_map(|e| e.ok().and_then(|e| std::fs::read_to_string(e.path()).ok()))
        .find(|t| t.contains("Status update for operations"))
        .expect("the update was delivered");
    assert!(text.contains("api legacy -> shadow"), "{text}");
    assert!(text.contains("- api (`api`): shadow"), "{text}");
    // Saturday is not a work day: Friday's slot stands until Monday's.
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", "2027-01-08T09:00:00Z")
        .run()
        .code(0)
        .stdout_has("status update for operations");
    at(&["comms", "send"])
        .env("CUTOVER_TEST_NOW", "2027-01-09T09:00:00Z")
        .run()
        .code(0)
        .stdout_lacks("status update");
}
