//! How messages write times and durations.

use jiff::Timestamp;

/// A time as messages show it: UTC, to the minute.
pub fn time_text(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// A wall-clock duration in words: `30 min`, `2 h`, `1 d`.
pub fn wall_text(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
