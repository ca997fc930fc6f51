//! Property tests of the planner over random dependency DAGs, calendars,
//! capacities and limits: the invariants the plan document promises.

use std::collections::BTreeSet;

use cutover_core::plan::{Change, Plan, build_plan, what_if};
use cutover_core::spec::{
    Calendar, Component, ComponentKind, Defaults, Migration, Planning, PortingAfter, Risk,
    RollbackSettings, WorkDays,
};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct ComponentSeed {
    dependencies: Vec<usize>,
    kind: ComponentKind,
    risk: Risk,
    effort: u32,
    user_facing: bool,
    critical: bool,
    team: u32,
}

fn component_seed(index: usize) -> impl Strategy<Value = ComponentSeed> {
    let kinds = prop_oneof![
        Just(ComponentKind::Infra),
        Just(ComponentKind::Pipeline),
        Just(ComponentKind::Job),
        Just(ComponentKind::Service),
        Just(ComponentKind::Library),
    ];
    let risks = prop_oneof![Just(Risk::Low), Just(Risk::Medium), Just(Risk::High)];
    let dependencies = if index == 0 {
        Just(Vec::new()).boxed()
    } else {
        proptest::collection::btree_set(0..index, 0..=index.min(4))
            .prop_map(|set| set.into_iter().collect())
            .boxed()
    };
    (
        dependencies,
        kinds,
        risks,
        0u32..8,
        any::<bool>(),
        any::<bool>(),
        0u32..4,
    )
        .prop_map(
            |(dependencies, kind, risk, effort, user_facing, critical, team)| ComponentSeed {
                dependencies,
                kind,
                risk,
                effort,
                user_facing: user_facing && effort % 3 == 0,
                critical,
                team,
            },
        )
}

fn seeds() -> impl Strategy<Value = Vec<ComponentSeed>> {
    (1usize..30).prop_flat_map(|n| (0..n).map(component_seed).collect::<Vec<_>>())
}

#[derive(Debug, Clone)]
struct Settings {
    capacity: u32,
    shadow: u32,
    canary: u32,
    workdays: [bool; 7],
    holidays: Vec<i64>,
    start_offset: i64,
    max_components: Option<u32>,
    max_effort: Option<u32>,
    pilot_size: u32,
    porting_after: PortingAfter,
    overlap: bool,
    /// People of teams `t0`, `t1`, `t2`; components of `t3` are limited by
    /// the capacity only.
    teams: Option<[u32; 3]>,
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        1u32..5,
        0u32..6,
        0u32..4,
        proptest::array::uniform7(any::<bool>()),
        proptest::collection::vec(0i64..120, 0..10),
        0i64..14,
        proptest::option::of(1u32..6),
        proptest::option::of(8u32..20),
        0u32..4,
        (
            prop_oneof![Just(PortingAfter::Ported), Just(PortingAfter::Cutover)],
            any::<bool>(),
            proptest::option::of(proptest::array::uniform3(1u32..3)),
        ),
    )
        .prop_map(
            |(
                capacity,
                shadow,
                canary,
                mut workdays,
                holidays,
                start_offset,
                max_components,
                max_effort,
                pilot_size,
                (porting_after, overlap, teams),
            )| {
                if !workdays.iter().any(|w| *w) {
                    workdays[2] = true;
                }
                Settings {
                    capacity,
                    shadow,
                    canary,
                    workdays,
                    holidays,
                    start_offset,
                    max_components,
                    max_effort,
                    pilot_size,
                    porting_after,
                    overlap,
                    teams,
                }
            },
        )
}

fn base_date() -> Date {
    date(2027, 1, 4)
}

fn migration(seeds: &[ComponentSeed], settings: &Settings) -> Migration {
    let holidays: BTreeSet<Date> = settings
        .holidays
        .iter()
        .filter_map(|offset| base_date().checked_add(offset.days()).ok())
        .collect();
    let components = seeds
        .iter()
        .enumerate()
        .map(|(i, seed)| Component {
            id: format!("c{i}"),
            name: format!("Component {i}"),
            kind: seed.kind,
            owner: format!("t{}", seed.team),
            depends_on: seed.dependencies.clone(),
            effort: WorkDays(seed.effort),
            risk: seed.risk,
            user_facing: seed.user_facing,
            critical: seed.critical,
            phase_pin: None,
            phase_pin_at: None,
            legacy: None,
            dagger: None,
            side_effects: false,
            outputs: Vec::new(),
            parity: Default::default(),
            normalize: Vec::new(),
            recheck: 0,
            shadow: Default::default(),
            workspace: Default::default(),
            secrets: Vec::new(),
            timeout: None,
            preserve: Vec::new(),
            acceptance: Vec::new(),
            gate: Vec::new(),
        })
        .collect();
    Migration {
        name: "prop".into(),
        start: base_date()
            .checked_add(settings.start_offset.days())
            .unwrap_or(base_date()),
        calendar: Calendar {
            workdays: settings.workdays,
            holidays,
        },
        capacity: settings.capacity,
        teams: settings
            .teams
            .iter()
            .flat_map(|people| (0..3).map(move |t| (format!("t{t}"), people[t])))
            .collect(),
        defaults: Defaults {
            soak_shadow: WorkDays(settings.shadow),
            soak_canary: WorkDays(settings.canary),
            soak_dagger: WorkDays(5),
            gate: Vec::new(),
        },
        planning: Planning {
            max_phase_effort: settings
                .max_effort
                .map(|e| WorkDays(e.max(seeds.iter().map(|s| s.effort).max().unwrap_or(0)))),
            max_phase_components: settings.max_components,
            pilot_size: settings.pilot_size,
            porting_after: settings.porting_after,
            overlap: settings.overlap,
        },
        components,
        rollback: RollbackSettings::default(),
        phases: Vec::new(),
        retention: Default::default(),
        communication: Default::default(),
    }
}

fn check_invariants(migration: &Migration, plan: &Plan) -> Result<(), TestCaseError> {
    let shadow = migration.defaults.soak_shadow.0;
    let canary = migration.defaults.soak_canary.0;
    let planning = &migration.planning;
    for (c, component) in migration.components.iter().enumerate() {
        let s = &plan.components[c];
        for &d in &component.depends_on {
            let dep = &plan.components[d];
            prop_assert!(
                s.phase >= dep.phase,
                "c{c} in phase {} before its dependency c{d} in {}",
                s.phase,
                dep.phase
            );
            match planning.porting_after {
                PortingAfter::Ported => prop_assert!(
                    s.port_start_day >= dep.shadow_start_day,
                    "c{c} starts porting on day {} before c{d} is ported on day {}",
                    s.port_start_day,
                    dep.shadow_start_day
                ),
                PortingAfter::Cutover => prop_assert!(
                    s.port_start_day > dep.cutover_day,
                    "c{c} starts porting on day {} before c{d} is cut over on day {}",
                    s.port_start_day,
                    dep.cutover_day
                ),
            }
            // Safety: canary only once every dependency is at dagger.
            prop_assert!(
                s.canary_start_day > dep.cutover_day,
                "c{c} enters canary on day {} while c{d} is cut over on day {}",
                s.canary_start_day,
                dep.cutover_day
            );
        }
        if s.phase > 1 {
            let previous = &plan.phases[s.phase as usize - 2];
            prop_assert!(s.cutover_day > previous.gate_day);
            if !planning.overlap {
                prop_assert!(s.port_start_day > previous.gate_day);
            }
        }
        for day in [s.start, s.shadow_start, s.canary_start, s.end] {
            prop_assert!(
                migration.calendar.is_workday(day),
                "c{c} scheduled on a day off: {day}"
            );
        }
        prop_assert_eq!(s.shadow_start_day, s.port_start_day + s.porting_days);
        prop_assert!(s.canary_start_day >= s.shadow_start_day + shadow);
        prop_assert_eq!(s.cutover_day, s.canary_start_day + canary);
        prop_assert!(s.cutover_day < plan.phases[s.phase as usize - 1].gate_day);
        // Slack never pushes a component past the end of the plan.
        prop_assert!(s.cutover_day + 1 + s.slack_days < plan.span_days);
        prop_assert_eq!(s.critical, s.slack_days == 0);
    }
    for phase in &plan.phases {
        prop_assert!(migration.calendar.is_workday(phase.start));
        prop_assert!(migration.calendar.is_workday(phase.end));
    }
    check_people(migration, plan)?;
    check_critical_path(plan)?;
    prop_assert!(plan.lower_bound.chain_days <= plan.span_days);
    prop_assert!(plan.lower_bound.days <= plan.span_days);
    // Limits.
    for phase in &plan.phases {
        if let Some(max) = migration.planning.max_phase_components {
            prop_assert!(phase.components.len() as u32 <= max);
        }
        if let Some(max) = migration.planning.max_phase_effort {
            let effort: u32 = phase
                .components
                .iter()
                .map(|&c| migration.components[c].effort.0)
                .sum();
            prop_assert!(effort <= max.0);
        }
    }
    Ok(())
}

/// Never more people porting than the capacity, nor than a team has.
fn check_people(migration: &Migration, plan: &Plan) -> Result<(), TestCaseError> {
    for day in 0..plan.span_days {
        let porting: Vec<usize> = (0..plan.components.len())
            .filter(|&c| {
                let s = &plan.components[c];
                s.port_start_day <= day && day < s.port_start_day + s.porting_days
            })
            .collect();
        prop_assert!(
            porting.len() as u32 <= migration.capacity,
            "{} porting on day {day}",
            porting.len()
        );
        for (team, people) in &migration.teams {
            let busy = porting
                .iter()
                .filter(|&&c| &migration.components[c].owner == team)
                .count();
            prop_assert!(busy as u32 <= *people, "{busy} of {team} busy on day {day}");
        }
    }
    Ok(())
}

/// The critical path is a gap-free chain from day 0 to the end, each link
/// tight under its constraint.
fn check_critical_path(plan: &Plan) -> Result<(), TestCaseError> {
    use cutover_core::plan::Constraint;
    prop_assert_eq!(plan.critical_path_days, plan.span_days);
    let first = plan.critical_path.first().copied();
    let last = plan.critical_path.last().copied();
    prop_assert!(first.is_some());
    if let (Some(first), Some(last)) = (first, last) {
        prop_assert_eq!(plan.components[first].port_start_day, 0);
        prop_assert_eq!(plan.components[last].cutover_day + 2, plan.span_days);
    }
    prop_assert_eq!(plan.critical_links.len() + 1, plan.critical_path.len());
    for (i, link) in plan.critical_links.iter().enumerate() {
        prop_assert_eq!(link.from, plan.critical_path[i]);
        prop_assert_eq!(link.to, plan.critical_path[i + 1]);
        let (from, to) = (&plan.components[link.from], &plan.components[link.to]);
        if matches!(link.constraint, Constraint::TeamBusy | Constraint::Capacity) {
            prop_assert_eq!(from.shadow_start_day, to.port_start_day);
        }
    }
    for &c in &plan.critical_path {
        prop_assert_eq!(
            plan.components[c].slack_days,
            0,
            "c{} on the critical path has slack",
            c
        );
    }
    Ok(())
}

fn check_shape(migration: &Migration, plan: &Plan) -> Result<(), TestCaseError> {
    let last = plan.phases.len() as u32;
    for (c, component) in migration.components.iter().enumerate() {
        let dependents = migration
            .components
            .iter()
            .filter(|o| o.depends_on.contains(&c))
            .count();
        let no_limits = migration.planning.max_phase_components.is_none()
            && migration.planning.max_phase_effort.is_none();
        if component.user_facing
            && dependents == 0
            && no_limits
            && component.kind != ComponentKind::Infra
        {
            prop_assert_eq!(
                plan.components[c].phase,
                last,
                "user-facing leaf c{} not last",
                c
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_their_promises(seeds in seeds(), settings in settings()) {
        let migration = migration(&seeds, &settings);
        let plan = build_plan(&migration).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_invariants(&migration, &plan)?;
        check_shape(&migration, &plan)?;
        // Deterministic: the same spec gives the same plan.
        let again = build_plan(&migration).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&plan.components, &again.components);
        prop_assert_eq!(&plan.critical_path, &again.critical_path);
    }

    #[test]
    fn a_person_more_on_the_critical_path_never_ends_later(
        seeds in seeds(),
        settings in settings(),
    ) {
        let migration = migration(&seeds, &settings);
        let plan = build_plan(&migration).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let on_path: BTreeSet<&str> = plan
            .critical_path
            .iter()
            .map(|&c| migration.components[c].owner.as_str())
            .filter(|owner| migration.teams.contains_key(*owner))
            .collect();
        for team in on_path {
            let people = migration.teams[team];
            for changes in [
                vec![Change::Team(team.to_owned(), people + 1)],
                vec![
                    Change::Team(team.to_owned(), people + 1),
                    Change::Capacity(migration.capacity + 1),
                ],
            ] {
                let outcome = what_if(&migration, &plan, &changes)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(
                    outcome.plan.span_days <= plan.span_days,
                    "{changes:?} moved the end from {} to {} work days",
                    plan.span_days,
                    outcome.plan.span_days
                );
                prop_assert_eq!(outcome.difference_days, i64::from(outcome.plan.span_days) - i64::from(plan.span_days));
                if !outcome.kept_baseline {
                    let again = build_plan(&outcome.migration).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(again.span_days, outcome.plan.span_days);
                }
            }
        }
    }
}

#[test]
fn foundation_takes_all_infra_with_infra_dependencies() {
    let seeds = vec![
        ComponentSeed {
            dependencies: vec![],
            kind: ComponentKind::Infra,
            risk: Risk::Medium,
            effort: 2,
            user_facing: false,
            critical: false,
            team: 0,
        },
        ComponentSeed {
            dependencies: vec![0],
            kind: ComponentKind::Infra,
            risk: Risk::Medium,
            effort: 2,
            user_facing: false,
            critical: false,
            team: 0,
        },
        ComponentSeed {
            dependencies: vec![0],
            kind: ComponentKind::Job,
            risk: Risk::Low,
            effort: 1,
            user_facing: false,
            critical: false,
            team: 0,
        },
        ComponentSeed {
            dependencies: vec![2],
            kind: ComponentKind::Infra,
            risk: Risk::Medium,
            effort: 2,
            user_facing: false,
            critical: false,
            team: 0,
        },
        ComponentSeed {
            dependencies: vec![1, 3],
            kind: ComponentKind::Service,
            risk: Risk::Medium,
            effort: 3,
            user_facing: true,
            critical: false,
            team: 0,
        },
    ];
    let settings = Settings {
        capacity: 2,
        shadow: 5,
        canary: 3,
        workdays: [true, true, true, true, true, false, false],
        holidays: vec![],
        start_offset: 0,
        max_components: None,
        max_effort: None,
        pilot_size: 3,
        porting_after: PortingAfter::Ported,
        overlap: true,
        teams: None,
    };
    let migration = migration(&seeds, &settings);
    let plan = build_plan(&migration).expect("plan");
    let phases: Vec<u32> = plan.components.iter().map(|s| s.phase).collect();
    // Infra 0 and 1 are the foundation; job 2 is the pilot; infra 3 depends on a
    // job so it is not foundation; the user-facing service comes last.
    assert_eq!(phases, vec![1, 1, 2, 3, 4]);
    assert_eq!(plan.phases[0].name, "Foundation");
    assert_eq!(plan.phases[1].name, "Pilot");
}
