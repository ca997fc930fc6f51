//! JUnit XML for CI dashboards (one suite per component or phase), written
//! with quick-junit, the writer nextest uses.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase as JunitCase, TestCaseStatus, TestSuite};

use super::runner::TestOutcome;

/// The outcomes as a JUnit XML document.
pub fn junit_xml(
    name: &str,
    outcomes: &[TestOutcome],
) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new(name);
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    for outcome in outcomes {
        let suite_name = match (&outcome.case.component, outcome.case.phase) {
            (Some(component), _) => component.clone(),
            (None, Some(phase)) => format!("phase-{phase}"),
            (None, None) => "migration".into(),
        };
        let status = if outcome.passed {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(outcome.failure.clone().unwrap_or_default());
            status
        };
        let mut case = JunitCase::new(
            format!("{} [{}]", outcome.case.test.name, outcome.case.side),
            status,
        );
        case.set_classname(format!("cutover.{suite_name}"));
        case.set_time(outcome.duration);
        case.set_system_out(outcome.stdout.clone());
        case.set_system_err(outcome.stderr.clone());
        suites
            .entry(suite_name.clone())
            .or_insert_with(|| TestSuite::new(suite_name))
            .add_test_case(case);
    }
    report.add_test_suites(suites.into_values());
    report.to_string()
}
