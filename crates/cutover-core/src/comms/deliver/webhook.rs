//! The `webhook` channel: an HTTP POST of the payload (see [`super::payload`])
//! through ureq, with its idempotency key (`Idempotency-Key`) and, when a
//! secret is configured, an HMAC-SHA256 signature a receiver verifies:
//! `X-Cutover-Signature: sha256=HEX` over `"{timestamp}.{body}"`, the
//! timestamp (Unix seconds) in `X-Cutover-Timestamp`, so a replayed old
//! request can be refused. A 2xx answer is delivered; 408, 429 and 5xx,
//! like no answer, are tried again; any other 4xx is refused for good.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::payload::payload;
use super::{DeliveryError, required_env, scrubbed};
use crate::spec::{WebhookChannel, WebhookFormat};
use crate::store::OutboxMessage;

/// How long connecting and the whole request may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook URL with its secret.
pub struct WebhookTransport {
    agent: ureq::Agent,
    url: String,
    secret: Option<String>,
    format: WebhookFormat,
    migration: String,
}

impl WebhookTransport {
    pub(super) fn open(
        settings: &WebhookChannel,
        migration: &str,
    ) -> Result<WebhookTransport, String> {
        let url = required_env(&settings.url_env)?.trim().to_owned();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!(
                "`{}` does not hold an http(s) URL",
                settings.url_env
            ));
        }
        let secret = match &settings.secret_env {
            Some(variable) => Some(required_env(variable)?),
            None => None,
        };
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(WEBHOOK_TIMEOUT))
            .timeout_global(Some(WEBHOOK_TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("cutover/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(WebhookTransport {
            agent: ureq::Agent::new_with_config(config),
            url,
            secret,
            format: settings.format,
            migration: migration.to_owned(),
        })
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.url.clone()];
        secrets.extend(self.secret.clone());
        secrets
    }

    pub(super) fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        let body = payload(self.format, message, &self.migration).to_string();
        let timestamp = jiff::Timestamp::now().as_second().to_string();
        let mut request = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .header("idempotency-key", &message.message.key)
            .header("x-cutover-kind", message.message.kind.to_string())
            .header("x-cutover-timestamp", &timestamp);
        if let Some(secret) = &self.secret {
            request = request.header("x-cutover-signature", signature(secret, &timestamp, &body));
        }
        let response = request.send(body.as_bytes()).map_err(|error| {
            DeliveryError::Retry(scrubbed(&self.secrets(), &format!("webhook: {error}")))
        })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(()),
            408 | 429 | 500..=599 => {
                Err(DeliveryError::Retry(format!("webhook answered {status}")))
            }
            _ => Err(DeliveryError::Permanent(format!(
                "webhook refused the message: {status}"
            ))),
        }
    }
}

/// `sha256=HEX`: HMAC-SHA256 with `secret` over `"{timestamp}.{body}"`.
pub fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let hex = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map(|mut mac| {
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        crate::exec::hex(&mac.finalize().into_bytes())
    });
    format!("sha256={}", hex.unwrap_or_default())
}

pub(super) fn preview(
    settings: &WebhookChannel,
    message: &OutboxMessage,
    migration: &str,
) -> String {
    let body = payload(settings.format, message, migration);
    let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
    let signed = match &settings.secret_env {
        Some(variable) => {
            format!("\nX-Cutover-Signature: sha256=… (HMAC with ${variable}, at send time)")
        }
        None => String::new(),
    };
    format!(
        "POST ${} ({} payload)\nIdempotency-Key: {}{signed}\n\n{pretty}\n",
        settings.url_env,
        settings.format.as_str(),
        message.message.key
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: Python's hmac.new(b"s3cret", b'1700000000.{"a":1}', sha256).
        assert_eq!(
            signature("s3cret", "1700000000", r#"{"a":1}"#),
            "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
        );
    }
}
