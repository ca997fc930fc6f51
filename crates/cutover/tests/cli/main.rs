//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod audit;
mod bad_input;
mod check;
mod ci;
mod confine;
mod doctor;
mod events;
mod fuzz;
mod gates;
mod gc;
mod import;
mod modes;
mod parity;
mod plan;
mod plan_rules;
mod processes;
mod readme;
mod rollback;
mod run;
mod scaffold;
mod secrets;
mod shadowing;
mod util;
