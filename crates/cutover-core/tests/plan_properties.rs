//! Property tests of the planner over random dependency DAGs, calendars,
//! capacities and limits: the invariants the plan document promises.

use std::collections::BTreeSet;

use cutover_core::plan::{Plan, build_plan};
use cutover_core::spec::{
    Calendar, Component, ComponentKind, Defaults, Migration, Planning, Risk, RollbackSettings,
    WorkDays,
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
    )
        .prop_map(
            |(dependencies, kind, risk, effort, user_facing, critical)| ComponentSeed {
                dependencies,
                kind,
                risk,
                effort,
                user_facing: user_facing && effort % 3 == 0,
                critical,
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
            owner: "team".into(),
            depends_on: seed.dependencies.clone(),
            effort: WorkDays(seed.effort),
            risk: seed.risk,
            user_facing: seed.user_facing,
            critical: seed.critical,
            phase_pin: None,
            legacy: None,
            dagger: None,
            side_effects: false,
            outputs: Vec::new(),
            parity: Default::default(),
            normalize: Vec::new(),
            recheck: 0,
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
        },
        components,
        rollback: RollbackSettings::default(),
        phases: Vec::new(),
    }
}

fn check_invariants(migration: &Migration, plan: &Plan) -> Result<(), TestCaseError> {
    let rollout = migration.defaults.soak_shadow.0 + migration.defaults.soak_canary.0 + 1;
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
            prop_assert!(
                s.port_start_day > dep.cutover_day,
                "c{c} starts porting on day {} before c{d} is cut over on day {}",
                s.port_start_day,
                dep.cutover_day
            );
        }
        for day in [s.start, s.shadow_start, s.canary_start, s.end] {
            prop_assert!(
                migration.calendar.is_workday(day),
                "c{c} scheduled on a day off: {day}"
            );
        }
        prop_assert_eq!(
            s.cutover_day,
            s.port_start_day + s.porting_days + rollout - 1
        );
        // Slack never pushes a component past the end of the plan.
        prop_assert!(s.cutover_day + 1 + s.slack_days < plan.span_days);
        prop_assert_eq!(s.critical, s.slack_days == 0);
    }
    for phase in &plan.phases {
        prop_assert!(migration.calendar.is_workday(phase.start));
        prop_assert!(migration.calendar.is_workday(phase.end));
    }
    // Capacity: people porting at once.
    for day in 0..plan.span_days {
        let porting = plan
            .components
            .iter()
            .filter(|s| s.port_start_day <= day && day < s.port_start_day + s.porting_days)
            .count();
        prop_assert!(
            porting as u32 <= migration.capacity,
            "{porting} porting on day {day}"
        );
    }
    // The critical path is a gap-free chain from day 0 to the end.
    prop_assert_eq!(plan.critical_path_days, plan.span_days);
    let first = plan.critical_path.first().copied();
    let last = plan.critical_path.last().copied();
    prop_assert!(first.is_some());
    if let (Some(first), Some(last)) = (first, last) {
        prop_assert_eq!(plan.components[first].port_start_day, 0);
        prop_assert_eq!(plan.components[last].cutover_day + 2, plan.span_days);
    }
    for &c in &plan.critical_path {
        prop_assert_eq!(
            plan.components[c].slack_days,
            0,
            "c{} on the critical path has slack",
            c
        );
    }
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
        },
        ComponentSeed {
            dependencies: vec![0],
            kind: ComponentKind::Infra,
            risk: Risk::Medium,
            effort: 2,
            user_facing: false,
            critical: false,
        },
        ComponentSeed {
            dependencies: vec![0],
            kind: ComponentKind::Job,
            risk: Risk::Low,
            effort: 1,
            user_facing: false,
            critical: false,
        },
        ComponentSeed {
            dependencies: vec![2],
            kind: ComponentKind::Infra,
            risk: Risk::Medium,
            effort: 2,
            user_facing: false,
            critical: false,
        },
        ComponentSeed {
            dependencies: vec![1, 3],
            kind: ComponentKind::Service,
            risk: Risk::Medium,
            effort: 3,
            user_facing: true,
            critical: false,
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
