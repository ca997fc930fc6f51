//! One file per subcommand. Each resolves its arguments, calls the library,
//! and hands text to the [`crate::printer::Printer`].

pub mod check;
pub mod plan;
pub mod schema;

use std::path::{Path, PathBuf};

use cutover_core::spec::{Migration, load_spec};

use crate::args::GlobalArgs;
use crate::error::CliError;

/// The spec path: the positional argument wins over `--spec`/`CUTOVER_SPEC`.
fn spec_path(global: &GlobalArgs, positional: Option<PathBuf>) -> PathBuf {
    positional.unwrap_or_else(|| global.spec.clone())
}

fn load(path: &Path) -> Result<Migration, CliError> {
    Ok(load_spec(path)?)
}
