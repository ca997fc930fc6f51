//! Signed, expiring action links: what a message offers people who must act
//! (acknowledge, decide, roll back) when a dashboard URL is configured.
//!
//! A link is `{base}/act?action=…&…&expires=UNIX&sig=HEX`. The signature is
//! HMAC-SHA256, with the key from the environment (`links.secret_env`), over
//! a canonical text of the action, its parameters in a fixed order and the
//! expiry, so no parameter can be changed or added and a link stops working
//! when it expires. [`sign`] makes links; [`verify`] is what the server calls
//! on the query it receives, with the same key. Nothing else is trusted: the
//! link carries no identity, so the dashboard still asks who is acting.

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::Sha256;

use crate::event::DecisionOutcome;

/// The path under the server's base URL that links point to.
pub const LINK_PATH: &str = "/act";

/// What a link does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAction {
    /// Acknowledge the message (and its thread) with this idempotency key.
    Acknowledge {
        /// The message's key.
        message: String,
    },
    /// Decide a component's open decision point.
    Decide {
        /// The component held.
        component: String,
        /// Roll back or continue.
        outcome: DecisionOutcome,
    },
    /// Roll a component or phase back.
    Rollback {
        /// A component id or `phase-N`.
        target: String,
    },
}

impl LinkAction {
    /// `(name, [(parameter, value)])` in the canonical order.
    fn parts(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            LinkAction::Acknowledge { message } => {
                ("acknowledge", vec![("message", message.clone())])
            }
            LinkAction::Decide { component, outcome } => (
                "decide",
                vec![
                    ("component", component.clone()),
                    ("outcome", outcome.to_string()),
                ],
            ),
            LinkAction::Rollback { target } => ("rollback", vec![("target", target.clone())]),
        }
    }
}

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// A parameter is missing or not what the action needs.
    #[error("the link is malformed: {0}")]
    Malformed(String),
    /// The signature does not match (changed, or signed with another key).
    #[error("the link's signature does not match")]
    BadSignature,
    /// It expired.
    #[error("the link expired at {0}")]
    Expired(Timestamp),
    /// The key is empty.
    #[error("no signing key: set the link secret variable")]
    NoKey,
}

type HmacSha256 = Hmac<Sha256>;

fn canonical(name: &str, parameters: &[(&str, String)], expires: i64) -> String {
    let mut text = format!("cutover-link-v1\naction={name}\n");
    for (key, value) in parameters {
        text.push_str(&format!("{key}={value}\n"));
    }
    text.push_str(&format!("expires={expires}"));
    text
}

fn mac(key: &[u8], text: &str) -> Result<HmacSha256, LinkError> {
    if key.is_empty() {
        return Err(LinkError::NoKey);
    }
    let mut mac = HmacSha256::new_from_slice(key).map_err(|_| LinkError::NoKey)?;
    mac.update(text.as_bytes());
    Ok(mac)
}

/// A signed link to `action` under `base` (the dashboard's URL), valid until `expires`.
pub fn sign(
    base: &str,
    action: &LinkAction,
    key: &[u8],
    expires: Timestamp,
) -> Result<String, LinkError> {
    let (name, parameters) = action.parts();
    let expires = expires.as_second();
    let signature = mac(key, &canonical(name, &parameters, expires))?
        .finalize()
        .into_bytes();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("action", name);
    for (key, value) in &parameters {
        query.append_pair(key, value);
    }
    query.append_pair("expires", &expires.to_string());
    query.append_pair("sig", &crate::exec::hex(&signature));
    Ok(format!(
        "{}{LINK_PATH}?{}",
        base.trim_end_matches('/'),
        query.finish()
    ))
}

/// Checks the query of a link (the text after `?`) against `key` at `now`
/// and returns the action it grants. The signature is compared in constant time.
pub fn verify(query: &str, key: &[u8], now: Timestamp) -> Result<LinkAction, LinkError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(value), None) => Ok(value.clone()),
            (None, _) => Err(LinkError::Malformed(format!("no `{name}`"))),
            (Some(_), Some(_)) => Err(LinkError::Malformed(format!("`{name}` given twice"))),
        }
    };
    let action = match get("action")?.as_str() {
        "acknowledge" => LinkAction::Acknowledge {
            message: get("message")?,
        },
        "decide" => LinkAction::Decide {
            component: get("component")?,
            outcome: match get("outcome")?.as_str() {
                "rollback" => DecisionOutcome::Rollback,
                "continue" => DecisionOutcome::Continue,
                other => return Err(LinkError::Malformed(format!("unknown outcome `{other}`"))),
            },
        },
        "rollback" => LinkAction::Rollback {
            target: get("target")?,
        },
        other => return Err(LinkError::Malformed(format!("unknown action `{other}`"))),
    };
    let (name, parameters) = action.parts();
    let expected: Vec<&str> = ["action", "expires", "sig"]
        .into_iter()
        .chain(parameters.iter().map(|(k, _)| *k))
        .collect();
    if let Some((extra, _)) = pairs.iter().find(|(k, _)| !expected.contains(&k.as_str())) {
        return Err(LinkError::Malformed(format!("unexpected `{extra}`")));
    }
    let expires: i64 = get("expires")?
        .parse()
        .map_err(|_| LinkError::Malformed("`expires` is not a number".into()))?;
    let signature = from_hex(&get("sig")?).ok_or(LinkError::BadSignature)?;
    mac(key, &canonical(name, &parameters, expires))?
        .verify_slice(&signature)
        .map_err(|_| LinkError::BadSignature)?;
    let deadline = Timestamp::from_second(expires)
        .map_err(|_| LinkError::Malformed("`expires` is out of range".into()))?;
    if now > deadline {
        return Err(LinkError::Expired(deadline));
    }
    Ok(action)
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("time")
    }

    fn query(link: &str) -> &str {
        link.split_once('?').map_or("", |(_, q)| q)
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let action = LinkAction::Decide {
            component: "build-api".into(),
            outcome: DecisionOutcome::Rollback,
        };
        let link = sign(
            "https://cutover.example.com/",
            &action,
            b"key",
            at("2027-01-05T00:00:00Z"),
        )
        .expect("signed");
        assert!(
            link.starts_with("https://cutover.example.com/act?action=decide&component=build-api")
        );
        let granted = verify(query(&link), b"key", at("2027-01-04T12:00:00Z"));
        assert_eq!(granted, Ok(action));
        assert!(matches!(
            verify(query(&link), b"key", at("2027-01-05T00:00:01Z")),
            Err(LinkError::Expired(_))
        ));
    }

    #[test]
    fn a_changed_parameter_or_another_key_is_refused() {
        let action = LinkAction::Rollback {
            target: "phase-2".into(),
        };
        let link = sign("https://c", &action, b"key", at("2030-01-01T00:00:00Z")).expect("signed");
        let now = at("2027-01-01T00:00:00Z");
        let changed = query(&link).replace("phase-2", "phase-3");
        assert_eq!(verify(&changed, b"key", now), Err(LinkError::BadSignature));
        assert_eq!(
            verify(query(&link), b"other", now),
            Err(LinkError::BadSignature)
        );
        let later = query(&link).replace("expires=1893456000", "expires=1993456000");
        assert_eq!(verify(&later, b"key", now), Err(LinkError::BadSignature));
        let extra = format!("{}&target2=x", query(&link));
        assert!(matches!(
            verify(&extra, b"key", now),
            Err(LinkError::Malformed(_))
        ));
        assert_eq!(
            sign("https://c", &action, b"", now),
            Err(LinkError::NoKey),
            "an empty key signs nothing"
        );
    }
}
