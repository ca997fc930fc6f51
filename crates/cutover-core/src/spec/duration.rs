//! Durations as the spec writes them.
//!
//! Two kinds exist and must not be confused: [`WorkDays`] measure planned work
//! on the calendar (`3d`, `2w` = 10 work days, or a bare number of days), and
//! [`WallDuration`] measures elapsed time of a process (`90s`, `30m`, `2h`).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// A duration exactly as written: either a string (`3d`) or a bare number.
/// Parsed into [`WorkDays`] during validation so that every bad value in a
/// spec can be reported at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDuration(pub String);

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl Visitor<'_> for RawVisitor {
            type Value = RawDuration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as `3d`, `2w` or a number of work days")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RawDuration, E> {
                Ok(RawDuration(value.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<RawDuration, E> {
                Ok(RawDuration(value.to_string()))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<RawDuration, E> {
                Ok(RawDuration(value.to_string()))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<RawDuration, E> {
                Ok(RawDuration(value.to_string()))
            }
        }
        deserializer.deserialize_any(RawVisitor)
    }
}

impl JsonSchema for RawDuration {
    fn schema_name() -> Cow<'static, str> {
        "WorkDuration".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Work days: `3d`, `2w` (= 10d) or a bare number of days.",
            "oneOf": [
                { "type": "string", "pattern": "^[0-9]+[dw]?$" },
                { "type": "integer", "minimum": 0 }
            ]
        })
    }
}

/// A number of work days (weekends and holidays do not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct WorkDays(pub u32);

/// Why a duration could not be read; rendered as the diagnostic's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The text is not a number followed by an allowed unit.
    #[error("invalid duration `{text}`: expected {expected}")]
    Invalid {
        /// The text as written.
        text: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// The number does not fit.
    #[error("duration `{0}` is too large")]
    TooLarge(String),
}

const WORK_DAYS_EXPECTED: &str = "a number of work days such as `3d`, `2w` (= 10d) or `4`";
const WALL_EXPECTED: &str = "a time such as `90s`, `30m` or `2h`";

impl WorkDays {
    /// Reads `3d`, `2w` or a bare number of days.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let trimmed = text.trim();
        let invalid = || DurationError::Invalid {
            text: text.to_owned(),
            expected: WORK_DAYS_EXPECTED,
        };
        let (digits, per_unit) = match trimmed.strip_suffix('w') {
            Some(digits) => (digits, 5u32),
            None => (trimmed.strip_suffix('d').unwrap_or(trimmed), 1u32),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let value: u32 = digits
            .parse()
            .map_err(|_| DurationError::TooLarge(text.to_owned()))?;
        value
            .checked_mul(per_unit)
            .filter(|days| *days <= 100_000)
            .map(WorkDays)
            .ok_or_else(|| DurationError::TooLarge(text.to_owned()))
    }
}

impl fmt::Display for WorkDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}d", self.0)
    }
}

/// Elapsed wall-clock time, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WallDuration {
    /// Whole seconds.
    pub seconds: u64,
}

impl WallDuration {
    /// Reads `90s`, `30m`, `2h` or `1d`.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let trimmed = text.trim();
        let invalid = || DurationError::Invalid {
            text: text.to_owned(),
            expected: WALL_EXPECTED,
        };
        let split = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(invalid)?;
        let (digits, unit) = trimmed.split_at(split);
        let per_unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(invalid()),
        };
        let value: u64 = digits.parse().map_err(|_| invalid())?;
        value
            .checked_mul(per_unit)
            .map(|seconds| WallDuration { seconds })
            .ok_or_else(|| DurationError::TooLarge(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_days_accept_the_documented_forms() {
        assert_eq!(WorkDays::parse("3d"), Ok(WorkDays(3)));
        assert_eq!(WorkDays::parse("2w"), Ok(WorkDays(10)));
        assert_eq!(WorkDays::parse("4"), Ok(WorkDays(4)));
        assert_eq!(WorkDays::parse("0"), Ok(WorkDays(0)));
    }

    #[test]
    fn work_days_reject_everything_else() {
        for bad in ["", "d", "3x", "-1", "1.5d", "3 days", "w2", "99999999999d"] {
            assert!(WorkDays::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn wall_durations() {
        assert_eq!(WallDuration::parse("30m").map(|d| d.seconds), Ok(1800));
        assert_eq!(WallDuration::parse("90s").map(|d| d.seconds), Ok(90));
        assert_eq!(WallDuration::parse("2h").map(|d| d.seconds), Ok(7200));
        assert!(WallDuration::parse("30").is_err());
        assert!(WallDuration::parse("m").is_err());
        assert!(WallDuration::parse("3y").is_err());
    }
}
