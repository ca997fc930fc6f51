//! Advancing modes: checks every component of the target first (all
//! or nothing), then records each change with its event (who, when, why,
//! from, to). Entering shadow records the digest of `legacy.sources` so drift
//! of the legacy definition can be flagged later.
//!
//! Advancing out of shadow or later requires the component's gate to pass
//! (entering shadow needs no evidence: nothing has run on Dagger yet). With
//! `--force --reason` a failing gate is overridden and its evidence recorded
//! in the event. An open decision point (an escalated trigger) holds the
//! component: nothing advances it until someone decides. Before each change a
//! snapshot (kind `advance`) saves the mode and the preserved paths: the
//! restore point a rollback returns to.

use std::path::Path;

use serde_json::json;

use super::mode::{Mode, ModeState};
use super::target::Target;
use super::transition::{Direction, TransitionError, TransitionRequest, check_transition};
use crate::criteria::Verdict;
use crate::exec::digest_paths;
use crate::gate::{GateReport, component_gate};
use crate::rollback::{ObjectStore, preserved_paths, save_paths};
use crate::spec::{Component, Migration};
use crate::store::{NewEvent, Store, StoreError};

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
        opened_at: String,
        /// Evidence.
        evidence: String,
    },
    /// A snapshot could not be taken.
    #[error(transparent)]
    Snapshot(#[from] crate::rollback::snapshot::SnapshotError),
    /// A dependency is not at dagger yet (the ordering rules of the plan).
    #[error(transparent)]
    OutOfOrder(#[from] crate::plan::OutOfOrder),
    /// A gate did not pass.
    #[error("gate {} for `{}`: {}", .0.verdict.as_str(), .0.target, .0.blocking().map(|c| c.evidence()).chain(.0.note.clone()).collect::<Vec<_>>().join("; "))]
    Gate(Box<GateReport>),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
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
}

/// Checks and applies a change to every component of `target`.
pub fn change_modes(
    store: &mut Store,
    migration: &Migration,
    base_dir: &Path,
    state_dir: &Path,
    target: &Target,
    request: &ChangeRequest<'_>,
) -> Result<Vec<ModeChange>, ChangeError> {
    if request.force && request.reason.is_none() {
        return Err(ChangeError::ForceWithoutReason);
    }
    let members = target.components();
    let mut planned = Vec::new();
    let mut refused = Vec::new();
    for c in members {
        let component = &migration.components[c];
        let current = store.mode(&component.id)?.state;
        match plan_change(component, current, request) {
            Ok(to) => planned.push((component, current, to)),
            Err(error) => refused.push(error),
        }
    }
    if !refused.is_empty() {
        return Err(ChangeError::Refused(refused));
    }
    if !request.force {
        check_ordering(store, migration, &planned)?;
    }
    for (component, _, _) in &planned {
        if let Some(decision) = store.open_decision_for(&component.id)? {
            return Err(ChangeError::Held {
                component: component.id.clone(),
                trigger: decision.trigger,
                opened_at: decision.opened_at,
                evidence: decision.evidence,
            });
        }
    }
    let mut evidence = Vec::with_capacity(planned.len());
    for (component, from, _) in &planned {
        let gated = from.mode >= Mode::Shadow;
        let gate = if gated {
            let index = migration.component_index(&component.id).unwrap_or_default();
            let report = component_gate(store, migration, base_dir, index)?;
            if report.verdict != Verdict::Pass && !request.force {
                return Err(ChangeError::Gate(Box::new(report)));
            }
            Some(report)
        } else {
            None
        };
        evidence.push(gate);
    }
    let objects = ObjectStore::new(state_dir);
    let mut applied = Vec::new();
    for ((component, from, to), gate) in planned.into_iter().zip(evidence) {
        // The restore point a rollback returns to: this mode and the
        // preserved paths as they are before the change, recorded in the
        // same transaction as the change itself.
        let restore_point = save_paths(&objects, base_dir, &preserved_paths(migration, component))?;
        crate::rollback::failpoint("advance-before-commit");
        let digest = (to.mode == Mode::Shadow)
            .then(|| {
                component
                    .legacy
                    .as_ref()
                    .map(|l| digest_paths(base_dir, &l.sources))
            })
            .flatten();
        let event = NewEvent {
            kind: "advance".into(),
            component: Some(component.id.clone()),
            actor: request.actor.into(),
            reason: request.reason.map(Into::into),
            detail: json!({
                "from": from,
                "to": to,
                "forced": request.force,
                "gate": gate.as_ref().map(|g| json!({
                    "verdict": g.verdict,
                    "blocking": g.blocking().map(|c| c.evidence()).collect::<Vec<_>>(),
                })),
            }),
        };
        if store
            .change_mode(
                &component.id,
                from,
                to,
                digest.as_deref(),
                &restore_point,
                &event,
            )?
            .is_none()
        {
            return Err(ChangeError::Concurrent(component.id.clone()));
        }
        applied.push(ModeChange {
            component: component.id.clone(),
            from,
            to,
        });
    }
    Ok(applied)
}

/// The plan's ordering rule (see `plan::check_order`), with changes of this
/// same command counted as done.
fn check_ordering(
    store: &Store,
    migration: &Migration,
    planned: &[(&Component, ModeState, ModeState)],
) -> Result<(), ChangeError> {
    let index = |c: &Component| migration.component_index(&c.id).unwrap_or_default();
    let mut modes: std::collections::HashMap<usize, Mode> = planned
        .iter()
        .map(|(c, _, to)| (index(c), to.mode))
        .collect();
    for (component, _, _) in planned {
        for &d in &component.depends_on {
            if let std::collections::hash_map::Entry::Vacant(entry) = modes.entry(d) {
                entry.insert(store.mode(&migration.components[d].id)?.state.mode);
            }
        }
    }
    let mode_of = |d: usize| modes.get(&d).copied().unwrap_or(Mode::Legacy);
    for (component, _, to) in planned {
        crate::plan::check_order(migration, index(component), to.mode, &mode_of)?;
    }
    Ok(())
}

fn plan_change(
    component: &Component,
    current: ModeState,
    request: &ChangeRequest<'_>,
) -> Result<ModeState, TransitionError> {
    let transition = TransitionRequest {
        direction: Direction::Advance,
        to: request
            .to
            .unwrap_or_else(|| current.mode.next().unwrap_or(Mode::Retired)),
        percent: request.percent,
        force: request.force,
    };
    check(component, current, transition)
}

fn check(
    component: &Component,
    current: ModeState,
    request: TransitionRequest,
) -> Result<ModeState, TransitionError> {
    let dry_runs = [
        component
            .legacy
            .as_ref()
            .is_some_and(|l| l.shadow_run.is_some()),
        component
            .dagger
            .as_ref()
            .is_some_and(|d| d.shadow_run.is_some()),
    ];
    check_transition(
        &component.id,
        current,
        request,
        component.side_effects,
        dry_runs,
    )
}
