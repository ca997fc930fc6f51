//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod bad_input;
mod check;
mod confine;
mod events;
mod fuzz;
mod gates;
mod gc;
mod modes;
mod plan;
mod plan_rules;
mod processes;
mod rollback;
mod run;
mod secrets;
mod util;
