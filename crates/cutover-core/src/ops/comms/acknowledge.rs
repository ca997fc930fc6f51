//! [`acknowledge`]: someone has seen a message and is on it; its thread (the
//! first message and every escalation of it) stops escalating.

use super::CommsError;
use crate::store::{OutboxFilter, OutboxMessage};
use crate::workspace::Workspace;

/// What an acknowledgement did.
#[derive(Debug, Clone)]
pub struct Acknowledged {
    /// The first message of the thread.
    pub thread: OutboxMessage,
    /// False when it had been acknowledged already (nothing written).
    pub newly: bool,
}

impl Acknowledged {
    /// What happened, in one line, as the command line and the server's
    /// signed links both report it.
    pub fn summary(&self) -> String {
        let (id, subject) = (self.thread.id, &self.thread.message.subject);
        match (&self.thread.acknowledged_by, self.newly) {
            (_, true) => format!("acknowledged #{id} ({subject}): it will not escalate further"),
            (Some(who), false) => format!("#{id} ({subject}) was acknowledged already by {who}"),
            (None, false) => format!("#{id} ({subject}) was acknowledged already"),
        }
    }
}

/// The shortest key prefix accepted (shorter ones match too much).
const MIN_KEY_PREFIX: usize = 6;

/// Acknowledges the message `reference` — its id, or its idempotency key
/// (or a unique prefix of it) as messages print it — and with it its thread.
pub fn acknowledge(
    workspace: &mut Workspace,
    reference: &str,
    actor: &str,
) -> Result<Acknowledged, CommsError> {
    let found = find(workspace, reference)?;
    let thread_id = found.thread();
    let thread = if thread_id == found.id {
        found
    } else {
        let filter = OutboxFilter {
            id: Some(thread_id),
            ..OutboxFilter::default()
        };
        workspace
            .store
            .outbox(&filter)?
            .pop()
            .ok_or_else(|| CommsError::UnknownMessage(thread_id.to_string()))?
    };
    let newly = workspace.store.acknowledge_message(thread_id, actor)?;
    Ok(Acknowledged { thread, newly })
}

/// The one message `reference` names.
fn find(workspace: &Workspace, reference: &str) -> Result<OutboxMessage, CommsError> {
    let reference = reference.trim();
    let hex = reference.chars().all(|c| c.is_ascii_hexdigit());
    let filter = match reference.parse::<i64>() {
        Ok(id) if reference.len() < MIN_KEY_PREFIX => OutboxFilter {
            id: Some(id),
            ..OutboxFilter::default()
        },
        _ if hex && reference.len() >= MIN_KEY_PREFIX => OutboxFilter {
            key: Some(reference.to_ascii_lowercase()),
            limit: 2,
            ..OutboxFilter::default()
        },
        _ => return Err(CommsError::UnknownMessage(reference.to_owned())),
    };
    let mut found = workspace.store.outbox(&filter)?;
    match found.len() {
        0 => Err(CommsError::UnknownMessage(reference.to_owned())),
        1 => Ok(found.remove(0)),
        n => Err(CommsError::AmbiguousMessage(reference.to_owned(), n)),
    }
}
