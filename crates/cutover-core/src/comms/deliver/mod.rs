//! Delivering one message through its channel: [`Transport`] opens a
//! channel once per `send` (reading its settings and secrets from the
//! environment), then delivers messages one by one, each with its
//! idempotency key (the mail's `Message-ID`, the webhook's
//! `Idempotency-Key`, the inbox file's name), so a receiver keeps one copy
//! of a message delivered twice.
//!
//! Every error is told in words with the channel's secrets removed (a
//! webhook URL, a password), since it is recorded in the outbox and shown.
//! Whether a failure is worth retrying is part of the error.

mod email;
mod file;
pub mod payload;
mod webhook;

use std::path::Path;

use crate::exec::Redactor;
use crate::spec::{Channel, ChannelKind};
use crate::store::OutboxMessage;

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// It may work later (the receiver is down, a setting is missing).
    #[error("{0}")]
    Retry(String),
    /// It will not work however often it is tried (refused for good).
    #[error("{0}")]
    Permanent(String),
}

/// An open channel.
pub enum Transport {
    /// SMTP.
    Email(email::EmailTransport),
    /// An HTTP webhook.
    Webhook(webhook::WebhookTransport),
    /// A local inbox directory.
    File(file::FileTransport),
    /// A channel that cannot be opened now (a setting is missing): every
    /// delivery fails with this reason and is tried again later.
    Unavailable(String),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Transport::Email(_) => "email",
            Transport::Webhook(_) => "webhook",
            Transport::File(_) => "file",
            Transport::Unavailable(_) => "unavailable",
        };
        f.debug_tuple("Transport").field(&name).finish()
    }
}

impl Transport {
    /// Opens `channel` of the project at `base_dir`; the migration's name
    /// goes into payloads.
    pub fn open(channel: &Channel, base_dir: &Path, migration: &str) -> Transport {
        let opened = match &channel.kind {
            ChannelKind::Email(settings) => {
                email::EmailTransport::open(settings).map(Transport::Email)
            }
            ChannelKind::Webhook(settings) => {
                webhook::WebhookTransport::open(settings, migration).map(Transport::Webhook)
            }
            ChannelKind::File(settings) => {
                file::FileTransport::open(settings, base_dir).map(Transport::File)
            }
        };
        opened.unwrap_or_else(|reason| {
            Transport::Unavailable(format!("channel `{}`: {reason}", channel.id))
        })
    }

    /// Delivers `message`.
    pub fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        match self {
            Transport::Email(transport) => transport.deliver(message),
            Transport::Webhook(transport) => transport.deliver(message),
            Transport::File(transport) => transport.deliver(message),
            Transport::Unavailable(reason) => Err(DeliveryError::Retry(reason.clone())),
        }
    }
}

/// What `--dry-run` shows of a message on `channel`: what would be sent,
/// never a secret (a webhook's URL and signature are shown by name).
pub fn preview(channel: &Channel, message: &OutboxMessage, migration: &str) -> String {
    match &channel.kind {
        ChannelKind::Email(settings) => email::preview(settings, message),
        ChannelKind::Webhook(settings) => webhook::preview(settings, message, migration),
        ChannelKind::File(settings) => file::preview(settings, message),
    }
}

/// The value of environment variable `name`, or why it is missing.
fn required_env(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(format!("environment variable `{name}` is not set")),
    }
}

/// Removes `secrets` from a message about a failure.
fn scrubbed(secrets: &[String], text: &str) -> String {
    Redactor::new(secrets).redact_str(text)
}
