//! [`Composer`]: turns events into the messages stakeholders get — who
//! hears (the [`super::matrix`] and what each stakeholder cares about),
//! through which channels, in which words (the group's template), with
//! which actions. It is the store's [`Notifier`]: every batch of events a
//! store writes passes through it, so no operation can forget to tell
//! people, and one batch (a phase advance, a whole rollback) makes one
//! message per channel and group, never one per component.
//!
//! Pure apart from reading project templates and the link settings from
//! the environment; it never fails an operation (see [`super::templates`]).

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;

use super::actions::LinkSigner;
use super::context::{EscalationView, MessageContext};
use super::facts::Facts;
use super::intent::{Intent, intents};
use super::matrix;
use super::templates::Templates;
use super::words::{time_text, wall_text};
use crate::event::{MessageKind, NewEvent, NewMessage, Notifier};
use crate::plan::Plan;
use crate::spec::{ChannelKind, Group, Migration, Stakeholder};
use crate::store::OutboxMessage;

/// Turns events into messages for one spec.
#[derive(Debug)]
pub struct Composer {
    facts: Facts,
    templates: Templates,
}

impl Composer {
    /// The composer of the spec `migration`, whose project is `base_dir`.
    pub fn new(migration: Migration, base_dir: &Path) -> Composer {
        Composer {
            facts: Facts::new(migration),
            templates: Templates::of_project(base_dir),
        }
    }

    /// The composer of sample messages for documents: commands without
    /// signed links, and keys derived from each message's kind, group and
    /// channel, so a document is the same every time it is written.
    pub fn for_documents(mut self) -> Composer {
        self.facts.for_documents = true;
        self
    }

    /// What signs action links at `now` (nothing, for documents).
    fn signer(&self, now: Timestamp) -> LinkSigner {
        self.facts.signer(now)
    }

    /// The spec.
    pub fn migration(&self) -> &Migration {
        self.facts.migration()
    }

    /// The plan, built on first use (`None` if the spec cannot be planned).
    pub fn plan(&self) -> Option<&Plan> {
        self.facts.plan()
    }

    /// The messages `batch` makes at `now`, each with the index of the event it belongs to.
    pub fn compose(&self, batch: &[NewEvent], now: Timestamp) -> Vec<(usize, NewMessage)> {
        if self.facts.migration().communication.stakeholders.is_empty() {
            return Vec::new();
        }
        let signer = self.signer(now);
        intents(&self.facts, batch, now)
            .into_iter()
            .flat_map(|intent| {
                let attach = intent.attach;
                self.messages(&intent, &signer)
                    .into_iter()
                    .map(move |message| (attach, message))
            })
            .collect()
    }

    /// The messages of one intent: one per channel and group of its audience.
    pub(super) fn messages(&self, intent: &Intent, signer: &LinkSigner) -> Vec<NewMessage> {
        let mut buckets: BTreeMap<(String, String), Vec<&Stakeholder>> = BTreeMap::new();
        for stakeholder in self.audience(intent) {
            for channel in &stakeholder.channels {
                buckets
                    .entry((channel.clone(), stakeholder.group.name().to_owned()))
                    .or_default()
                    .push(stakeholder);
            }
        }
        buckets
            .into_iter()
            .map(|((channel, group), people)| {
                self.message(intent, signer, &channel, &group, &people)
            })
            .collect()
    }

    fn message(
        &self,
        intent: &Intent,
        signer: &LinkSigner,
        channel: &str,
        group: &str,
        people: &[&Stakeholder],
    ) -> NewMessage {
        let key = if self.facts.for_documents {
            let what = format!("{}/{group}/{channel}/{}", intent.kind, intent.level);
            crate::exec::digest_bytes(what.as_bytes())
                .chars()
                .take(32)
                .collect()
        } else {
            crate::exec::random_hex(16)
        };
        let mut context = intent.context.clone();
        context.migration.clone_from(&self.facts.migration().name);
        context.kind = intent.kind.to_string();
        group.clone_into(&mut context.group);
        context.audience = people.iter().map(|s| s.name.clone()).collect();
        let mut actions = Vec::new();
        if intent.needs_ack {
            actions.push(signer.acknowledge(&key));
        }
        actions.extend(intent.actions.iter().cloned());
        context.actions.clone_from(&actions);
        let rendered = self.templates.render(intent.kind, &context);
        let is_email = self
            .facts
            .migration()
            .communication
            .channel(channel)
            .is_some_and(|c| matches!(c.kind, ChannelKind::Email(_)));
        let mut addresses: Vec<String> = Vec::new();
        if is_email {
            for person in people {
                for address in &person.email {
                    if !addresses.contains(address) {
                        addresses.push(address.clone());
                    }
                }
            }
        }
        NewMessage {
            key,
            kind: intent.kind,
            channel: channel.to_owned(),
            group: group.to_owned(),
            recipients: people.iter().map(|s| s.id.clone()).collect(),
            addresses,
            subject: rendered.subject,
            body: rendered.body,
            actions,
            needs_ack: intent.needs_ack,
            thread: intent.thread,
            level: intent.level,
        }
    }

    /// Who hears of `intent`.
    fn audience(&self, intent: &Intent) -> Vec<&Stakeholder> {
        let communication = &self.facts.migration().communication;
        let first_level: &[String] = match communication.escalation.first() {
            Some(level) if intent.needs_ack => &level.who,
            _ => &[],
        };
        communication
            .stakeholders
            .iter()
            .filter(|s| {
                if let Some(group) = &intent.only {
                    return &s.group == group;
                }
                intent.extra.contains(&s.id)
                    || first_level.contains(&s.id)
                    || (matrix::hears(intent.kind, s.raci) && self.concerns(s, intent))
            })
            .collect()
    }

    /// Whether `intent` touches what `stakeholder` cares about.
    fn concerns(&self, stakeholder: &Stakeholder, intent: &Intent) -> bool {
        let interests = &stakeholder.interests;
        if interests.is_everything() {
            return true;
        }
        let phase_of = |index: usize| self.plan().map(|p| p.components[index].phase);
        let components = &self.facts.migration().components;
        intent
            .components
            .iter()
            .any(|&c| interests.covers(&components[c], phase_of(c)))
            || intent.phase.is_some_and(|p| {
                let members: Vec<_> = self
                    .plan()
                    .and_then(|plan| plan.phases.iter().find(|ph| ph.number == p))
                    .map(|ph| ph.components.iter().map(|&i| &components[i]).collect())
                    .unwrap_or_default();
                interests.covers_phase(p, &members)
            })
    }

    /// The messages escalating `original` (the first of its thread) to
    /// `level` (2 or more): to that level's stakeholders, quoting it.
    pub fn escalation(
        &self,
        original: &OutboxMessage,
        level: u32,
        now: Timestamp,
    ) -> Vec<NewMessage> {
        let communication = &self.facts.migration().communication;
        let Some(settings) = communication.escalation.get(level as usize - 1) else {
            return Vec::new();
        };
        let previous = communication.escalation.get(level as usize - 2);
        let context = MessageContext {
            target: None,
            at: time_text(now),
            escalation: Some(EscalationView {
                level,
                levels: communication.escalation.len(),
                subject: original
                    .message
                    .subject
                    .strip_prefix(&format!("[{}] ", self.facts.migration().name))
                    .unwrap_or(&original.message.subject)
                    .to_owned(),
                body: original.message.body.clone(),
                since: time_text(original.level_since),
                within: previous.map_or_else(String::new, |l| wall_text(l.within.seconds)),
            }),
            ..MessageContext::default()
        };
        let intent = Intent {
            kind: MessageKind::Escalation,
            attach: 0,
            components: Vec::new(),
            phase: None,
            context,
            extra: settings.who.clone(),
            only: None,
            needs_ack: false,
            actions: Vec::new(),
            thread: Some(original.id),
            level,
        };
        let signer = self.signer(now);
        let mut messages = self.messages(&intent, &signer);
        for message in &mut messages {
            // Acknowledging an escalation acknowledges its thread.
            message.actions.insert(0, signer.acknowledge(&message.key));
        }
        messages
    }

    /// The status update of `group` with its digest.
    pub fn status_update(
        &self,
        group: &Group,
        digest: super::context::DigestView,
        now: Timestamp,
    ) -> Vec<NewMessage> {
        let context = MessageContext {
            at: time_text(now),
            digest: Some(digest),
            ..MessageContext::default()
        };
        let intent = Intent {
            kind: MessageKind::StatusUpdate,
            attach: 0,
            components: Vec::new(),
            phase: None,
            context,
            extra: Vec::new(),
            only: Some(group.clone()),
            needs_ack: false,
            actions: Vec::new(),
            thread: None,
            level: 1,
        };
        let signer = self.signer(now);
        self.messages(&intent, &signer)
    }

    /// The templates it renders with.
    pub fn templates(&self) -> &Templates {
        &self.templates
    }
}

impl Notifier for Composer {
    fn notify(&self, batch: &mut [NewEvent]) {
        let now = super::clock::now().unwrap_or_else(|_| Timestamp::now());
        for (index, message) in self.compose(batch, now) {
            if let Some(event) = batch.get_mut(index) {
                event.messages.push(message);
            }
        }
    }
}
