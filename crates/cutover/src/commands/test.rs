//! `cutover test [TARGET]`: acceptance and integration tests against one or
//! both sides, with a progress bar on a terminal, results recorded for the
//! gates, and JUnit XML on request.

use std::path::Path;

use cutover_core::event::FailedTest;
use cutover_core::exec::secret_values;
use cutover_core::lifecycle::Side;
use cutover_core::store::TestRecord;
use cutover_core::testing::{TestOutcome, junit_xml, run_test, select_tests};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{open_workspace, write_atomically};
use crate::args::{GlobalArgs, SideChoice, TestArgs};
use crate::error::CliError;
use crate::exit_codes;
use crate::printer::Printer;

/// Runs the selected tests.
pub fn run(global: &GlobalArgs, args: TestArgs, printer: &mut Printer) -> Result<u8, CliError> {
    let TestArgs {
        target,
        side,
        junit,
    } = args;
    let mut workspace = open_workspace(global)?;
    let resolved = target
        .as_deref()
        .map(|t| workspace.resolve_target(t))
        .transpose()?;
    let sides: &[Side] = match side {
        SideChoice::Legacy => &[Side::Legacy],
        SideChoice::Dagger => &[Side::Dagger],
        SideChoice::Both => &[Side::Legacy, Side::Dagger],
    };
    let selection = select_tests(&workspace.migration, resolved.as_ref(), sides);
    let work_dir = workspace.state_dir.join("tests");
    let redact = secret_values(&workspace.migration.components);
    let progress = progress_bar(selection.cases.len() as u64);
    let mut outcomes = Vec::with_capacity(selection.cases.len());
    for case in &selection.cases {
        progress.set_message(case.label());
        let outcome = run_test(case, &workspace.base_dir, &work_dir, &redact);
        workspace.store.record_test(&TestRecord {
            component: case.component.clone(),
            phase: case.phase,
            test: case.test.name.clone(),
            side: case.side,
            passed: outcome.passed,
            duration_ms: outcome.duration.as_millis() as u64,
            detail: outcome.failure.clone(),
        })?;
        progress
            .suspend(|| printer.write(&line(&outcome)))
            .map_err(CliError::Stdout)?;
        progress.inc(1);
        outcomes.push(outcome);
    }
    progress.finish_and_clear();
    if let Some(path) = junit {
        let name = format!("cutover {}", target.as_deref().unwrap_or("tests"));
        let xml = junit_xml(&name, &outcomes).map_err(|e| CliError::Write {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        write_atomically(Path::new(&path), &xml)?;
    }
    let failed = record_failures(&mut workspace, target.as_deref(), &outcomes)?;
    let summary = if outcomes.is_empty() {
        "no tests selected: add `acceptance:` to components or `integration:` to phases\n"
            .to_owned()
    } else {
        format!("{} passed, {} failed\n", outcomes.len() - failed, failed)
    };
    printer.write(&summary).map_err(CliError::Stdout)?;
    Ok(if failed == 0 {
        exit_codes::OK
    } else {
        exit_codes::NOT_MET
    })
}

fn line(outcome: &TestOutcome) -> String {
    let verdict = if outcome.passed { "PASS" } else { "FAIL" };
    let reason = outcome
        .failure
        .as_ref()
        .map(|f| format!("\n      {f}"))
        .unwrap_or_default();
    format!(
        "{verdict} {} ({:.2}s){reason}\n",
        outcome.case.label(),
        outcome.duration.as_secs_f64()
    )
}

fn progress_bar(length: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// Records the failures of this run as one event (its owners hear once);
/// how many failed.
fn record_failures(
    workspace: &mut cutover_core::workspace::Workspace,
    target: Option<&str>,
    outcomes: &[TestOutcome],
) -> Result<usize, CliError> {
    let failed: Vec<FailedTest> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| FailedTest {
            test: o.case.test.name.clone(),
            component: o.case.component.clone(),
            phase: o.case.phase,
            side: o.case.side,
            failure: o.failure.clone(),
        })
        .collect();
    let count = failed.len();
    let total = u32::try_from(outcomes.len()).unwrap_or(u32::MAX);
    cutover_core::ops::record_test_failures(
        workspace,
        target.unwrap_or(""),
        failed,
        total,
        &super::actor(),
    )?;
    Ok(count)
}
