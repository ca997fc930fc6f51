//! `cutover doctor`: what this machine can do, found out, never assumed.
//! The `dagger` CLI (found on `PATH`, its `dagger version`, which needs no
//! engine), whether an engine answers (a call of the core API's `version`,
//! which needs one, under a timeout: `dagger core version` for the 0.x CLI,
//! `dagger -m core api call version` for 1.x, where `dagger core` is
//! deprecated — `internal/cmd/dagger/call.go` in dagger/dagger at
//! `13d493ee`), which container runtimes are on `PATH`, and the state
//! store (only read when it exists; never created). Every check reports
//! what it ran and what it saw.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::exec::{SideCommand, run_side};
use crate::store::StoreLocation;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Present and working.
    Ok,
    /// Not installed or not created.
    Missing,
    /// Present but not answering.
    Unreachable,
    /// Not checked because an earlier check failed.
    Skipped,
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// How it came out.
    pub status: CheckStatus,
    /// A version, when there is one.
    pub version: Option<String>,
    /// What was run or looked at, and what it said.
    pub detail: String,
}

/// Every check.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// Version of this JSON layout.
    pub format_version: u32,
    /// The checks, in order: dagger CLI, engine, container runtime, store.
    pub checks: Vec<Check>,
}

impl DoctorReport {
    /// Whether the Dagger side of components can run here.
    pub fn dagger_ready(&self) -> bool {
        self.checks
            .iter()
            .filter(|c| c.name == "dagger CLI" || c.name == "engine")
            .all(|c| c.status == CheckStatus::Ok)
    }
}

/// Runs every check. `scratch` is a directory for captured output (removed
/// afterwards); `state` the store file, if any.
pub fn diagnose(scratch: &Path, state: &StoreLocation, engine_timeout: Duration) -> DoctorReport {
    let dagger = find_on_path("dagger");
    let mut checks = Vec::new();
    match &dagger {
        None => {
            checks.push(Check {
                name: "dagger CLI",
                status: CheckStatus::Missing,
                version: None,
                detail: "no `dagger` on PATH".into(),
            });
            checks.push(Check {
                name: "engine",
                status: CheckStatus::Skipped,
                version: None,
                detail: "needs the dagger CLI".into(),
            });
        }
        Some(path) => {
            let (ok, out) = capture(scratch, "dagger version", Duration::from_secs(20));
            let version = if ok { parse_version(&out) } else { None };
            let probe = engine_probe(version.as_deref());
            checks.push(Check {
                name: "dagger CLI",
                status: if version.is_some() {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Unreachable
                },
                detail: format!(
                    "{}: `dagger version` said {}",
                    path.display(),
                    version
                        .as_deref()
                        .map_or_else(|| last_line(&out), |v| format!("`{v}`"))
                ),
                version,
            });
            let (ok, out) = capture(scratch, probe, engine_timeout);
            checks.push(Check {
                name: "engine",
                status: if ok {
                    CheckStatus::Ok
                } else {
                    CheckStatus::Unreachable
                },
                version: if ok { parse_version(&out) } else { None },
                detail: format!(
                    "`{probe}` {}: {}",
                    if ok { "answered" } else { "failed" },
                    last_line(&out)
                ),
            });
        }
    }
    checks.push(runtimes());
    checks.push(store(state));
    let _ = std::fs::remove_dir_all(scratch);
    DoctorReport {
        format_version: 1,
        checks,
    }
}

/// The command that asks the engine for its version, for a CLI of `version`:
/// `dagger -m core api call version` from 1.0 on, `dagger core version` before.
pub fn engine_probe(version: Option<&str>) -> &'static str {
    let major = version
        .map(|v| v.trim_start_matches('v'))
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if major >= 1 => "dagger -m core api call version",
        _ => "dagger core version",
    }
}

fn runtimes() -> Check {
    let found: Vec<String> = ["docker", "podman", "nerdctl"]
        .iter()
        .filter_map(|n| find_on_path(n).map(|p| p.display().to_string()))
        .collect();
    let remote = std::env::var("_EXPERIMENTAL_DAGGER_RUNNER_HOST")
        .ok()
        .filter(|v| !v.is_empty());
    match (found.is_empty(), remote) {
        (_, Some(host)) => Check {
            name: "container runtime",
            status: CheckStatus::Ok,
            version: None,
            detail: format!("remote engine _EXPERIMENTAL_DAGGER_RUNNER_HOST={host}"),
        },
        (true, None) => Check {
            name: "container runtime",
            status: CheckStatus::Missing,
            version: None,
            detail: "no docker, podman or nerdctl on PATH, and no remote engine set".into(),
        },
        (false, None) => Check {
            name: "container runtime",
            status: CheckStatus::Ok,
            version: None,
            detail: format!("on PATH (not probed): {}", found.join(", ")),
        },
    }
}

fn store(state: &StoreLocation) -> Check {
    if state.file().is_some_and(|file| !file.exists()) {
        return Check {
            name: "store",
            status: CheckStatus::Missing,
            version: None,
            detail: format!(
                "`{state}` does not exist yet; the first command that records something creates it (a legacy-mode `cutover run` only spools its record)"
            ),
        };
    }
    match crate::store::Store::open_location(state).and_then(|s| s.schema_version()) {
        Ok(version) => Check {
            name: "store",
            status: CheckStatus::Ok,
            version: Some(version.to_string()),
            detail: format!("`{state}` opens, schema version {version}"),
        },
        Err(error) => Check {
            name: "store",
            status: CheckStatus::Unreachable,
            version: None,
            detail: format!("`{state}`: {error}"),
        },
    }
}

/// Runs `line` with output captured; `(succeeded, stdout then stderr)`.
fn capture(scratch: &Path, line: &str, timeout: Duration) -> (bool, String) {
    if let Err(error) = std::fs::create_dir_all(scratch) {
        return (
            false,
            format!("cannot create `{}`: {error}", scratch.display()),
        );
    }
    let (stdout, stderr) = (scratch.join("stdout"), scratch.join("stderr"));
    let execution = run_side(&SideCommand {
        line: line.to_owned(),
        working_dir: scratch.to_owned(),
        env: vec![("DAGGER_NO_NAG".into(), "1".into())],
        stdout_file: Some(stdout.clone()),
        stderr_file: Some(stderr.clone()),
        live: false,
        timeout: Some(timeout),
        redact: Vec::new(),
    });
    let text = format!(
        "{}{}",
        std::fs::read_to_string(&stdout).unwrap_or_default(),
        std::fs::read_to_string(&stderr).unwrap_or_default()
    );
    let text = match execution.outcome.detail() {
        Some(detail) if !execution.outcome.is_success() && text.trim().is_empty() => detail,
        _ => text,
    };
    (execution.outcome.is_success(), text)
}

fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map_or_else(|| "nothing".into(), |l| format!("`{}`", l.trim()))
}

/// The first `vX.Y.Z` (or `X.Y.Z`) word in `text`.
pub fn parse_version(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .map(|w| w.trim_start_matches("version:"))
        .find(|w| {
            let digits = w.trim_start_matches('v');
            digits.split('.').count() >= 2
                && digits
                    .split('.')
                    .next()
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
        })
        .map(str::to_owned)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_both_cli_generations() {
        assert_eq!(
            parse_version("dagger v0.17.2 (registry.dagger.io/engine:v0.17.2) darwin/amd64")
                .as_deref(),
            Some("v0.17.2")
        );
        assert_eq!(
            parse_version("version: v1.0.0-beta.13").as_deref(),
            Some("v1.0.0-beta.13")
        );
        assert_eq!(parse_version("no engine"), None);
        let beta = "version:     v1.0.0-beta.10\ncommit:      13d493ee6e75\ndirty:       no\nplatform:    linux/amd64";
        assert_eq!(parse_version(beta).as_deref(), Some("v1.0.0-beta.10"));
    }

    #[test]
    fn the_engine_is_asked_the_way_each_cli_generation_asks_it() {
        assert_eq!(engine_probe(Some("v0.19.11")), "dagger core version");
        assert_eq!(
            engine_probe(Some("v1.0.0-beta.10")),
            "dagger -m core api call version"
        );
        assert_eq!(engine_probe(None), "dagger core version");
    }
}
