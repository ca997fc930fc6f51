//! The ordering rule `advance` shares with the plan: a component reaches
//! `canary` (or any later mode) only once every dependency is at `dagger` (or
//! retired). The plan schedules canary after the dependencies' cutover; this
//! check refuses a mode change that would break the same order, so the plan
//! and the tool agree. Pure: the caller supplies the modes.

use crate::lifecycle::Mode;
use crate::spec::Migration;

/// A mode change the ordering rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{component}` cannot enter {target} while its dependency `{dependency}` is in {dependency_mode}: a component reaches canary or dagger only after its dependencies are at dagger; advance `{dependency}` first, or override with --force --reason"
)]
pub struct OutOfOrder {
    /// The component asked to move.
    pub component: String,
    /// Where it was asked to go.
    pub target: Mode,
    /// The first dependency (in spec order) that is not at dagger yet.
    pub dependency: String,
    /// That dependency's mode.
    pub dependency_mode: Mode,
}

/// The first mode a component may enter only after its dependencies are at dagger.
pub const GATED_FROM: Mode = Mode::Canary;

/// Checks that `component` may enter `target` given the modes of the
/// migration's components (`mode_of`, by index; the caller decides whether
/// changes made in the same command count).
pub fn check_order(
    migration: &Migration,
    component: usize,
    target: Mode,
    mode_of: &dyn Fn(usize) -> Mode,
) -> Result<(), OutOfOrder> {
    if target < GATED_FROM {
        return Ok(());
    }
    let this = &migration.components[component];
    let blocking = this
        .depends_on
        .iter()
        .copied()
        .map(|d| (d, mode_of(d)))
        .find(|(_, mode)| *mode < Mode::Dagger);
    match blocking {
        None => Ok(()),
        Some((d, mode)) => Err(OutOfOrder {
            component: this.id.clone(),
            target,
            dependency: migration.components[d].id.clone(),
            dependency_mode: mode,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_spec;

    const SPEC: &str = "\
version: 1
migration: { name: m, start: 2027-01-04 }
components:
  - { id: base, kind: infra, owner: p, effort: 1d }
  - { id: lib, kind: library, owner: p, effort: 1d }
  - { id: app, kind: service, owner: p, effort: 1d, depends_on: [base, lib] }
";

    fn modes(base: Mode, lib: Mode) -> impl Fn(usize) -> Mode {
        move |c| match c {
            0 => base,
            1 => lib,
            _ => Mode::Shadow,
        }
    }

    #[test]
    fn canary_waits_for_every_dependency_at_dagger() {
        let migration = parse_spec("m.yaml", SPEC).expect("valid spec");
        let refused = check_order(
            &migration,
            2,
            Mode::Canary,
            &modes(Mode::Dagger, Mode::Shadow),
        )
        .expect_err("lib is in shadow");
        assert_eq!(refused.dependency, "lib");
        assert_eq!(refused.dependency_mode, Mode::Shadow);
        assert!(
            refused
                .to_string()
                .contains("dependency `lib` is in shadow")
        );
        // The first offending dependency in spec order is named.
        let refused = check_order(
            &migration,
            2,
            Mode::Dagger,
            &modes(Mode::Canary, Mode::Legacy),
        )
        .expect_err("both below dagger");
        assert_eq!(refused.dependency, "base");
    }

    #[test]
    fn shadow_needs_nothing_and_dagger_or_retired_dependencies_suffice() {
        let migration = parse_spec("m.yaml", SPEC).expect("valid spec");
        let low = modes(Mode::Legacy, Mode::Legacy);
        assert_eq!(check_order(&migration, 2, Mode::Shadow, &low), Ok(()));
        let high = modes(Mode::Dagger, Mode::Retired);
        for target in [Mode::Canary, Mode::Dagger, Mode::Retired] {
            assert_eq!(check_order(&migration, 2, target, &high), Ok(()));
        }
        // Components without dependencies are never held.
        assert_eq!(check_order(&migration, 0, Mode::Dagger, &low), Ok(()));
    }
}
