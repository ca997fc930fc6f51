//! Phase assignment: which components move together, and in what order.
//!
//! Rules, applied in this order (all deterministic, ties broken by spec order):
//! 1. **Foundation**: every `infra` component whose dependencies are all
//!    foundation components (so transitively all infra) goes to phase 1.
//! 2. **Pilot**: up to `planning.pilot_size` (default 3) low-risk, non-critical,
//!    non-user-facing components whose dependencies are all foundation form
//!    the next phase; the smallest efforts are picked first.
//! 3. **Waves**: everything else is layered by dependencies (a component goes
//!    one phase after its latest non-foundation, non-pilot dependency).
//! 4. **User-facing last**: a user-facing wave component moves as late as its
//!    dependents allow; one that nothing depends on lands in the last phase.
//! 5. **Limits**: a phase over `planning.max_phase_effort` or
//!    `planning.max_phase_components` is split in dependency order.
//! 6. **Pins**: pinned components get their pinned phase; the others are
//!    clamped between the pins of their dependencies and dependents, so no
//!    component ever lands in an earlier phase than a dependency.

use crate::graph::DependencyGraph;
use crate::spec::{ComponentKind, Migration, Risk};

/// What a phase is for; shapes its name and goals in documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseRole {
    /// Infrastructure everything else builds on.
    Foundation,
    /// Low-risk components that prove the approach.
    Pilot,
    /// The bulk of the work.
    Wave,
    /// Only user-facing components.
    UserFacing,
}

/// The phase of every component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseAssignment {
    /// 1-based phase of each component, indexed like the spec's components.
    pub phase_of: Vec<u32>,
    /// Members of each phase (index 0 is phase 1), in spec order.
    pub members: Vec<Vec<usize>>,
    /// Role of each phase.
    pub roles: Vec<PhaseRole>,
}

/// Why phases could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    /// Pins leave a phase with nothing in it.
    #[error(
        "phase {phase} would be empty: pins place components up to phase {highest}, but only {available} phases are planned without them"
    )]
    EmptyPhase {
        /// The empty phase.
        phase: u32,
        /// The highest pinned phase.
        highest: u32,
        /// Phases the planner formed on its own.
        available: u32,
    },
    /// Pins overfill a phase.
    #[error("phase {phase} holds {holds}, over `planning.{limit}` ({max}), because of phase pins")]
    OverLimit {
        /// The phase.
        phase: u32,
        /// Which limit.
        limit: &'static str,
        /// Its amount, as text.
        holds: String,
        /// The limit value.
        max: String,
    },
    /// The graph has a cycle (validation rejects these first).
    #[error("the dependency graph has a cycle")]
    Cycle,
}

/// Assigns every component of `migration` to a phase.
pub fn assign_phases(
    migration: &Migration,
    graph: &DependencyGraph,
) -> Result<PhaseAssignment, PhaseError> {
    let order = graph.topological_order().ok_or(PhaseError::Cycle)?;
    let n = migration.components.len();
    let foundation = foundation(migration, graph, &order);
    let pilot = pilot(migration, graph, &foundation);
    let early = |c: usize| foundation[c] || pilot[c];
    let mut phase = vec![0u32; n];
    let base = u32::from(foundation.iter().any(|f| *f)) + u32::from(pilot.iter().any(|p| *p));
    for &c in &order {
        phase[c] = if foundation[c] {
            1
        } else if pilot[c] {
            base
        } else {
            let after = graph
                .dependencies(c)
                .iter()
                .filter(|&&d| !early(d))
                .map(|&d| phase[d])
                .max()
                .unwrap_or(base);
            after + 1
        };
    }
    move_user_facing_late(migration, graph, &order, &early, &mut phase);
    let phase = compact(&phase);
    let phase = split_over_limits(migration, &order, &phase);
    let phase = apply_pins(migration, graph, &order, phase)?;
    check_limits(migration, &phase)?;
    Ok(assignment(migration, &foundation, &pilot, phase))
}

fn foundation(migration: &Migration, graph: &DependencyGraph, order: &[usize]) -> Vec<bool> {
    let mut foundation = vec![false; migration.components.len()];
    for &c in order {
        foundation[c] = migration.components[c].kind == ComponentKind::Infra
            && graph.dependencies(c).iter().all(|&d| foundation[d]);
    }
    foundation
}

fn pilot(migration: &Migration, graph: &DependencyGraph, foundation: &[bool]) -> Vec<bool> {
    let mut candidates: Vec<usize> = migration
        .components
        .iter()
        .enumerate()
        .filter(|(c, component)| {
            !foundation[*c]
                && component.risk == Risk::Low
                && !component.critical
                && !component.user_facing
                && graph.dependencies(*c).iter().all(|&d| foundation[d])
        })
        .map(|(c, _)| c)
        .collect();
    candidates.sort_by_key(|&c| (migration.components[c].effort, c));
    let mut pilot = vec![false; migration.components.len()];
    for &c in candidates
        .iter()
        .take(migration.planning.pilot_size as usize)
    {
        pilot[c] = true;
    }
    pilot
}

/// Moves user-facing wave components as late as their dependents allow.
fn move_user_facing_late(
    migration: &Migration,
    graph: &DependencyGraph,
    order: &[usize],
    early: &dyn Fn(usize) -> bool,
    phase: &mut [u32],
) {
    let last = phase.iter().copied().max().unwrap_or(1);
    for &c in order.iter().rev() {
        if migration.components[c].user_facing && !early(c) {
            phase[c] = graph
                .dependents(c)
                .iter()
                .map(|&d| phase[d])
                .min()
                .unwrap_or(last);
        }
    }
}

/// Renumbers phases 1, 2, 3, … dropping numbers nobody uses.
fn compact(phase: &[u32]) -> Vec<u32> {
    let mut used: Vec<u32> = phase.to_vec();
    used.sort_unstable();
    used.dedup();
    phase
        .iter()
        .map(|p| used.binary_search(p).map_or(1, |i| i as u32 + 1))
        .collect()
}

/// Splits phases that exceed the planning limits, keeping dependency order:
/// members are taken in topological order, so a dependency inside the same
/// phase always lands in the same or an earlier part.
fn split_over_limits(migration: &Migration, order: &[usize], phase: &[u32]) -> Vec<u32> {
    let planning = &migration.planning;
    if planning.max_phase_effort.is_none() && planning.max_phase_components.is_none() {
        return phase.to_vec();
    }
    let max_effort = planning
        .max_phase_effort
        .map_or(u64::MAX, |e| u64::from(e.0));
    let max_count = planning.max_phase_components.map_or(u64::MAX, u64::from);
    let phases = phase.iter().copied().max().unwrap_or(0) as usize;
    let mut by_phase: Vec<Vec<usize>> = vec![Vec::new(); phases];
    for &c in order {
        by_phase[phase[c] as usize - 1].push(c);
    }
    let mut result = vec![0u32; phase.len()];
    let mut next = 0u32;
    for members in by_phase {
        next += 1;
        let (mut effort, mut count) = (0u64, 0u64);
        for c in members {
            let cost = u64::from(migration.components[c].effort.0);
            if count > 0 && (effort + cost > max_effort || count + 1 > max_count) {
                next += 1;
                (effort, count) = (0, 0);
            }
            effort += cost;
            count += 1;
            result[c] = next;
        }
    }
    result
}

/// Pinned components take their pin; the rest are clamped between the
/// highest pin among their dependencies and the lowest among their
/// dependents. Validation has already ensured pins agree with the graph.
fn apply_pins(
    migration: &Migration,
    graph: &DependencyGraph,
    order: &[usize],
    phase: Vec<u32>,
) -> Result<Vec<u32>, PhaseError> {
    let pins: Vec<Option<u32>> = migration.components.iter().map(|c| c.phase_pin).collect();
    if pins.iter().all(Option::is_none) {
        return Ok(phase);
    }
    let n = phase.len();
    let mut floor = vec![1u32; n];
    for &c in order {
        let inherited = graph
            .dependencies(c)
            .iter()
            .map(|&d| floor[d])
            .max()
            .unwrap_or(1);
        floor[c] = pins[c].unwrap_or(inherited).max(inherited);
    }
    let mut ceiling = vec![u32::MAX; n];
    for &c in order.iter().rev() {
        let inherited = graph
            .dependents(c)
            .iter()
            .map(|&d| ceiling[d])
            .min()
            .unwrap_or(u32::MAX);
        ceiling[c] = pins[c].unwrap_or(inherited).min(inherited);
    }
    let clamped: Vec<u32> = (0..n)
        .map(|c| pins[c].unwrap_or_else(|| phase[c].max(floor[c]).min(ceiling[c])))
        .collect();
    let highest = clamped.iter().copied().max().unwrap_or(1);
    let mut used = vec![false; highest as usize];
    for p in &clamped {
        used[*p as usize - 1] = true;
    }
    if let Some(empty) = used.iter().position(|u| !u) {
        return Err(PhaseError::EmptyPhase {
            phase: empty as u32 + 1,
            highest: pins.iter().flatten().copied().max().unwrap_or(1),
            available: phase.iter().copied().max().unwrap_or(1),
        });
    }
    Ok(clamped)
}

fn check_limits(migration: &Migration, phase: &[u32]) -> Result<(), PhaseError> {
    let planning = &migration.planning;
    let phases = phase.iter().copied().max().unwrap_or(0) as usize;
    let mut effort = vec![0u64; phases];
    let mut count = vec![0u64; phases];
    for (c, p) in phase.iter().enumerate() {
        effort[*p as usize - 1] += u64::from(migration.components[c].effort.0);
        count[*p as usize - 1] += 1;
    }
    for p in 0..phases {
        if let Some(max) = planning.max_phase_effort
            && effort[p] > u64::from(max.0)
        {
            return Err(PhaseError::OverLimit {
                phase: p as u32 + 1,
                limit: "max_phase_effort",
                holds: format!("{}d of porting", effort[p]),
                max: max.to_string(),
            });
        }
        if let Some(max) = planning.max_phase_components
            && count[p] > u64::from(max)
        {
            return Err(PhaseError::OverLimit {
                phase: p as u32 + 1,
                limit: "max_phase_components",
                holds: crate::text::count(count[p] as usize, "component"),
                max: max.to_string(),
            });
        }
    }
    Ok(())
}

fn assignment(
    migration: &Migration,
    foundation: &[bool],
    pilot: &[bool],
    phase_of: Vec<u32>,
) -> PhaseAssignment {
    let phases = phase_of.iter().copied().max().unwrap_or(0) as usize;
    let mut members = vec![Vec::new(); phases];
    for (c, p) in phase_of.iter().enumerate() {
        members[*p as usize - 1].push(c);
    }
    let roles = members
        .iter()
        .map(|m| {
            if m.iter().all(|&c| foundation[c]) {
                PhaseRole::Foundation
            } else if m.iter().all(|&c| pilot[c]) {
                PhaseRole::Pilot
            } else if m.iter().all(|&c| migration.components[c].user_facing) {
                PhaseRole::UserFacing
            } else {
                PhaseRole::Wave
            }
        })
        .collect();
    PhaseAssignment {
        phase_of,
        members,
        roles,
    }
}
