//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod audit;
mod check;
mod ci;
mod doctor;
mod fuzz;
mod gates;
mod import;
mod modes;
mod plan;
mod rollback;
mod run;
mod scaffold;
mod util;
