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

use jiff::civil::Date;

use super::bound::{BoundInput, LowerBound, plan_bound};
use super::calendar::WorkCalendar;
use super::critical::{CriticalLink, critical_path};
use super::float::{latest, slack};
use super::leveling::{Phasing, Resources, Rules, Timeline, level};
use super::phases::{PhaseAssignment, PhaseError, PhaseRole, assign_phases};
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
    /// The links between consecutive components of `critical_path`, each
    /// with the constraint that made the later one wait.
    pub critical_links: Vec<CriticalLink>,
    /// Length of that chain in work days (equals [`Plan::span_days`]).
    pub critical_path_days: u32,
    /// What no schedule under the same rules and people can beat.
    pub lower_bound: LowerBound,
    /// Work days from the first to the last day, inclusive.
    pub span_days: u32,
    /// First work day.
    pub start: Date,
    /// Last work day.
    pub end: Date,
    /// Milestones in date order.
    pub milestones: Vec<Milestone>,
}

/// Builds the full plan for a validated migration.
pub fn build_plan(migration: &Migration) -> Result<Plan, PlanError> {
    let graph = migration.dependency_graph();
    let assignment = assign_phases(migration, &graph)?;
    let phasing = Phasing {
        phase_of: &assignment.phase_of,
        members: &assignment.members,
    };
    let porting: Vec<u32> = migration
        .components
        .iter()
        .map(|c| porting_days(c.effort, c.risk))
        .collect();
    let rules = rules(migration);
    let (resources, team_names) = resources(migration);
    let unlimited_people = Resources::unlimited(porting.len());
    let timeline =
        level(&graph, &phasing, porting.clone(), rules, &resources).ok_or(PhaseError::Cycle)?;
    let unlimited =
        level(&graph, &phasing, porting, rules, &unlimited_people).ok_or(PhaseError::Cycle)?;
    let latest_unlimited = latest(&graph, &phasing, &unlimited);
    let input = BoundInput {
        unlimited: &unlimited,
        latest_gates: &latest_unlimited.gate,
        members: &assignment.members,
        overlap: rules.overlap,
        tail: rules.shadow + rules.canary + 2,
    };
    let bound = plan_bound(&input, &resources, &team_names);
    let slack = slack(&graph, &phasing, &timeline);
    let (critical_path, critical_links) = critical_path(&timeline);
    dated_plan(
        migration,
        &assignment,
        &timeline,
        &slack,
        (critical_path, critical_links),
        bound,
    )
}

/// Porting days with the risk buffer: +50% (rounded up) for high risk.
pub fn porting_days(effort: WorkDays, risk: Risk) -> u32 {
    match risk {
        Risk::High => effort.0 + effort.0.div_ceil(2),
        Risk::Low | Risk::Medium => effort.0,
    }
}

fn rules(migration: &Migration) -> Rules {
    Rules {
        porting_after: migration.planning.porting_after,
        overlap: migration.planning.overlap,
        shadow: migration.defaults.soak_shadow.0,
        canary: migration.defaults.soak_canary.0,
    }
}

/// The people limits of `migration`, with the names of its limited teams.
fn resources(migration: &Migration) -> (Resources, Vec<String>) {
    let names: Vec<String> = migration.teams.keys().cloned().collect();
    let team_of = migration
        .components
        .iter()
        .map(|c| names.binary_search(&c.owner).ok())
        .collect();
    let resources = Resources {
        capacity: migration.capacity.max(1),
        team_of,
        team_size: migration.teams.values().map(|p| (*p).max(1)).collect(),
    };
    (resources, names)
}

fn dated_plan(
    migration: &Migration,
    assignment: &PhaseAssignment,
    timeline: &Timeline,
    slack: &[u32],
    (critical_path, critical_links): (Vec<usize>, Vec<CriticalLink>),
    lower_bound: LowerBound,
) -> Result<Plan, PlanError> {
    let span_days = timeline.span();
    let retire_after = migration.defaults.soak_dagger.0;
    let mut calendar = WorkCalendar::new(migration.calendar.clone(), migration.start);
    calendar.extend_to(span_days + retire_after);
    let date = |day: u32| calendar.date(day).ok_or(PlanError::CalendarExhausted(day));
    let mut components = Vec::with_capacity(timeline.port_start.len());
    for (c, component) in migration.components.iter().enumerate() {
        let port_start = timeline.port_start[c];
        let shadow_start = port_start + timeline.porting[c];
        let canary_start = timeline.canary_start[c];
        let cutover = timeline.cutover(c);
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
            porter: timeline.seat[c],
        });
    }
    let mut phases = Vec::with_capacity(timeline.gates.len());
    let mut milestones = Vec::new();
    let mut wave = 0;
    for (p, members) in assignment.members.iter().enumerate() {
        let mut order = members.clone();
        order.sort_by_key(|&c| (timeline.port_start[c], timeline.canary_start[c], c));
        let start_day = order.first().map_or(0, |&c| timeline.port_start[c]);
        let gate_day = timeline.gates[p];
        let number = p as u32 + 1;
        let role = assignment.roles[p];
        let name = phase_name(role, &mut wave, &assignment.roles[..p]);
        let phase = Phase {
            number,
            name: name.clone(),
            role,
            effort_days: order.iter().map(|&c| timeline.porting[c]).sum(),
            components: order,
            start_day,
            gate_day,
            start: date(start_day)?,
            end: date(gate_day)?,
            retirement: date(gate_day + retire_after)?,
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
        critical_links,
        critical_path_days: span_days,
        span_days,
        lower_bound,
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
