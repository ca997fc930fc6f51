//! How parity compares a component's results: whether stdout counts, and the
//! comparator of each declared output. Built by the validate pass from
//! `outputs:` and `stdout:`; the engines live in `exec::compare`.

use std::fmt::Write as _;

/// How one output (or one archive member) is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Byte for byte; directories file by file with modes and symlink targets.
    Bytes,
    /// Content after the component's `normalize` rules.
    Text,
    /// Archive members by path, content and mode.
    Archive {
        /// Comparators for matching members, first match wins; others `bytes`.
        members: Vec<MemberComparison>,
    },
    /// Exported symbols.
    Symbols {
        /// Names allowed to differ (`*` wildcards).
        allow: Vec<String>,
    },
    /// JUnit XML test names and outcomes.
    Junit,
    /// Semantic JSON.
    Json {
        /// JSON Pointers not compared.
        ignore: Vec<String>,
    },
    /// A user command given both paths.
    Command {
        /// Shell command line; the paths are `$1` and `$2`.
        run: String,
    },
}

impl Comparison {
    /// The spec's name of the comparator.
    pub fn name(&self) -> &'static str {
        match self {
            Comparison::Bytes => "bytes",
            Comparison::Text => "text",
            Comparison::Archive { .. } => "archive",
            Comparison::Symbols { .. } => "symbols",
            Comparison::Junit => "junit",
            Comparison::Json { .. } => "json",
            Comparison::Command { .. } => "command",
        }
    }
}

/// A comparator for archive members whose path matches `pattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberComparison {
    /// Glob with `*` wildcards.
    pub pattern: String,
    /// How matching members are compared.
    pub comparison: Comparison,
}

/// What parity is based on for one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParitySettings {
    /// Whether normalized stdout is compared (`stdout: ignore` turns it off).
    pub stdout: bool,
    /// One comparator per declared output, in `outputs` order.
    pub outputs: Vec<Comparison>,
}

impl Default for ParitySettings {
    fn default() -> Self {
        ParitySettings {
            stdout: true,
            outputs: Vec::new(),
        }
    }
}

impl ParitySettings {
    /// `exit code, stdout, dist/lib.a (symbols)`: what a verdict rests on.
    pub fn basis(&self, outputs: &[String]) -> String {
        let mut basis = String::from("exit code");
        if self.stdout {
            basis.push_str(", stdout");
        }
        for (index, path) in outputs.iter().enumerate() {
            let name = self.outputs.get(index).map_or("bytes", Comparison::name);
            let _ = write!(basis, ", {path} ({name})");
        }
        basis
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_any_run() {
        assert!(wildcard_match("lib/*.a", "lib/libm.a"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("__*_version*", "__foo_version_2"));
        assert!(!wildcard_match("lib/*.a", "lib/libm.so"));
        assert!(!wildcard_match("a*a", "a"));
        assert!(wildcard_match("exact", "exact"));
    }

    #[test]
    fn the_basis_names_each_output_and_its_comparator() {
        let settings = ParitySettings {
            stdout: false,
            outputs: vec![Comparison::Junit],
        };
        assert_eq!(
            settings.basis(&["report.xml".into(), "dist".into()]),
            "exit code, report.xml (junit), dist (bytes)"
        );
    }
}
