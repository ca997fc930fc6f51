//! [`SideOutcome`]: how one side's process ended. "Could not start" is not
//! "ran and failed", and a timeout is neither.

use serde::{Deserialize, Serialize};

/// How one execution ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SideOutcome {
    /// Exit code 0.
    Succeeded,
    /// A non-zero exit code.
    Failed {
        /// The code.
        code: i32,
    },
    /// Killed by a signal it did not handle.
    Signalled {
        /// The signal number.
        signal: i32,
    },
    /// Killed by cutover after its timeout.
    TimedOut {
        /// The timeout, in milliseconds.
        after_ms: u64,
    },
    /// The process could not be started.
    SpawnFailed {
        /// Why.
        message: String,
    },
}

impl SideOutcome {
    /// The exit code CI sees when this side is authoritative: the process's
    /// own code, 128+signal when killed, 124 on timeout (as `timeout(1)`),
    /// 127 when it could not start (as a shell).
    pub fn exit_code(&self) -> i32 {
        match self {
            SideOutcome::Succeeded => 0,
            SideOutcome::Failed { code } => *code,
            SideOutcome::Signalled { signal } => 128 + signal,
            SideOutcome::TimedOut { .. } => 124,
            SideOutcome::SpawnFailed { .. } => 127,
        }
    }

    /// Whether the side succeeded.
    pub fn is_success(&self) -> bool {
        matches!(self, SideOutcome::Succeeded)
    }

    /// The stored spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            SideOutcome::Succeeded => "succeeded",
            SideOutcome::Failed { .. } => "failed",
            SideOutcome::Signalled { .. } => "signalled",
            SideOutcome::TimedOut { .. } => "timed_out",
            SideOutcome::SpawnFailed { .. } => "spawn_failed",
        }
    }

    /// Extra detail worth storing.
    pub fn detail(&self) -> Option<String> {
        match self {
            SideOutcome::SpawnFailed { message } => Some(message.clone()),
            SideOutcome::TimedOut { after_ms } => Some(format!("timed out after {after_ms} ms")),
            _ => None,
        }
    }
}
