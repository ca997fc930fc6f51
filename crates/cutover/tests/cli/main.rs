//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod check;
mod fuzz;
mod gates;
mod modes;
mod plan;
mod plan_rules;
mod rollback;
mod run;
mod util;
