//! [`Tokens`]: who may call the server, read from a tokens file or the
//! environment, never from the spec.
//!
//! One entry per line, `ROLE NAME TOKEN` (blank lines and `#` comments
//! ignored); in the environment variable the entries may also be separated
//! by commas. Tokens are compared in constant time (their SHA-256 digests,
//! so the length leaks nothing either) and never appear in an error or log:
//! a bad entry is reported by its line number and name only.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The shortest token accepted (a guessable token is no protection).
pub const MIN_TOKEN_LENGTH: usize = 16;

/// What a caller may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Read only.
    Viewer,
    /// Reads, and records runs and test results (a CI runner).
    Runner,
    /// Everything: modes, snapshots, rollbacks, decisions, drills, events.
    Operator,
}

impl Role {
    /// The spelling in a tokens file.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Runner => "runner",
            Role::Operator => "operator",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        [Role::Viewer, Role::Runner, Role::Operator]
            .into_iter()
            .find(|role| role.as_str() == text)
    }

    /// Whether this role may do what `required` may.
    pub fn allows(self, required: Role) -> bool {
        match required {
            Role::Viewer => true,
            // A runner's writes are evidence only; a viewer may not write at all.
            Role::Runner => matches!(self, Role::Runner | Role::Operator),
            Role::Operator => self == Role::Operator,
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name: the actor of everything it writes.
    pub name: String,
    /// What it may do.
    pub role: Role,
}

/// A bad tokens file or variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokensError {
    /// A line that is not `ROLE NAME TOKEN`.
    #[error(
        "{source_name} entry {entry}: expected `ROLE NAME TOKEN` (role: viewer, runner or operator)"
    )]
    Malformed {
        /// The file or variable.
        source_name: String,
        /// 1-based entry (line) number.
        entry: usize,
    },
    /// An unknown role.
    #[error("{source_name} entry {entry}: unknown role `{role}` (viewer, runner or operator)")]
    UnknownRole {
        /// The file or variable.
        source_name: String,
        /// 1-based entry number.
        entry: usize,
        /// What was written.
        role: String,
    },
    /// A token shorter than [`MIN_TOKEN_LENGTH`].
    #[error(
        "{source_name} entry {entry}: the token of `{name}` is shorter than {MIN_TOKEN_LENGTH} characters"
    )]
    TooShort {
        /// The file or variable.
        source_name: String,
        /// 1-based entry number.
        entry: usize,
        /// The token's name.
        name: String,
    },
    /// Two entries with one token or one name.
    #[error("{source_name} entry {entry}: `{name}` repeats a name or a token given before")]
    Duplicate {
        /// The file or variable.
        source_name: String,
        /// 1-based entry number.
        entry: usize,
        /// The token's name.
        name: String,
    },
    /// No token at all.
    #[error("no tokens: give `--tokens FILE` or set CUTOVER_SERVE_TOKENS")]
    Empty,
}

struct Entry {
    digest: [u8; 32],
    caller: Caller,
}

/// The tokens the server accepts.
pub struct Tokens {
    entries: Vec<Entry>,
}

/// Names and roles only: tokens never reach `{:?}`.
impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| (&e.caller.name, e.caller.role)))
            .finish()
    }
}

impl Tokens {
    /// Reads entries from the text of a file (one per line) or a variable
    /// (also comma-separated); `source_name` names it in errors.
    pub fn parse(texts: &[(&str, &str)]) -> Result<Tokens, TokensError> {
        let mut entries: Vec<Entry> = Vec::new();
        for (source_name, text) in texts {
            for (index, line) in text.split(['\n', ',']).enumerate() {
                let line = line.split('#').next().unwrap_or("").trim();
                if line.is_empty() {
                    continue;
                }
                let entry = parse_entry(source_name, index + 1, line)?;
                let repeated = entries.iter().any(|e| {
                    e.caller.name == entry.caller.name || bool::from(e.digest.ct_eq(&entry.digest))
                });
                if repeated {
                    return Err(TokensError::Duplicate {
                        source_name: (*source_name).to_owned(),
                        entry: index + 1,
                        name: entry.caller.name,
                    });
                }
                entries.push(entry);
            }
        }
        if entries.is_empty() {
            return Err(TokensError::Empty);
        }
        Ok(Tokens { entries })
    }

    /// The caller a presented token belongs to. Every entry is compared,
    /// in constant time, whatever matches.
    pub fn authenticate(&self, token: &str) -> Option<&Caller> {
        let digest = digest(token);
        let mut found = None;
        for entry in &self.entries {
            if bool::from(entry.digest.ct_eq(&digest)) {
                found = Some(&entry.caller);
            }
        }
        found
    }

    /// How many tokens of each role, for the start-up line.
    pub fn summary(&self) -> String {
        [Role::Operator, Role::Runner, Role::Viewer]
            .iter()
            .map(|role| {
                let count = self
                    .entries
                    .iter()
                    .filter(|e| e.caller.role == *role)
                    .count();
                format!("{count} {}", role.as_str())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn parse_entry(source_name: &str, entry: usize, line: &str) -> Result<Entry, TokensError> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [role, name, token] = fields[..] else {
        return Err(TokensError::Malformed {
            source_name: source_name.to_owned(),
            entry,
        });
    };
    let Some(role) = Role::parse(role) else {
        return Err(TokensError::UnknownRole {
            source_name: source_name.to_owned(),
            entry,
            role: role.to_owned(),
        });
    };
    if token.chars().count() < MIN_TOKEN_LENGTH {
        return Err(TokensError::TooShort {
            source_name: source_name.to_owned(),
            entry,
            name: name.to_owned(),
        });
    }
    Ok(Entry {
        digest: digest(token),
        caller: Caller {
            name: name.to_owned(),
            role,
        },
    })
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# team tokens\noperator alice 0123456789abcdef-op\n\nrunner ci 0123456789abcdef-ci # CI\nviewer board 0123456789abcdef-vw\n";

    #[test]
    fn each_token_names_its_caller_and_role() {
        let tokens = Tokens::parse(&[("tokens", FILE)]).expect("valid");
        let ci = tokens.authenticate("0123456789abcdef-ci").expect("known");
        assert_eq!((ci.name.as_str(), ci.role), ("ci", Role::Runner));
        assert!(tokens.authenticate("0123456789abcdef-xx").is_none());
        assert!(tokens.authenticate("").is_none());
        assert_eq!(tokens.summary(), "1 operator, 1 runner, 1 viewer");
    }

    #[test]
    fn roles_include_weaker_ones_only() {
        assert!(Role::Operator.allows(Role::Runner));
        assert!(Role::Runner.allows(Role::Viewer));
        assert!(!Role::Runner.allows(Role::Operator));
        assert!(!Role::Viewer.allows(Role::Runner));
    }

    #[test]
    fn bad_entries_are_named_without_their_token() {
        let cases = [
            ("runner ci", "entry 1: expected"),
            ("admin ci 0123456789abcdef", "unknown role `admin`"),
            ("runner ci short-secret", "the token of `ci` is shorter"),
            (
                "runner ci 0123456789abcdef, viewer ci 0123456789abcdeg",
                "entry 2: `ci` repeats",
            ),
            ("# nothing\n", "no tokens"),
        ];
        for (text, expected) in cases {
            let error = Tokens::parse(&[("CUTOVER_SERVE_TOKENS", text)])
                .expect_err(text)
                .to_string();
            assert!(error.contains(expected), "{text}: {error}");
            assert!(
                !error.contains("short-secret") && !error.contains("0123"),
                "{error}"
            );
        }
    }
}
