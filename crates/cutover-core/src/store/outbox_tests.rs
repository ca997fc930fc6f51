//! The outbox on both backends: messages are written with their event or
//! not at all; deliveries, acknowledgements and escalations are recorded
//! once, whoever races for them.

use super::tests::{Subject, on_both_backends, postgres_subject, sqlite_subject};
use super::{DeliveryAttempt, Durability, MessageStatus, OutboxFilter, Store};
use crate::event::{Event, MessageKind, NewEvent, NewMessage, Notifier};

on_both_backends!(
    messages_are_written_with_their_event_or_not_at_all,
    deliveries_are_recorded_once_and_deferrals_count_no_attempt,
    a_message_is_claimed_by_one_sender_only,
    a_thread_escalates_once_per_level_and_stops_when_acknowledged,
    the_notifier_adds_messages_to_every_batch,
);

fn message(key: &str, needs_ack: bool) -> NewMessage {
    NewMessage {
        key: key.into(),
        kind: MessageKind::RollbackTriggered,
        channel: "inbox".into(),
        group: "operations".into(),
        recipients: vec!["sre".into()],
        addresses: vec!["sre@example.com".into()],
        subject: "Rollback triggered: job".into(),
        body: "A trigger fired.\n".into(),
        actions: Vec::new(),
        needs_ack,
        thread: None,
        level: 1,
    }
}

fn fired(messages: Vec<NewMessage>) -> NewEvent {
    let mut event = NewEvent::new(
        Some("job".into()),
        "cutover trigger",
        None,
        Event::TriggerFired {
            trigger: "parity < 0.9".into(),
            action: crate::spec::TriggerAction::Rollback,
            metrics: Default::default(),
            runs: 3,
        },
    );
    event.messages = messages;
    event
}

fn all(store: &Store) -> Vec<super::OutboxMessage> {
    store.outbox(&OutboxFilter::default()).expect("outbox")
}

fn messages_are_written_with_their_event_or_not_at_all(subject: Subject) {
    let mut store = subject.store;
    let id = store
        .append_event(
            &fired(vec![message("k1", true), message("k2", false)]),
            Durability::Synced,
        )
        .expect("append");
    let stored = all(&store);
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|m| m.event_id == id && m.status == MessageStatus::Pending)
    );
    assert_eq!(stored[0].message, message("k1", true));
    // A message that cannot be written (a key used before) takes its event with it.
    let error = store.append_event(
        &fired(vec![message("k3", false), message("k1", false)]),
        Durability::Synced,
    );
    assert!(error.is_err());
    assert_eq!(
        store.events(None, 10).expect("events").len(),
        1,
        "no event without its messages"
    );
    assert_eq!(all(&store).len(), 2, "no message without its event");
}

fn deliveries_are_recorded_once_and_deferrals_count_no_attempt(subject: Subject) {
    let mut store = subject.store;
    store
        .append_event(
            &fired(vec![message("abc123def", false)]),
            Durability::Synced,
        )
        .expect("append");
    let id = all(&store)[0].id;
    let next: jiff::Timestamp = "2030-01-01T00:00:00Z".parse().expect("time");
    let retry = DeliveryAttempt::Retry {
        error: "connection refused".into(),
        next_attempt: next,
    };
    assert!(store.record_delivery(id, &retry).expect("retry"));
    let deferred = DeliveryAttempt::Deferred {
        error: "channel down".into(),
        next_attempt: next,
    };
    assert!(store.record_delivery(id, &deferred).expect("defer"));
    let pending = &all(&store)[0];
    assert_eq!(
        (pending.status, pending.attempts),
        (MessageStatus::Pending, 1)
    );
    assert_eq!(pending.next_attempt_at, next);
    assert_eq!(pending.last_error.as_deref(), Some("channel down"));
    assert!(
        store
            .record_delivery(id, &DeliveryAttempt::Delivered)
            .expect("sent")
    );
    assert!(
        !store
            .record_delivery(id, &DeliveryAttempt::Delivered)
            .expect("again"),
        "a second sender finds it delivered"
    );
    let sent = &all(&store)[0];
    assert_eq!((sent.status, sent.attempts), (MessageStatus::Sent, 2));
    assert!(sent.sent_at.is_some() && sent.last_error.is_none());
    let by_key = |key: &str| {
        store
            .outbox(&OutboxFilter {
                key: Some(key.into()),
                ..OutboxFilter::default()
            })
            .expect("by key")
            .len()
    };
    assert_eq!(
        (by_key("abc123"), by_key("abc123def"), by_key("abd")),
        (1, 1, 0)
    );
}

fn a_thread_escalates_once_per_level_and_stops_when_acknowledged(subject: Subject) {
    let mut store = subject.store;
    // Two messages of one event that need an acknowledgement: one thread.
    store
        .append_event(
            &fired(vec![message("root", true), message("same", true)]),
            Durability::Synced,
        )
        .expect("append");
    let thread = all(&store)[0].id;
    assert_eq!(all(&store)[1].message.thread, Some(thread));
    let escalation = |key: &str| {
        let mut escalated = message(key, false);
        escalated.kind = MessageKind::Escalation;
        escalated.thread = Some(thread);
        escalated.level = 2;
        let mut event = NewEvent::new(
            None,
            "cutover escalate",
            None,
            Event::MessageEscalated {
                message: thread,
                level: 2,
            },
        );
        event.messages = vec![escalated];
        event
    };
    assert!(
        store
            .escalate_message(thread, 1, &escalation("up1"))
            .expect("escalate")
    );
    assert!(
        !store
            .escalate_message(thread, 1, &escalation("up2"))
            .expect("again"),
        "a second run at the same level does nothing"
    );
    let messages = all(&store);
    assert_eq!(messages.len(), 3, "the losing run wrote no message");
    assert_eq!(messages[0].message.level, 2);
    assert_eq!(messages[2].message.thread, Some(thread));
    let awaiting = OutboxFilter {
        awaiting_ack: true,
        ..OutboxFilter::default()
    };
    assert_eq!(store.outbox(&awaiting).expect("awaiting").len(), 1);
    assert!(store.acknowledge_message(thread, "ada").expect("ack"));
    assert!(!store.acknowledge_message(thread, "bob").expect("ack again"));
    assert!(store.outbox(&awaiting).expect("awaiting").is_empty());
    assert!(
        all(&store)
            .iter()
            .all(|m| m.acknowledged_by.as_deref() == Some("ada"))
    );
    assert!(
        !store
            .escalate_message(thread, 2, &escalation("up3"))
            .expect("after ack")
    );
    let kinds: Vec<String> = store
        .events(None, 10)
        .expect("events")
        .iter()
        .map(|e| e.event.kind().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["trigger_fired", "message_escalated", "message_acknowledged"]
    );
}

/// Adds one message to the first event of every batch.
#[derive(Debug)]
struct OneMessage;

impl Notifier for OneMessage {
    fn notify(&self, batch: &mut [NewEvent]) {
        if let Some(first) = batch.first_mut() {
            let key = format!("n{}", first.event.kind());
            first.messages.push(message(&key, false));
        }
    }
}

fn the_notifier_adds_messages_to_every_batch(subject: Subject) {
    let mut store = subject.store;
    store.set_notifier(std::sync::Arc::new(OneMessage));
    store
        .append_event(&fired(Vec::new()), Durability::Synced)
        .expect("append");
    // A batch that already carries messages (a client's, at a server) keeps them.
    store
        .append_event(&fired(vec![message("client", false)]), Durability::Synced)
        .expect("append");
    let keys: Vec<String> = all(&store).into_iter().map(|m| m.message.key).collect();
    assert_eq!(keys, ["ntrigger_fired", "client"]);
}

fn a_message_is_claimed_by_one_sender_only(subject: Subject) {
    let mut store = subject.store;
    store
        .append_event(&fired(vec![message("claimed", false)]), Durability::Synced)
        .expect("append");
    let read = all(&store)[0].clone();
    let lease: jiff::Timestamp = "2030-01-01T00:10:00Z".parse().expect("time");
    assert!(
        store
            .claim_delivery(read.id, read.next_attempt_at, lease)
            .expect("claim")
    );
    assert!(
        !store
            .claim_delivery(read.id, read.next_attempt_at, lease)
            .expect("second claim"),
        "a sender that read the same message before the claim gets nothing"
    );
    assert_eq!(
        all(&store)[0].next_attempt_at,
        lease,
        "due again after the lease"
    );
    assert_eq!(all(&store)[0].status, MessageStatus::Pending);
    assert!(
        store
            .record_delivery(read.id, &DeliveryAttempt::Delivered)
            .expect("delivered")
    );
    assert!(
        !store
            .claim_delivery(read.id, lease, lease)
            .expect("claim a sent message"),
        "a sent message is never claimed"
    );
}
