//! Selecting and running tests. A test runs as `/bin/sh -c RUN` in the
//! spec's directory with `CUTOVER_SIDE` (legacy or dagger) and
//! `CUTOVER_COMPONENT` set, so one test can check either implementation.
//! It passes when its exit code is the expected one, its stdout matches the
//! `stdout` pattern (if any) and every listed file exists.

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::RegexBuilder;

use crate::exec::{SideCommand, random_hex, run_side};
use crate::lifecycle::{Side, Target};
use crate::plan::build_plan;
use crate::spec::{AcceptanceTest, Migration};

/// Tests for one selection, each with the side it runs against.
#[derive(Debug, Clone)]
pub struct TestSelection {
    /// The cases, in order.
    pub cases: Vec<TestCase>,
}

/// One test against one side.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// Component (acceptance test) or `None` (integration test).
    pub component: Option<String>,
    /// Phase (integration test).
    pub phase: Option<u32>,
    /// The test.
    pub test: AcceptanceTest,
    /// Side under test.
    pub side: Side,
}

impl TestCase {
    /// `build-api › image loads [dagger]`.
    pub fn label(&self) -> String {
        let owner = match (&self.component, self.phase) {
            (Some(component), _) => component.clone(),
            (None, Some(phase)) => format!("phase {phase}"),
            (None, None) => "migration".into(),
        };
        format!("{owner} › {} [{}]", self.test.name, self.side)
    }
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    /// The case.
    pub case: TestCase,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed.
    pub failure: Option<String>,
    /// Wall time.
    pub duration: Duration,
    /// Captured stdout (secrets redacted).
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
}

/// The tests of a target (`None`: everything) against the given sides.
pub fn select_tests(
    migration: &Migration,
    target: Option<&Target>,
    sides: &[Side],
) -> TestSelection {
    let plan = build_plan(migration).ok();
    let (components, phases): (Vec<usize>, Vec<u32>) = match target {
        None => (
            (0..migration.components.len()).collect(),
            migration.phases.iter().map(|p| p.number).collect(),
        ),
        Some(Target::Component(c)) => (vec![c.index()], Vec::new()),
        Some(Target::Phase(number, members)) => {
            (members.iter().map(|c| c.index()).collect(), vec![*number])
        }
    };
    let mut cases = Vec::new();
    for &c in &components {
        let component = &migration.components[c];
        for test in &component.acceptance {
            for &side in sides {
                cases.push(TestCase {
                    component: Some(component.id.clone()),
                    phase: plan.as_ref().map(|p| p.components[c].phase),
                    test: test.clone(),
                    side,
                });
            }
        }
    }
    for settings in migration
        .phases
        .iter()
        .filter(|p| phases.contains(&p.number))
    {
        for test in &settings.integration {
            for &side in sides {
                cases.push(TestCase {
                    component: None,
                    phase: Some(settings.number),
                    test: test.clone(),
                    side,
                });
            }
        }
    }
    TestSelection { cases }
}

/// Runs one case; captures go under `work_dir`.
pub fn run_test(
    case: &TestCase,
    base_dir: &Path,
    work_dir: &Path,
    redact: &[String],
) -> TestOutcome {
    let dir: PathBuf = work_dir.join(format!("{}-{}", sanitize(&case.label()), random_hex(3)));
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return failed(case, format!("cannot create `{}`: {error}", dir.display()));
    }
    let mut env = vec![("CUTOVER_SIDE".to_owned(), case.side.as_str().to_owned())];
    if let Some(component) = &case.component {
        env.push(("CUTOVER_COMPONENT".into(), component.clone()));
    }
    let command = SideCommand {
        line: case.test.run.clone(),
        working_dir: base_dir.to_owned(),
        env,
        stdout_file: Some(dir.join("stdout")),
        stderr_file: Some(dir.join("stderr")),
        live: false,
        timeout: Some(
            case.test
                .timeout
                .map_or(Duration::from_secs(600), |t| Duration::from_secs(t.seconds)),
        ),
        redact: redact.to_vec(),
    };
    let execution = run_side(&command);
    let stdout = std::fs::read_to_string(dir.join("stdout")).unwrap_or_default();
    let stderr = std::fs::read_to_string(dir.join("stderr")).unwrap_or_default();
    let mut problems = Vec::new();
    let code = execution.outcome.exit_code();
    if code != case.test.expect_exit {
        problems.push(format!(
            "exit code {code}, expected {}",
            case.test.expect_exit
        ));
    }
    if let Some(pattern) = &case.test.stdout {
        match RegexBuilder::new(pattern).multi_line(true).build() {
            Ok(regex) if !regex.is_match(&stdout) => problems.push(format!(
                "stdout does not match `{pattern}`; it printed: {}",
                first_lines(&stdout)
            )),
            Err(error) => problems.push(format!("invalid pattern `{pattern}`: {error}")),
            Ok(_) => {}
        }
    }
    for file in &case.test.files {
        if !base_dir.join(file).exists() {
            problems.push(format!("expected file `{file}` is missing"));
        }
    }
    TestOutcome {
        case: case.clone(),
        passed: problems.is_empty(),
        failure: (!problems.is_empty()).then(|| problems.join("; ")),
        duration: execution.duration,
        stdout,
        stderr,
    }
}

/// How many lines of a side's stdout a failure quotes.
const QUOTED_LINES: usize = 5;
/// How many characters of each quoted line.
const QUOTED_WIDTH: usize = 160;

/// The first lines of `stdout` (already redacted), quoted on one line.
fn first_lines(stdout: &str) -> String {
    if stdout.trim().is_empty() {
        return "nothing".into();
    }
    let lines: Vec<String> = stdout
        .lines()
        .take(QUOTED_LINES)
        .map(|line| {
            let mut quoted: String = line.chars().take(QUOTED_WIDTH).collect();
            if line.chars().count() > QUOTED_WIDTH {
                quoted.push('…');
            }
            format!("`{quoted}`")
        })
        .collect();
    let more = stdout.lines().count().saturating_sub(QUOTED_LINES);
    let tail = if more > 0 {
        format!(" (+{more} more lines)")
    } else {
        String::new()
    };
    format!("{}{tail}", lines.join(" / "))
}

fn failed(case: &TestCase, reason: String) -> TestOutcome {
    TestOutcome {
        case: case.clone(),
        passed: false,
        failure: Some(reason),
        duration: Duration::ZERO,
        stdout: String::new(),
        stderr: String::new(),
    }
}

fn sanitize(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect()
}
