//! The documents' view of phases and components: the values the
//! templates and the executive summary read, built by `context.rs`.

use serde::Serialize;

use super::benchmarks::BenchmarkDoc;
use crate::plan::PhaseRole;

/// One phase.
#[derive(Debug, Serialize)]
pub struct PhaseDoc {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Role.
    pub role: PhaseRole,
    /// How it is tested.
    pub approach: &'static str,
    /// Start.
    pub start: String,
    /// Gate date.
    pub gate: String,
    /// Phase-level criteria.
    pub criteria: Vec<CriterionDoc>,
    /// Integration tests.
    pub integration: Vec<TestDoc>,
    /// Components.
    pub components: Vec<ComponentDoc>,
}

/// One component.
#[derive(Debug, Serialize)]
pub struct ComponentDoc {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Owner.
    pub owner: String,
    /// Risk.
    pub risk: &'static str,
    /// Business-critical.
    pub critical: bool,
    /// User-facing.
    pub user_facing: bool,
    /// Has side effects.
    pub side_effects: bool,
    /// Compared outputs.
    pub outputs: Vec<String>,
    /// Criteria the component adds to (or overrides in) the defaults.
    pub own_criteria: Vec<CriterionDoc>,
    /// What parity rests on: `exit code, stdout, lib.a (symbols)`.
    pub parity_basis: String,
    /// Its criteria (defaults, own, phase).
    pub criteria: Vec<CriterionDoc>,
    /// Acceptance tests.
    pub acceptance: Vec<TestDoc>,
    /// Live gate verdict.
    pub verdict: Option<&'static str>,
    /// Its own preserved paths.
    pub preserve: Vec<String>,
    /// Latest drill.
    pub drill: Option<DrillDoc>,
    /// Latest benchmark.
    pub benchmark: Option<BenchmarkDoc>,
}

/// A trigger with its decision settings.
#[derive(Debug, Serialize)]
pub struct TriggerDoc {
    /// Condition.
    pub when: String,
    /// `rollback` or `escalate`.
    pub action: &'static str,
    /// Runs needed before it fires.
    pub min_runs: u32,
    /// Quiet time after firing, in words.
    pub cooldown: Option<String>,
    /// Who decides an escalation.
    pub decider: String,
    /// How fast, in words.
    pub decide_within: String,
}

/// A drill's latest result.
#[derive(Debug, Serialize)]
pub struct DrillDoc {
    /// When, in the migration's time zone.
    pub at: String,
    /// Passed?
    pub passed: bool,
    /// Time to roll back, milliseconds.
    pub duration_ms: f64,
    /// Time to roll back in human units (`1.2 s`).
    pub duration: String,
}

/// One criterion.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionDoc {
    /// As written.
    pub expr: String,
    /// Where from.
    pub source: String,
    /// Blocks or observes.
    pub enforce: bool,
    /// Window in words.
    pub window: String,
    /// Live verdict.
    pub verdict: Option<&'static str>,
    /// Live evidence.
    pub evidence: Option<String>,
}

/// One test.
#[derive(Debug, Serialize)]
pub struct TestDoc {
    /// Name.
    pub name: String,
    /// Command.
    pub run: String,
    /// What passing means.
    pub expects: String,
}
