//! Gates: the criteria a component (or every component of a phase) must
//! meet before it may advance, evaluated over recorded runs with their
//! evidence. A component's gate is `defaults.gate` + its own `gate` + its
//! phase's `gate`. Observe-only criteria (`enforce: false`) are evaluated and
//! reported but never block. No enforced criterion at all is inconclusive:
//! a gate never passes by default.

mod evaluate;

pub use evaluate::{
    CriterionReport, GateError, GateReport, component_gate, component_gate_since, gate_criteria,
    target_gate, window_metrics,
};
