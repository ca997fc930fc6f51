//! [`send`]: delivers every message that is due, channel by channel.
//!
//! At least once: a message is claimed, delivered, then its delivery is
//! recorded. The claim moves its next attempt [`CLAIM_LEASE`] ahead, only if
//! no other sender moved it since this one read it, so two `send`s at once
//! (cron and a person, two machines) never deliver the same message. A
//! crash after claiming (even SIGKILL) leaves it pending: the first `send`
//! after the lease delivers it, with the same idempotency key, which the
//! receiver uses to keep one copy if the crash came after delivering.
//! Nothing is lost and nothing needs cleaning up.
//! A failure is retried with exponential backoff and jitter
//! ([`crate::comms::backoff`]); after a channel fails once in a run, its
//! other messages wait for the same next attempt without being tried, so a
//! channel that is down never holds up the others.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::CommsError;
use crate::comms::backoff::{MAX_ATTEMPTS, next_attempt};
use crate::comms::deliver::{DeliveryError, Transport, preview};
use crate::failpoint::failpoint;
use crate::store::{DeliveryAttempt, MessageStatus, OutboxFilter, OutboxMessage};
use crate::workspace::Workspace;

/// How long a claimed message waits before another sender may try it: far
/// longer than one delivery takes (every transport gives up within a
/// minute), short enough that a crashed sender delays a message little.
pub const CLAIM_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(10 * 60);

/// The time a `send` reasons with as it goes: its start (`options.now`, the
/// test clock included) plus the real time elapsed since. A claim made late
/// in a long run (many messages, a slow receiver) then still holds for a
/// whole lease, and a retry is scheduled from when it failed.
#[derive(Debug, Clone, Copy)]
struct SendClock {
    start: Timestamp,
    started: std::time::Instant,
}

impl SendClock {
    fn new(start: Timestamp) -> SendClock {
        SendClock {
            start,
            started: std::time::Instant::now(),
        }
    }

    fn now(&self) -> Timestamp {
        jiff::SignedDuration::try_from(self.started.elapsed())
            .ok()
            .and_then(|elapsed| self.start.checked_add(elapsed).ok())
            .unwrap_or(self.start)
    }
}

/// What `send` is asked.
#[derive(Debug, Clone, Copy)]
pub struct SendOptions {
    /// Render what would be sent, send nothing, record nothing.
    pub dry_run: bool,
    /// The time it reasons with (see [`crate::comms::clock`]).
    pub now: Timestamp,
}

/// One message's delivery in this run.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The message.
    pub message: OutboxMessage,
    /// What came of it.
    pub outcome: DeliveryAttempt,
    /// What `--dry-run` would have sent.
    pub preview: Option<String>,
}

/// What a `send` did.
#[derive(Debug, Clone, Default)]
pub struct SendReport {
    /// Status updates that came due, by group, with their message counts.
    pub status_updates: Vec<(String, usize)>,
    /// Every message due, with its outcome.
    pub attempts: Vec<Attempt>,
    /// Pending messages not due yet.
    pub waiting: usize,
    /// Due messages another sender claimed first (it delivers them).
    pub claimed_elsewhere: usize,
}

/// Delivers every message due at `options.now`.
pub fn send(workspace: &mut Workspace, options: SendOptions) -> Result<SendReport, CommsError> {
    let clock = SendClock::new(options.now);
    let mut report = SendReport::default();
    if !options.dry_run {
        report.status_updates = super::record_due_status_updates(workspace, options.now)?;
    }
    let pending = workspace.store.outbox(&OutboxFilter {
        status: Some(MessageStatus::Pending),
        ..OutboxFilter::default()
    })?;
    let mut by_channel: BTreeMap<String, Vec<OutboxMessage>> = BTreeMap::new();
    for message in pending {
        if message.next_attempt_at <= options.now {
            by_channel
                .entry(message.message.channel.clone())
                .or_default()
                .push(message);
        } else {
            report.waiting += 1;
        }
    }
    for (channel, messages) in by_channel {
        let attempts = if options.dry_run {
            previews(workspace, &channel, messages)
        } else {
            let (attempts, elsewhere) = deliver_channel(workspace, &channel, messages, clock)?;
            report.claimed_elsewhere += elsewhere;
            attempts
        };
        report.attempts.extend(attempts);
    }
    Ok(report)
}

fn previews(workspace: &Workspace, channel: &str, messages: Vec<OutboxMessage>) -> Vec<Attempt> {
    let spec = workspace.migration.communication.channel(channel);
    messages
        .into_iter()
        .map(|message| Attempt {
            preview: Some(spec.map_or_else(
                || format!("channel `{channel}` is no longer in the spec"),
                |c| preview(c, &message, &workspace.migration.name),
            )),
            outcome: DeliveryAttempt::Delivered,
            message,
        })
        .collect()
}

/// Delivers one channel's due messages, each claimed first, recording each
/// outcome; with how many another sender had claimed.
fn deliver_channel(
    workspace: &mut Workspace,
    channel: &str,
    messages: Vec<OutboxMessage>,
    clock: SendClock,
) -> Result<(Vec<Attempt>, usize), CommsError> {
    let transport = match workspace.migration.communication.channel(channel) {
        Some(spec) => Transport::open(spec, &workspace.base_dir, &workspace.migration.name),
        None => Transport::Unavailable(format!("channel `{channel}` is no longer in the spec")),
    };
    let mut attempts = Vec::with_capacity(messages.len());
    let mut down: Option<(String, Timestamp)> = None;
    let mut elsewhere = 0;
    for message in messages {
        let now = clock.now();
        let lease = now.checked_add(CLAIM_LEASE).unwrap_or(now);
        if !workspace
            .store
            .claim_delivery(message.id, message.next_attempt_at, lease)?
        {
            elsewhere += 1;
            continue;
        }
        let outcome = match &down {
            Some((error, next)) => DeliveryAttempt::Deferred {
                error: error.clone(),
                next_attempt: *next,
            },
            None => attempt(&transport, &message, clock),
        };
        if let DeliveryAttempt::Retry {
            error,
            next_attempt,
        } = &outcome
        {
            down = Some((error.clone(), *next_attempt));
        }
        failpoint("comms-after-delivery");
        workspace.store.record_delivery(message.id, &outcome)?;
        attempts.push(Attempt {
            message,
            outcome,
            preview: None,
        });
    }
    Ok((attempts, elsewhere))
}

/// One delivery attempt and what to record of it.
fn attempt(transport: &Transport, message: &OutboxMessage, clock: SendClock) -> DeliveryAttempt {
    let delivered = transport.deliver(message);
    let now = clock.now();
    match delivered {
        Ok(()) => DeliveryAttempt::Delivered,
        Err(DeliveryError::Permanent(error)) => DeliveryAttempt::GaveUp { error },
        Err(DeliveryError::Retry(error)) if message.attempts + 1 >= MAX_ATTEMPTS => {
            DeliveryAttempt::GaveUp {
                error: format!("{error} (gave up after {} attempts)", message.attempts + 1),
            }
        }
        Err(DeliveryError::Retry(error)) => {
            let random = u64::from_str_radix(&crate::exec::random_hex(8), 16).unwrap_or(0);
            DeliveryAttempt::Retry {
                error,
                next_attempt: next_attempt(now, message.attempts + 1, random),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SendClock;

    #[test]
    fn the_send_clock_starts_at_the_given_time_and_moves_with_real_time() {
        let start: jiff::Timestamp = "2027-01-04T09:00:00Z".parse().expect("time");
        let clock = SendClock::new(start);
        let first = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let later = clock.now();
        assert!(first >= start && later > first, "{start} {first} {later}");
        assert!(later.duration_since(start) < jiff::SignedDuration::from_secs(5));
    }
}
