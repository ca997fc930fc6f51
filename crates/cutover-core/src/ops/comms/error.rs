//! [`CommsError`]: why a communication operation failed.

use crate::comms::clock::ClockError;
use crate::plan::PlanError;
use crate::store::StoreError;

/// Why a communication operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CommsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The test clock is set to something that is not a time.
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// The plan could not be built.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// No message has this id or key.
    #[error("no message `{0}` in the outbox (see `cutover comms outbox`)")]
    UnknownMessage(String),
    /// More than one message's key starts with this.
    #[error("`{0}` matches {1} messages: give more of the key")]
    AmbiguousMessage(String, usize),
    /// The spec names nobody to tell.
    #[error("the spec has no stakeholders: add `stakeholders:` and `channels:` to tell anyone")]
    NoStakeholders,
}
