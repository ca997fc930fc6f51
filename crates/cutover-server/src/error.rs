//! [`ApiError`]: every error answer, with its status and a JSON body.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cutover_core::comms::link::LinkError;
use cutover_core::mode_file::ModeFileError;
use cutover_core::ops::Failure;
use cutover_core::store::StoreError;
use cutover_core::store::api::ErrorBody;

/// Why a request was not done.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, or one the server does not know.
    #[error("a valid bearer token is required (Authorization: Bearer …)")]
    Unauthenticated,
    /// A known token whose role may not do this.
    #[error("the token `{name}` has the {role} role; this needs the {required} role")]
    Forbidden {
        /// The caller.
        name: String,
        /// Its role.
        role: &'static str,
        /// The role needed.
        required: &'static str,
    },
    /// The store failed.
    #[error("{}", chain(.0))]
    Store(#[from] StoreError),
    /// The server could not finish the work (a worker died, a temp file failed).
    #[error("{0}")]
    Internal(String),
    /// The server was started without a spec: no dashboard, operations or flags.
    #[error(
        "this server was started without a spec: the dashboard, its operations and the flags need `cutover serve --spec PATH` in a checkout"
    )]
    NoSpec,
    /// The checkout's mode file cannot be read.
    #[error("{}", chain(.0))]
    ModeFile(#[from] ModeFileError),
    /// An operation (advance, rollback, decide) was refused or failed, for
    /// the reason the command line gives.
    #[error("{message}")]
    Operation {
        /// What kind of failure.
        failure: Failure,
        /// The error and its causes.
        message: String,
    },
    /// No such component or phase.
    #[error("{0}")]
    NotFound(String),
    /// A signed link arrived, but the server has no key to check it with.
    #[error(
        "this server checks no signed links: set {0} (the spec's `links.secret_env`) to the key `cutover comms send` signs them with, and restart it"
    )]
    LinksOff(String),
    /// A signed link that is malformed, changed, signed with another key or expired.
    #[error("{0}")]
    Link(#[from] LinkError),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::Store(StoreError::TooNew { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(_) | ApiError::Internal(_) | ApiError::ModeFile(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ApiError::NoSpec | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::LinksOff(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Link(LinkError::Expired(_)) => StatusCode::GONE,
            ApiError::Link(LinkError::BadSignature) => StatusCode::FORBIDDEN,
            ApiError::Link(_) => StatusCode::BAD_REQUEST,
            ApiError::Operation { failure, .. } => match failure {
                Failure::BadInput => StatusCode::BAD_REQUEST,
                Failure::NotMet => StatusCode::CONFLICT,
                Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    /// An operation's error, classified as the command line classifies it.
    pub fn operation(failure: Failure, error: &dyn std::error::Error) -> ApiError {
        ApiError::Operation {
            failure,
            message: chain(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            #[expect(clippy::print_stderr, reason = "the server's log is its stderr")]
            {
                eprintln!("cutover serve: error: {self}");
            }
        }
        let body = Json(ErrorBody {
            error: self.to_string(),
        });
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}

/// An error and its causes, `: `-separated.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
