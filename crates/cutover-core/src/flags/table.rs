//! [`FlagTable`]: every component's effective mode, read once from a
//! [`Workspace`] (the committed mode file, moved toward legacy by the
//! store's override, exactly as [`Workspace::mode`] says), then evaluated
//! for any number of targeting keys without touching the store again.

use std::collections::HashMap;

use serde::Serialize;

use crate::lifecycle::{Mode, ModeState, Side};
use crate::router::authoritative_side;
use crate::store::StoreError;
use crate::workspace::Workspace;

/// Every flag's key is this prefix and a component id.
pub const FLAG_PREFIX: &str = "dagger.";

/// Why a flag was resolved to its value: the OpenFeature resolution reasons
/// this evaluation can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// The same value for every key: legacy, shadow, dagger or retired.
    Static,
    /// Canary: the key's bucket decided (a pseudorandom, stable split).
    Split,
    /// An override (the emergency brake) holds the component back to a
    /// mode where legacy is authoritative for every key.
    Disabled,
}

/// One flag evaluated for one targeting key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The flag's key, `dagger.<component>`.
    pub key: String,
    /// The side authoritative for the key: the flag is true for Dagger.
    pub side: Side,
    /// Why.
    pub reason: Reason,
    /// The effective mode it was evaluated in.
    pub state: ModeState,
    /// Whether an override holds the component behind its committed mode.
    pub held_back: bool,
}

impl Resolution {
    /// The flag's boolean value.
    pub fn value(&self) -> bool {
        self.side == Side::Dagger
    }
}

/// Why a flag could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// No component has this flag.
    #[error("flag `{0}` was not found: flags are `dagger.<component>` for the spec's components")]
    NotFound(String),
    /// A canary split needs the key that chooses the side.
    #[error(
        "flag `{0}` is in a canary split: the evaluation context needs a `targetingKey` (the run key `cutover run --key` uses)"
    )]
    TargetingKeyMissing(String),
}

/// One component's flag.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flag {
    key: String,
    component: String,
    state: ModeState,
    held_back: bool,
}

/// Every component's flag, in spec order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagTable {
    flags: Vec<Flag>,
    index: HashMap<String, usize>,
}

impl FlagTable {
    /// Reads every component's effective mode (one store call for the
    /// overrides, one per component for its record).
    pub fn read(workspace: &Workspace) -> Result<FlagTable, StoreError> {
        let overrides = workspace.store.overrides()?;
        let mut table = FlagTable::default();
        for component in &workspace.migration.components {
            let resolved = workspace.mode_with(&component.id, &overrides)?;
            let key = format!("{FLAG_PREFIX}{}", component.id);
            table.index.insert(key.clone(), table.flags.len());
            table.flags.push(Flag {
                key,
                component: component.id.clone(),
                state: resolved.state,
                held_back: resolved.pending_override().is_some(),
            });
        }
        Ok(table)
    }

    /// Evaluates one flag for `targeting_key` (an empty key counts as none).
    pub fn evaluate(
        &self,
        key: &str,
        targeting_key: Option<&str>,
    ) -> Result<Resolution, FlagError> {
        let flag = self
            .index
            .get(key)
            .and_then(|&i| self.flags.get(i))
            .ok_or_else(|| FlagError::NotFound(key.to_owned()))?;
        flag.evaluate(targeting_key.filter(|k| !k.is_empty()))
    }

    /// Evaluates every flag for `targeting_key`, in spec order.
    pub fn evaluate_all(
        &self,
        targeting_key: Option<&str>,
    ) -> Vec<(&str, Result<Resolution, FlagError>)> {
        let targeting_key = targeting_key.filter(|k| !k.is_empty());
        self.flags
            .iter()
            .map(|flag| (flag.key.as_str(), flag.evaluate(targeting_key)))
            .collect()
    }
}

impl Flag {
    fn evaluate(&self, targeting_key: Option<&str>) -> Result<Resolution, FlagError> {
        let reason = match self.state.mode {
            Mode::Canary => Reason::Split,
            Mode::Legacy | Mode::Shadow if self.held_back => Reason::Disabled,
            _ => Reason::Static,
        };
        let side = match (self.state.mode, targeting_key) {
            (Mode::Canary, None) => return Err(FlagError::TargetingKeyMissing(self.key.clone())),
            (_, key) => authoritative_side(&self.component, self.state, key.unwrap_or_default()),
        };
        Ok(Resolution {
            key: self.key.clone(),
            side,
            reason,
            state: self.state,
            held_back: self.held_back,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(states: &[(&str, Mode, u8, bool)]) -> FlagTable {
        let mut table = FlagTable::default();
        for &(component, mode, canary_percent, held_back) in states {
            let key = format!("{FLAG_PREFIX}{component}");
            table.index.insert(key.clone(), table.flags.len());
            table.flags.push(Flag {
                key,
                component: component.into(),
                state: ModeState {
                    mode,
                    canary_percent,
                },
                held_back,
            });
        }
        table
    }

    #[test]
    fn a_canary_flag_takes_the_side_run_takes_for_the_same_key() {
        let flags = table(&[("api", Mode::Canary, 30, false)]);
        let mut dagger = 0;
        for i in 0..1_000 {
            let key = format!("sha{i}");
            let resolution = flags.evaluate("dagger.api", Some(&key)).expect("found");
            let expected = if crate::router::bucket("api", &key) < 30 {
                Side::Dagger
            } else {
                Side::Legacy
            };
            assert_eq!(resolution.side, expected, "{key}");
            assert_eq!(resolution.reason, Reason::Split);
            dagger += usize::from(resolution.value());
        }
        assert!((240..=360).contains(&dagger), "{dagger} of 1000 at 30%");
    }

    #[test]
    fn static_modes_need_no_key_and_a_brake_reads_as_disabled() {
        let flags = table(&[
            ("old", Mode::Legacy, 0, false),
            ("new", Mode::Dagger, 0, false),
            ("braked", Mode::Legacy, 0, true),
            ("split", Mode::Canary, 10, false),
        ]);
        let old = flags.evaluate("dagger.old", None).expect("found");
        assert_eq!((old.value(), old.reason), (false, Reason::Static));
        let new = flags.evaluate("dagger.new", Some("")).expect("found");
        assert_eq!((new.value(), new.reason), (true, Reason::Static));
        let braked = flags.evaluate("dagger.braked", None).expect("found");
        assert_eq!((braked.value(), braked.reason), (false, Reason::Disabled));
        assert_eq!(
            flags.evaluate("dagger.split", Some("")),
            Err(FlagError::TargetingKeyMissing("dagger.split".into()))
        );
        assert_eq!(
            flags.evaluate("dagger.nope", Some("k")),
            Err(FlagError::NotFound("dagger.nope".into()))
        );
        assert_eq!(
            flags.evaluate("old", None),
            Err(FlagError::NotFound("old".into()))
        );
        let all = flags.evaluate_all(None);
        assert_eq!(all.len(), 4);
        assert!(all[3].1.is_err());
    }
}
