//! [`Mode`]: where a component is in `legacy → shadow → canary → dagger → retired`.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The lifecycle position of a component.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Only legacy runs.
    Legacy,
    /// Both run; legacy is authoritative.
    Shadow,
    /// Dagger is authoritative for a share of runs.
    Canary,
    /// Only Dagger runs; legacy is kept ready for rollback.
    Dagger,
    /// Legacy removed; no way back.
    Retired,
}

impl Mode {
    /// Every mode in lifecycle order.
    pub const ALL: [Mode; 5] = [
        Mode::Legacy,
        Mode::Shadow,
        Mode::Canary,
        Mode::Dagger,
        Mode::Retired,
    ];

    /// The spelling used in commands, the store and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Legacy => "legacy",
            Mode::Shadow => "shadow",
            Mode::Canary => "canary",
            Mode::Dagger => "dagger",
            Mode::Retired => "retired",
        }
    }

    /// The next mode forward, if any.
    pub fn next(self) -> Option<Mode> {
        match self {
            Mode::Legacy => Some(Mode::Shadow),
            Mode::Shadow => Some(Mode::Canary),
            Mode::Canary => Some(Mode::Dagger),
            Mode::Dagger => Some(Mode::Retired),
            Mode::Retired => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a mode name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mode `{0}`: expected legacy, shadow, canary, dagger or retired")]
pub struct UnknownMode(pub String);

impl FromStr for Mode {
    type Err = UnknownMode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| UnknownMode(text.to_owned()))
    }
}

/// A component's current mode with its canary share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ModeState {
    /// The mode.
    pub mode: Mode,
    /// Percent of runs Dagger is authoritative for (canary only; else 0).
    pub canary_percent: u8,
}

impl ModeState {
    /// Whether this state is strictly closer to legacy than `other`: an
    /// earlier mode, or a smaller canary share within canary.
    pub fn is_behind(self, other: ModeState) -> bool {
        let rank = |s: ModeState| {
            let share = if s.mode == Mode::Canary {
                s.canary_percent
            } else {
                0
            };
            (s.mode, share)
        };
        rank(self) < rank(other)
    }

    /// The state closer to legacy of the two (`self` when equal).
    pub fn toward_legacy(self, other: ModeState) -> ModeState {
        if other.is_behind(self) { other } else { self }
    }
}

impl Default for ModeState {
    fn default() -> Self {
        ModeState {
            mode: Mode::Legacy,
            canary_percent: 0,
        }
    }
}

/// One of the two implementations of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The home-grown implementation.
    Legacy,
    /// The Dagger implementation.
    Dagger,
}

impl Side {
    /// The spelling used in the store, env vars and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Legacy => "legacy",
            Side::Dagger => "dagger",
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Legacy => Side::Dagger,
            Side::Dagger => Side::Legacy,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Side {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "legacy" => Ok(Side::Legacy),
            "dagger" => Ok(Side::Dagger),
            other => Err(format!("unknown side `{other}`: expected legacy or dagger")),
        }
    }
}

/// `legacy`, `shadow`, … and `canary 25%`: how people read a mode.
impl fmt::Display for ModeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Canary {
            write!(f, "{} {}%", self.mode, self.canary_percent)
        } else {
            write!(f, "{}", self.mode)
        }
    }
}
