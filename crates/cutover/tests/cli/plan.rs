//! `cutover plan`: snapshots of every format for the bundled example, the
//! fixed JSON minimum, `--out`, pins and limits.

use crate::util::{Test, VALID, example_dir};

fn example_plan(format: &str) -> String {
    let spec = example_dir().join("migration.yaml");
    let outcome = Test::new()
        .args(&[
            "plan",
            "--format",
            format,
            spec.to_str().expect("utf-8 path"),
        ])
        .run();
    outcome.code(0);
    outcome.stdout
}

#[test]
fn example_table() {
    insta::assert_snapshot!("example_table", example_plan("table"));
}

#[test]
fn example_markdown() {
    let markdown = example_plan("md");
    for section in [
        "## Summary",
        "## Phases",
        "## Timeline and milestones",
        "## Critical path",
        "```mermaid\ngantt",
        "## Risks",
    ] {
        assert!(markdown.contains(section), "markdown lacks {section}");
    }
    insta::assert_snapshot!("example_markdown", markdown);
}

#[test]
fn example_json_has_the_fixed_minimum() {
    let text = example_plan("json");
    let plan: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let phases = plan["phases"].as_array().expect("phases");
    assert_eq!(phases[0]["number"], 1);
    for phase in phases {
        for key in ["number", "name", "components", "start", "end"] {
            assert!(phase.get(key).is_some(), "phase lacks {key}");
        }
    }
    for component in plan["components"].as_array().expect("components") {
        for key in ["id", "phase", "start", "end", "slack_days", "critical"] {
            assert!(component.get(key).is_some(), "component lacks {key}");
        }
    }
    assert!(
        plan["critical_path"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    assert!(plan["end"].is_string());
    insta::assert_snapshot!("example_json", text);
}

#[test]
fn example_html_is_self_contained_with_an_svg_gantt() {
    let html = example_plan("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(html.contains("phase gate"));
    assert!(
        !html.contains("<script src") && !html.contains("<link "),
        "no external assets"
    );
    assert!(
        html.matches("<rect").count() > 24 * 3,
        "bars for every component"
    );
}

#[test]
fn out_writes_the_file_and_infers_the_format() {
    let test = Test::new().spec(VALID).args(&["plan", "--out", "plan.md"]);
    let outcome = test.run();
    outcome.code(0);
    assert!(outcome.stdout.is_empty());
    let written = std::fs::read_to_string(test.path().join("plan.md")).expect("plan.md written");
    assert!(written.starts_with("# Phased migration plan: demo"));
    let leftovers: Vec<_> = test
        .files()
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn out_with_an_unknown_extension_is_bad_input_naming_the_supported_ones() {
    for (out, format) in [("plan.pdf", None), ("plan", None), ("plan.pdf", Some("md"))] {
        let mut args = vec!["plan", "--out", out];
        if let Some(format) = format {
            args.extend(["--format", format]);
        }
        let test = Test::new().spec(VALID).args(&args);
        test.run()
            .code(2)
            .stderr_has("unsupported file extension")
            .stderr_has(".md, .markdown, .html, .htm, .json, .txt");
        assert_eq!(test.files().len(), 1, "`plan --out {out}` wrote a file");
    }
}

#[test]
fn out_txt_writes_the_table() {
    let test = Test::new().spec(VALID).args(&["plan", "--out", "plan.txt"]);
    test.run().code(0);
    let written = std::fs::read_to_string(test.path().join("plan.txt")).expect("plan.txt");
    assert!(written.contains("base-image"), "{written}");
}

#[test]
fn business_critical_and_zero_slack_are_named_apart() {
    // `docs` is business-critical but short, so it has slack; the long chain has none.
    let spec = format!(
        "{VALID}  - id: docs
    kind: job
    owner: web
    effort: 1d
    critical: true
"
    );
    let table = Test::new().spec(&spec).args(&["plan"]).run();
    table.code(0);
    let header = table
        .stdout
        .lines()
        .find(|l| l.starts_with("component"))
        .expect("header");
    assert!(
        header.contains("zero slack") && header.contains("business-critical"),
        "{header}"
    );
    assert!(
        !header.split("  ").any(|h| h.trim() == "critical"),
        "{header}"
    );
    let docs = table
        .stdout
        .lines()
        .find(|l| l.starts_with("docs "))
        .expect("docs row");
    assert!(
        docs.trim_end().ends_with("yes"),
        "only business-critical: {docs}"
    );
    assert_eq!(docs.matches("yes").count(), 1, "{docs}");
    let markdown = Test::new()
        .spec(&spec)
        .args(&["plan", "--format", "md"])
        .run();
    markdown.code(0);
    assert!(
        markdown.stdout.contains("`base-image` **(zero slack)**"),
        "{}",
        markdown.stdout
    );
    assert!(!markdown.stdout.contains("(critical path)**"));
    assert!(markdown.stdout.contains("business-critical"));
    let json = Test::new()
        .spec(&spec)
        .args(&["plan", "--format", "json"])
        .run();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let docs = &json["components"].as_array().expect("components")[2];
    assert_eq!(
        (
            docs["critical"].as_bool(),
            docs["business_critical"].as_bool()
        ),
        (Some(false), Some(true))
    );
}

#[test]
fn invalid_spec_writes_nothing() {
    let spec = VALID.replace("[base-image]", "[missing]");
    let test = Test::new()
        .spec(&spec)
        .args(&["plan", "--out", "plan.json"]);
    test.run()
        .code(2)
        .stderr_has("unknown dependency `missing`");
    assert!(!test.path().join("plan.json").exists());
}

#[test]
fn pins_are_respected() {
    let spec = VALID.replace("    risk: high", "    risk: high\n    phase: 3")
        .replace("  - id: build-api", "  - id: lint\n    kind: job\n    owner: backend\n    effort: 1d\n    risk: low\n  - id: build-api");
    let outcome = Test::new()
        .spec(&spec)
        .args(&["plan", "--format", "json"])
        .run();
    outcome.code(0);
    let plan: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("json");
    let build = plan["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == "build-api")
        .cloned()
        .expect("build-api");
    assert_eq!(build["phase"], 3);
}

#[test]
fn pins_that_empty_a_phase_are_explained() {
    let spec = VALID.replace("    risk: high", "    risk: high\n    phase: 5");
    Test::new()
        .spec(&spec)
        .args(&["plan"])
        .run()
        .code(2)
        .stderr_has("migration.yaml:17:12: phase 5 does not exist");
}

#[test]
fn limits_split_phases() {
    let mut spec = String::from(VALID);
    spec.push_str("planning:\n  max_phase_components: 1\n  pilot_size: 0\n");
    let outcome = Test::new()
        .spec(&spec)
        .args(&["plan", "--format", "json"])
        .run();
    outcome.code(0);
    let plan: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("json");
    for phase in plan["phases"].as_array().expect("phases") {
        assert_eq!(phase["components"].as_array().map(Vec::len), Some(1));
    }
}

#[test]
fn phase_goals_are_said_from_their_members() {
    let outcome = Test::new()
        .spec(VALID)
        .args(&["plan", "--format", "json"])
        .run();
    outcome.code(0);
    let plan: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    let goals: Vec<&str> = plan["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .filter_map(|p| p["goal"].as_str())
        .collect();
    assert!(
        goals[0].contains("1 infrastructure component (base-image)"),
        "{goals:?}"
    );
    assert!(
        goals.iter().all(|g| !g.contains("Dagger engine")),
        "{goals:?}"
    );
    assert!(
        goals
            .iter()
            .any(|g| g.contains("build-api") && g.contains("1 high-risk")),
        "{goals:?}"
    );
}
