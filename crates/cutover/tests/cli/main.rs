//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod audit;
mod bad_input;
mod browser;
mod calibrate;
mod check;
mod ci;
mod ci_recipes;
mod confine;
mod doctor;
mod durability;
mod events;
mod fuzz;
mod gates;
mod gc;
mod import;
mod mode_file;
mod modes;
mod parity;
mod plan;
mod plan_rules;
mod postgres;
mod processes;
mod readme;
mod rollback;
mod run;
mod scaffold;
mod secrets;
mod serve;
mod shadowing;
mod spool;
mod util;
