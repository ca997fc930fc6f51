//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod audit;
mod bad_input;
mod browser;
mod calendar;
mod calibrate;
mod check;
mod ci;
mod ci_recipes;
mod comms;
mod confine;
mod deliverables;
mod doctor;
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
mod training;
mod util;
