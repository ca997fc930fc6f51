//! [`Failure`]: what kind of failure an operation's error is — the one
//! classification both faces render, the command line as an exit code
//! (2, 1, 3) and the server as an HTTP status (400, 409, 500), so an
//! advance refused on the page is refused for the reason the CLI gives.

use super::change::ChangeError;
use super::decide::DecideError;
use crate::rollback::RollbackError;

/// The kind of an operation's failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The request cannot be done as asked (an illegal move, a missing
    /// reason, a held component, nothing to roll back): exit 2.
    BadInput,
    /// A gate or criterion is not met: exit 1.
    NotMet,
    /// The store, a snapshot or a file failed: exit 3.
    Internal,
}

impl ChangeError {
    /// What kind of failure this is.
    pub fn failure(&self) -> Failure {
        match self {
            ChangeError::Store(_) | ChangeError::Snapshot(_) | ChangeError::ModeWrite(_) => {
                Failure::Internal
            }
            ChangeError::Gate(_) => Failure::NotMet,
            _ => Failure::BadInput,
        }
    }
}

impl RollbackError {
    /// What kind of failure this is.
    pub fn failure(&self) -> Failure {
        match self {
            RollbackError::Store(_)
            | RollbackError::Snapshot(_)
            | RollbackError::Verify { .. }
            | RollbackError::ModeWrite(_) => Failure::Internal,
            _ => Failure::BadInput,
        }
    }
}

impl DecideError {
    /// What kind of failure this is (a decided rollback whose mode file
    /// cannot be written is bad input, as it always was for `decide`).
    pub fn failure(&self) -> Failure {
        match self {
            DecideError::NothingOpen(_) => Failure::BadInput,
            DecideError::Store(_) => Failure::Internal,
            DecideError::Rollback(RollbackError::ModeWrite(_)) => Failure::BadInput,
            DecideError::Rollback(error) => error.failure(),
        }
    }
}
