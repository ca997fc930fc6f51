//! The outbox routes: list messages (viewers), record delivery attempts,
//! acknowledge and escalate (operators: whoever sends, acknowledges or
//! escalates on the team's behalf). Like every route, they call one
//! [`cutover_core::store::Store`] method; the caller's token name is the
//! actor and the server's clock stamps the write.

use axum::Json;
use axum::extract::{Path, Query, State};
use cutover_core::store::api;
use cutover_core::store::{DeliveryAttempt, OutboxFilter, OutboxMessage};

use crate::app::App;
use crate::auth::{Authorized, Operator, Viewer, attributed};
use crate::error::ApiError;

type Answer<T> = Result<Json<T>, ApiError>;

/// `GET /v1/outbox`.
pub(crate) async fn list(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(filter): Query<OutboxFilter>,
) -> Answer<Vec<OutboxMessage>> {
    app.with_store(move |store| store.outbox(&filter))
        .await
        .map(Json)
}

/// `POST /v1/outbox/{id}/claim`.
pub(crate) async fn claim_delivery(
    State(app): State<App>,
    _: Authorized<Operator>,
    Path(id): Path<i64>,
    Json(claim): Json<api::Claim>,
) -> Answer<api::Done> {
    let done = app
        .with_store(move |store| store.claim_delivery(id, claim.seen, claim.until))
        .await?;
    Ok(Json(api::Done { done }))
}

/// `POST /v1/outbox/{id}/delivery`.
pub(crate) async fn record_delivery(
    State(app): State<App>,
    _: Authorized<Operator>,
    Path(id): Path<i64>,
    Json(attempt): Json<DeliveryAttempt>,
) -> Answer<api::Done> {
    let done = app
        .with_store(move |store| store.record_delivery(id, &attempt))
        .await?;
    Ok(Json(api::Done { done }))
}

/// `POST /v1/outbox/{id}/ack`.
pub(crate) async fn acknowledge(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Path(thread): Path<i64>,
) -> Answer<api::Done> {
    let actor = auth.caller.name;
    let done = app
        .with_store(move |store| store.acknowledge_message(thread, &actor))
        .await?;
    Ok(Json(api::Done { done }))
}

/// `POST /v1/outbox/{id}/escalate`.
pub(crate) async fn escalate(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Path(thread): Path<i64>,
    Json(body): Json<api::Escalate>,
) -> Answer<api::Done> {
    let event = attributed(body.event, &auth.caller);
    let done = app
        .with_store(move |store| store.escalate_message(thread, body.from_level, &event))
        .await?;
    Ok(Json(api::Done { done }))
}
