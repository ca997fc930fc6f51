//! [`route`]: which side is authoritative for one run, and which shadows it.
//!
//! - legacy: legacy only. dagger, retired: Dagger only.
//! - shadow: both; legacy authoritative, Dagger shadows.
//! - canary p%: Dagger is authoritative when the run key's bucket (0–99) is
//!   below p, legacy otherwise; the other side shadows.
//!
//! Side effects are fenced: a side that shadows a side-effecting component
//! runs its `shadow_run` dry-run command, or does not run at all, so the
//! effect happens exactly once per run.

use sha2::{Digest, Sha256};

use crate::lifecycle::{Mode, ModeState, Side};
use crate::spec::{Component, Implementation};

/// Commit SHAs of common CI systems, in the order they are tried.
pub const CI_KEY_VARIABLES: [&str; 8] = [
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
    "BUILDKITE_COMMIT",
    "CIRCLE_SHA1",
    "GIT_COMMIT",
    "DRONE_COMMIT_SHA",
    "BITBUCKET_COMMIT",
    "TRAVIS_COMMIT",
];

/// The run key from the CI environment, if any.
pub fn run_key_from_env() -> Option<String> {
    CI_KEY_VARIABLES
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// The canary bucket (0–99) of a run key for a component: stable across
/// machines and releases (SHA-256, not the std hasher).
pub fn bucket(component: &str, key: &str) -> u8 {
    let digest = Sha256::digest(format!("{component}\n{key}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % 100) as u8
}

/// Who runs, and with which command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The side whose result CI sees.
    pub authoritative: Side,
    /// Its command line.
    pub authoritative_command: String,
    /// The shadowing side and its command, if one runs.
    pub shadow: Option<(Side, String)>,
}

/// Why a component cannot run in its mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The spec lacks a side the mode needs.
    #[error("`{component}` is in {mode} mode but has no `{side}.run` in the spec")]
    MissingSide {
        /// Component.
        component: String,
        /// Mode.
        mode: Mode,
        /// Missing side.
        side: Side,
    },
    /// Side effects with no dry run in shadow.
    #[error(
        "`{component}` has side effects and no `dagger.shadow_run`, so it cannot run in shadow mode"
    )]
    UnfencedSideEffects {
        /// Component.
        component: String,
    },
}

fn implementation(component: &Component, side: Side) -> Option<&Implementation> {
    match side {
        Side::Legacy => component.legacy.as_ref(),
        Side::Dagger => component.dagger.as_ref(),
    }
}

/// The side whose result counts for `component` in `state` with run key
/// `key`: the one rule `cutover run` routes by and the OFREP flags of
/// `cutover serve` answer with, so a service and a CI job with the same key
/// take the same side. The key matters in canary mode only.
pub fn authoritative_side(component: &str, state: ModeState, key: &str) -> Side {
    match state.mode {
        Mode::Legacy | Mode::Shadow => Side::Legacy,
        Mode::Dagger | Mode::Retired => Side::Dagger,
        Mode::Canary if bucket(component, key) < state.canary_percent => Side::Dagger,
        Mode::Canary => Side::Legacy,
    }
}

/// Decides the sides of one run.
pub fn route(component: &Component, state: ModeState, key: &str) -> Result<Routing, RouteError> {
    let authoritative = authoritative_side(&component.id, state, key);
    let missing = |side| RouteError::MissingSide {
        component: component.id.clone(),
        mode: state.mode,
        side,
    };
    let authoritative_command = implementation(component, authoritative)
        .ok_or_else(|| missing(authoritative))?
        .run
        .clone();
    let shadow = match state.mode {
        Mode::Shadow | Mode::Canary => {
            let side = authoritative.other();
            let implementation = implementation(component, side).ok_or_else(|| missing(side))?;
            match (component.side_effects, &implementation.shadow_run) {
                (false, _) => Some((side, implementation.run.clone())),
                (true, Some(dry_run)) => Some((side, dry_run.clone())),
                (true, None) if state.mode == Mode::Shadow => {
                    return Err(RouteError::UnfencedSideEffects {
                        component: component.id.clone(),
                    });
                }
                (true, None) => None,
            }
        }
        _ => None,
    };
    Ok(Routing {
        authoritative,
        authoritative_command,
        shadow,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_stable_and_spread() {
        assert_eq!(bucket("build-api", "abc123"), bucket("build-api", "abc123"));
        let mut seen = [0u32; 100];
        for i in 0..10_000 {
            seen[bucket("c", &format!("sha{i}")) as usize] += 1;
        }
        assert!(
            seen.iter().all(|n| (50..=150).contains(n)),
            "uneven buckets: {seen:?}"
        );
        let share = (0..10_000)
            .filter(|i| bucket("c", &format!("k{i}")) < 25)
            .count();
        assert!(
            (2_200..=2_800).contains(&share),
            "25% canary gave {share} of 10000"
        );
    }
}
