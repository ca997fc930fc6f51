//! The `cutover` command. All logic lives in the library; see [`cutover::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    cutover::run(std::env::args_os())
}
