//! The README stands alone for a user: its minimal spec checks, it names the
//! JSON fields and exit codes, links nothing outside the repository, and the
//! demo finds the binary wherever Cargo puts it.

use std::path::{Path, PathBuf};

use crate::util::Test;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// The first ```yaml block after `marker`.
fn yaml_block_after(text: &str, marker: &str) -> String {
    let start = text.find(marker).expect("marker in README");
    let rest = &text[start..];
    let open = rest.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let close = rest[open..].find("```").expect("closing fence");
    rest[open..open + close].to_owned()
}

#[test]
fn minimal_spec_checks_and_plans() {
    let spec = yaml_block_after(&readme(), "<!-- minimal-spec");
    Test::new().spec(&spec).args(&["check"]).run().code(0);
    let plan = Test::new()
        .spec(&spec)
        .args(&["plan", "--format", "json"])
        .run();
    plan.code(0);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).expect("plan JSON");
    assert_eq!(plan["critical_path"][0], "base-image");
}

#[test]
fn phases_sections_are_accepted_as_the_readme_says() {
    let text = readme();
    assert!(
        !text.contains("`phases` are rejected"),
        "README claims `phases:` is rejected"
    );
    let spec = yaml_block_after(&text, "<!-- minimal-spec")
        + "phases:\n  - phase: 1\n    gate: [mismatches == 0]\n";
    Test::new().spec(&spec).args(&["check"]).run().code(0);
}

#[test]
fn communication_sections_check() {
    let text = readme();
    let spec = yaml_block_after(&text, "<!-- minimal-spec")
        + &yaml_block_after(&text, "<!-- communication-spec");
    Test::new()
        .spec(&spec)
        .args(&["check"])
        .run()
        .code(0)
        .stdout_has("2 stakeholders in 2 groups, 3 channels");
}

#[test]
fn readme_links_nothing_outside_the_repository_and_names_outputs_and_exit_codes() {
    let text = readme();
    assert!(!text.contains("../shared"), "README links ../shared");
    assert!(!text.contains("DESIGN.md"), "README refers to DESIGN.md");
    for needle in [
        "### Machine-readable output",
        "\"slack_days\", \"critical\"",
        "\"critical_path\"",
        "\"canary_percent\"",
        "\"mismatches\"",
        "\"target\", \"verdict\"",
        "\"observed\"",
        "### Exit codes",
        "| 2 | bad input",
    ] {
        assert!(text.contains(needle), "README lacks {needle:?}");
    }
}

#[test]
fn demo_finds_the_binary_where_cargo_target_dir_says() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(root().join("scripts/cutover-path.sh"))
        .env("CARGO_TARGET_DIR", scratch.path())
        .output()
        .expect("run scripts/cutover-path.sh");
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(
        printed.trim_end(),
        scratch.path().join("release/cutover").to_string_lossy()
    );
    let demo = std::fs::read_to_string(root().join("scripts/demo.sh")).expect("demo.sh");
    assert!(
        !demo.contains("target/release"),
        "demo.sh hard-codes target/release"
    );
    assert!(demo.contains("scripts/cutover-path.sh"));
}
