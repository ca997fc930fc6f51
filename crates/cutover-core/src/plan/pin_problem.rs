//! [`pin_problem`]: a plan failure caused by a phase pin, pointed at the pin.
//!
//! Some pins are only impossible once the planner has formed its phases
//! (pins beyond the phases it forms leave a phase empty); such a failure is
//! a spec problem like any other, reported at the pin with what to change.

use std::path::Path;

use super::{PhaseError, PlanError};
use crate::spec::{Migration, SpecDiagnostic, SpecErrors};

/// The spec problem behind `error`, located at the pin that causes it, when
/// a pin does; `None` for other failures (or when the file cannot be read).
pub fn pin_problem(path: &Path, migration: &Migration, error: &PlanError) -> Option<SpecErrors> {
    let PlanError::Phases(PhaseError::EmptyPhase {
        phase,
        highest,
        available,
    }) = error
    else {
        return None;
    };
    let (index, component) = migration
        .components
        .iter()
        .enumerate()
        .find(|(_, c)| c.phase_pin == Some(*highest))?;
    let position = component.phase_pin_at?;
    let text = std::fs::read_to_string(path).ok()?;
    let diagnostic = SpecDiagnostic::new(
        format!(
            "phase {phase} would be empty: `{}` is pinned to phase {highest}, but only {} planned without pins",
            component.id,
            if *available == 1 {
                "1 phase is".to_owned()
            } else {
                format!("{available} phases are")
            },
        ),
        position,
    )
    .with_path(format!("components[{index}].phase"))
    .with_label("the highest pin")
    .with_help(format!(
        "pin `{}` to phase {available} or earlier, pin other components to the phases between, or remove the pin",
        component.id
    ));
    Some(SpecErrors::new(
        &path.display().to_string(),
        &text,
        vec![diagnostic],
    ))
}
