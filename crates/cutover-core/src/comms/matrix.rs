//! Who hears what: for every kind of message, the RACI roles it goes to,
//! whether someone must acknowledge it, and what it is for. One table, read
//! by the composer (routing) and by the communication plan (the matrix it
//! shows), so the document says exactly what the outbox does.
//!
//! A stakeholder hears of a message when their role is in its row *and* it
//! concerns what they care about (`cares_about`). Besides: a decision's
//! decider always hears of it, escalation level 1 hears of every message
//! that needs an acknowledgement, and status updates go to every
//! stakeholder of the group they are scheduled for.

use crate::event::MessageKind;
use crate::spec::Raci;

/// Every role.
const ALL: &[Raci] = &[
    Raci::Responsible,
    Raci::Accountable,
    Raci::Consulted,
    Raci::Informed,
];
/// Those who work on it or answer for it.
const OWNERS: &[Raci] = &[Raci::Responsible, Raci::Accountable];
/// Everyone but those only kept informed.
const INVOLVED: &[Raci] = &[Raci::Responsible, Raci::Accountable, Raci::Consulted];

/// One row of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The message.
    pub kind: MessageKind,
    /// Roles that hear of it (when it concerns what they care about).
    pub roles: &'static [Raci],
    /// Whether someone must acknowledge it; unacknowledged, it escalates.
    pub needs_ack: bool,
    /// When it goes out, in words.
    pub when: &'static str,
}

/// The row of `kind`.
pub fn row(kind: MessageKind) -> Row {
    let (roles, needs_ack, when): (&'static [Raci], bool, &'static str) = match kind {
        MessageKind::PlanAnnounced => (ALL, false, "`cutover comms announce`: the plan, once"),
        MessageKind::PhaseStarting => (ALL, false, "the first component of a phase leaves legacy"),
        MessageKind::PhaseComplete => (ALL, false, "the last component of a phase reaches dagger"),
        MessageKind::ComponentAdvanced => (
            INVOLVED,
            false,
            "an advance (one message for all its components)",
        ),
        MessageKind::GateFailed => (OWNERS, false, "a gate fails after it did not"),
        MessageKind::RollbackTriggered => (ALL, true, "a trigger rolls a component back"),
        MessageKind::RollbackComplete => (
            ALL,
            false,
            "a rollback finishes (one message for all its steps)",
        ),
        MessageKind::DecisionNeeded => (
            &[Raci::Accountable],
            false,
            "an escalate trigger holds a component: its decider at once",
        ),
        MessageKind::DecisionMade => (INVOLVED, false, "`cutover decide`"),
        MessageKind::Escalation => (&[], false, "an acknowledgement is overdue: the next level"),
        MessageKind::StatusUpdate => (
            ALL,
            false,
            "the group's schedule: what happened since the last one",
        ),
        MessageKind::DriftSeen => (OWNERS, false, "a legacy definition changes after its port"),
        MessageKind::TestsFailed => (OWNERS, false, "`cutover test` fails"),
        MessageKind::DecisionExpired => (OWNERS, true, "a decision is overdue"),
        MessageKind::GateDateMissed => (
            INVOLVED,
            true,
            "a phase's gate date passes before it is cut over",
        ),
        MessageKind::TrainingInvitation => (
            &[],
            false,
            "`cutover comms invite`: a team's training session, to those it is for (again if it moves)",
        ),
    };
    Row {
        kind,
        roles,
        needs_ack,
        when,
    }
}

/// Whether `raci` hears of `kind` (when it concerns them).
pub fn hears(kind: MessageKind, raci: Raci) -> bool {
    row(kind).roles.contains(&raci)
}
