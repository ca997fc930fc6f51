//! The comparators of parity: given where each side put one declared output,
//! are the two equivalent? Each comparator lives in a module of its own and
//! answers with a [`Verdict`] that explains any difference readably.

mod archive;
mod bytes;
mod command;
mod json;
mod junit;
mod symbols;
mod text;
mod tree;

use std::path::{Path, PathBuf};

use super::normalize::Normalizer;
use crate::lifecycle::Side;
use crate::spec::Comparison;
use crate::text::{backtick_list, count};

pub use text::unified_hunk;

/// What a comparator concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The two are equivalent under the comparator.
    Equivalent,
    /// They differ; the explanation names what and where.
    Differs(String),
}

impl Verdict {
    /// `Differs` when `differences` is not empty, joined by new lines.
    fn from_differences(differences: Vec<String>) -> Verdict {
        if differences.is_empty() {
            Verdict::Equivalent
        } else {
            Verdict::Differs(differences.join("\n"))
        }
    }
}

/// What every comparator may need besides the two paths.
#[derive(Debug, Clone, Copy)]
pub struct CompareContext<'a> {
    /// The sides being compared, in the order of the paths.
    pub sides: (Side, Side),
    /// The component's `normalize` rules (used by `text`).
    pub normalizer: &'a Normalizer,
    /// Each side's output directory, replaced by `<out>` before `text` compares.
    pub out_dirs: (&'a Path, &'a Path),
    /// Where `command` comparators run (the spec's directory).
    pub working_dir: &'a Path,
}

/// Compares the two copies of one output with its comparator. Both exist.
pub fn compare_output(
    comparison: &Comparison,
    a: &Path,
    b: &Path,
    context: &CompareContext<'_>,
) -> Verdict {
    match comparison {
        Comparison::Bytes => bytes::compare(a, b, context),
        Comparison::Text => text::compare(a, b, context),
        Comparison::Archive { members } => archive::compare(a, b, members, context),
        Comparison::Symbols { allow } => symbols::compare(a, b, allow, context),
        Comparison::Junit => junit::compare(a, b, context),
        Comparison::Json { ignore } => json::compare(a, b, ignore, context),
        Comparison::Command { run } => command::compare(a, b, run, context),
    }
}

/// `1 path differs: `a`` / `3 paths differ: `a`, `b`, and `c``.
fn differ_line(noun: &str, names: &[String]) -> String {
    let verb = if names.len() == 1 {
        "differs"
    } else {
        "differ"
    };
    format!(
        "{} {verb}: {}",
        count(names.len(), noun),
        backtick_list(names)
    )
}

/// Reads a file for a comparator, or explains why it cannot. A symlink is
/// never followed (it may lead out of the project): it is named, not read.
fn read(path: &Path, side: Side) -> Result<Vec<u8>, String> {
    if let Ok(target) = std::fs::read_link(path) {
        return Err(format!(
            "{side}: `{}` is a symlink to `{}` (not followed)",
            path.display(),
            target.display()
        ));
    }
    std::fs::read(path)
        .map_err(|error| format!("{side}: cannot read `{}`: {error}", path.display()))
}

/// A path a comparator is given when it compares bytes held in memory
/// (archive members): both written to a private temporary directory.
struct Scratch {
    _dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
}

impl Scratch {
    fn new(name: &str, a: &[u8], b: &[u8]) -> std::io::Result<Scratch> {
        let dir = tempfile::tempdir()?;
        let file = Path::new(name)
            .file_name()
            .map_or_else(|| "member".into(), |n| n.to_owned());
        let (pa, pb) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&pa)?;
        std::fs::create_dir_all(&pb)?;
        std::fs::write(pa.join(&file), a)?;
        std::fs::write(pb.join(&file), b)?;
        Ok(Scratch {
            a: pa.join(&file),
            b: pb.join(file),
            _dir: dir,
        })
    }
}

/// A context for comparator tests: legacy against dagger, no normalize
/// rules, everything relative to `dir`.
#[cfg(test)]
fn test_context(dir: &Path) -> CompareContext<'_> {
    static PLAIN: std::sync::LazyLock<Normalizer> = std::sync::LazyLock::new(Normalizer::default);
    CompareContext {
        sides: (Side::Legacy, Side::Dagger),
        normalizer: &PLAIN,
        out_dirs: (dir, dir),
        working_dir: dir,
    }
}
