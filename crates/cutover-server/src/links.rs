//! The signed, expiring links of stakeholder messages
//! (`{server}/act?action=…&expires=…&sig=…`, made by
//! [`cutover_core::comms::link`]): the page a link opens, what a link
//! grants, and doing it.
//!
//! A link proves only that someone holds a message the migration sent; it
//! carries no identity. So opening it never acts (mail scanners open
//! links): `/act` is the dashboard's page, which asks for a token like the
//! dashboard does, shows what the link grants (`/v1/links/check`) and acts
//! when the person confirms (`/v1/links/act`). The caller's token name is
//! the actor, and acting needs the operator role, like the dashboard's
//! operations and `/v1/outbox/ack`. The key is the one the spec's
//! `links.secret_env` names, read from the server's environment when a link
//! arrives, so the server and `cutover comms send` must share it.

use axum::Json;
use axum::extract::State;
use cutover_core::comms::link::{LinkAction, verify};
use cutover_core::event::DecisionOutcome;
use cutover_core::ops::Failure;
use cutover_core::workspace::Workspace;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::{Authorized, Operator, Requirement, Viewer};
use crate::error::ApiError;
use crate::operations::{self, DecideBody, OperationDone, RollbackBody};

/// Paths of the links.
pub mod paths {
    /// The page a link opens (the dashboard's page, which sees the path).
    pub const PAGE: &str = cutover_core::comms::link::LINK_PATH;
    /// What a link grants (viewers may look).
    pub const CHECK: &str = "/v1/links/check";
    /// Do what a link grants (operators).
    pub const ACT: &str = "/v1/links/act";
}

/// The body of both link routes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The link's query: everything after `?`.
    pub link: String,
    /// Why (needed to decide or roll back, as on the command line).
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a link grants, for the page to show before anyone confirms.
#[derive(Debug, Clone, Serialize)]
pub struct Granted {
    /// `acknowledge`, `decide` or `rollback`.
    pub action: &'static str,
    /// What confirming does, in words.
    pub summary: String,
    /// Whether confirming needs a reason.
    pub needs_reason: bool,
    /// The role acting needs.
    pub role: &'static str,
}

/// What a link grants, checked (signature, expiry) but not done.
pub async fn check(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Json(body): Json<LinkBody>,
) -> Result<Json<Granted>, ApiError> {
    app.with_workspace(move |workspace| granted(workspace, &body.link).map(|a| describe(&a)))
        .await
        .map(Json)
}

/// Does what a link grants, as the caller.
pub async fn act(
    State(app): State<App>,
    auth: Authorized<Operator>,
    Json(body): Json<LinkBody>,
) -> Result<Json<OperationDone>, ApiError> {
    let actor = auth.caller.name;
    let done = app
        .with_workspace(move |workspace| {
            let action = granted(workspace, &body.link)?;
            perform(workspace, &actor, action, body.reason)
        })
        .await;
    app.state_changed().await;
    done.map(Json)
}

/// The action `link` grants, verified with the key the spec names, now.
fn granted(workspace: &Workspace, link: &str) -> Result<LinkAction, ApiError> {
    let variable = &workspace.migration.communication.links.secret_env;
    let key = std::env::var(variable)
        .ok()
        .filter(|key| !key.is_empty())
        .ok_or_else(|| ApiError::LinksOff(variable.clone()))?;
    let query = link.split_once('?').map_or(link, |(_, query)| query);
    verify(query, key.as_bytes(), jiff::Timestamp::now()).map_err(ApiError::Link)
}

fn describe(action: &LinkAction) -> Granted {
    let (name, summary, needs_reason) = match action {
        LinkAction::Acknowledge { message } => (
            "acknowledge",
            format!("acknowledge message {message}: it stops escalating"),
            false,
        ),
        LinkAction::Decide { component, outcome } => (
            "decide",
            match outcome {
                DecisionOutcome::Rollback => format!("decide `{component}`: roll it back"),
                DecisionOutcome::Continue => format!("decide `{component}`: continue as it is"),
            },
            true,
        ),
        LinkAction::Rollback { target } => ("rollback", format!("roll `{target}` back"), true),
    };
    Granted {
        action: name,
        summary,
        needs_reason,
        role: Operator::ROLE.as_str(),
    }
}

fn perform(
    workspace: &mut Workspace,
    actor: &str,
    action: LinkAction,
    reason: Option<String>,
) -> Result<OperationDone, ApiError> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    match action {
        LinkAction::Acknowledge { message } => acknowledge(workspace, actor, &message),
        LinkAction::Decide { component, outcome } => {
            let body = DecideBody {
                component,
                decision: outcome,
                reason: reason.unwrap_or_default(),
            };
            operations::decide(workspace, actor, &body)
        }
        LinkAction::Rollback { target } => {
            let reason = reason.ok_or_else(|| ApiError::Operation {
                failure: Failure::BadInput,
                message: "a rollback from a link needs a reason: it is recorded with it".into(),
            })?;
            let body = RollbackBody {
                target,
                to: None,
                reason: Some(reason),
                cascade: false,
                overwrite: false,
            };
            operations::rollback(workspace, actor, &body)
        }
    }
}

fn acknowledge(
    workspace: &mut Workspace,
    actor: &str,
    message: &str,
) -> Result<OperationDone, ApiError> {
    use cutover_core::ops::comms::{self, CommsError};
    let done = comms::acknowledge(workspace, message, actor).map_err(|error| match error {
        CommsError::UnknownMessage(_) | CommsError::AmbiguousMessage(..) => {
            ApiError::NotFound(error.to_string())
        }
        other => ApiError::operation(Failure::Internal, &other),
    })?;
    Ok(OperationDone::noted(done.summary()))
}
