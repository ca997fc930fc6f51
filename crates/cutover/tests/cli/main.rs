//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod bad_input;
mod check;
mod confine;
mod events;
mod fuzz;
mod gates;
mod modes;
mod plan;
mod plan_rules;
mod processes;
mod readme;
mod rollback;
mod run;
mod secrets;
mod util;
