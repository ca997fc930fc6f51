//! Acceptance tests of components and integration tests of phases: which
//! tests a selection covers, running them against a side, recording their
//! results (they feed `tests_passed` / `tests_total`), and JUnit XML.

mod junit;
mod runner;

pub use junit::junit_xml;
pub use runner::{TestCase, TestOutcome, TestSelection, run_test, select_tests};
