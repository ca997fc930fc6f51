//! What-if: the plan under a changed spec, beside the baseline.
//!
//! A change is written `KEY=VALUE`: `capacity=4`, `team.backend=3`,
//! `soak.shadow=3d` (also `soak.canary`, `soak.dagger`) or
//! `without=component` (the component is left out and its dependents no
//! longer wait for it). Changes apply in order to a copy of the migration,
//! which is planned again by the same rules.
//!
//! A change that only adds people can always keep the baseline schedule, so
//! its what-if never ends later than the baseline: when re-planning happens
//! to end later (list scheduling can do that), the baseline schedule is kept
//! and the comparison says so.

use std::str::FromStr;

use super::schedule::{Plan, PlanError, build_plan};
use crate::spec::{Migration, WorkDays};

/// One change of a what-if.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `capacity=N`: people porting at once.
    Capacity(u32),
    /// `team.NAME=N`: people of one team.
    Team(String, u32),
    /// `soak.MODE=D`: work days in shadow, canary or dagger.
    Soak(SoakMode, u32),
    /// `without=ID`: leave a component out.
    Without(String),
}

/// A mode with a soak time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoakMode {
    /// Shadow.
    Shadow,
    /// Canary.
    Canary,
    /// Dagger, before legacy retirement.
    Dagger,
}

impl SoakMode {
    fn as_str(self) -> &'static str {
        match self {
            SoakMode::Shadow => "shadow",
            SoakMode::Canary => "canary",
            SoakMode::Dagger => "dagger",
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Capacity(n) => write!(f, "capacity={n}"),
            Change::Team(team, n) => write!(f, "team.{team}={n}"),
            Change::Soak(mode, days) => write!(f, "soak.{}={days}d", mode.as_str()),
            Change::Without(id) => write!(f, "without={id}"),
        }
    }
}

/// Why a what-if could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    /// Not `KEY=VALUE` with a known key.
    #[error(
        "unknown what-if `{0}`: expected capacity=N, team.NAME=N, soak.shadow|canary|dagger=D or without=COMPONENT"
    )]
    Unknown(String),
    /// A value that does not fit its key.
    #[error("invalid value in what-if `{text}`: expected {expected}")]
    Value {
        /// The change as written.
        text: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A team nobody in the spec belongs to.
    #[error("what-if `{0}`: no component is owned by that team")]
    UnknownTeam(String),
    /// A component not in the spec.
    #[error("what-if `without={0}`: no such component")]
    UnknownComponent(String),
    /// Every component was left out.
    #[error("what-if leaves no component to plan")]
    Empty,
    /// The changed spec cannot be planned.
    #[error("the what-if cannot be planned")]
    Plan(#[from] PlanError),
}

impl FromStr for Change {
    type Err = WhatIfError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unknown = || WhatIfError::Unknown(text.to_owned());
        let (key, value) = text.split_once('=').ok_or_else(unknown)?;
        let (key, value) = (key.trim(), value.trim());
        let people = || match value.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(WhatIfError::Value {
                text: text.to_owned(),
                expected: "a whole number of people, at least 1",
            }),
        };
        let days = || {
            WorkDays::parse(value)
                .map(|d| d.0)
                .map_err(|_| WhatIfError::Value {
                    text: text.to_owned(),
                    expected: "work days such as `3d`, `2w` or `4`",
                })
        };
        match key {
            "capacity" => Ok(Change::Capacity(people()?)),
            "soak.shadow" => Ok(Change::Soak(SoakMode::Shadow, days()?)),
            "soak.canary" => Ok(Change::Soak(SoakMode::Canary, days()?)),
            "soak.dagger" => Ok(Change::Soak(SoakMode::Dagger, days()?)),
            "without" if !value.is_empty() => Ok(Change::Without(value.to_owned())),
            _ => match key.strip_prefix("team.") {
                Some(team) if !team.is_empty() => Ok(Change::Team(team.to_owned(), people()?)),
                _ => Err(unknown()),
            },
        }
    }
}

/// A copy of `migration` with `changes` applied in order.
pub fn apply(migration: &Migration, changes: &[Change]) -> Result<Migration, WhatIfError> {
    let mut changed = migration.clone();
    for change in changes {
        match change {
            Change::Capacity(n) => changed.capacity = *n,
            Change::Team(team, n) => {
                if !changed.components.iter().any(|c| &c.owner == team) {
                    return Err(WhatIfError::UnknownTeam(change.to_string()));
                }
                changed.teams.insert(team.clone(), *n);
            }
            Change::Soak(SoakMode::Shadow, days) => changed.defaults.soak_shadow = WorkDays(*days),
            Change::Soak(SoakMode::Canary, days) => changed.defaults.soak_canary = WorkDays(*days),
            Change::Soak(SoakMode::Dagger, days) => changed.defaults.soak_dagger = WorkDays(*days),
            Change::Without(id) => changed = without(changed, id)?,
        }
    }
    Ok(changed)
}

/// Leaves component `id` out, renumbering the others' dependencies.
fn without(mut migration: Migration, id: &str) -> Result<Migration, WhatIfError> {
    let gone = migration
        .component_index(id)
        .ok_or_else(|| WhatIfError::UnknownComponent(id.to_owned()))?;
    if migration.components.len() == 1 {
        return Err(WhatIfError::Empty);
    }
    migration.components.remove(gone);
    for component in &mut migration.components {
        component.depends_on.retain(|&d| d != gone);
        for d in &mut component.depends_on {
            if *d > gone {
                *d -= 1;
            }
        }
    }
    Ok(migration)
}

/// Whether a change can only add people (so the baseline stays feasible).
fn adds_people_only(migration: &Migration, changes: &[Change]) -> bool {
    changes.iter().all(|change| match change {
        Change::Capacity(n) => *n >= migration.capacity,
        // A team without a limit so far was bounded by the capacity only:
        // giving it one never adds people.
        Change::Team(team, n) => migration.teams.get(team).is_some_and(|old| n >= old),
        Change::Soak(..) | Change::Without(_) => false,
    })
}

/// The outcome of one what-if.
#[derive(Debug, Clone)]
pub struct WhatIf {
    /// The changes, as written back.
    pub changes: Vec<Change>,
    /// The changed migration.
    pub migration: Migration,
    /// Its plan (the baseline's when that was kept).
    pub plan: Plan,
    /// Whether re-planning ended later and the baseline schedule was kept.
    pub kept_baseline: bool,
    /// Work days gained (negative) or lost (positive) against the baseline.
    pub difference_days: i64,
}

/// Plans `migration` with `changes` applied and compares with `baseline`.
pub fn what_if(
    migration: &Migration,
    baseline: &Plan,
    changes: &[Change],
) -> Result<WhatIf, WhatIfError> {
    let changed = apply(migration, changes)?;
    let mut plan = build_plan(&changed)?;
    let mut kept_baseline = false;
    if plan.span_days > baseline.span_days && adds_people_only(migration, changes) {
        plan = baseline.clone();
        kept_baseline = true;
    }
    let difference_days = i64::from(plan.span_days) - i64::from(baseline.span_days);
    Ok(WhatIf {
        changes: changes.to_vec(),
        migration: changed,
        plan,
        kept_baseline,
        difference_days,
    })
}

/// One row of the sensitivity table.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// What the row tries, for people: "one more person in `backend`".
    pub label: String,
    /// The equivalent `--what-if` arguments.
    pub changes: Vec<Change>,
    /// Work days gained (negative) or lost against the baseline.
    pub difference_days: i64,
    /// The end date under the change.
    pub end: jiff::civil::Date,
}

/// The single changes a lead can make (one more person per team and
/// overall, one day less soak per mode), by how much each moves the end
/// date, most first.
pub fn sensitivity(
    migration: &Migration,
    baseline: &Plan,
) -> Result<Vec<Sensitivity>, WhatIfError> {
    let mut candidates: Vec<(String, Vec<Change>)> = Vec::new();
    for (team, people) in &migration.teams {
        if migration.components.iter().any(|c| &c.owner == team) {
            candidates.push((
                format!("one more person in `{team}`"),
                vec![
                    Change::Team(team.clone(), people + 1),
                    Change::Capacity(migration.capacity + 1),
                ],
            ));
        }
    }
    candidates.push((
        "one more person overall (capacity)".to_owned(),
        vec![Change::Capacity(migration.capacity + 1)],
    ));
    let soaks = [
        (SoakMode::Shadow, migration.defaults.soak_shadow.0),
        (SoakMode::Canary, migration.defaults.soak_canary.0),
    ];
    for (mode, days) in soaks {
        if days > 0 {
            candidates.push((
                format!("one day less {} soak", mode.as_str()),
                vec![Change::Soak(mode, days - 1)],
            ));
        }
    }
    let mut rows = Vec::with_capacity(candidates.len());
    for (label, changes) in candidates {
        let outcome = what_if(migration, baseline, &changes)?;
        rows.push(Sensitivity {
            label,
            changes,
            difference_days: outcome.difference_days,
            end: outcome.plan.end,
        });
    }
    rows.sort_by_key(|row| row.difference_days);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_change() {
        assert_eq!("capacity=4".parse(), Ok(Change::Capacity(4)));
        assert_eq!(
            "team.backend=3".parse(),
            Ok(Change::Team("backend".into(), 3))
        );
        assert_eq!(
            "soak.shadow=1w".parse(),
            Ok(Change::Soak(SoakMode::Shadow, 5))
        );
        assert_eq!("without=api".parse(), Ok(Change::Without("api".into())));
        assert!(matches!(
            "capacity=0".parse::<Change>(),
            Err(WhatIfError::Value { .. })
        ));
        assert!(matches!(
            "speed=2".parse::<Change>(),
            Err(WhatIfError::Unknown(_))
        ));
        assert!(matches!(
            "soak.shadow=soon".parse::<Change>(),
            Err(WhatIfError::Value { .. })
        ));
    }
}
