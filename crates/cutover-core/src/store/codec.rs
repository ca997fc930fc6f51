//! Every domain value's spelling in storage, in one place: modes, sides,
//! parity verdicts and comparisons, side roles, snapshot and preserved-path kinds, journal
//! statuses, decision outcomes, run sources and statuses, event kinds, and
//! timestamps. No other file names these values as text.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::error::StoreError;
use super::outbox_types::MessageStatus;
use super::types::{JournalStatus, PreservedKind, RunSource, RunStatus, SnapshotKind};
use crate::event::{DecisionOutcome, EventKind, MessageKind};
use crate::exec::{ParityComparison, ParityVerdict, SideRole};
use crate::lifecycle::{Mode, Side};

/// A value with one spelling in storage.
pub(super) trait Code: Sized + Copy + 'static {
    /// Every value with its spelling.
    const CODES: &'static [(Self, &'static str)];
}

/// The spelling of `value`.
pub(super) fn text<T: Code + PartialEq>(value: T) -> &'static str {
    T::CODES
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, t)| t)
}

/// The value spelled `text`.
pub(super) fn parse<T: Code>(text: &str) -> Result<T, StoreError> {
    T::CODES
        .iter()
        .find(|(_, t)| *t == text)
        .map(|(v, _)| *v)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown stored value `{text}`")))
}

/// A [`Code`] value as a SQL parameter or column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Coded<T>(pub T);

impl<T: Code + PartialEq> ToSql for Coded<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(text(self.0)))
    }
}

impl<T: Code> FromSql for Coded<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        parse(text)
            .map(Coded)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

impl Code for Mode {
    const CODES: &'static [(Self, &'static str)] = &[
        (Mode::Legacy, "legacy"),
        (Mode::Shadow, "shadow"),
        (Mode::Canary, "canary"),
        (Mode::Dagger, "dagger"),
        (Mode::Retired, "retired"),
    ];
}

impl Code for Side {
    const CODES: &'static [(Self, &'static str)] =
        &[(Side::Legacy, "legacy"), (Side::Dagger, "dagger")];
}

impl Code for ParityVerdict {
    const CODES: &'static [(Self, &'static str)] = &[
        (ParityVerdict::Match, "match"),
        (ParityVerdict::Flaky, "flaky"),
        (ParityVerdict::Mismatch, "mismatch"),
    ];
}

impl Code for SideRole {
    const CODES: &'static [(Self, &'static str)] = &[
        (SideRole::Authoritative, "authoritative"),
        (SideRole::Shadow, "shadow"),
        (SideRole::Recheck, "recheck"),
        (SideRole::AuthoritativeDryRun, "authoritative_dry_run"),
    ];
}

impl Code for ParityComparison {
    const CODES: &'static [(Self, &'static str)] = &[
        (ParityComparison::Full, "full"),
        (ParityComparison::ExitCode, "exit_code"),
        (ParityComparison::DryRuns, "dry_runs"),
    ];
}

impl Code for SnapshotKind {
    const CODES: &'static [(Self, &'static str)] = &[
        (SnapshotKind::RestorePoint, "advance"),
        (SnapshotKind::Safety, "rollback"),
    ];
}

impl Code for PreservedKind {
    const CODES: &'static [(Self, &'static str)] = &[
        (PreservedKind::File, "file"),
        (PreservedKind::Dir, "dir"),
        (PreservedKind::Missing, "missing"),
    ];
}

impl Code for JournalStatus {
    const CODES: &'static [(Self, &'static str)] = &[
        (JournalStatus::InProgress, "in_progress"),
        (JournalStatus::Done, "done"),
    ];
}

impl Code for DecisionOutcome {
    const CODES: &'static [(Self, &'static str)] = &[
        (DecisionOutcome::Rollback, "rollback"),
        (DecisionOutcome::Continue, "continue"),
    ];
}

impl Code for RunSource {
    const CODES: &'static [(Self, &'static str)] = &[
        (RunSource::Run, "run"),
        (RunSource::Record, "record"),
        (RunSource::Bench, "bench"),
        (RunSource::Import, "import"),
    ];
}

impl Code for RunStatus {
    const CODES: &'static [(Self, &'static str)] = &[
        (RunStatus::Running, "running"),
        (RunStatus::Complete, "complete"),
        (RunStatus::Incomplete, "incomplete"),
    ];
}

impl Code for EventKind {
    const CODES: &'static [(Self, &'static str)] = &[
        (EventKind::ModeAdvanced, "mode_advanced"),
        (EventKind::RolledBack, "rolled_back"),
        (EventKind::GateEvaluated, "gate_evaluated"),
        (EventKind::TriggerFired, "trigger_fired"),
        (EventKind::DecisionOpened, "decision_opened"),
        (EventKind::DecisionMade, "decision_made"),
        (EventKind::DrillFinished, "drill_finished"),
        (EventKind::DriftAcknowledged, "drift_acknowledged"),
        (EventKind::OverrideSet, "override_set"),
        (EventKind::OverrideCleared, "override_cleared"),
        (EventKind::NoiseCalibrated, "noise_calibrated"),
        (EventKind::SnapshotRestored, "snapshot_restored"),
        (EventKind::PlanAnnounced, "plan_announced"),
        (EventKind::PhaseStarted, "phase_started"),
        (EventKind::PhaseCompleted, "phase_completed"),
        (EventKind::RollbackCompleted, "rollback_completed"),
        (EventKind::TestsFailed, "tests_failed"),
        (EventKind::DecisionExpired, "decision_expired"),
        (EventKind::GateDateMissed, "gate_date_missed"),
        (EventKind::DriftSeen, "drift_seen"),
        (EventKind::StatusUpdate, "status_update"),
        (EventKind::MessageEscalated, "message_escalated"),
        (EventKind::MessageAcknowledged, "message_acknowledged"),
        (EventKind::TrainingScheduled, "training_scheduled"),
    ];
}

impl Code for MessageStatus {
    const CODES: &'static [(Self, &'static str)] = &[
        (MessageStatus::Pending, "pending"),
        (MessageStatus::Sent, "sent"),
        (MessageStatus::Failed, "failed"),
    ];
}

impl Code for MessageKind {
    const CODES: &'static [(Self, &'static str)] = &[
        (MessageKind::PlanAnnounced, "plan_announced"),
        (MessageKind::PhaseStarting, "phase_starting"),
        (MessageKind::PhaseComplete, "phase_complete"),
        (MessageKind::ComponentAdvanced, "component_advanced"),
        (MessageKind::GateFailed, "gate_failed"),
        (MessageKind::RollbackTriggered, "rollback_triggered"),
        (MessageKind::RollbackComplete, "rollback_complete"),
        (MessageKind::DecisionNeeded, "decision_needed"),
        (MessageKind::DecisionMade, "decision_made"),
        (MessageKind::Escalation, "escalation"),
        (MessageKind::StatusUpdate, "status_update"),
        (MessageKind::DriftSeen, "drift_seen"),
        (MessageKind::TestsFailed, "tests_failed"),
        (MessageKind::DecisionExpired, "decision_expired"),
        (MessageKind::GateDateMissed, "gate_date_missed"),
        (MessageKind::TrainingInvitation, "training_invitation"),
    ];
}

/// Event kinds as schema versions 1–3 spelled them, and what they are now.
pub(super) const LEGACY_EVENT_KINDS: &[(&str, EventKind)] = &[
    ("advance", EventKind::ModeAdvanced),
    ("rollback", EventKind::RolledBack),
    ("gate", EventKind::GateEvaluated),
    ("decision", EventKind::DecisionMade),
    ("drill", EventKind::DrillFinished),
];

/// How timestamps are stored: RFC 3339, UTC, milliseconds; sorts as text.
pub(super) fn timestamp_text(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A stored timestamp.
pub(super) fn timestamp(text: &str) -> Result<jiff::Timestamp, StoreError> {
    text.parse::<jiff::Timestamp>()
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{text}`: {e}")))
}

/// A stored optional timestamp.
pub(super) fn optional_timestamp(
    text: Option<String>,
) -> Result<Option<jiff::Timestamp>, StoreError> {
    text.as_deref().map(timestamp).transpose()
}

/// A stored canary share.
pub(super) fn percent(value: i64) -> u8 {
    value.clamp(0, 100) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_text<T: serde::Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    #[test]
    fn storage_spellings_agree_with_the_json_spellings() {
        for (kind, stored) in EventKind::CODES {
            assert_eq!(serde_text(kind), *stored);
        }
        for (verdict, stored) in ParityVerdict::CODES {
            assert_eq!(serde_text(verdict), *stored);
        }
        for (role, stored) in SideRole::CODES {
            assert_eq!(serde_text(role), *stored);
        }
        for (comparison, stored) in ParityComparison::CODES {
            assert_eq!(serde_text(comparison), *stored);
        }
        for (mode, stored) in Mode::CODES {
            assert_eq!(mode.as_str(), *stored);
        }
        for kind in EventKind::ALL {
            assert_eq!(parse::<EventKind>(text(kind)).ok(), Some(kind));
        }
        for kind in MessageKind::ALL {
            assert_eq!(serde_text(kind), text(kind));
        }
        for (status, stored) in MessageStatus::CODES {
            assert_eq!(serde_text(status), *stored);
        }
    }
}
