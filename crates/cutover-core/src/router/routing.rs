//! [`route`]: which side is authoritative for one run, and which shadows it.
//!
//! - legacy: legacy only. dagger, retired: Dagger only.
//! - shadow: both; legacy authoritative, Dagger shadows.
//! - canary p%: Dagger is authoritative when the run key's bucket (0–99) is
//!   below p, legacy otherwise; the other side shadows.
//!
//! Side effects are fenced: a side that shadows a side-effecting component
//! runs its `shadow_run` dry-run command, or does not run at all, so the
//! effect happens exactly once per run. When the authoritative side declares
//! a dry run too (`legacy.shadow_run` in shadow), it runs beside the real
//! run as the *reference*, so parity compares dry run with dry run; without
//! one, only exit codes are compared.

use sha2::{Digest, Sha256};

use crate::exec::ParityComparison;
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
    /// The authoritative side's dry run, run beside its real run for a
    /// side-effecting component whose shadow is a dry run, when declared.
    pub reference: Option<String>,
}

impl Routing {
    /// What parity will compare, when a shadow runs at all.
    pub fn comparison(&self, component: &Component) -> Option<ParityComparison> {
        self.shadow.as_ref()?;
        Some(match (component.side_effects, &self.reference) {
            (false, _) => ParityComparison::Full,
            (true, Some(_)) => ParityComparison::DryRuns,
            (true, None) => ParityComparison::ExitCode,
        })
    }
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
    // The reference dry run only makes sense beside a shadow dry run.
    let reference = match (component.side_effects, &shadow) {
        (true, Some(_)) => {
            implementation(component, authoritative).and_then(|i| i.shadow_run.clone())
        }
        _ => None,
    };
    Ok(Routing {
        authoritative,
        authoritative_command,
        shadow,
        reference,
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

    #[test]
    fn the_authoritative_dry_run_runs_only_beside_a_shadow_dry_run() {
        let spec = "version: 1\nmigration: { name: m, start: 2027-01-04 }\ncomponents:\n  - id: deploy\n    kind: job\n    owner: me\n    effort: 1d\n    side_effects: true\n    legacy: { run: ./deploy.sh, shadow_run: ./deploy.sh --dry-run }\n    dagger: { run: dagger call deploy, shadow_run: dagger call deploy --dry-run }\n";
        let migration = crate::spec::parse_spec("migration.yaml", spec).expect("spec");
        let deploy = &migration.components[0];
        let state = |mode, canary_percent| ModeState {
            mode,
            canary_percent,
        };
        let shadow = route(deploy, state(Mode::Shadow, 0), "k").expect("shadow");
        assert_eq!(shadow.reference.as_deref(), Some("./deploy.sh --dry-run"));
        assert_eq!(shadow.comparison(deploy), Some(ParityComparison::DryRuns));
        // Canary with Dagger authoritative: Dagger's dry run is the reference.
        let canary = route(deploy, state(Mode::Canary, 100), "k").expect("canary");
        assert_eq!(
            canary.reference.as_deref(),
            Some("dagger call deploy --dry-run")
        );
        // Alone, nothing is compared and no dry run runs.
        let alone = route(deploy, state(Mode::Legacy, 0), "k").expect("legacy");
        assert_eq!(alone.comparison(deploy), None);
        assert_eq!(alone.reference, None);
        let mut without = deploy.clone();
        if let Some(legacy) = without.legacy.as_mut() {
            legacy.shadow_run = None;
        }
        let exit_code_only = route(&without, state(Mode::Shadow, 0), "k").expect("shadow");
        assert_eq!(exit_code_only.reference, None);
        assert_eq!(
            exit_code_only.comparison(&without),
            Some(ParityComparison::ExitCode)
        );
    }
}
