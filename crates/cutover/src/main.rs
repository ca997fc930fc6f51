//! The `cutover` command. All logic lives in the library; see [`cutover::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    // First, before any thread starts: SIGINT/SIGTERM stop every side's processes.
    cutover_core::exec::handle_termination_signals();
    cutover::run(std::env::args_os())
}
