//! The stakeholder communication engine: events become messages (who hears
//! what, through which channel, in which words), messages are delivered
//! through email, webhooks and file inboxes, with retries, and people act
//! on them through commands or signed links.
//!
//! - [`compose`]: the [`Composer`], the store's notifier — routing by the
//!   [`matrix`] and each stakeholder's interests, one message per channel
//!   and group of a batch; [`templates`] render them per group.
//! - [`deliver`]: the channels (SMTP through lettre, webhooks through ureq
//!   with HMAC signatures, files), each attempt's outcome typed.
//! - [`link`]: signing and verifying action links (the server verifies);
//!   [`actions`]: the commands and links a message offers.
//! - [`backoff`], [`clock`]: when a retry or an escalation is due.
//!
//! The operations that use them (`send`, `ack`, `escalate`, `announce`)
//! live in [`crate::ops`].

pub mod actions;
pub mod backoff;
pub mod clock;
pub mod compose;
pub mod context;
pub mod deliver;
pub mod facts;
mod intent;
pub mod link;
pub mod matrix;
pub mod templates;
pub mod words;

pub use compose::Composer;
pub use templates::{Rendered, TemplateProblem, Templates};
