//! [`PlanContext`]: the plan joined with the spec, in the shape the JSON
//! output and the document templates read. Field names of the JSON minimum
//! (DESIGN.md) are fixed; everything else is an extension.

use serde::Serialize;

use crate::plan::{Milestone, MilestoneKind, Phase, PhaseRole, Plan};
use crate::spec::{Migration, Risk};

/// Version of the plan JSON; bumped on any incompatible change.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// Everything a plan rendering needs.
#[derive(Debug, Serialize)]
pub struct PlanContext {
    /// Version of this format.
    pub format_version: u32,
    /// Migration name.
    pub name: String,
    /// First work day.
    pub start: String,
    /// Last work day.
    pub end: String,
    /// Work days from start to end.
    pub span_days: u32,
    /// People porting in parallel.
    pub capacity: u32,
    /// Worked week days.
    pub workdays: Vec<&'static str>,
    /// Holidays.
    pub holidays: Vec<String>,
    /// Soak times in work days.
    pub soak: SoakContext,
    /// Default gate criteria.
    pub default_gate: Vec<GateEntry>,
    /// Phases.
    pub phases: Vec<PhaseContext>,
    /// Components in spec order.
    pub components: Vec<ComponentContext>,
    /// One critical chain of component ids.
    pub critical_path: Vec<String>,
    /// Its length in work days.
    pub critical_path_days: u32,
    /// Milestones in date order.
    pub milestones: Vec<MilestoneContext>,
    /// Risks worth a manager's attention.
    pub risks: Vec<RiskContext>,
}

/// One gate criterion as the plan shows it.
#[derive(Debug, Serialize)]
pub struct GateEntry {
    /// As written.
    pub expr: String,
    /// `false` when observe-only.
    pub enforce: bool,
}

fn gate_entries(criteria: &[crate::spec::Criterion]) -> Vec<GateEntry> {
    criteria
        .iter()
        .map(|c| GateEntry {
            expr: c.text.clone(),
            enforce: c.enforce,
        })
        .collect()
}

/// Soak durations.
#[derive(Debug, Serialize)]
pub struct SoakContext {
    /// Shadow.
    pub shadow: u32,
    /// Canary.
    pub canary: u32,
    /// Dagger, before legacy retirement.
    pub dagger: u32,
}

/// One phase.
#[derive(Debug, Serialize)]
pub struct PhaseContext {
    /// 1-based number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Role.
    pub role: PhaseRole,
    /// What the phase achieves.
    pub goal: &'static str,
    /// Member ids in start order.
    pub components: Vec<String>,
    /// Start date.
    pub start: String,
    /// Last day (the gate).
    pub end: String,
    /// Gate date.
    pub gate: String,
    /// Legacy retirement date.
    pub retirement: String,
    /// Porting work, buffers included.
    pub effort_days: u32,
    /// Work-day number of the start, for charts.
    #[serde(skip)]
    pub start_day: u32,
    /// Components of earlier phases this phase depends on.
    pub depends_on: Vec<String>,
}

/// One component.
#[derive(Debug, Serialize)]
pub struct ComponentContext {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: &'static str,
    /// Owner.
    pub owner: String,
    /// Risk.
    pub risk: &'static str,
    /// User-facing.
    pub user_facing: bool,
    /// Business-critical (the spec's `critical`).
    pub business_critical: bool,
    /// Dependencies.
    pub depends_on: Vec<String>,
    /// Phase.
    pub phase: u32,
    /// Porting starts.
    pub start: String,
    /// Cutover day, the last of its lifecycle.
    pub end: String,
    /// The calendar day after cutover (an exclusive end, as charts want it).
    pub end_exclusive: String,
    /// Shadow soak starts.
    pub shadow_start: String,
    /// Canary soak starts.
    pub canary_start: String,
    /// Estimated effort.
    pub effort_days: u32,
    /// Porting days including the buffer.
    pub porting_days: u32,
    /// Risk buffer days.
    pub buffer_days: u32,
    /// Slack in work days.
    pub slack_days: u32,
    /// On a critical chain.
    pub critical: bool,
    /// Whether the component was pinned.
    pub pinned: bool,
    /// Criteria added to the default gate.
    pub gate: Vec<GateEntry>,
    /// Work-day numbers, for charts.
    #[serde(skip)]
    pub days: [u32; 4],
}

/// One milestone.
#[derive(Debug, Serialize)]
pub struct MilestoneContext {
    /// Kind.
    pub kind: MilestoneKind,
    /// Phase.
    pub phase: u32,
    /// Date.
    pub date: String,
    /// Title.
    pub title: String,
}

/// One risk line.
#[derive(Debug, Serialize)]
pub struct RiskContext {
    /// Component id.
    pub component: String,
    /// What could go wrong and what the plan does about it.
    pub note: String,
}

fn goal(role: PhaseRole) -> &'static str {
    match role {
        PhaseRole::Foundation => {
            "Stand up the Dagger engine, CI integration and shared infrastructure that every later phase builds on."
        }
        PhaseRole::Pilot => {
            "Prove the approach on low-risk, non-critical components and calibrate estimates before wider rollout."
        }
        PhaseRole::Wave => {
            "Move the internal pipelines and services whose dependencies are already on Dagger."
        }
        PhaseRole::UserFacing => {
            "Move what users see last, with the most evidence and the most rehearsed rollback behind it."
        }
    }
}

/// Joins the plan with the spec for rendering.
pub fn plan_context(migration: &Migration, plan: &Plan) -> PlanContext {
    let id = |c: usize| migration.components[c].id.clone();
    let components: Vec<ComponentContext> = migration
        .components
        .iter()
        .zip(&plan.components)
        .map(|(c, s)| ComponentContext {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: c.kind.as_str(),
            owner: c.owner.clone(),
            risk: c.risk.as_str(),
            user_facing: c.user_facing,
            business_critical: c.critical,
            depends_on: c.depends_on.iter().map(|&d| id(d)).collect(),
            phase: s.phase,
            start: s.start.to_string(),
            end: s.end.to_string(),
            end_exclusive: s
                .end
                .checked_add(jiff::ToSpan::day(1))
                .unwrap_or(s.end)
                .to_string(),
            shadow_start: s.shadow_start.to_string(),
            canary_start: s.canary_start.to_string(),
            effort_days: c.effort.0,
            porting_days: s.porting_days,
            buffer_days: s.buffer_days,
            slack_days: s.slack_days,
            critical: s.critical,
            pinned: c.phase_pin.is_some(),
            gate: gate_entries(&c.gate),
            days: [
                s.port_start_day,
                s.shadow_start_day,
                s.canary_start_day,
                s.cutover_day,
            ],
        })
        .collect();
    let phases = plan
        .phases
        .iter()
        .map(|p| phase_context(migration, plan, p))
        .collect();
    PlanContext {
        format_version: PLAN_FORMAT_VERSION,
        name: migration.name.clone(),
        start: plan.start.to_string(),
        end: plan.end.to_string(),
        span_days: plan.span_days,
        capacity: migration.capacity,
        workdays: migration.calendar.workday_names(),
        holidays: migration
            .calendar
            .holidays
            .iter()
            .map(ToString::to_string)
            .collect(),
        soak: SoakContext {
            shadow: migration.defaults.soak_shadow.0,
            canary: migration.defaults.soak_canary.0,
            dagger: migration.defaults.soak_dagger.0,
        },
        default_gate: gate_entries(&migration.defaults.gate),
        risks: risks(migration, plan),
        phases,
        components,
        critical_path: plan.critical_path.iter().map(|&c| id(c)).collect(),
        critical_path_days: plan.critical_path_days,
        milestones: plan.milestones.iter().map(milestone).collect(),
    }
}

/// One phase with the earlier phases' components it depends on.
fn phase_context(migration: &Migration, plan: &Plan, p: &Phase) -> PhaseContext {
    let id = |c: usize| migration.components[c].id.clone();
    let mut depends_on: Vec<usize> = p
        .components
        .iter()
        .flat_map(|&c| migration.components[c].depends_on.iter().copied())
        .filter(|&d| plan.components[d].phase < p.number)
        .collect();
    depends_on.sort_unstable();
    depends_on.dedup();
    PhaseContext {
        number: p.number,
        name: p.name.clone(),
        role: p.role,
        goal: goal(p.role),
        components: p.components.iter().map(|&c| id(c)).collect(),
        start: p.start.to_string(),
        end: p.end.to_string(),
        gate: p.end.to_string(),
        retirement: p.retirement.to_string(),
        effort_days: p.effort_days,
        start_day: p.start_day,
        depends_on: depends_on.into_iter().map(id).collect(),
    }
}

fn milestone(m: &Milestone) -> MilestoneContext {
    MilestoneContext {
        kind: m.kind,
        phase: m.phase,
        date: m.date.to_string(),
        title: m.title.clone(),
    }
}

fn risks(migration: &Migration, plan: &Plan) -> Vec<RiskContext> {
    let mut risks = Vec::new();
    for (c, s) in migration.components.iter().zip(&plan.components) {
        let mut notes = Vec::new();
        if c.risk == Risk::High {
            notes.push(format!(
                "high risk: porting carries a {}-day buffer",
                s.buffer_days
            ));
        }
        if c.critical {
            notes.push("business-critical: rollback must be drilled before cutover".to_owned());
        }
        if c.user_facing {
            notes.push("user-facing: announce cutover to users in advance".to_owned());
        }
        if s.critical && (c.risk != Risk::Low || c.critical) {
            notes.push("on the critical path: any slip moves the end date".to_owned());
        }
        if c.side_effects {
            notes.push("side effects: shadow runs only a dry-run command".to_owned());
        }
        if !notes.is_empty() {
            risks.push(RiskContext {
                component: c.id.clone(),
                note: notes.join("; "),
            });
        }
    }
    risks
}
