//! `cutover audit` on the bundled example and on imported specs: summary,
//! per-component table, stable JSON, a forecast from real recorded runs,
//! and the capability-mapping document in `cutover docs`.

use crate::import::{corpus_dir, lay_out};
use crate::util::{Test, example_dir};

fn example_spec() -> String {
    example_dir()
        .join("migration.yaml")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn example_prints_the_summary_and_a_row_per_component() {
    let outcome = Test::new().args(&["audit", &example_spec()]).run();
    outcome
        .code(0)
        .stdout_has("of 24 components can be scaffolded automatically");
    let json = Test::new()
        .args(&["audit", &example_spec(), "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    for component in report["components"].as_array().expect("components") {
        let id = component["id"].as_str().expect("id");
        assert!(
            outcome
                .stdout
                .lines()
                .any(|l| l.starts_with(&format!("{id} "))),
            "no row for {id}"
        );
    }
}

#[test]
fn json_is_stable_and_counts_add_up() {
    let outcome = Test::new()
        .args(&["audit", &example_spec(), "--format", "json"])
        .run();
    outcome.code(0);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(report["format_version"], 1);
    let summary = &report["summary"];
    let total = summary["components"].as_u64().expect("components");
    let parts: u64 = ["automatic", "partial", "manual"]
        .iter()
        .map(|k| summary[*k].as_u64().expect("count"))
        .sum();
    assert_eq!(total, parts);
    assert_eq!(total, 24);
    let component = &report["components"][0];
    for field in [
        "id",
        "name",
        "scaffold",
        "effort_days",
        "estimated_days",
        "features_recorded",
        "features",
        "wraps",
        "forecast",
    ] {
        assert!(component.get(field).is_some(), "component lacks {field}");
    }
    for field in ["feature", "dagger", "support", "instead"] {
        assert!(
            component["features"][0].get(field).is_some(),
            "feature lacks {field}"
        );
    }
}

#[test]
fn imported_specs_are_audited_with_their_recorded_features() {
    let root = tempfile::tempdir().expect("tmp");
    lay_out(
        root.path(),
        &[
            "github-actions",
            "github-actions-composite",
            "gitlab-ci",
            "gitlab-ci-includes",
        ],
    );
    for (repository, from, file) in [
        (
            "wagtail__wagtail",
            "github-actions",
            ".github/workflows/test.yml",
        ),
        ("xen-project__xen", "gitlab", ".gitlab-ci.yml"),
    ] {
        let dir = root.path().join(repository);
        let imported = Test::at(&dir).args(&["import", "--from", from, file]).run();
        imported.code(0);
        std::fs::write(dir.join("migration.yaml"), &imported.stdout).expect("write");
        let outcome = Test::at(&dir).args(&["audit"]).run();
        outcome
            .code(0)
            .stdout_has("components can be scaffolded automatically")
            .stdout_has("scaffold");
        let json = Test::at(&dir).args(&["audit", "--format", "json"]).run();
        let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
        assert!(
            report["components"]
                .as_array()
                .expect("list")
                .iter()
                .all(|c| c["features_recorded"] == true)
        );
    }
    let wagtail = root.path().join("wagtail__wagtail");
    Test::at(&wagtail)
        .args(&["audit"])
        .run()
        .stdout_has("stays in CI");
    let json = Test::at(&wagtail)
        .args(&["audit", "--format", "json"])
        .run();
    assert!(
        json.stdout.contains("\"feature\": \"services\""),
        "wagtail's services are audited"
    );
    assert!(corpus_dir().is_dir());
}

const RUN_SPEC: &str = "version: 1
migration:
  name: forecast
  start: 2027-01-04
components:
  - id: build
    kind: job
    owner: me
    effort: 1d
    legacy:
      run: sleep 0.2
    dagger:
      run: sleep 0.3
";

#[test]
fn forecast_comes_from_recorded_runs() {
    let test = Test::new().spec(RUN_SPEC);
    let before = Test::at(test.path())
        .args(&["audit", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&before.stdout).expect("JSON");
    assert!(
        report["components"][0]["forecast"].is_null(),
        "no runs, no forecast"
    );
    for _ in 0..3 {
        Test::at(test.path()).args(&["run", "build"]).run().code(0);
    }
    let after = Test::at(test.path())
        .args(&["audit", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&after.stdout).expect("JSON");
    let forecast = &report["components"][0]["forecast"];
    assert_eq!(forecast["runs"], 3);
    assert_eq!(forecast["legacy"]["executions"], 3);
    let median = forecast["legacy"]["median_seconds"]
        .as_f64()
        .expect("median");
    assert!((0.2..1.5).contains(&median), "median {median}");
    assert_eq!(forecast["max_concurrency"], 1);
    Test::at(test.path())
        .args(&["audit"])
        .run()
        .stdout_has("forecast from recorded runs:")
        .stdout_has("build: 3 runs");
}

#[test]
fn docs_include_the_capability_mapping() {
    let test = Test::new().spec(RUN_SPEC);
    Test::at(test.path())
        .args(&["docs", "--out", "docs"])
        .run()
        .code(0);
    let text =
        std::fs::read_to_string(test.path().join("docs/capability-mapping.md")).expect("written");
    assert!(text.contains("# Capability mapping and gap analysis: forecast"));
    assert!(text.contains("## Impact on CI/CD"));
    assert!(text.contains("| cache | cache volumes"));
}

#[test]
fn the_plan_uses_the_estimate_when_effort_is_not_set() {
    let spec = "version: 1
migration:
  name: estimate
  start: 2027-01-04
components:
  - id: api
    kind: job
    owner: me
    legacy:
      run: make api
      features: [services, secrets, third-party-action]
  - id: web
    kind: job
    owner: me
    effort: 5d
    legacy:
      run: make web
";
    let test = Test::new().spec(spec);
    let plan = Test::at(test.path())
        .args(&["plan", "--format", "json"])
        .run();
    plan.code(0);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).expect("JSON");
    let porting = |id: &str| {
        plan["components"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["id"] == id)
            .expect("component")["porting_days"]
            .as_u64()
            .expect("days")
    };
    // 0.5 base + services 0.5 + secrets 0.25 + third-party-action 1, rounded up.
    assert_eq!(porting("api"), 3);
    assert_eq!(porting("web"), 5, "an explicit effort wins");
    let audit = Test::at(test.path())
        .args(&["audit", "--format", "json"])
        .run();
    let audit: serde_json::Value = serde_json::from_str(&audit.stdout).expect("JSON");
    assert_eq!(audit["components"][0]["effort_days"], 3);
    assert_eq!(audit["components"][0]["estimated_days"], 3);
}

/// Every key of a JSON value, with its path (`components[].forecast.runs`),
/// except the children of maps keyed by data (`imported_from`).
fn shape(value: &serde_json::Value, path: &str, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.insert(key.clone());
                if key != "imported_from" {
                    shape(child, &here, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                shape(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_json_shape_is_pinned_and_matches_the_readme() {
    let test = Test::new().spec(RUN_SPEC);
    for _ in 0..2 {
        Test::at(test.path()).args(&["run", "build"]).run().code(0);
    }
    Test::at(test.path())
        .args(&["advance", "build", "--to", "shadow"])
        .run()
        .code(0);
    Test::at(test.path()).args(&["run", "build"]).run().code(0);
    let outcome = Test::at(test.path())
        .args(&["audit", "--format", "json"])
        .run();
    outcome.code(0);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let mut keys = std::collections::BTreeSet::new();
    shape(&report, "", &mut keys);
    let pinned: std::collections::BTreeSet<String> = [
        "format_version",
        "migration",
        "summary",
        "components",
        "automatic",
        "partial",
        "manual",
        "wraps",
        "effort_days",
        "estimated_days",
        "imported_from",
        "text",
        "id",
        "name",
        "scaffold",
        "features_recorded",
        "features",
        "forecast",
        "feature",
        "dagger",
        "support",
        "instead",
        "runs",
        "runs_per_week",
        "max_concurrency",
        "legacy",
        "ci_minutes_per_week",
        "shadow_extra_minutes_per_week",
        "shadow_extra_wall_seconds",
        "executions",
        "median_seconds",
        "p90_seconds",
    ]
    .iter()
    .map(|k| (*k).to_owned())
    .collect();
    assert_eq!(
        keys, pinned,
        "the audit JSON changed shape: bump format_version and the README"
    );
    // The README documents exactly these keys.
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
    )
    .expect("README");
    let block = readme
        .split("`cutover audit --format json` (stable;")
        .nth(1)
        .and_then(|rest| rest.split("```json\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the README's audit JSON block");
    let key = regex_lite_keys(block);
    let documented: std::collections::BTreeSet<String> =
        key.into_iter().filter(|k| k != "github-actions").collect();
    assert_eq!(documented, pinned, "README and output disagree");
}

/// `"key":` names in a text, without a regex dependency.
fn regex_lite_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else { break };
        let word = &after[..end];
        let tail = after[end + 1..].trim_start();
        if tail.starts_with(':') {
            keys.push(word.to_owned());
        }
        rest = &after[end + 1..];
    }
    keys
}
