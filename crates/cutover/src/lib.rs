//! The `cutover` command-line interface: argument parsing, printing and
//! exit codes only. Every decision is made in `cutover-core`.

pub mod args;
mod commands;
pub mod error;
pub mod exit_codes;
mod printer;

use std::ffi::OsString;
use std::process::ExitCode;

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::printer::Printer;

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::parse_args(args) {
        Ok(cli) => cli,
        Err(error) => return error::clap_exit(&error),
    };
    let mut printer = Printer::stdout();
    let result = dispatch(cli, &mut printer);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            error::report(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

fn dispatch(cli: Cli, printer: &mut Printer) -> Result<u8, CliError> {
    let global = cli.global;
    match cli.command {
        Command::Check(args) => commands::check::run(&global, args, printer),
        Command::Plan(args) => commands::plan::run(&global, args, printer),
        Command::Schema(args) => commands::schema::run(args, printer),
        Command::Run(args) => commands::run::run(&global, args),
        Command::Status(args) => commands::status::run(&global, args, printer),
        Command::Runs(args) => commands::runs::run(&global, args, printer),
        Command::Log(args) => commands::log::run(&global, args, printer),
        Command::Advance(args) => commands::mode::advance(&global, args, printer),
        Command::Rollback(args) => commands::mode::rollback(&global, args, printer),
        Command::Sync(args) => commands::sync::run(&global, args, printer),
        Command::Record(args) => commands::record::run(&global, args, printer),
        Command::Push(args) => commands::push::push(&global, args, printer),
        Command::Ingest(args) => commands::push::ingest(&global, args, printer),
        Command::Gate(args) => commands::gate::run(&global, args, printer),
        Command::Test(args) => commands::test::run(&global, args, printer),
        Command::Bench(args) => commands::bench::run(&global, args, printer),
        Command::Docs(args) => commands::docs::run(&global, args, printer),
        Command::Watch(args) => commands::watch::run(&global, args, printer),
        Command::Decide(args) => commands::decide::run(&global, args, printer),
        Command::Import(args) => commands::import::run(args, printer),
        Command::Audit(args) => commands::audit::run(&global, args, printer),
        Command::Scaffold(args) => commands::scaffold::run(&global, args, printer),
        Command::Ci(args) => commands::ci::run(&global, args, printer),
        Command::Doctor(args) => commands::doctor::run(&global, args, printer),
        Command::Gc(args) => commands::gc::run(&global, args, printer),
        Command::Snapshots(args) => commands::snapshots::run(&global, args, printer),
        Command::Drift(command) => commands::drift::run(&global, command, printer),
        Command::Calibrate(args) => commands::calibrate::run(&global, args, printer),
        Command::Restore(args) => commands::snapshots::restore(&global, args, printer),
        Command::Serve(args) => commands::serve::run(&global, args),
        Command::Comms(command) => commands::comms::run(&global, command, printer),
    }
}
