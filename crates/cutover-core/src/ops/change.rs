//! What a forward mode change is asked with, what it yields, and why it can
//! be refused: shared by [`super::advance`] and the retirement checks, so
//! neither imports the other.

use crate::gate::GateReport;
use crate::lifecycle::{Mode, ModeState, TransitionError};
use crate::snapshot::SnapshotError;
use crate::store::StoreError;

/// One applied change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeChange {
    /// Component id.
    pub component: String,
    /// Before.
    pub from: ModeState,
    /// After.
    pub to: ModeState,
}

/// Why changes were refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Illegal moves, one per refused component.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Refused(Vec<TransitionError>),
    /// `--force` without `--reason`.
    #[error("--force needs --reason: forced changes are recorded with why")]
    ForceWithoutReason,
    /// Someone else changed the mode meanwhile.
    #[error(
        "the mode of `{0}` changed while this command ran; check `cutover status` and try again"
    )]
    Concurrent(String),
    /// An escalated trigger holds the component.
    #[error(
        "`{component}` is held by a decision point opened {opened_at} (trigger `{trigger}`: {evidence}); decide with `cutover decide {component} rollback|continue --reason …`"
    )]
    Held {
        /// Component.
        component: String,
        /// Trigger.
        trigger: String,
        /// When.
        opened_at: jiff::Timestamp,
        /// Evidence.
        evidence: String,
    },
    /// A snapshot could not be taken.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The plan (which says each component's phase gate) failed.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// A dependency is not at dagger yet (the ordering rules of the plan).
    #[error(transparent)]
    OutOfOrder(#[from] crate::plan::OutOfOrder),
    /// A gate did not pass.
    #[error("gate {} for `{}`: {}", .0.verdict.as_str(), .0.target, .0.blocking().map(|c| c.evidence()).chain(.0.note.clone()).collect::<Vec<_>>().join("; "))]
    Gate(Box<GateReport>),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mode file could not be written.
    #[error(transparent)]
    ModeWrite(#[from] crate::workspace::ModeWriteError),
    /// Retiring without its own confirmation.
    #[error(
        "retiring {} removes the way back to legacy; confirm with --confirm-retire (--force does not)", .0.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    )]
    RetireUnconfirmed(Vec<String>),
    /// Retiring while a dependency is not at dagger yet.
    #[error(
        "`{component}` cannot retire while its dependencies are not at dagger: {}; advance them first, or override with --override-dependencies --reason \"…\"", .pending.join(", ")
    )]
    RetireBeforeDependencies {
        /// Component.
        component: String,
        /// Dependencies behind, as "id (mode)".
        pending: Vec<String>,
    },
    /// `--override-dependencies` without `--reason`.
    #[error("--override-dependencies needs --reason: the override is recorded with why")]
    OverrideWithoutReason,
}

/// What the user asked for (going back is the `rollback` module's job).
#[derive(Debug, Clone)]
pub struct ChangeRequest<'a> {
    /// Target mode; `None` means the next mode.
    pub to: Option<Mode>,
    /// Canary share.
    pub percent: Option<u8>,
    /// Skip steps.
    pub force: bool,
    /// Why.
    pub reason: Option<&'a str>,
    /// Who.
    pub actor: &'a str,
    /// Retiring confirmed explicitly (`--confirm-retire`).
    pub confirm_retire: bool,
    /// Retire although dependencies are not at dagger (needs a reason).
    pub override_dependencies: bool,
}
