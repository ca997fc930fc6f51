//! End-to-end tests of the `cutover` binary: one test binary for every
//! command, so the project links it once.

mod check;
mod events;
mod fuzz;
mod gates;
mod modes;
mod parity;
mod plan;
mod rollback;
mod run;
mod util;
