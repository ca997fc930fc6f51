//! The top-level error, its exit code, and the one place errors are rendered:
//! the error, then its causes, then a hint; spec problems with code frames.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use cutover_core::benchmark::BenchError;
use cutover_core::gate::GateError;
use cutover_core::mode_file::ModeFileError;
use cutover_core::ops::comms::CommsError;
use cutover_core::ops::{CalibrateError, ChangeError, DecideError, DriftError, GcError};
use cutover_core::plan::PlanError;
use cutover_core::report::ReportError;
use cutover_core::rollback::RollbackError;
use cutover_core::router::RunError;
use cutover_core::spec::SpecErrors;
use cutover_core::spec::load::LoadError;
use cutover_core::spool::SpoolError;
use cutover_core::store::StoreError;
use cutover_core::workspace::{ModeWriteError, TargetError, UnknownComponent, WorkspaceError};
use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::exit_codes;

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The spec could not be read or is invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The plan could not be formed from a valid spec.
    #[error("failed to plan `{}`", spec.display())]
    Plan {
        /// Spec path.
        spec: PathBuf,
        /// Why.
        #[source]
        source: PlanError,
    },
    /// A document could not be rendered.
    #[error("failed to render the report")]
    Report(#[from] ReportError),
    /// Output could not be written.
    #[error("failed to write `{}`", path.display())]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Standard output failed.
    #[error("failed to write to stdout")]
    Stdout(#[source] std::io::Error),
    /// The state store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The mode file is unreadable or invalid.
    #[error(transparent)]
    ModeFile(#[from] ModeFileError),
    /// The mode file could not be written.
    #[error(transparent)]
    ModeWrite(#[from] ModeWriteError),
    /// The spool could not be read.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// A component id not in the spec.
    #[error(transparent)]
    UnknownComponent(#[from] UnknownComponent),
    /// A gate could not be evaluated.
    #[error(transparent)]
    Gate(#[from] GateError),
    /// A decision could not be recorded.
    #[error("decision failed")]
    Decide(#[from] DecideError),
    /// Drift could not be acknowledged.
    #[error(transparent)]
    Drift(#[from] DriftError),
    /// A target that is neither a component nor a phase.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// A refused mode change.
    #[error("mode change refused")]
    Change(#[source] ChangeError),
    /// A rollback refused or failed.
    #[error("rollback failed")]
    Rollback {
        /// Cause.
        #[source]
        source: RollbackError,
    },
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// A benchmark that could not run.
    #[error("failed to benchmark `{component}`")]
    Bench {
        /// Component.
        component: String,
        /// Cause.
        #[source]
        source: BenchError,
    },
    /// An import that could not complete.
    #[error(transparent)]
    Import(#[from] cutover_core::import::ImportError),
    /// A scaffold that could not be made.
    #[error("failed to scaffold")]
    Scaffold(#[from] cutover_core::scaffold::ScaffoldError),
    /// The CI change could not be computed.
    #[error("failed to compute the CI change")]
    Ci(#[from] cutover_core::ci::CiError),
    /// Garbage collection failed.
    #[error("gc failed")]
    Gc(#[from] GcError),
    /// A snapshot that could not be restored.
    #[error("failed to restore")]
    Restore(#[from] cutover_core::ops::RestoreError),
    /// A calibration that could not run.
    #[error(transparent)]
    Calibrate(#[from] CalibrateError),
    /// The learned rules could not be written into the spec.
    #[error("cannot add the rules to `{}`", spec.display())]
    SpecEdit {
        /// The spec.
        spec: std::path::PathBuf,
        /// Cause.
        #[source]
        source: cutover_core::calibrate::SpecEditError,
    },
    /// `cutover serve` could not start or failed.
    #[error(transparent)]
    Serve(#[from] cutover_server::ServeError),
    /// The server's tokens are unusable.
    #[error("invalid tokens")]
    Tokens(#[from] cutover_server::TokensError),
    /// The tokens file could not be read.
    #[error("failed to read the tokens file `{}`", path.display())]
    ReadTokens {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A communication operation failed.
    #[error(transparent)]
    Comms(#[from] cutover_core::ops::comms::CommsError),
    /// A run that could not happen.
    #[error("failed to run `{component}`")]
    Run {
        /// Component.
        component: String,
        /// Cause.
        #[source]
        source: RunError,
    },
}

impl From<WorkspaceError> for CliError {
    fn from(error: WorkspaceError) -> Self {
        match error {
            WorkspaceError::Store(e) => CliError::Store(e),
            WorkspaceError::ModeFile(e) => CliError::ModeFile(e),
        }
    }
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Load(_) | CliError::Plan { .. } | CliError::ModeFile(_) => {
                exit_codes::BAD_INPUT
            }
            CliError::UnknownComponent(_)
            | CliError::Target(_)
            | CliError::Gate(GateError::Plan(_))
            | CliError::Decide(DecideError::NothingOpen(_))
            | CliError::Drift(DriftError::NoDrift(_))
            | CliError::Bench { .. }
            | CliError::Usage(_)
            | CliError::Spool(SpoolError::Unreadable { .. })
            | CliError::SpecEdit { .. }
            | CliError::Calibrate(
                CalibrateError::NoLegacy(_)
                | CalibrateError::SideEffects(_)
                | CalibrateError::NoRounds
                | CalibrateError::Pattern(_),
            ) => exit_codes::BAD_INPUT,
            CliError::Calibrate(_) => exit_codes::FAILURE,
            CliError::Restore(
                cutover_core::ops::RestoreError::NoSnapshot(_)
                | cutover_core::ops::RestoreError::Pruned { .. },
            ) => exit_codes::BAD_INPUT,
            CliError::Restore(_) => exit_codes::FAILURE,
            CliError::Rollback {
                source:
                    RollbackError::Store(_)
                    | RollbackError::Snapshot(_)
                    | RollbackError::Verify { .. }
                    | RollbackError::ModeWrite(_),
            } => exit_codes::FAILURE,
            CliError::Rollback { .. } => exit_codes::BAD_INPUT,
            CliError::Decide(DecideError::Rollback(
                RollbackError::Store(_) | RollbackError::Snapshot(_) | RollbackError::Verify { .. },
            )) => exit_codes::FAILURE,
            CliError::Decide(DecideError::Rollback(_)) => exit_codes::BAD_INPUT,
            CliError::Decide(DecideError::Store(_))
            | CliError::Gate(GateError::Store(_))
            | CliError::Drift(DriftError::Store(_)) => exit_codes::FAILURE,
            CliError::Change(
                ChangeError::Store(_) | ChangeError::Snapshot(_) | ChangeError::ModeWrite(_),
            ) => exit_codes::FAILURE,
            CliError::Change(ChangeError::Gate(_)) => exit_codes::NOT_MET,
            CliError::Change(_) => exit_codes::BAD_INPUT,
            CliError::Run {
                source: RunError::Route(_) | RunError::Pattern(_),
                ..
            } => exit_codes::BAD_INPUT,
            CliError::Import(cutover_core::import::ImportError::Tool { .. }) => exit_codes::FAILURE,
            CliError::Import(_) | CliError::Scaffold(_) | CliError::Ci(_) => exit_codes::BAD_INPUT,
            CliError::Tokens(_) | CliError::ReadTokens { .. } => exit_codes::BAD_INPUT,
            CliError::Serve(cutover_server::ServeError::Tls(_)) => exit_codes::BAD_INPUT,
            CliError::Store(StoreError::CaFile { .. }) => exit_codes::BAD_INPUT,
            CliError::Serve(_) => exit_codes::FAILURE,
            CliError::Comms(
                CommsError::UnknownMessage(_)
                | CommsError::AmbiguousMessage(..)
                | CommsError::NoStakeholders
                | CommsError::Clock(_)
                | CommsError::Plan(_),
            ) => exit_codes::BAD_INPUT,
            CliError::Comms(CommsError::Store(_)) => exit_codes::FAILURE,
            CliError::Report(_)
            | CliError::Write { .. }
            | CliError::Stdout(_)
            | CliError::Store(_)
            | CliError::ModeWrite(_)
            | CliError::Spool(_)
            | CliError::Gc(_)
            | CliError::Run { .. } => exit_codes::FAILURE,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            CliError::Load(LoadError::Read { .. }) => Some(
                "pass the spec with --spec PATH (or CUTOVER_SPEC); `cutover check` validates it".into(),
            ),
            CliError::Plan { .. } => {
                Some("adjust the phase pins or `planning:` limits in the spec, then run `cutover plan` again".into())
            }
            CliError::Change(ChangeError::Gate(report)) => Some(format!(
                "see the evidence with `cutover gate {}`, or force with --force --reason \"…\"",
                report.target
            )),
            CliError::Change(ChangeError::Refused(_)) => {
                Some("see the current modes with `cutover status`; skipping a step needs --force --reason \"…\"".into())
            }
            CliError::Rollback { source: RollbackError::Cascade { target, .. } } => Some(format!(
                "roll back those first, or include them with `cutover rollback {target} --cascade`"
            )),
            CliError::Rollback { source: RollbackError::EditedSince { component, .. } } => Some(format!(
                "roll back anyway with --overwrite: the edit is then kept in a safety snapshot (`cutover snapshots {component}`), and `cutover restore ID` brings it back"
            )),
            CliError::Rollback { source: RollbackError::Retired(_) } => {
                Some("a retired component's legacy side is gone; restore it by hand and re-add it to the spec".into())
            }
            CliError::Store(StoreError::Connect { .. }) => Some(
                "check that the PostgreSQL server is up and reachable, and the URL's host, port, database and user".into(),
            ),
            CliError::Restore(cutover_core::ops::RestoreError::NoSnapshot(_)) => {
                Some("`cutover snapshots` lists the snapshots".into())
            }
            CliError::Store(StoreError::Unreachable { .. }) => Some(
                "check that `cutover serve` runs at that URL; CUTOVER_STATE_TIMEOUT (seconds) waits longer".into(),
            ),
            CliError::Store(StoreError::CaFile { .. }) => Some(
                "CUTOVER_CA_FILE names a PEM file of the CA certificates that issued the server's certificate".into(),
            ),
            CliError::Store(StoreError::Refused { status: 401, .. }) => {
                Some("set CUTOVER_TOKEN to a token the server knows".into())
            }
            CliError::Store(StoreError::Refused { status: 403, .. }) => Some(
                "this needs a token with a stronger role (operator: modes, rollbacks, decisions)".into(),
            ),
            CliError::Tokens(_) => Some(
                "one `ROLE NAME TOKEN` per line, roles viewer, runner or operator, tokens of 16 characters or more".into(),
            ),
            CliError::Store(_) => Some("check that the state file is writable; `--state PATH` chooses another".into()),
            CliError::ModeFile(ModeFileError::Invalid(_)) => Some(
                "each line of the mode file is `component: mode` (`canary P` with its share); `cutover check` lists every problem".into(),
            ),
            CliError::Import(error) => error.hint().map(str::to_owned),
            _ => None,
        }
    }
}

/// Renders an error to stderr.
pub fn report(error: &CliError) {
    let mut text = String::new();
    if let CliError::Load(LoadError::Invalid(errors))
    | CliError::ModeFile(ModeFileError::Invalid(errors)) = error
    {
        text.push_str(&render_spec_errors(errors));
    } else {
        text.push_str(&format!("error: {error}\n"));
        let mut cause = std::error::Error::source(error);
        while let Some(inner) = cause {
            text.push_str(&format!("  Caused by: {inner}\n"));
            cause = inner.source();
        }
    }
    if let Some(hint) = error.hint() {
        text.push_str(&format!("hint: {hint}\n"));
    }
    eprint_text(&text);
}

/// Renders every spec problem with its code frame, then a count.
pub fn render_spec_errors(errors: &SpecErrors) -> String {
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(2);
    let mut text = String::new();
    for report in errors.reports() {
        text.push_str(&format!("error: {report}\n"));
        let mut frame = String::new();
        if handler.render_report(&mut frame, &report).is_ok() {
            // miette repeats the message as its first line; the line above already says it.
            let body = frame
                .split_once('\n')
                .map_or(frame.as_str(), |(_, rest)| rest);
            text.push_str(body);
        }
        text.push('\n');
    }
    let count = errors.diagnostics.len();
    text.push_str(&format!(
        "error: `{}` has {}; nothing was written\n",
        errors.file_name(),
        cutover_core::text::count(count, "problem")
    ));
    text
}

#[expect(clippy::print_stderr, reason = "the one place errors reach the user")]
fn eprint_text(text: &str) {
    eprint!("{text}");
}

/// An error and its causes on one line, `error: cause: cause`.
pub fn one_line(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    text
}

/// A one-line note on stderr (progress, summaries), never on stdout.
pub fn note(text: &str) {
    eprint_text(&format!("{text}\n"));
}

/// Exit for an argument error: help and version go to stdout with 0, the
/// rest to stderr with [`exit_codes::BAD_INPUT`].
pub fn clap_exit(error: &clap::Error) -> ExitCode {
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(exit_codes::BAD_INPUT)
    } else {
        ExitCode::from(exit_codes::OK)
    }
}
