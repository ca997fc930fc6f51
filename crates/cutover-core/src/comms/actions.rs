//! What a message offers the people who must act: the exact `cutover`
//! command, and — with a dashboard URL and a signing key — a signed,
//! expiring link doing the same (see [`super::link`]).

use jiff::Timestamp;

use super::link::{LinkAction, sign};
use crate::event::{DecisionOutcome, MessageAction};
use crate::spec::Links;

/// Environment variable naming the dashboard's URL; it wins over `links.server_url`.
pub const SERVER_URL_VARIABLE: &str = "CUTOVER_SERVER_URL";

/// Where links point and the key they are signed with, read once per batch.
#[derive(Clone)]
pub struct LinkSigner {
    base: Option<String>,
    key: Option<Vec<u8>>,
    expires: Timestamp,
}

/// The key stays out of `{:?}`.
impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSigner")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl LinkSigner {
    /// The signer the spec's `links:` and the environment give at `now`:
    /// links only when both a URL and a non-empty key are there.
    pub fn from_settings(links: &Links, now: Timestamp) -> LinkSigner {
        let base = std::env::var(SERVER_URL_VARIABLE)
            .ok()
            .map(|url| url.trim().trim_end_matches('/').to_owned())
            .filter(|url| !url.is_empty())
            .or_else(|| links.server_url.clone());
        let key = std::env::var(&links.secret_env)
            .ok()
            .filter(|key| !key.is_empty())
            .map(String::into_bytes);
        let valid_for = jiff::SignedDuration::from_secs(links.valid_for.seconds as i64);
        LinkSigner {
            base,
            key,
            expires: now.checked_add(valid_for).unwrap_or(now),
        }
    }

    /// A signer that makes no links: messages carry commands only.
    pub fn disabled(now: Timestamp) -> LinkSigner {
        LinkSigner {
            base: None,
            key: None,
            expires: now,
        }
    }

    /// `label` doing `command`, with a link doing `link` when links are on.
    pub fn action(&self, label: &str, command: String, link: Option<LinkAction>) -> MessageAction {
        let url = match (&self.base, &self.key, link) {
            (Some(base), Some(key), Some(link)) => sign(base, &link, key, self.expires).ok(),
            _ => None,
        };
        MessageAction {
            label: label.to_owned(),
            command,
            url,
        }
    }

    /// Acknowledge the message with idempotency key `key`.
    pub fn acknowledge(&self, key: &str) -> MessageAction {
        self.action(
            "Acknowledge",
            format!("cutover comms ack {key}"),
            Some(LinkAction::Acknowledge {
                message: key.to_owned(),
            }),
        )
    }

    /// Decide `component`'s open decision point.
    pub fn decide(&self, component: &str, outcome: DecisionOutcome) -> MessageAction {
        let label = match outcome {
            DecisionOutcome::Rollback => "Decide: roll back",
            DecisionOutcome::Continue => "Decide: approve continuing",
        };
        self.action(
            label,
            format!("cutover decide {component} {outcome} --reason \"…\""),
            Some(LinkAction::Decide {
                component: component.to_owned(),
                outcome,
            }),
        )
    }

    /// Roll `target` (a component id or `phase-N`) back.
    pub fn rollback(&self, target: &str) -> MessageAction {
        self.action(
            "Roll back",
            format!("cutover rollback {target} --reason \"…\""),
            Some(LinkAction::Rollback {
                target: target.to_owned(),
            }),
        )
    }
}
