//! The communication operations, each on a [`crate::workspace::Workspace`]:
//! - [`send`]: delivers what is due (status updates first), with retries;
//! - [`acknowledge`]: a message and its thread, so it stops escalating;
//! - [`escalate`]: records what became overdue or changed unnoticed
//!   (expired decisions, missed gate dates, drifted legacy definitions) and
//!   moves unacknowledged messages one level up — safe from cron;
//! - [`announce`]: tells every stakeholder the plan;
//! - [`invite`]: invites each team to its training sessions;
//! - [`outbox`]: what the outbox holds.

mod acknowledge;
mod announce;
mod error;
mod escalate;
mod invite;
mod send;
mod status;

pub use acknowledge::{Acknowledged, acknowledge};
pub use announce::announce;
pub use error::CommsError;
pub use escalate::{EscalateReport, escalate};
pub use invite::{InviteReport, invite};
pub use send::{Attempt, SendOptions, SendReport, send};
pub use status::record_due_status_updates;

use crate::store::{OutboxFilter, OutboxMessage};
use crate::workspace::Workspace;

/// The messages of the outbox matching `filter`, oldest first.
pub fn outbox(
    workspace: &Workspace,
    filter: &OutboxFilter,
) -> Result<Vec<OutboxMessage>, CommsError> {
    Ok(workspace.store.outbox(filter)?)
}
