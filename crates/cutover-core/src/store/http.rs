//! The HTTP backend: the store kept by a `cutover serve` server, reached
//! at an `http://` or `https://` URL (see `api.rs` for the protocol).
//!
//! A lean blocking client (ureq, TLS by rustls with the Mozilla roots, or
//! with only the CA certificates of `CUTOVER_CA_FILE` when set): one
//! connection kept alive for the life of the process, every call bounded
//! (connect and whole request, [`DEFAULT_TIMEOUT`], or
//! `CUTOVER_STATE_TIMEOUT` in seconds) so an unreachable server fails fast
//! with an error naming its URL. The bearer token comes from
//! `CUTOVER_TOKEN` and never appears in an error, a log or a record.
//! The server stamps times and actors; this side sends what it knows.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::api::{self, paths};
use super::backend::Backend;
use super::connection::Durability;
use super::error::StoreError;
use super::outbox_types::{DeliveryAttempt, OutboxFilter, OutboxMessage};
use super::types::{
    BenchmarkRecord, ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeOverride,
    ModeRecord, ModeUpdate, PreservedPath, RollbackJournal, RollbackStep, RunFinish, RunRecord,
    RunStart, Snapshot, SnapshotKind, TestRecord, WindowSamples,
};
use crate::event::{DecisionOutcome, EventRecord, NewEvent, NewMessage};
use crate::lifecycle::ModeState;

/// How long connecting, and a whole request, may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Environment variable holding the bearer token.
pub const TOKEN_VARIABLE: &str = "CUTOVER_TOKEN";

/// Environment variable naming a PEM bundle of CA certificates: when set,
/// an `https://` server is trusted only if one of them issued its
/// certificate (instead of the Mozilla roots, not in addition).
pub const CA_FILE_VARIABLE: &str = "CUTOVER_CA_FILE";

/// Environment variable overriding [`DEFAULT_TIMEOUT`], in seconds.
pub const TIMEOUT_VARIABLE: &str = "CUTOVER_STATE_TIMEOUT";

/// Largest JSON answer read (a long audit log or run list).
const MAX_ANSWER_BYTES: u64 = 256 * 1024 * 1024;

/// A `cutover serve` server at a base URL.
pub(super) struct HttpBackend {
    base: String,
    agent: ureq::Agent,
    authorization: Option<String>,
    schema_version: i64,
}

/// The token stays out of `{:?}`.
impl std::fmt::Debug for HttpBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBackend")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HttpBackend {
    /// Connects to the server at `base` (no trailing slash) and checks its health.
    pub(super) fn connect(base: &str) -> Result<HttpBackend, StoreError> {
        let timeout = std::env::var(TIMEOUT_VARIABLE)
            .ok()
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64);
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("cutover/", env!("CARGO_PKG_VERSION")))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(root_certs()?)
                    .build(),
            )
            .build();
        let authorization = std::env::var(TOKEN_VARIABLE)
            .ok()
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty())
            .map(|token| format!("Bearer {token}"));
        let mut backend = HttpBackend {
            base: base.to_owned(),
            agent: ureq::Agent::new_with_config(config),
            authorization,
            schema_version: 0,
        };
        let health: api::Health = backend.get(paths::HEALTH, &[])?;
        backend.schema_version = health.schema_version;
        Ok(backend)
    }

    /// `GET path?query`, answered with JSON.
    fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, StoreError> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        if let Some(authorization) = &self.authorization {
            request = request.header("authorization", authorization);
        }
        self.answer(path, request.call())
    }

    /// `POST path` with a JSON body, answered with JSON.
    fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, StoreError> {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(authorization) = &self.authorization {
            request = request.header("authorization", authorization);
        }
        self.answer(path, request.send_json(body))
    }

    /// The JSON of a successful answer, or the error it stands for.
    fn answer<T: DeserializeOwned>(
        &self,
        path: &str,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, StoreError> {
        let mut response = self.successful(path, sent)?;
        response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_json()
            .map_err(|error| self.unreachable(path, &error))
    }

    /// The response when its status is a success; an error naming the URL otherwise.
    fn successful(
        &self,
        path: &str,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<ureq::http::Response<ureq::Body>, StoreError> {
        let mut response = sent.map_err(|error| self.unreachable(path, &error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let message = response
            .body_mut()
            .read_json::<api::ErrorBody>()
            .map(|body| body.error)
            .unwrap_or_else(|_| status.canonical_reason().unwrap_or("error").to_owned());
        let message = match status.as_u16() {
            401 => format!("{message}; set {TOKEN_VARIABLE} to a token the server knows"),
            _ => message,
        };
        Err(StoreError::Refused {
            url: format!("{}{path}", self.base),
            status: status.as_u16(),
            message,
        })
    }

    fn unreachable(&self, path: &str, error: &ureq::Error) -> StoreError {
        let message = if is_tls(error) {
            format!(
                "TLS failed: {error} (a server certificate from a private CA needs \
                 {CA_FILE_VARIABLE} naming that CA's PEM file)"
            )
        } else {
            error.to_string()
        };
        StoreError::Unreachable {
            url: format!("{}{path}", self.base),
            message,
        }
    }
}

/// Whether `error` is a TLS failure (an untrusted certificate, a failed
/// handshake), which ureq reports directly or inside an I/O error.
fn is_tls(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => true,
        ureq::Error::Io(io) => io
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()),
        _ => false,
    }
}

/// The roots an `https://` server's certificate must chain to: the CA
/// certificates of [`CA_FILE_VARIABLE`] when set, the Mozilla roots otherwise.
fn root_certs() -> Result<ureq::tls::RootCerts, StoreError> {
    let Some(path) = std::env::var_os(CA_FILE_VARIABLE).filter(|path| !path.is_empty()) else {
        return Ok(ureq::tls::RootCerts::WebPki);
    };
    let failed = |message: String| StoreError::CaFile {
        path: Path::new(&path).display().to_string(),
        message,
    };
    let pem = std::fs::read(&path).map_err(|error| failed(error.to_string()))?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item.map_err(|error| failed(error.to_string()))? {
            ureq::tls::PemItem::Certificate(certificate) => certificates.push(certificate),
            _ => continue,
        }
    }
    if certificates.is_empty() {
        return Err(failed("it holds no PEM certificate".into()));
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certificates))
}

/// `Some(x)` as a query pair, nothing for `None`.
fn optional<'a>(key: &'a str, value: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    value.map(|v| vec![(key, v)]).unwrap_or_default()
}

impl Backend for HttpBackend {
    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.schema_version)
    }

    fn mode(&self, component: &str) -> Result<ModeRecord, StoreError> {
        self.get(&api::fill(paths::MODE, &[component]), &[])
    }

    fn change_modes(
        &mut self,
        changes: Vec<(ModeUpdate<'_>, NewEvent)>,
        also: Vec<NewEvent>,
        _at: Timestamp,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let body = api::ModeChanges {
            changes: changes
                .into_iter()
                .map(|(update, event)| api::ModeChange {
                    component: update.component.to_owned(),
                    expected: update.expected,
                    from: update.from,
                    new: update.new,
                    sources_digest: update.sources_digest.map(str::to_owned),
                    restore_point: update.restore_point.to_vec(),
                    event,
                })
                .collect(),
            also,
        };
        let answer: api::RestorePoints = self.post(paths::MODE_CHANGES, &body)?;
        Ok(answer.ids)
    }

    fn overrides(&self) -> Result<Vec<ModeOverride>, StoreError> {
        self.get(paths::OVERRIDES, &[])
    }

    fn set_override(
        &mut self,
        set: &ModeOverride,
        event: NewEvent,
        _at: Timestamp,
    ) -> Result<bool, StoreError> {
        let body = api::OverrideSet {
            set: set.clone(),
            event,
        };
        let answer: api::Done = self.post(paths::OVERRIDES, &body)?;
        Ok(answer.done)
    }

    fn clear_override(
        &mut self,
        component: &str,
        expected: ModeState,
        event: &NewEvent,
        _at: Timestamp,
    ) -> Result<bool, StoreError> {
        let file = match event.event {
            crate::event::Event::OverrideCleared { file, .. } => file,
            _ => expected,
        };
        let body = api::OverrideClear { expected, file };
        let answer: api::Done =
            self.post(&api::fill(paths::OVERRIDE_CLEAR, &[component]), &body)?;
        Ok(answer.done)
    }

    fn acknowledge_drift(
        &mut self,
        component: &str,
        digest: &str,
        event: &NewEvent,
        _at: Timestamp,
    ) -> Result<bool, StoreError> {
        let body = api::DriftAck {
            digest: digest.to_owned(),
            event: event.clone(),
        };
        let answer: api::Done = self.post(&api::fill(paths::DRIFT_ACK, &[component]), &body)?;
        Ok(answer.done)
    }

    fn append_event(
        &mut self,
        event: &NewEvent,
        durability: Durability,
        _at: Timestamp,
    ) -> Result<i64, StoreError> {
        let body = api::EventAppend {
            event: event.clone(),
            durability,
        };
        let answer: api::Id = self.post(paths::EVENTS, &body)?;
        Ok(answer.id)
    }

    fn events(&self, component: Option<&str>, limit: u32) -> Result<Vec<EventRecord>, StoreError> {
        let limit = limit.to_string();
        let mut query = optional("component", component);
        query.push(("limit", &limit));
        self.get(paths::EVENTS, &query)
    }

    fn last_trigger_firing(
        &self,
        component: &str,
        trigger: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        let query = [("component", component), ("trigger", trigger)];
        let answer: api::MaybeTime = self.get(paths::TRIGGER_FIRING, &query)?;
        Ok(answer.at)
    }

    fn begin_run(&mut self, run: &RunStart, _at: Timestamp) -> Result<(), StoreError> {
        let _: api::Done = self.post(paths::RUNS, run)?;
        Ok(())
    }

    fn finish_run(&mut self, finish: &RunFinish, _at: Timestamp) -> Result<(), StoreError> {
        let _: api::Done = self.post(&api::fill(paths::RUN_FINISH, &[&finish.id]), finish)?;
        Ok(())
    }

    fn import_runs(&mut self, runs: &[ImportedRun]) -> Result<(), StoreError> {
        let _: api::Done = self.post(paths::RUN_IMPORT, &runs)?;
        Ok(())
    }

    fn run_counts(&self) -> Result<BTreeMap<String, ComponentRunCounts>, StoreError> {
        self.get(paths::RUN_COUNTS, &[])
    }

    fn runs_since(&self, mark: &str) -> Result<u64, StoreError> {
        let answer: api::Count = self.get(paths::RUNS_SINCE, &[("mark", mark)])?;
        Ok(answer.count)
    }

    fn running_runs(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        let runs: Vec<api::RunningRun> = self.get(paths::RUNS_RUNNING, &[])?;
        Ok(runs.into_iter().map(|run| (run.id, run.pid)).collect())
    }

    fn recent_runs(&self, component: &str, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        let limit = limit.to_string();
        self.get(paths::RUNS, &[("component", component), ("limit", &limit)])
    }

    fn nth_latest_start(
        &self,
        component: &str,
        count: u32,
    ) -> Result<Option<Timestamp>, StoreError> {
        let count = count.to_string();
        let query = [("component", component), ("count", count.as_str())];
        let answer: api::MaybeTime = self.get(paths::NTH_LATEST_START, &query)?;
        Ok(answer.at)
    }

    fn latest_start_of_other_implementation(
        &self,
        component: &str,
        current: &str,
    ) -> Result<Option<Timestamp>, StoreError> {
        let query = [("component", component), ("current", current)];
        let answer: api::MaybeTime = self.get(paths::OTHER_IMPLEMENTATION, &query)?;
        Ok(answer.at)
    }

    fn window_samples(&self, component: &str, since_ms: i64) -> Result<WindowSamples, StoreError> {
        let since_ms = since_ms.to_string();
        let query = [("component", component), ("since_ms", since_ms.as_str())];
        self.get(paths::SAMPLES, &query)
    }

    fn record_test(&mut self, result: &TestRecord, _at: Timestamp) -> Result<(), StoreError> {
        let _: api::Done = self.post(paths::TESTS, result)?;
        Ok(())
    }

    fn record_benchmark(
        &mut self,
        benchmark: &BenchmarkRecord,
        _at: Timestamp,
    ) -> Result<(), StoreError> {
        let _: api::Done = self.post(paths::BENCHMARKS, benchmark)?;
        Ok(())
    }

    fn latest_benchmark(&self, component: &str) -> Result<Option<BenchmarkRecord>, StoreError> {
        self.get(paths::BENCHMARKS, &[("component", component)])
    }

    fn insert_snapshot(
        &mut self,
        component: &str,
        kind: SnapshotKind,
        state: ModeState,
        files: &[PreservedPath],
        _at: Timestamp,
    ) -> Result<i64, StoreError> {
        let body = api::SnapshotInsert {
            component: component.to_owned(),
            kind,
            state,
            files: files.to_vec(),
        };
        let answer: api::Id = self.post(paths::SNAPSHOTS, &body)?;
        Ok(answer.id)
    }

    fn snapshots(&self, component: &str) -> Result<Vec<Snapshot>, StoreError> {
        self.get(paths::SNAPSHOTS, &[("component", component)])
    }

    fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        self.get(&api::fill(paths::SNAPSHOT, &[&id.to_string()]), &[])
    }

    fn begin_rollback(
        &mut self,
        target: &str,
        _actor: &str,
        reason: Option<&str>,
        steps: &[RollbackStep],
        _at: Timestamp,
    ) -> Result<i64, StoreError> {
        let body = api::RollbackBegin {
            target: target.to_owned(),
            reason: reason.map(str::to_owned),
            steps: steps.to_vec(),
        };
        let answer: api::Id = self.post(paths::ROLLBACKS, &body)?;
        Ok(answer.id)
    }

    fn unfinished_rollbacks(&self) -> Result<Vec<RollbackJournal>, StoreError> {
        self.get(paths::ROLLBACKS_UNFINISHED, &[])
    }

    fn finish_rollback_step(
        &mut self,
        journal_id: i64,
        step_index: usize,
        events: &[NewEvent],
        _at: Timestamp,
    ) -> Result<(), StoreError> {
        let path = api::fill(
            paths::ROLLBACK_STEP,
            &[&journal_id.to_string(), &step_index.to_string()],
        );
        let Some((event, also)) = events.split_first() else {
            return Ok(());
        };
        let body = api::EventBody {
            event: event.clone(),
            also: also.to_vec(),
        };
        let _: api::Done = self.post(&path, &body)?;
        Ok(())
    }

    fn open_decision(
        &mut self,
        component: &str,
        trigger: &str,
        evidence: &str,
        _actor: &str,
        messages: Vec<NewMessage>,
        _at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let body = api::DecisionOpen {
            component: component.to_owned(),
            trigger: trigger.to_owned(),
            evidence: evidence.to_owned(),
            messages,
        };
        let answer: api::MaybeId = self.post(paths::DECISIONS, &body)?;
        Ok(answer.id)
    }

    fn open_decision_for(&self, component: &str) -> Result<Option<Decision>, StoreError> {
        self.get(paths::DECISION_OPEN, &[("component", component)])
    }

    fn decide(
        &mut self,
        decision: &Decision,
        outcome: DecisionOutcome,
        _actor: &str,
        reason: &str,
        event: &NewEvent,
        _at: Timestamp,
    ) -> Result<(), StoreError> {
        let body = api::DecisionClose {
            decision: decision.clone(),
            outcome,
            reason: reason.to_owned(),
            messages: event.messages.clone(),
        };
        let path = api::fill(paths::DECIDE, &[&decision.id.to_string()]);
        let _: api::Done = self.post(&path, &body)?;
        Ok(())
    }

    fn record_drill(&mut self, drill: &DrillRecord, event: &NewEvent) -> Result<(), StoreError> {
        let body = api::DrillBody {
            drill: drill.clone(),
            event: event.clone(),
        };
        let _: api::Done = self.post(paths::DRILLS, &body)?;
        Ok(())
    }

    fn drills(&self, component: &str) -> Result<Vec<DrillRecord>, StoreError> {
        self.get(paths::DRILLS, &[("component", component)])
    }

    fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        let mut request = self.agent.get(format!("{}{}", self.base, paths::EXPORT));
        if let Some(authorization) = &self.authorization {
            request = request.header("authorization", authorization);
        }
        let mut response = self.successful(paths::EXPORT, request.call())?;
        let open_error = |source: std::io::Error| StoreError::Open {
            path: path.to_owned(),
            source: Box::new(source),
        };
        let mut file = std::fs::File::create(path).map_err(open_error)?;
        let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
        std::io::copy(&mut reader, &mut file).map_err(open_error)?;
        file.sync_all().map_err(open_error)
    }

    fn outbox(&self, filter: &OutboxFilter) -> Result<Vec<OutboxMessage>, StoreError> {
        let status = filter.status.map(|s| s.to_string());
        let id = filter.id.map(|id| id.to_string());
        let limit = filter.limit.to_string();
        let mut query = optional("status", status.as_deref());
        query.extend(optional("key", filter.key.as_deref()));
        query.extend(optional("id", id.as_deref()));
        if filter.awaiting_ack {
            query.push(("awaiting_ack", "true"));
        }
        query.push(("limit", &limit));
        self.get(paths::OUTBOX, &query)
    }

    fn claim_delivery(
        &mut self,
        id: i64,
        seen: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let path = api::fill(paths::OUTBOX_CLAIM, &[&id.to_string()]);
        let answer: api::Done = self.post(&path, &api::Claim { seen, until })?;
        Ok(answer.done)
    }

    fn record_delivery(
        &mut self,
        id: i64,
        attempt: &DeliveryAttempt,
        _at: Timestamp,
    ) -> Result<bool, StoreError> {
        let path = api::fill(paths::OUTBOX_DELIVERY, &[&id.to_string()]);
        let answer: api::Done = self.post(&path, attempt)?;
        Ok(answer.done)
    }

    fn acknowledge_message(
        &mut self,
        thread: i64,
        event: &NewEvent,
        _at: Timestamp,
    ) -> Result<bool, StoreError> {
        let path = api::fill(paths::OUTBOX_ACK, &[&thread.to_string()]);
        let body = api::EventBody {
            event: event.clone(),
            also: Vec::new(),
        };
        let answer: api::Done = self.post(&path, &body)?;
        Ok(answer.done)
    }

    fn escalate_message(
        &mut self,
        thread: i64,
        from_level: u32,
        event: &NewEvent,
        _at: Timestamp,
    ) -> Result<bool, StoreError> {
        let path = api::fill(paths::OUTBOX_ESCALATE, &[&thread.to_string()]);
        let body = api::Escalate {
            from_level,
            event: event.clone(),
        };
        let answer: api::Done = self.post(&path, &body)?;
        Ok(answer.done)
    }
}
