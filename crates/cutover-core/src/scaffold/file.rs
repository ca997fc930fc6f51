//! What the SDK writers share: the SDK chosen, a generated file and string literals.

use std::path::PathBuf;

/// One file of the module, relative to the module directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative path.
    pub path: PathBuf,
    /// Content.
    pub text: String,
}

impl GeneratedFile {
    /// A file at `path` (relative) with `text`.
    pub fn new(path: &str, text: String) -> GeneratedFile {
        GeneratedFile {
            path: PathBuf::from(path),
            text,
        }
    }
}

/// A string literal valid in Python and TypeScript (JSON's escaping).
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The SDKs a scaffold can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sdk {
    /// `dagger-io` (PyPI).
    Python,
    /// `@dagger.io/dagger` (npm).
    Typescript,
}

impl Sdk {
    /// The `sdk.source` value in `dagger.json`.
    pub fn source(self) -> &'static str {
        match self {
            Sdk::Python => "python",
            Sdk::Typescript => "typescript",
        }
    }
}
