//! One file per subcommand. Each resolves its arguments, calls the library,
//! and hands text to the [`crate::printer::Printer`].

pub mod audit;
pub mod bench;
pub mod check;
pub mod ci;
pub mod decide;
pub mod docs;
pub mod doctor;
pub mod gate;
pub mod import;
pub mod log;
pub mod mode;
pub mod plan;
pub mod record;
pub mod run;
pub mod runs;
pub mod scaffold;
pub mod schema;
pub mod status;
pub mod test;
pub mod watch;

use std::path::{Path, PathBuf};

use cutover_core::spec::{Component, Migration, load_spec};
use cutover_core::store::Store;

use crate::args::GlobalArgs;
use crate::error::CliError;

/// The spec path: the positional argument wins over `--spec`/`CUTOVER_SPEC`.
fn spec_path(global: &GlobalArgs, positional: Option<PathBuf>) -> PathBuf {
    positional.unwrap_or_else(|| global.spec.clone())
}

fn load(path: &Path) -> Result<Migration, CliError> {
    Ok(load_spec(path)?)
}

/// Where the spec lives, the store, and the directory sides run in.
pub struct Workspace {
    /// The validated spec.
    pub migration: Migration,
    /// The spec's directory (absolute): sides run here, outputs land here.
    pub base_dir: PathBuf,
    /// The store file.
    pub state_path: PathBuf,
    /// cutover's state directory (run files live under it).
    pub state_dir: PathBuf,
}

impl Workspace {
    /// Loads the spec and resolves the state paths.
    pub fn open(global: &GlobalArgs) -> Result<Workspace, CliError> {
        let migration = load(&global.spec)?;
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        let spec = absolute(&global.spec);
        let base_dir = spec
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        let state_path = global
            .state
            .as_deref()
            .map_or_else(|| base_dir.join(".cutover").join("state.db"), absolute);
        let state_dir = state_path
            .parent()
            .map_or_else(|| base_dir.join(".cutover"), Path::to_owned);
        Ok(Workspace {
            migration,
            base_dir,
            state_path,
            state_dir,
        })
    }

    /// Opens the store.
    pub fn store(&self) -> Result<Store, CliError> {
        Ok(Store::open(&self.state_path)?)
    }

    /// The component with this id, or a "did you mean" error.
    pub fn component(&self, id: &str) -> Result<&Component, CliError> {
        match self.migration.component_index(id) {
            Some(index) => Ok(&self.migration.components[index]),
            None => Err(CliError::UnknownComponent {
                name: id.to_owned(),
                suggestion: cutover_core::text::suggestion(
                    id,
                    self.migration.components.iter().map(|c| c.id.as_str()),
                )
                .map(Into::into),
            }),
        }
    }
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
