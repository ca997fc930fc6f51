//! The time the outbox reasons with: when a retry is due, when an
//! escalation window closes, when a status update is due, when a link
//! expires. The real clock, unless the test-only variable
//! [`CLOCK_VARIABLE`] names another instant — like `CUTOVER_TEST_FAILPOINT`,
//! it ships in the binary and does nothing unless set, so tests can step
//! over an escalation window or a backoff without sleeping. Records keep
//! the store's own timestamps; only these decisions use this clock.

use jiff::Timestamp;

/// Environment variable that, when set, replaces the real clock (tests only).
pub const CLOCK_VARIABLE: &str = "CUTOVER_TEST_NOW";

/// The test clock's value is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{CLOCK_VARIABLE} is `{value}`, not an RFC 3339 time such as `2027-01-04T09:00:00Z`")]
pub struct ClockError {
    /// The value found.
    pub value: String,
}

/// Now: the real time, or the instant [`CLOCK_VARIABLE`] names.
pub fn now() -> Result<Timestamp, ClockError> {
    match std::env::var(CLOCK_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse::<Timestamp>()
            .map_err(|_| ClockError { value }),
        _ => Ok(Timestamp::now()),
    }
}
