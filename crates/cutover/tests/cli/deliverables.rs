//! `cutover docs`: the seed's deliverables plus the training plan and the
//! impact on ongoing development, each specific to the bundled example
//! (its names, dates and teams, checked against `cutover plan --format
//! json`), none a placeholder; and the development impact's wall times from
//! real recorded runs, the same figures `cutover audit` forecasts.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::util::{Test, example_dir};

fn example_spec() -> String {
    example_dir()
        .join("migration.yaml")
        .to_string_lossy()
        .into_owned()
}

fn example_plan() -> Value {
    let outcome = Test::new()
        .args(&["plan", &example_spec(), "--format", "json"])
        .run();
    outcome.code(0);
    serde_json::from_str(&outcome.stdout).expect("plan JSON")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Text a generated document must never contain.
const PLACEHOLDERS: [&str; 8] = [
    "{{",
    "{%",
    "todo",
    "tbd",
    "lorem",
    "placeholder",
    "undefined",
    "xxx",
];

#[track_caller]
fn assert_no_placeholder(name: &str, text: &str) {
    let lower = text.to_lowercase();
    for placeholder in PLACEHOLDERS {
        assert!(
            !lower.contains(placeholder),
            "{name} contains {placeholder:?}"
        );
    }
}

#[test]
fn docs_on_the_example_write_every_deliverable_specific_to_it() {
    let test = Test::new();
    Test::at(test.path())
        .args(&["--spec", &example_spec(), "docs", "--out", "docs"])
        .run()
        .code(0);
    let dir = test.path().join("docs");
    let plan = example_plan();
    let components = plan["components"].as_array().expect("components");
    let deliverables = [
        "phased-plan.md",
        "success-criteria.md",
        "rollback-procedures.md",
        "testing-strategy.md",
        "training-plan.md",
        "development-impact.md",
    ];
    for name in deliverables {
        let text = read(&dir, name);
        assert!(
            text.contains("orchestrator-to-dagger"),
            "{name}: no migration name"
        );
        assert!(
            text.contains("token-management"),
            "{name}: no component names"
        );
        assert!(text.contains("2027-"), "{name}: no plan dates");
        assert_no_placeholder(name, &text);
    }

    let training = read(&dir, "training-plan.md");
    let teams: BTreeSet<&str> = components
        .iter()
        .map(|c| c["owner"].as_str().expect("owner"))
        .collect();
    for team in &teams {
        let first = components
            .iter()
            .filter(|c| c["owner"] == *team)
            .min_by_key(|c| c["shadow_start"].as_str().expect("date"))
            .expect("a component");
        let line = format!(
            "`{}` on {}",
            first["id"].as_str().expect("id"),
            first["shadow_start"].as_str().expect("date")
        );
        assert!(
            training.contains(&format!("## {team}\n")),
            "no section for {team}"
        );
        assert!(
            training.contains(&line),
            "{team}: first shadow {line} missing"
        );
    }
    // Sessions are for the stakeholders who change the team's definitions.
    assert!(training.contains("Invited: Orchestration developers (`orchestration-devs`)."));
    // Concepts follow from what the components use.
    assert!(training.contains("`token-management`: secrets `VAULT_TOKEN`"));
    assert!(training.contains("`release-pipeline`: side effects"));
    assert!(training.contains("`workflow-engine`: legacy feature `services`"));
    assert!(training.contains("`release-pipeline`: legacy feature `multi-platform`"));

    let impact = read(&dir, "development-impact.md");
    for component in components {
        let id = component["id"].as_str().expect("id");
        let phase = &plan["phases"][component["phase"].as_u64().expect("phase") as usize - 1];
        let row = format!(
            "(`{id}`) | `cutover run {id}` | {} | {} | {} | {} |",
            component["shadow_start"].as_str().expect("date"),
            component["canary_start"].as_str().expect("date"),
            component["end"].as_str().expect("date"),
            phase["retirement"].as_str().expect("date"),
        );
        assert!(impact.contains(&row), "no row {row}");
    }
    for team in &teams {
        assert!(
            impact.contains(&format!("## {team}\n")),
            "no section for {team}"
        );
    }
    assert!(impact.contains("legacy `legacy/deploy.sh`, `legacy/run-task.sh`; Dagger `dagger/deploy.sh`, `dagger/run-task.py`"));
}

/// A spec whose Dagger side takes longer than its legacy side.
const SLOWER_DAGGER: &str = "\
version: 1
migration: { name: wall-time, start: 2027-01-04 }
components:
  - id: build
    kind: job
    owner: web
    effort: 2d
    shadow: after
    legacy: { run: sleep 0.1 }
    dagger: { run: sleep 0.4 }
";

#[test]
fn development_impact_reads_wall_times_from_recorded_runs_through_the_audit_forecast() {
    let test = Test::new().spec(SLOWER_DAGGER);
    let at = |args: &[&str]| Test::at(test.path()).args(args).run();
    at(&["advance", "build", "--to", "shadow", "--reason", "ported"]).code(0);
    for _ in 0..3 {
        at(&["run", "build"]).code(0);
    }
    at(&["docs", "--out", "docs"]).code(0);
    let impact = read(&test.path().join("docs"), "development-impact.md");
    let audit = at(&["audit", "--format", "json"]);
    audit.code(0);
    let report: Value = serde_json::from_str(&audit.stdout).expect("audit JSON");
    let forecast = &report["components"][0]["forecast"];
    let dagger_median = forecast["dagger"]["median_seconds"]
        .as_f64()
        .expect("dagger ran");
    assert!(dagger_median >= 0.4, "{dagger_median}");
    // `shadow: after`: the step lasts the whole Dagger run on top of the job.
    let extra = (dagger_median * 100.0).round() / 100.0;
    assert!(
        impact.contains(&format!("+{extra} s (median of 3 runs)")),
        "{impact}"
    );
    assert!(impact.contains(&format!(
        "+{}",
        forecast["shadow_extra_minutes_per_week"].as_f64().expect("minutes")
    )));
    assert!(impact.contains("| shadow |"), "the mode now: {impact}");
    assert!(impact.contains("Its shadow runs after the job (`shadow: after`)"));
}
