//! The dashboard's routes: the page and its assets (public: they hold no
//! data, and are embedded in the binary — no framework is fetched at run
//! time), the signed-in caller, the dashboard's data, its server-sent
//! events, and the operator's operations. Every data route needs a token;
//! the page sends it as a bearer token, never in a URL or a cookie.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cutover_core::dashboard::{Dashboard, EventFilter, dashboard};
use serde::Serialize;

use crate::app::App;
use crate::auth::{Authorized, Operator, Viewer};
use crate::error::ApiError;
use crate::operations::{self, AdvanceBody, DecideBody, OperationDone, RollbackBody};

/// The page.
const INDEX: &str = include_str!("../assets/index.html");
/// Its script (plain JavaScript, no framework).
const SCRIPT: &str = include_str!("../assets/dashboard.js");
/// Its style sheet.
const STYLE: &str = include_str!("../assets/dashboard.css");

/// Paths of the dashboard.
pub mod paths {
    /// The page.
    pub const PAGE: &str = "/";
    /// Its script.
    pub const SCRIPT: &str = "/assets/dashboard.js";
    /// Its style sheet.
    pub const STYLE: &str = "/assets/dashboard.css";
    /// Who the token belongs to.
    pub const WHOAMI: &str = "/v1/whoami";
    /// The dashboard's data (`?component=&kind=&actor=` filter the audit log).
    pub const DASHBOARD: &str = "/v1/dashboard";
    /// Server-sent events: one per change.
    pub const STREAM: &str = "/v1/stream";
    /// Advance a component or phase (operators).
    pub const ADVANCE: &str = "/v1/operations/advance";
    /// Roll back a component or phase (operators).
    pub const ROLLBACK: &str = "/v1/operations/rollback";
    /// Decide a held component (operators).
    pub const DECIDE: &str = "/v1/operations/decide";
}

/// Scripts and styles from this server only; no frames, no sniffing.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(POLICY),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// The page.
pub async fn page() -> Response {
    asset("text/html; charset=utf-8", INDEX)
}

/// Its script.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// Its style sheet.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// Who is signed in.
#[derive(Debug, Serialize)]
pub struct Whoami {
    /// The token's name.
    pub name: String,
    /// Its role.
    pub role: &'static str,
    /// Whether this server has a checkout (a dashboard).
    pub dashboard: bool,
}

/// The caller, for the page's header.
pub async fn whoami(State(app): State<App>, auth: Authorized<Viewer>) -> Json<Whoami> {
    Json(Whoami {
        name: auth.caller.name,
        role: auth.caller.role.as_str(),
        dashboard: app.has_checkout,
    })
}

/// The dashboard's data.
pub async fn data(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Query(filter): Query<EventFilter>,
) -> Result<Json<Dashboard>, ApiError> {
    app.with_workspace(move |workspace| {
        dashboard(workspace, &filter).map_err(|error| match error {
            cutover_core::dashboard::DashboardError::Store(store) => ApiError::Store(store),
        })
    })
    .await
    .map(Json)
}

/// One event per change, for as long as the page is open.
pub async fn stream(State(app): State<App>, _: Authorized<Viewer>) -> Response {
    let mut response = crate::notify::stream(&app).into_response();
    // Proxies must not buffer the stream.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// `cutover advance`, from the page.
pub async fn advance(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<AdvanceBody>,
) -> Result<Json<OperationDone>, ApiError> {
    let actor = auth.caller.name;
    let done = app
        .with_workspace(move |workspace| operations::advance(workspace, &actor, &body))
        .await;
    app.state_changed().await;
    done.map(Json)
}

/// `cutover rollback`, from the page.
pub async fn rollback(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<RollbackBody>,
) -> Result<Json<OperationDone>, ApiError> {
    let actor = auth.caller.name;
    let done = app
        .with_workspace(move |workspace| operations::rollback(workspace, &actor, &body))
        .await;
    app.state_changed().await;
    done.map(Json)
}

/// `cutover decide`, from the page.
pub async fn decide(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<DecideBody>,
) -> Result<Json<OperationDone>, ApiError> {
    let actor = auth.caller.name;
    let done = app
        .with_workspace(move |workspace| operations::decide(workspace, &actor, &body))
        .await;
    app.state_changed().await;
    done.map(Json)
}
