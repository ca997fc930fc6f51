//! What `advance`/`rollback` act on: one component, or every component of a phase.

use crate::plan::{PlanError, build_plan};
use crate::spec::Migration;

/// A resolved target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One component (index into the spec).
    Component(usize),
    /// A phase number and its members in start order.
    Phase(u32, Vec<usize>),
}

impl Target {
    /// The component indices acted on.
    pub fn components(&self) -> Vec<usize> {
        match self {
            Target::Component(c) => vec![*c],
            Target::Phase(_, members) => members.clone(),
        }
    }
}

/// Why a target is unknown.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Neither a component id nor a phase number.
    #[error("no component or phase named `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// What was asked.
        name: String,
        /// A close component id.
        suggestion: Option<String>,
    },
    /// A phase number beyond the plan.
    #[error("there is no phase {number}: the plan has {count} phases")]
    NoSuchPhase {
        /// Asked.
        number: u32,
        /// Phases in the plan.
        count: usize,
    },
    /// The plan could not be built.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// A component id wins over a phase number (`phase-2` or `2`).
pub fn resolve_target(migration: &Migration, name: &str) -> Result<Target, TargetError> {
    if let Some(index) = migration.component_index(name) {
        return Ok(Target::Component(index));
    }
    let number = name
        .strip_prefix("phase-")
        .unwrap_or(name)
        .parse::<u32>()
        .ok();
    let Some(number) = number else {
        let suggestion =
            crate::text::suggestion(name, migration.components.iter().map(|c| c.id.as_str()));
        return Err(TargetError::Unknown {
            name: name.into(),
            suggestion: suggestion.map(Into::into),
        });
    };
    let plan = build_plan(migration)?;
    let phase =
        plan.phases
            .iter()
            .find(|p| p.number == number)
            .ok_or(TargetError::NoSuchPhase {
                number,
                count: plan.phases.len(),
            })?;
    Ok(Target::Phase(number, phase.components.clone()))
}
