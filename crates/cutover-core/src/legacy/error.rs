//! Why an import failed. Every error names the file, and where it can, the
//! line and the construct, so a refusal tells the user what to change.

use std::path::PathBuf;

/// An import that could not complete; nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("`{file}` is not valid YAML: {message}")]
    Yaml {
        /// The file.
        file: String,
        /// The parser's message, with its line.
        message: String,
    },
    /// A file uses a construct this importer does not support.
    #[error("`{file}` line {line}: unsupported: {construct}")]
    Refused {
        /// The file.
        file: String,
        /// 1-based line of the construct.
        line: usize,
        /// What was found.
        construct: String,
        /// What to do instead.
        hint: String,
    },
    /// An external tool the importer relies on failed.
    #[error("`{tool}` failed on `{file}`: {message}")]
    Tool {
        /// The tool (`make`, `just`).
        tool: String,
        /// The file.
        file: String,
        /// Its error output.
        message: String,
    },
    /// Nothing to import.
    #[error("no files to import")]
    NoFiles,
}

impl ImportError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&str> {
        match self {
            ImportError::Refused { hint, .. } => Some(hint),
            _ => None,
        }
    }
}
