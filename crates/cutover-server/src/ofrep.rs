//! The OpenFeature Remote Evaluation Protocol (OFREP 0.3), so any
//! OpenFeature SDK's OFREP provider reads the migration's modes as flags:
//! `POST /ofrep/v1/evaluate/flags/{key}` evaluates one flag,
//! `POST /ofrep/v1/evaluate/flags` every flag, with an `ETag` and
//! `If-None-Match` (304). Flag `dagger.<component>` is a boolean: true when
//! the Dagger side is authoritative for the context's `targetingKey`
//! ([`cutover_core::flags`]). The shapes follow the protocol's OpenAPI
//! document: `key`, `value`, `reason`, `variant`, `metadata` on success;
//! `key`, `errorCode`, `errorDetails` on failure (400 for a bad request or a
//! missing targeting key, 404 `FLAG_NOT_FOUND`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cutover_core::flags::{FlagError, Reason, Resolution};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::{Authorized, Viewer};

/// The single-flag path (axum syntax).
pub const FLAG: &str = "/ofrep/v1/evaluate/flags/{key}";
/// The bulk path.
pub const FLAGS: &str = "/ofrep/v1/evaluate/flags";

/// A successful evaluation.
#[derive(Debug, Serialize)]
struct Success<'a> {
    key: &'a str,
    value: bool,
    reason: Reason,
    variant: cutover_core::lifecycle::Side,
    metadata: Metadata,
}

/// What the flag's answer came from (flat, as OFREP metadata must be).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    mode: cutover_core::lifecycle::Mode,
    canary_percent: u8,
    held_back: bool,
}

/// A failed evaluation (of one flag, or of a whole bulk request).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Failure<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    error_code: &'static str,
    error_details: String,
}

/// One item of a bulk answer.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Item<'a> {
    Success(Success<'a>),
    Failure(Failure<'a>),
}

/// The bulk answer.
#[derive(Debug, Serialize)]
struct Bulk<'a> {
    flags: Vec<Item<'a>>,
}

fn success(resolution: &Resolution) -> Success<'_> {
    Success {
        key: &resolution.key,
        value: resolution.value(),
        reason: resolution.reason,
        variant: resolution.side,
        metadata: Metadata {
            mode: resolution.state.mode,
            canary_percent: resolution.state.canary_percent,
            held_back: resolution.held_back,
        },
    }
}

fn flag_failure<'a>(key: &'a str, error: &FlagError) -> (StatusCode, Failure<'a>) {
    let (status, code) = match error {
        FlagError::NotFound(_) => (StatusCode::NOT_FOUND, "FLAG_NOT_FOUND"),
        FlagError::TargetingKeyMissing(_) => (StatusCode::BAD_REQUEST, "TARGETING_KEY_MISSING"),
    };
    let failure = Failure {
        key: Some(key),
        error_code: code,
        error_details: error.to_string(),
    };
    (status, failure)
}

/// Why a request body is not an evaluation request.
struct BadRequest {
    code: &'static str,
    details: String,
}

/// The context's targeting key from a body `{"context": {...}}`: a body
/// that is not JSON is a `PARSE_ERROR`; a context that is not an object,
/// or a targeting key that is not a string, is an `INVALID_CONTEXT`.
fn targeting_key(body: &[u8]) -> Result<Option<String>, BadRequest> {
    let parsed: Value = serde_json::from_slice(body).map_err(|error| BadRequest {
        code: "PARSE_ERROR",
        details: format!("the request body is not JSON: {error}"),
    })?;
    let invalid = |details: &str| BadRequest {
        code: "INVALID_CONTEXT",
        details: details.to_owned(),
    };
    let Some(Value::Object(context)) = parsed.get("context") else {
        return Err(invalid("the request needs a `context` object"));
    };
    match context.get("targetingKey") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(key)) => Ok(Some(key.clone())),
        Some(_) => Err(invalid("`context.targetingKey` must be a string")),
    }
}

fn json(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::from(bytes),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `POST /ofrep/v1/evaluate/flags/{key}`.
pub async fn evaluate_flag(
    State(app): State<App>,
    _: Authorized<Viewer>,
    Path(key): Path<String>,
    body: Bytes,
) -> Response {
    let targeting_key = match targeting_key(&body) {
        Ok(k) => k,
        Err(bad) => {
            let failure = Failure {
                key: Some(&key),
                error_code: bad.code,
                error_details: bad.details,
            };
            return json(StatusCode::BAD_REQUEST, &failure);
        }
    };
    let flags = app.flags();
    match flags.evaluate(&key, targeting_key.as_deref()) {
        Ok(resolution) => json(StatusCode::OK, &success(&resolution)),
        Err(error) => {
            let (status, failure) = flag_failure(&key, &error);
            json(status, &failure)
        }
    }
}

/// `POST /ofrep/v1/evaluate/flags`: every flag, with an `ETag` (the digest
/// of the answer); a matching `If-None-Match` gets 304 and no body.
pub async fn evaluate_flags(
    State(app): State<App>,
    _: Authorized<Viewer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let targeting_key = match targeting_key(&body) {
        Ok(k) => k,
        Err(bad) => {
            let failure = Failure {
                key: None,
                error_code: bad.code,
                error_details: bad.details,
            };
            return json(StatusCode::BAD_REQUEST, &failure);
        }
    };
    let flags = app.flags();
    let evaluated = flags.evaluate_all(targeting_key.as_deref());
    let items = evaluated
        .iter()
        .map(|(key, result)| match result {
            Ok(resolution) => Item::Success(success(resolution)),
            Err(error) => Item::Failure(flag_failure(key, error).1),
        })
        .collect();
    let Ok(bytes) = serde_json::to_vec(&Bulk { flags: items }) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let etag = etag(&bytes);
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| matches_etag(v, &etag))
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag_value),
        ],
        Bytes::from(bytes),
    )
        .into_response()
}

/// A strong entity tag: the first 128 bits of the body's SHA-256, quoted.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` value (a list, `*`, weak tags) names `etag`
/// (weak comparison, as RFC 9110 asks for `If-None-Match`).
fn matches_etag(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_in_lists() {
        let tag = etag(b"{}");
        assert!(matches_etag(&tag, &tag));
        assert!(matches_etag(&format!("\"x\", W/{tag}"), &tag));
        assert!(matches_etag("*", &tag));
        assert!(!matches_etag("\"other\"", &tag));
    }

    #[test]
    fn bodies_are_parsed_as_the_protocol_says() {
        assert_eq!(
            targeting_key(br#"{"context":{"targetingKey":"k"}}"#).ok(),
            Some(Some("k".into()))
        );
        assert_eq!(targeting_key(br#"{"context":{}}"#).ok(), Some(None));
        let code = |body: &[u8]| targeting_key(body).err().map(|e| e.code);
        assert_eq!(code(b"not json"), Some("PARSE_ERROR"));
        assert_eq!(code(br#"{"context":3}"#), Some("INVALID_CONTEXT"));
        assert_eq!(code(br#"{}"#), Some("INVALID_CONTEXT"));
        assert_eq!(
            code(br#"{"context":{"targetingKey":7}}"#),
            Some("INVALID_CONTEXT")
        );
    }
}
