//! The schedule: when each component is ported, soaked and cut over.
//!
//! Work is counted in work-day numbers (day 0 is the first work day on or
//! after `migration.start`) and only turned into dates at the end through the
//! [`WorkCalendar`], so no scheduled day is a weekend or a holiday.
//!
//! A component's lifecycle is **porting** (its effort, done by one person;
//! high-risk components get a 50% buffer, rounded up), then **shadow soak**,
//! **canary soak** and one **cutover** day. The documented rules:
//! - At most `capacity` components are being ported on any day.
//! - Porting starts only after every dependency has been cut over.
//! - Phases run in order: a phase starts the work day after the previous
//!   phase's gate; a phase ends with a one-day gate milestone after its last
//!   cutover. Legacy retirement follows each gate after the dagger soak.
//!
//! Within a phase, ready components are started earliest-ready first, then
//! longest remaining chain first, then spec order; each takes the person who
//! is free first. Slack is computed against these sequencing decisions
//! (dependency, phase and person hand-over edges), so the critical path is a
//! gap-free chain of work from day 0 to the last day.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use jiff::civil::Date;

use super::calendar::WorkCalendar;
use super::phases::{PhaseAssignment, PhaseError, PhaseRole, assign_phases};
use crate::graph::DependencyGraph;
use crate::spec::{Migration, Risk, WorkDays};

/// Why a plan could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Phases could not be formed.
    #[error("cannot form phases")]
    Phases(#[from] PhaseError),
    /// The calendar ran out of work days.
    #[error("the calendar has no work day for day {0} of the plan")]
    CalendarExhausted(u32),
}

/// A phase of the plan with its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// 1-based number.
    pub number: u32,
    /// Name from its role: "Foundation", "Pilot", "Wave 1", "User-facing".
    pub name: String,
    /// What the phase is for.
    pub role: PhaseRole,
    /// Member component indices, in the order they start.
    pub components: Vec<usize>,
    /// Work day the phase starts.
    pub start_day: u32,
    /// Work day of the phase's gate (its last day).
    pub gate_day: u32,
    /// Start date.
    pub start: Date,
    /// Gate date, which is also the phase's last day.
    pub end: Date,
    /// Date legacy implementations of this phase may be retired.
    pub retirement: Date,
    /// Porting work in the phase, buffers included.
    pub effort_days: u32,
}

/// When one component does what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSchedule {
    /// 1-based phase.
    pub phase: u32,
    /// Porting days including the risk buffer.
    pub porting_days: u32,
    /// Days added for risk.
    pub buffer_days: u32,
    /// First porting day.
    pub port_start_day: u32,
    /// First shadow day (day after porting).
    pub shadow_start_day: u32,
    /// First canary day.
    pub canary_start_day: u32,
    /// The cutover day, the component's last.
    pub cutover_day: u32,
    /// Start date (porting starts).
    pub start: Date,
    /// Shadow soak starts.
    pub shadow_start: Date,
    /// Canary soak starts.
    pub canary_start: Date,
    /// Cutover date, the last day of the component's lifecycle.
    pub end: Date,
    /// Work days the component could slip without moving the end of the plan.
    pub slack_days: u32,
    /// Whether it lies on a critical chain (slack 0).
    pub critical: bool,
    /// The person (0-based) porting it, if porting takes any time.
    pub porter: Option<u32>,
}

/// Kinds of milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// A phase begins.
    PhaseStart,
    /// A phase's gate review (its last day).
    Gate,
    /// A phase is complete: all of it runs on Dagger.
    PhaseComplete,
    /// Legacy implementations of a phase may be removed.
    LegacyRetirement,
}

/// A dated point in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    /// Kind.
    pub kind: MilestoneKind,
    /// Phase it belongs to.
    pub phase: u32,
    /// Date.
    pub date: Date,
    /// Human title.
    pub title: String,
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Phases in order.
    pub phases: Vec<Phase>,
    /// Schedule of each component, indexed like the spec's components.
    pub components: Vec<ComponentSchedule>,
    /// One critical chain, as component indices in order.
    pub critical_path: Vec<usize>,
    /// Length of that chain in work days (equals [`Plan::span_days`]).
    pub critical_path_days: u32,
    /// Work days from the first to the last day, inclusive.
    pub span_days: u32,
    /// First work day.
    pub start: Date,
    /// Last work day.
    pub end: Date,
    /// Milestones in date order.
    pub milestones: Vec<Milestone>,
}

/// What made a component's porting start exactly when it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    /// Day 0.
    Origin,
    /// Waited for this dependency's cutover.
    Dependency(usize),
    /// Waited for the previous phase's gate.
    PhaseGate,
    /// Waited for this component's porter to finish it.
    Porter(usize),
}

/// Day-number schedule before dates are attached.
struct Timeline {
    porting: Vec<u32>,
    rollout: u32,
    port_start: Vec<u32>,
    porter: Vec<Option<u32>>,
    binding: Vec<Binding>,
    next_on_porter: Vec<Option<usize>>,
    /// Per phase: start day, gate day, component start order.
    phases: Vec<(u32, u32, Vec<usize>)>,
}

impl Timeline {
    fn finish(&self, c: usize) -> u32 {
        self.port_start[c] + self.porting[c] + self.rollout
    }
}

/// Builds the full plan for a validated migration.
pub fn build_plan(migration: &Migration) -> Result<Plan, PlanError> {
    let graph = migration.dependency_graph();
    let assignment = assign_phases(migration, &graph)?;
    let timeline = schedule(migration, &graph, &assignment);
    let slack = slack(&graph, &timeline);
    let (critical_path, critical_path_days) = critical_path(&assignment, &timeline);
    dated_plan(
        migration,
        &assignment,
        &timeline,
        &slack,
        critical_path,
        critical_path_days,
    )
}

/// Porting days with the risk buffer: +50% (rounded up) for high risk.
pub fn porting_days(effort: WorkDays, risk: Risk) -> u32 {
    match risk {
        Risk::High => effort.0 + effort.0.div_ceil(2),
        Risk::Low | Risk::Medium => effort.0,
    }
}

fn schedule(
    migration: &Migration,
    graph: &DependencyGraph,
    assignment: &PhaseAssignment,
) -> Timeline {
    let n = migration.components.len();
    let porting: Vec<u32> = migration
        .components
        .iter()
        .map(|c| porting_days(c.effort, c.risk))
        .collect();
    let defaults = &migration.defaults;
    let rollout = defaults.soak_shadow.0 + defaults.soak_canary.0 + 1;
    let tail = longest_tails(graph, &porting, rollout);
    let mut timeline = Timeline {
        porting,
        rollout,
        port_start: vec![0; n],
        porter: vec![None; n],
        binding: vec![Binding::Origin; n],
        next_on_porter: vec![None; n],
        phases: Vec::with_capacity(assignment.members.len()),
    };
    // More people than components would only sit idle.
    let capacity = migration.capacity.clamp(1, n.max(1) as u32);
    let mut waiting: Vec<u32> = vec![0; n];
    let mut porters: BinaryHeap<Reverse<(u32, u32)>> =
        (0..capacity).map(|p| Reverse((0, p))).collect();
    let mut last_on_porter: Vec<Option<usize>> = vec![None; capacity as usize];
    let mut barrier = 0u32;
    for (p, members) in assignment.members.iter().enumerate() {
        let phase = p as u32 + 1;
        for &c in members {
            waiting[c] = graph
                .dependencies(c)
                .iter()
                .filter(|&&d| assignment.phase_of[d] == phase)
                .count() as u32;
        }
        let mut ready: BinaryHeap<Reverse<(u32, Reverse<u32>, usize)>> = BinaryHeap::new();
        for &c in members.iter().filter(|&&c| waiting[c] == 0) {
            ready.push(Reverse((barrier, Reverse(tail[c]), c)));
        }
        let mut order = Vec::with_capacity(members.len());
        let mut gate = barrier;
        while let Some(Reverse((ready_day, _, c))) = ready.pop() {
            start_component(
                &mut timeline,
                &mut porters,
                &mut last_on_porter,
                c,
                ready_day,
                barrier,
                graph,
                phase,
                assignment,
            );
            order.push(c);
            gate = gate.max(timeline.finish(c));
            for &dependent in graph.dependents(c) {
                if assignment.phase_of[dependent] == phase {
                    waiting[dependent] -= 1;
                    if waiting[dependent] == 0 {
                        let day = graph
                            .dependencies(dependent)
                            .iter()
                            .map(|&d| timeline.finish(d))
                            .max()
                            .unwrap_or(0)
                            .max(barrier);
                        ready.push(Reverse((day, Reverse(tail[dependent]), dependent)));
                    }
                }
            }
        }
        timeline.phases.push((barrier, gate, order));
        barrier = gate + 1;
    }
    timeline
}

#[expect(
    clippy::too_many_arguments,
    reason = "one step of the scheduler loop, kept out of line for readability"
)]
fn start_component(
    timeline: &mut Timeline,
    porters: &mut BinaryHeap<Reverse<(u32, u32)>>,
    last_on_porter: &mut [Option<usize>],
    c: usize,
    ready_day: u32,
    barrier: u32,
    graph: &DependencyGraph,
    phase: u32,
    assignment: &PhaseAssignment,
) {
    let dependency_binding = graph
        .dependencies(c)
        .iter()
        .copied()
        .filter(|&d| assignment.phase_of[d] == phase)
        .find(|&d| timeline.finish(d) == ready_day && ready_day > barrier);
    let ready_binding = match dependency_binding {
        Some(d) => Binding::Dependency(d),
        None if ready_day == 0 => Binding::Origin,
        None => Binding::PhaseGate,
    };
    if timeline.porting[c] == 0 {
        timeline.port_start[c] = ready_day;
        timeline.binding[c] = ready_binding;
        return;
    }
    let Some(Reverse((free, who))) = porters.pop() else {
        return;
    };
    let start = ready_day.max(free);
    timeline.port_start[c] = start;
    timeline.porter[c] = Some(who);
    let previous = last_on_porter[who as usize];
    timeline.binding[c] = match previous {
        Some(prev) if start > ready_day => Binding::Porter(prev),
        _ => ready_binding,
    };
    if let Some(prev) = previous {
        timeline.next_on_porter[prev] = Some(c);
    }
    last_on_porter[who as usize] = Some(c);
    porters.push(Reverse((start + timeline.porting[c], who)));
}

/// Longest chain of work from each component to the end of the graph.
fn longest_tails(graph: &DependencyGraph, porting: &[u32], rollout: u32) -> Vec<u32> {
    let order = graph.topological_order().unwrap_or_default();
    let mut tail = vec![0u32; graph.len()];
    for &c in order.iter().rev() {
        let after = graph
            .dependents(c)
            .iter()
            .map(|&d| tail[d])
            .max()
            .unwrap_or(0);
        tail[c] = porting[c] + rollout + after;
    }
    tail
}

/// Latest-start minus earliest-start of each component's porting, over the
/// graph of dependency, phase-gate and porter hand-over edges.
fn slack(graph: &DependencyGraph, timeline: &Timeline) -> Vec<u32> {
    let n = timeline.port_start.len();
    let span = timeline.phases.last().map_or(0, |(_, gate, _)| gate + 1);
    let mut latest_port = vec![u32::MAX; n];
    let mut latest_rollout = vec![0u32; n];
    // Latest finish of the gate being processed: the latest start of the next phase.
    let mut latest_gate_finish = span;
    for (_, _, order) in timeline.phases.iter().rev() {
        let latest_gate_start = latest_gate_finish.saturating_sub(1);
        for &c in order.iter().rev() {
            let latest_finish = graph
                .dependents(c)
                .iter()
                .map(|&d| latest_port[d])
                .fold(latest_gate_start, u32::min);
            latest_rollout[c] = latest_finish.saturating_sub(timeline.rollout);
            let latest_port_end = timeline.next_on_porter[c].map_or(latest_rollout[c], |next| {
                latest_rollout[c].min(latest_port[next])
            });
            latest_port[c] = latest_port_end.saturating_sub(timeline.porting[c]);
        }
        latest_gate_finish = order
            .iter()
            .map(|&c| latest_port[c])
            .fold(latest_gate_start, u32::min);
    }
    (0..n)
        .map(|c| latest_port[c].saturating_sub(timeline.port_start[c]))
        .collect()
}

/// Follows binding edges back from the last gate to day 0.
fn critical_path(assignment: &PhaseAssignment, timeline: &Timeline) -> (Vec<usize>, u32) {
    let mut path = Vec::new();
    let mut days = 0u32;
    let mut phase = timeline.phases.len();
    // Enter the last phase through its gate.
    let mut current = gate_binding(timeline, phase);
    if current.is_some() {
        days += 1;
    }
    let mut through_rollout = true;
    while let Some(c) = current {
        if path.last() != Some(&c) {
            path.push(c);
        }
        if through_rollout {
            days += timeline.rollout;
        }
        days += timeline.porting[c];
        current = match timeline.binding[c] {
            Binding::Origin => None,
            Binding::Dependency(d) => {
                through_rollout = true;
                Some(d)
            }
            Binding::Porter(prev) => {
                through_rollout = false;
                Some(prev)
            }
            Binding::PhaseGate => {
                phase = assignment.phase_of[c] as usize - 1;
                through_rollout = true;
                days += 1;
                gate_binding(timeline, phase)
            }
        };
    }
    path.reverse();
    (path, days)
}

/// The component whose cutover sets phase `phase`'s gate (first in start order).
fn gate_binding(timeline: &Timeline, phase: usize) -> Option<usize> {
    let (_, gate_day, order) = timeline.phases.get(phase.checked_sub(1)?)?;
    order
        .iter()
        .copied()
        .find(|&c| timeline.finish(c) == *gate_day)
}

fn dated_plan(
    migration: &Migration,
    assignment: &PhaseAssignment,
    timeline: &Timeline,
    slack: &[u32],
    critical_path: Vec<usize>,
    critical_path_days: u32,
) -> Result<Plan, PlanError> {
    let span_days = timeline.phases.last().map_or(0, |(_, gate, _)| gate + 1);
    let retire_after = migration.defaults.soak_dagger.0;
    let mut calendar = WorkCalendar::new(migration.calendar.clone(), migration.start);
    calendar.extend_to(span_days + retire_after);
    let date = |day: u32| calendar.date(day).ok_or(PlanError::CalendarExhausted(day));
    let mut components = Vec::with_capacity(timeline.port_start.len());
    for (c, component) in migration.components.iter().enumerate() {
        let port_start = timeline.port_start[c];
        let shadow_start = port_start + timeline.porting[c];
        let canary_start = shadow_start + migration.defaults.soak_shadow.0;
        let cutover = timeline.finish(c) - 1;
        components.push(ComponentSchedule {
            phase: assignment.phase_of[c],
            porting_days: timeline.porting[c],
            buffer_days: timeline.porting[c] - component.effort.0,
            port_start_day: port_start,
            shadow_start_day: shadow_start,
            canary_start_day: canary_start,
            cutover_day: cutover,
            start: date(port_start)?,
            shadow_start: date(shadow_start)?,
            canary_start: date(canary_start)?,
            end: date(cutover)?,
            slack_days: slack[c],
            critical: slack[c] == 0,
            porter: timeline.porter[c],
        });
    }
    let mut phases = Vec::with_capacity(timeline.phases.len());
    let mut milestones = Vec::new();
    let mut wave = 0;
    for (p, (start_day, gate_day, order)) in timeline.phases.iter().enumerate() {
        let number = p as u32 + 1;
        let role = assignment.roles[p];
        let name = phase_name(role, &mut wave, &assignment.roles[..p]);
        let phase = Phase {
            number,
            name: name.clone(),
            role,
            components: order.clone(),
            start_day: *start_day,
            gate_day: *gate_day,
            start: date(*start_day)?,
            end: date(*gate_day)?,
            retirement: date(gate_day + retire_after)?,
            effort_days: order.iter().map(|&c| timeline.porting[c]).sum(),
        };
        milestones.extend(phase_milestones(&phase));
        phases.push(phase);
    }
    milestones.sort_by_key(|m| (m.date, m.phase, m.kind as u8));
    Ok(Plan {
        start: date(0)?,
        end: date(span_days.saturating_sub(1))?,
        phases,
        components,
        critical_path,
        critical_path_days,
        span_days,
        milestones,
    })
}

fn phase_name(role: PhaseRole, wave: &mut u32, earlier: &[PhaseRole]) -> String {
    let repeat = earlier.iter().filter(|r| **r == role).count();
    let suffix = if repeat == 0 {
        String::new()
    } else {
        format!(" {}", repeat + 1)
    };
    match role {
        PhaseRole::Foundation => format!("Foundation{suffix}"),
        PhaseRole::Pilot => format!("Pilot{suffix}"),
        PhaseRole::UserFacing => format!("User-facing{suffix}"),
        PhaseRole::Wave => {
            *wave += 1;
            format!("Wave {wave}")
        }
    }
}

fn phase_milestones(phase: &Phase) -> [Milestone; 4] {
    let milestone = |kind, date, title: String| Milestone {
        kind,
        phase: phase.number,
        date,
        title,
    };
    let label = format!("phase {} ({})", phase.number, phase.name);
    [
        milestone(
            MilestoneKind::PhaseStart,
            phase.start,
            format!("Start of {label}"),
        ),
        milestone(
            MilestoneKind::Gate,
            phase.end,
            format!("Gate review of {label}"),
        ),
        milestone(
            MilestoneKind::PhaseComplete,
            phase.end,
            format!("Phase {} ({}) complete on Dagger", phase.number, phase.name),
        ),
        milestone(
            MilestoneKind::LegacyRetirement,
            phase.retirement,
            format!("Legacy retirement for {label}"),
        ),
    ]
}
