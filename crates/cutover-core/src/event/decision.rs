//! [`DecisionOutcome`]: what someone decided at a decision point.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The answer to an escalated trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// Roll the component back to its restore point.
    Rollback,
    /// Keep the component where it is.
    Continue,
}

/// `rollback` or `continue`.
impl std::fmt::Display for DecisionOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::text::write_serde_name(self, f)
    }
}
