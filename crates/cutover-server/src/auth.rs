//! [`Authorized`]: the extractor that turns a bearer token into a
//! [`Caller`] whose role is at least the handler's requirement. It runs
//! before the body is read, so a request without a valid token (401) or
//! with too weak a role (403) is refused before anything is parsed or done.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::app::App;
use crate::error::ApiError;
use crate::tokens::{Caller, Role};

/// The least role a handler needs.
pub trait Requirement: Send + Sync {
    /// The role.
    const ROLE: Role;
}

/// Any known token.
pub struct Viewer;
/// A runner or an operator token.
pub struct Runner;
/// An operator token.
pub struct Operator;

impl Requirement for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl Requirement for Runner {
    const ROLE: Role = Role::Runner;
}
impl Requirement for Operator {
    const ROLE: Role = Role::Operator;
}

/// A caller allowed what `R` allows.
pub struct Authorized<R> {
    /// Who it is.
    pub caller: Caller,
    requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequestParts<App> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
            .ok_or(ApiError::Unauthenticated)?;
        let caller = app
            .tokens
            .authenticate(token)
            .ok_or(ApiError::Unauthenticated)?;
        if !caller.role.allows(R::ROLE) {
            return Err(ApiError::Forbidden {
                name: caller.name.clone(),
                role: caller.role.as_str(),
                required: R::ROLE.as_str(),
            });
        }
        Ok(Authorized {
            caller: caller.clone(),
            requirement: PhantomData,
        })
    }
}

/// The token of `Bearer TOKEN` (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The event as the caller wrote it, with the caller as its actor: the
/// server decides who did what, whatever a body claims.
pub(crate) fn attributed(
    mut event: cutover_core::event::NewEvent,
    caller: &Caller,
) -> cutover_core::event::NewEvent {
    event.actor.clone_from(&caller.name);
    event
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn only_bearer_credentials_count() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
    }
}
