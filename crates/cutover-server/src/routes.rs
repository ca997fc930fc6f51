//! The routes: each authorizes (by its [`Authorized`] parameter), calls one
//! [`Store`] method (or, for the dashboard, one operation) on the blocking
//! pool, and answers JSON. No domain logic lives here: the store, the
//! operations and their callers own it. Every write tells open dashboards
//! (and, when it may move a mode, reads the flags again before answering).
//!
//! What the server decides, whatever the body claims: the actor of every
//! event, rollback journal and decision it writes is the caller's token
//! name, and writes are stamped with the server's clock.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cutover_core::event::{Event, EventRecord};
use cutover_core::spec::Window;
use cutover_core::store::api::{self, paths};
use cutover_core::store::{
    BenchmarkRecord, ComponentRunCounts, Decision, DrillRecord, ImportedRun, ModeOverride,
    ModeRecord, ModeUpdate, RollbackJournal, RunFinish, RunRecord, RunStart, RunWrite, Snapshot,
    TestRecord, WindowSamples,
};

use crate::app::App;
use crate::auth::{Authorized, Operator, Runner, Viewer, attributed};
use crate::change::ChangeKind;
use crate::error::ApiError;
use crate::tokens::Role;
use crate::{dashboard, links, ofrep};

type Answer<T> = Result<Json<T>, ApiError>;

/// Every route: the store API (version 1), the dashboard, OFREP.
pub fn router(app: App) -> Router {
    Router::new()
        .route(dashboard::paths::PAGE, get(dashboard::page))
        .route(dashboard::paths::SCRIPT, get(dashboard::script))
        .route(dashboard::paths::STYLE, get(dashboard::style))
        .route(dashboard::paths::WHOAMI, get(dashboard::whoami))
        .route(dashboard::paths::DASHBOARD, get(dashboard::data))
        .route(dashboard::paths::STREAM, get(dashboard::stream))
        .route(dashboard::paths::ADVANCE, post(dashboard::advance))
        .route(dashboard::paths::ROLLBACK, post(dashboard::rollback))
        .route(dashboard::paths::DECIDE, post(dashboard::decide))
        .route(links::paths::PAGE, get(dashboard::page))
        .route(links::paths::CHECK, post(links::check))
        .route(links::paths::ACT, post(links::act))
        .route(ofrep::FLAG, post(ofrep::evaluate_flag))
        .route(ofrep::FLAGS, post(ofrep::evaluate_flags))
        .route(paths::HEALTH, get(health))
        .route(paths::MODE, get(mode))
        .route(paths::MODE_CHANGES, post(change_modes))
        .route(paths::DRIFT_ACK, post(acknowledge_drift))
        .route(paths::EVENTS, get(events).post(append_event))
        .route(paths::TRIGGER_FIRING, get(last_trigger_firing))
        .route(paths::RUNS, get(recent_runs).post(begin_run))
        .route(paths::RUN_FINISH, post(finish_run))
        .route(paths::RUN_IMPORT, post(import_runs))
        .route(paths::RUN_COUNTS, get(run_counts))
        .route(paths::RUNS_SINCE, get(runs_since))
        .route(paths::RUNS_RUNNING, get(running_runs))
        .route(paths::NTH_LATEST_START, get(nth_latest_start))
        .route(paths::OTHER_IMPLEMENTATION, get(other_implementation))
        .route(paths::SAMPLES, get(window_samples))
        .route(paths::TESTS, post(record_test))
        .route(
            paths::BENCHMARKS,
            get(latest_benchmark).post(record_benchmark),
        )
        .route(paths::SNAPSHOTS, get(snapshots).post(insert_snapshot))
        .route(paths::SNAPSHOT, get(snapshot))
        .route(paths::ROLLBACKS, post(begin_rollback))
        .route(paths::ROLLBACKS_UNFINISHED, get(unfinished_rollbacks))
        .route(paths::ROLLBACK_STEP, post(finish_rollback_step))
        .route(paths::DECISIONS, post(open_decision))
        .route(paths::DECISION_OPEN, get(open_decision_for))
        .route(paths::DECIDE, post(decide))
        .route(paths::DRILLS, get(drills).post(record_drill))
        .route(paths::OVERRIDES, get(overrides).post(set_override))
        .route(paths::OVERRIDE_CLEAR, post(clear_override))
        .route(paths::EXPORT, get(export))
        .route(paths::OUTBOX, get(crate::outbox::list))
        .route(paths::OUTBOX_CLAIM, post(crate::outbox::claim_delivery))
        .route(paths::OUTBOX_DELIVERY, post(crate::outbox::record_delivery))
        .route(paths::OUTBOX_ACK, post(crate::outbox::acknowledge))
        .route(paths::OUTBOX_ESCALATE, post(crate::outbox::escalate))
        .with_state(app)
}

async fn health(State(app): State<App>) -> Answer<api::Health> {
    let schema_version = app.with_store(|store| store.schema_version()).await?;
    Ok(Json(api::Health {
        status: "ok".into(),
        schema_version,
        api_version: 1,
    }))
}

async fn mode(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Path(component): Path<String>,
) -> Answer<ModeRecord> {
    app.with_store(move |store| store.mode(&component))
        .await
        .map(Json)
}

async fn change_modes(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<api::ModeChanges>,
) -> Answer<api::RestorePoints> {
    let ids = app
        .with_store(move |store| {
            let changes = body
                .changes
                .iter()
                .map(|change| {
                    let update = ModeUpdate {
                        component: &change.component,
                        expected: change.expected,
                        from: change.from,
                        new: change.new,
                        sources_digest: change.sources_digest.as_deref(),
                        restore_point: &change.restore_point,
                    };
                    (update, attributed(change.event.clone(), &auth.caller))
                })
                .collect();
            let also = body
                .also
                .iter()
                .map(|event| attributed(event.clone(), &auth.caller))
                .collect();
            store.change_modes(changes, also)
        })
        .await?;
    app.state_changed().await;
    Ok(Json(api::RestorePoints { ids }))
}

async fn overrides(State(app): State<App>, _: Authorized<Viewer>) -> Answer<Vec<ModeOverride>> {
    app.with_store(|store| store.overrides()).await.map(Json)
}

/// The emergency brake: operators only, like every rollback.
async fn set_override(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<api::OverrideSet>,
) -> Answer<api::Done> {
    let mut set = body.set;
    set.actor.clone_from(&auth.caller.name);
    let done = app
        .with_store(move |store| store.set_override(&set))
        .await?;
    app.state_changed().await;
    Ok(Json(api::Done { done }))
}

async fn clear_override(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Path(component): Path<String>,
    Json(body): Json<api::OverrideClear>,
) -> Answer<api::Done> {
    let done = app
        .with_store(move |store| {
            store.clear_override(&component, body.expected, body.file, &auth.caller.name)
        })
        .await?;
    app.state_changed().await;
    Ok(Json(api::Done { done }))
}

async fn acknowledge_drift(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Path(component): Path<String>,
    Json(body): Json<api::DriftAck>,
) -> Answer<api::Done> {
    let event = attributed(body.event, &auth.caller);
    let done = app
        .with_store(move |store| store.acknowledge_drift(&component, &body.digest, &event))
        .await?;
    app.state_changed().await;
    Ok(Json(api::Done { done }))
}

/// Operators append any event; a runner only a gate's result (a CI job may
/// gate a deploy: evaluating evidence is its job, changing state is not).
async fn append_event(
    State(app): State<App>,
    auth: Authorized<Runner>,
    Json(body): Json<api::EventAppend>,
) -> Answer<api::Id> {
    let gate_result = matches!(body.event.event, Event::GateEvaluated { .. });
    if auth.caller.role != Role::Operator && !gate_result {
        return Err(ApiError::Forbidden {
            name: auth.caller.name,
            role: auth.caller.role.as_str(),
            required: Role::Operator.as_str(),
        });
    }
    let event = attributed(body.event, &auth.caller);
    let id = app
        .with_store(move |store| store.append_event(&event, body.durability))
        .await?;
    app.state_changed().await;
    Ok(Json(api::Id { id }))
}

async fn events(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ComponentLimit>,
) -> Answer<Vec<EventRecord>> {
    app.with_store(move |store| store.events(query.component.as_deref(), query.limit))
        .await
        .map(Json)
}

async fn last_trigger_firing(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::TriggerQuery>,
) -> Answer<api::MaybeTime> {
    let at = app
        .with_store(move |store| store.last_trigger_firing(&query.component, &query.trigger))
        .await?;
    Ok(Json(api::MaybeTime { at }))
}

async fn begin_run(
    State(app): State<App>,
    _: Authorized<Runner>,
    Json(run): Json<RunStart>,
) -> Answer<api::Done> {
    app.record_run(RunWrite::Begin(run)).await?;
    Ok(Json(api::Done { done: true }))
}

async fn finish_run(
    State(app): State<App>,
    _: Authorized<Runner>,
    Path(id): Path<String>,
    Json(mut finish): Json<RunFinish>,
) -> Answer<api::Done> {
    finish.id = id;
    app.record_run(RunWrite::Finish(finish)).await?;
    Ok(Json(api::Done { done: true }))
}

async fn import_runs(
    State(app): State<App>,
    _: Authorized<Runner>,
    Json(runs): Json<Vec<ImportedRun>>,
) -> Answer<api::Done> {
    app.with_store(move |store| store.import_runs(&runs))
        .await?;
    app.notify(ChangeKind::Run);
    Ok(Json(api::Done { done: true }))
}

async fn run_counts(
    State(app): State<App>,
    _: Authorized<Viewer>,
) -> Answer<BTreeMap<String, ComponentRunCounts>> {
    app.with_store(|store| store.run_counts()).await.map(Json)
}

async fn runs_since(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::MarkQuery>,
) -> Answer<api::Count> {
    let count = app
        .with_store(move |store| store.runs_since(&query.mark))
        .await?;
    Ok(Json(api::Count { count }))
}

async fn running_runs(
    State(app): State<App>,
    _: Authorized<Viewer>,
) -> Answer<Vec<api::RunningRun>> {
    let runs = app.with_store(|store| store.running_runs()).await?;
    Ok(Json(
        runs.into_iter()
            .map(|(id, pid)| api::RunningRun { id, pid })
            .collect(),
    ))
}

async fn recent_runs(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ComponentLimit>,
) -> Answer<Vec<RunRecord>> {
    let component = query.component.unwrap_or_default();
    app.with_store(move |store| store.recent_runs(&component, query.limit))
        .await
        .map(Json)
}

async fn nth_latest_start(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::CountQuery>,
) -> Answer<api::MaybeTime> {
    let at = app
        .with_store(move |store| {
            store.window_start(&query.component, Window::Runs(query.count), None)
        })
        .await?;
    Ok(Json(api::MaybeTime { at }))
}

async fn other_implementation(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ImplementationQuery>,
) -> Answer<api::MaybeTime> {
    let at = app
        .with_store(move |store| {
            store.latest_start_of_other_implementation(&query.component, &query.current)
        })
        .await?;
    Ok(Json(api::MaybeTime { at }))
}

async fn window_samples(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::SamplesQuery>,
) -> Answer<WindowSamples> {
    // `i64::MIN` is "every run"; any other value is a time the store can hold.
    let since = (query.since_ms != i64::MIN)
        .then(|| jiff::Timestamp::from_millisecond(query.since_ms).unwrap_or(jiff::Timestamp::MIN));
    app.with_store(move |store| store.window_samples(&query.component, since))
        .await
        .map(Json)
}

async fn record_test(
    State(app): State<App>,
    _: Authorized<Runner>,
    Json(result): Json<TestRecord>,
) -> Answer<api::Done> {
    app.with_store(move |store| store.record_test(&result))
        .await?;
    app.notify(ChangeKind::Run);
    Ok(Json(api::Done { done: true }))
}

/// A benchmark's summary: runners may record it, as they record its executions.
async fn record_benchmark(
    State(app): State<App>,
    _: Authorized<Runner>,
    Json(benchmark): Json<BenchmarkRecord>,
) -> Answer<api::Done> {
    app.with_store(move |store| store.record_benchmark(&benchmark))
        .await?;
    Ok(Json(api::Done { done: true }))
}

async fn latest_benchmark(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ComponentQuery>,
) -> Answer<Option<BenchmarkRecord>> {
    app.with_store(move |store| store.latest_benchmark(&query.component))
        .await
        .map(Json)
}

async fn insert_snapshot(
    State(app): State<App>,
    _: Authorized<Operator>,
    Json(body): Json<api::SnapshotInsert>,
) -> Answer<api::Id> {
    let id = app
        .with_store(move |store| {
            store.insert_snapshot(&body.component, body.kind, body.state, &body.files)
        })
        .await?;
    app.state_changed().await;
    Ok(Json(api::Id { id }))
}

async fn snapshots(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ComponentQuery>,
) -> Answer<Vec<Snapshot>> {
    app.with_store(move |store| store.snapshots(&query.component))
        .await
        .map(Json)
}

async fn snapshot(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Path(id): Path<i64>,
) -> Answer<Option<Snapshot>> {
    app.with_store(move |store| store.snapshot(id))
        .await
        .map(Json)
}

async fn begin_rollback(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<api::RollbackBegin>,
) -> Answer<api::Id> {
    let actor = auth.caller.name;
    let id = app
        .with_store(move |store| {
            store.begin_rollback(&body.target, &actor, body.reason.as_deref(), &body.steps)
        })
        .await?;
    app.state_changed().await;
    Ok(Json(api::Id { id }))
}

async fn unfinished_rollbacks(
    State(app): State<App>,
    _: Authorized<Viewer>,
) -> Answer<Vec<RollbackJournal>> {
    app.with_store(|store| store.unfinished_rollbacks())
        .await
        .map(Json)
}

async fn finish_rollback_step(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Path((journal, step)): Path<(i64, usize)>,
    Json(body): Json<api::EventBody>,
) -> Answer<api::Done> {
    let events = std::iter::once(body.event)
        .chain(body.also)
        .map(|event| attributed(event, &auth.caller))
        .collect();
    app.with_store(move |store| store.finish_rollback_step(journal, step, events))
        .await?;
    app.state_changed().await;
    Ok(Json(api::Done { done: true }))
}

async fn open_decision(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<api::DecisionOpen>,
) -> Answer<api::MaybeId> {
    let actor = auth.caller.name;
    let id = app
        .with_store(move |store| {
            store.open_decision_with_messages(
                &body.component,
                &body.trigger,
                &body.evidence,
                &actor,
                body.messages,
            )
        })
        .await?;
    app.state_changed().await;
    Ok(Json(api::MaybeId { id }))
}

async fn open_decision_for(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ComponentQuery>,
) -> Answer<Option<Decision>> {
    app.with_store(move |store| store.open_decision_for(&query.component))
        .await
        .map(Json)
}

async fn decide(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Path(id): Path<i64>,
    Json(mut body): Json<api::DecisionClose>,
) -> Answer<api::Done> {
    body.decision.id = id;
    let actor = auth.caller.name;
    app.with_store(move |store| {
        store.decide_with_messages(
            &body.decision,
            body.outcome,
            &actor,
            &body.reason,
            body.messages,
        )
    })
    .await?;
    app.state_changed().await;
    Ok(Json(api::Done { done: true }))
}

async fn record_drill(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<api::DrillBody>,
) -> Answer<api::Done> {
    let event = attributed(body.event, &auth.caller);
    app.with_store(move |store| store.record_drill(&body.drill, &event))
        .await?;
    app.state_changed().await;
    Ok(Json(api::Done { done: true }))
}

async fn drills(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(query): Query<api::ComponentQuery>,
) -> Answer<Vec<DrillRecord>> {
    app.with_store(move |store| store.drills(&query.component))
        .await
        .map(Json)
}

/// The whole store as one SQLite file, copied consistently.
async fn export(State(app): State<App>, _: Authorized<Viewer>) -> Result<Response, ApiError> {
    let bytes = app
        .with_store(|store| {
            let scratch = tempfile::tempdir().map_err(|error| open_error(&error))?;
            let path = scratch.path().join("state.db");
            store.copy_to(&path)?;
            std::fs::read(&path).map_err(|error| open_error(&error))
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.sqlite3")],
        Body::from(bytes),
    )
        .into_response())
}

fn open_error(error: &std::io::Error) -> cutover_core::store::StoreError {
    cutover_core::store::StoreError::Corrupt(format!("failed to export the store: {error}"))
}
