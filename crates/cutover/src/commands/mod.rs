//! One file per subcommand. Each resolves its arguments, calls the library,
//! and hands text to the [`crate::printer::Printer`].

pub mod audit;
pub mod bench;
pub mod calibrate;
pub mod check;
pub mod ci;
pub mod comms;
pub mod decide;
pub mod docs;
pub mod doctor;
pub mod drift;
pub mod gate;
pub mod gc;
pub mod import;
pub mod invite;
pub mod log;
pub mod mode;
pub mod plan;
pub mod push;
pub mod record;
pub mod run;
pub mod runs;
pub mod scaffold;
pub mod schedule;
pub mod schema;
pub mod serve;
pub mod snapshots;
pub mod status;
pub mod sync;
pub mod test;
pub mod watch;

use std::path::{Path, PathBuf};

use cutover_core::spec::{Migration, load_spec};
use cutover_core::spool::Spool;
use cutover_core::store::StoreLocation;
use cutover_core::workspace::Workspace;

use crate::args::GlobalArgs;
use crate::error::CliError;

/// The spec path: the positional argument wins over `--spec`/`CUTOVER_SPEC`.
fn spec_path(global: &GlobalArgs, positional: Option<PathBuf>) -> PathBuf {
    positional.unwrap_or_else(|| global.spec.clone())
}

fn load(path: &Path) -> Result<Migration, CliError> {
    Ok(load_spec(path)?)
}

/// A plan failure: a spec problem at the pin when a phase pin causes it.
fn plan_failure(
    path: &Path,
    migration: &Migration,
    source: cutover_core::plan::PlanError,
) -> CliError {
    match cutover_core::plan::pin_problem(path, migration, &source) {
        Some(problem) => CliError::Load(cutover_core::spec::load::LoadError::Invalid(problem)),
        None => CliError::Plan {
            spec: path.to_owned(),
            source,
        },
    }
}

/// The validated spec, its directory (absolute) and where its state lives.
struct Located {
    migration: Migration,
    base_dir: PathBuf,
    state: StoreLocation,
}

impl Located {
    /// Whether there is state to read: the store exists (a URL store always
    /// does), or runs left records in the local spool (a legacy-mode run
    /// never creates the store; the command that delivers its record does).
    /// Otherwise commands that only read create no store file.
    fn has_state(&self) -> bool {
        let Some(file) = self.state.file() else {
            return true;
        };
        file.exists()
            || file.parent().is_some_and(|dir| {
                Spool::in_state_dir(dir)
                    .pending()
                    .is_ok_and(|records| !records.is_empty())
            })
    }

    /// Opens the workspace and delivers the spool, like [`open_workspace`].
    fn open(self) -> Result<Workspace, CliError> {
        let mut workspace = Workspace::open(self.migration, self.base_dir, &self.state)?;
        deliver_spool(&mut workspace);
        Ok(workspace)
    }
}

/// Loads the spec and resolves where its state lives: `--state`, or
/// `.cutover/state.db` beside the spec.
fn locate(global: &GlobalArgs) -> Result<Located, CliError> {
    let migration = load(&global.spec)?;
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let spec = absolute(&global.spec);
    let base_dir = spec
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let state = state_location(global, &base_dir);
    Ok(Located {
        migration,
        base_dir,
        state,
    })
}

/// Where the state lives: `--state` (a path relative to the working
/// directory, or a URL), or `.cutover/state.db` beside the spec.
fn state_location(global: &GlobalArgs, base_dir: &Path) -> StoreLocation {
    match global.state.as_deref() {
        Some(setting) => {
            let cwd = std::path::absolute(".").unwrap_or_else(|_| PathBuf::from("."));
            StoreLocation::parse(setting, &cwd)
        }
        None => StoreLocation::File(base_dir.join(".cutover").join("state.db")),
    }
}

/// Writes a document atomically (see [`cutover_core::fs::write_atomically`]).
fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    cutover_core::fs::write_atomically(path, text.as_bytes()).map_err(|source| CliError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes a generated file atomically, creating its directory first.
fn write_creating_parent(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| CliError::Write {
            path: parent.to_owned(),
            source,
        })?;
    }
    write_atomically(path, text)
}

/// Loads the spec and opens its workspace (creating the store if needed),
/// with the runs that only spooled their records delivered first.
fn open_workspace(global: &GlobalArgs) -> Result<Workspace, CliError> {
    locate(global)?.open()
}

/// [`open_workspace`] without delivering the spool: for `cutover push`,
/// which delivers it itself and reports every record.
fn open_workspace_only(global: &GlobalArgs) -> Result<Workspace, CliError> {
    let located = locate(global)?;
    Ok(Workspace::open(
        located.migration,
        located.base_dir,
        &located.state,
    )?)
}

/// Delivers a local store's spool (see [`Workspace::deliver_spool`]) so
/// the command counts every run. It never fails the command: what is not
/// delivered stays in the spool for the next one, and a failure is noted
/// on stderr (a store busy for longer than the wait is not a failure).
fn deliver_spool(workspace: &mut Workspace) {
    let problem = match workspace.deliver_spool() {
        None => return,
        Some(Ok(summary)) => match summary.failed {
            Some(error) if !error.is_busy() => crate::error::one_line(&error),
            _ => return,
        },
        Some(Err(error)) => crate::error::one_line(&error),
    };
    crate::error::note(&format!(
        "cutover: warning: spooled run records were not delivered ({problem}); `cutover push` retries"
    ));
}

/// What to tell the operator after the mode file changed: commit it, with
/// the exact commands (the path relative to the working directory).
fn commit_hint(path: &Path, message: &str) -> String {
    let cwd = std::path::absolute(".").unwrap_or_default();
    let shown = path
        .strip_prefix(&cwd)
        .unwrap_or(path)
        .display()
        .to_string();
    let quoted = message.replace('"', "'");
    format!(
        "wrote {shown}: commit it so every checkout routes this way:\n  git add {shown} && git commit -m \"{quoted}\"\n"
    )
}

/// A timestamp as tables show it: in the migration's time zone, named (`2027-01-05
/// 14:03:07 Europe/Berlin`), to the second; JSON keeps RFC 3339 in UTC.
fn time(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    cutover_core::units::local_time(at, zone)
}

/// Who is acting, for the audit log: `CUTOVER_USER`, the CI's user, or the login name.
pub fn actor() -> String {
    [
        "CUTOVER_USER",
        "GITHUB_ACTOR",
        "GITLAB_USER_LOGIN",
        "BUILDKITE_BUILD_CREATOR",
        "USER",
        "LOGNAME",
    ]
    .iter()
    .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    .unwrap_or_else(|| "unknown".into())
}
