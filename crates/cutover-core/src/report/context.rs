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
    /// The ordering rules the schedule obeys.
    pub rules: RulesContext,
    /// People per team (teams not listed share `capacity` only).
    pub teams: Vec<TeamContext>,
    /// The links of the critical path, each with its constraint.
    pub critical_links: Vec<LinkContext>,
    /// The bound no schedule under the same rules and people can beat.
    pub lower_bound: crate::plan::LowerBound,
    /// `span_days / lower_bound.days`, rounded to three decimals.
    pub lower_bound_ratio: f64,
    /// The single changes that move the end date most (documents only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Vec<SensitivityContext>>,
    /// A what-if beside this baseline, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<WhatIfContext>,
}

/// The ordering rules.
#[derive(Debug, Serialize)]
pub struct RulesContext {
    /// `ported` or `cutover`.
    pub porting_after: &'static str,
    /// Whether phases overlap.
    pub overlap: bool,
}

/// One team.
#[derive(Debug, Serialize)]
pub struct TeamContext {
    /// Name (a component `owner`).
    pub name: String,
    /// People.
    pub people: u32,
}

/// One link of the critical path.
#[derive(Debug, Clone, Serialize)]
pub struct LinkContext {
    /// The earlier component.
    pub from: String,
    /// The later component, which waited.
    pub to: String,
    /// `dependency`, `phase_gate`, `team_busy` or `capacity`.
    pub constraint: crate::plan::Constraint,
    /// The constraint in words.
    pub label: &'static str,
}

/// One row of the sensitivity table.
#[derive(Debug, Serialize)]
pub struct SensitivityContext {
    /// The change in words.
    pub change: String,
    /// The `--what-if` arguments that reproduce it.
    pub what_if: String,
    /// End date under the change.
    pub end: String,
    /// Work days gained (negative) or lost.
    pub difference_days: i64,
}

/// A what-if beside the baseline.
#[derive(Debug, Serialize)]
pub struct WhatIfContext {
    /// The changes.
    pub changes: Vec<String>,
    /// End date under the changes.
    pub end: String,
    /// Work days under the changes.
    pub span_days: u32,
    /// The critical path under the changes.
    pub critical_path: Vec<String>,
    /// Its links.
    pub critical_links: Vec<LinkContext>,
    /// Work days gained (negative) or lost against the baseline.
    pub difference_days: i64,
    /// Whether re-planning ended later and the baseline schedule was kept.
    pub kept_baseline: bool,
}

/// The links of a plan's critical path with component ids.
pub fn link_contexts(migration: &Migration, plan: &Plan) -> Vec<LinkContext> {
    plan.critical_links
        .iter()
        .map(|l| LinkContext {
            from: migration.components[l.from].id.clone(),
            to: migration.components[l.to].id.clone(),
            constraint: l.constraint,
            label: l.constraint.as_str(),
        })
        .collect()
}

/// A what-if in the shape the outputs read.
pub fn what_if_context(outcome: &crate::plan::WhatIf) -> WhatIfContext {
    let ids = &outcome.migration.components;
    WhatIfContext {
        changes: outcome.changes.iter().map(ToString::to_string).collect(),
        end: outcome.plan.end.to_string(),
        span_days: outcome.plan.span_days,
        critical_path: outcome
            .plan
            .critical_path
            .iter()
            .map(|&c| ids[c].id.clone())
            .collect(),
        critical_links: link_contexts(&outcome.migration, &outcome.plan),
        difference_days: outcome.difference_days,
        kept_baseline: outcome.kept_baseline,
    }
}

/// Sensitivity rows in the shape the documents read.
pub fn sensitivity_contexts(rows: &[crate::plan::Sensitivity]) -> Vec<SensitivityContext> {
    rows.iter()
        .map(|r| SensitivityContext {
            change: r.label.clone(),
            what_if: r
                .changes
                .iter()
                .map(|c| format!("--what-if {c}"))
                .collect::<Vec<_>>()
                .join(" "),
            end: r.end.to_string(),
            difference_days: r.difference_days,
        })
        .collect()
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
    /// What the phase achieves, said from its members.
    pub goal: String,
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

/// What a phase achieves, said from its members: what they are (by kind),
/// which they are, and what makes them delicate.
fn goal(role: PhaseRole, members: &[&crate::spec::Component]) -> String {
    let what = member_kinds(members);
    let ids: Vec<&str> = members.iter().map(|c| c.id.as_str()).collect();
    let named = if ids.len() > 4 {
        format!("{} and {} more", ids[..3].join(", "), ids.len() - 3)
    } else {
        ids.join(", ")
    };
    let mut goal = match role {
        PhaseRole::Foundation => {
            format!("Move {what} ({named}) onto Dagger first: later phases depend on them.")
        }
        PhaseRole::Pilot => format!(
            "Prove the approach on {what} ({named}) and calibrate estimates before wider rollout."
        ),
        PhaseRole::Wave => {
            format!("Move {what} ({named}) whose dependencies are already on Dagger.")
        }
        PhaseRole::UserFacing => format!(
            "Move {what} that users see ({named}) last, with the most evidence and the most rehearsed rollback behind them."
        ),
    };
    let critical = members.iter().filter(|c| c.critical).count();
    let high = members.iter().filter(|c| c.risk == Risk::High).count();
    let deploys = members.iter().filter(|c| c.side_effects).count();
    let mut notes = Vec::new();
    if critical > 0 {
        notes.push(format!("{critical} business-critical"));
    }
    if high > 0 {
        notes.push(format!("{high} high-risk"));
    }
    if deploys > 0 {
        notes.push(format!(
            "{deploys} with side effects (shadowed by dry runs)"
        ));
    }
    if !notes.is_empty() {
        goal.push_str(&format!(" Needs care: {}.", notes.join(", ")));
    }
    goal
}

/// `2 infrastructure components and a pipeline`.
fn member_kinds(members: &[&crate::spec::Component]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for component in members {
        let noun = match component.kind {
            crate::spec::ComponentKind::Pipeline => "pipeline",
            crate::spec::ComponentKind::Job => "CI job",
            crate::spec::ComponentKind::Service => "service feature",
            crate::spec::ComponentKind::Library => "library",
            crate::spec::ComponentKind::Infra => "infrastructure component",
        };
        match counts.iter_mut().find(|(n, _)| *n == noun) {
            Some((_, count)) => *count += 1,
            None => counts.push((noun, 1)),
        }
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(noun, count)| crate::text::count(*count, noun))
        .collect();
    match parts.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn teams(migration: &Migration) -> Vec<TeamContext> {
    migration
        .teams
        .iter()
        .map(|(name, people)| TeamContext {
            name: name.clone(),
            people: *people,
        })
        .collect()
}

/// One component joined with its schedule.
fn component_context(
    migration: &Migration,
    c: &crate::spec::Component,
    s: &crate::plan::ComponentSchedule,
) -> ComponentContext {
    let id = |d: usize| migration.components[d].id.clone();
    ComponentContext {
        id: c.id.clone(),
        name: c.name.clone(),
        kind: c.kind.as_str(),
        owner: c.owner.clone(),
        risk: c.risk.as_str(),
        user_facing: c.user_facing,
        business_critical: c.critical,
        depends_on: c.depends_on.iter().map(|&d| id(d)).collect(),
        phase: s.phase,
        start: iso(s.start),
        end: iso(s.end),
        end_exclusive: iso(s.end.checked_add(jiff::ToSpan::day(1)).unwrap_or(s.end)),
        shadow_start: iso(s.shadow_start),
        canary_start: iso(s.canary_start),
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
    }
}

/// Joins the plan with the spec for rendering.
pub fn plan_context(migration: &Migration, plan: &Plan) -> PlanContext {
    let id = |c: usize| migration.components[c].id.clone();
    let components: Vec<ComponentContext> = migration
        .components
        .iter()
        .zip(&plan.components)
        .map(|(c, s)| component_context(migration, c, s))
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
        rules: RulesContext {
            porting_after: migration.planning.porting_after.as_str(),
            overlap: migration.planning.overlap,
        },
        teams: teams(migration),
        critical_links: link_contexts(migration, plan),
        lower_bound_ratio: ratio(plan.span_days, plan.lower_bound.days),
        lower_bound: plan.lower_bound.clone(),
        sensitivity: None,
        what_if: None,
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
        goal: goal(
            p.role,
            &p.components
                .iter()
                .map(|&c| &migration.components[c])
                .collect::<Vec<_>>(),
        ),
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

/// [`plan_context`] plus what only documents carry: the sensitivity table.
pub fn plan_document_context(migration: &Migration, plan: &Plan) -> PlanContext {
    let mut context = plan_context(migration, plan);
    // A change the baseline could plan can always be planned; should one
    // fail anyway, the document goes without the table rather than not at all.
    context.sensitivity = crate::plan::sensitivity(migration, plan)
        .ok()
        .map(|rows| sensitivity_contexts(&rows));
    context
}

/// `YYYY-MM-DD`, as `Date`'s `Display` writes it for years 0..=9999, without
/// the formatting machinery: a plan formats five dates per component.
fn iso(date: jiff::civil::Date) -> String {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return date.to_string();
    }
    let mut text = String::with_capacity(10);
    let digits = |text: &mut String, value: u32, width: u32| {
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            text.push(char::from(b'0' + digit as u8));
        }
    };
    digits(&mut text, year.unsigned_abs().into(), 4);
    text.push('-');
    digits(&mut text, date.month().unsigned_abs().into(), 2);
    text.push('-');
    digits(&mut text, date.day().unsigned_abs().into(), 2);
    text
}

fn ratio(span: u32, bound: u32) -> f64 {
    if bound == 0 {
        return 1.0;
    }
    (f64::from(span) / f64::from(bound) * 1000.0).round() / 1000.0
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

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    #[test]
    fn iso_matches_display() {
        for d in [
            date(2027, 1, 4),
            date(2077, 12, 31),
            date(1, 2, 3),
            date(-5, 6, 7),
        ] {
            assert_eq!(super::iso(d), d.to_string());
        }
    }
}
