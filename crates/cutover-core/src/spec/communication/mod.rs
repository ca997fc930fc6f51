//! The communication sections of the spec — `stakeholders:`, `channels:`,
//! `schedule:`, `escalation:` and `links:` — in the spec's three stages:
//! [`wire`] (as written), [`validate`] (checked with line:column and key
//! paths, like the rest of the spec) and [`model`] (what the stakeholder
//! outbox, the schedule and the documents read).

pub mod model;
mod validate;
pub mod wire;

pub(in crate::spec) use validate::communication;
