//! When a failed delivery is tried again: exponential backoff with jitter,
//! so a receiver that comes back is not hit by every sender at once, and a
//! message is given up after [`MAX_ATTEMPTS`].

use jiff::{SignedDuration, Timestamp};

/// The delay after the first failure.
pub const FIRST_DELAY: SignedDuration = SignedDuration::from_secs(30);

/// The longest delay between two attempts.
pub const MAX_DELAY: SignedDuration = SignedDuration::from_secs(6 * 3600);

/// Attempts after which a message is given up (about two days of retries).
pub const MAX_ATTEMPTS: u32 = 16;

/// When the attempt after `failed` failed attempts is due: the delay
/// doubles with every failure (30 s, 1 min, 2 min, … at most 6 h), and is
/// drawn from its upper half (`random` is any random number), so
/// retries spread out.
pub fn next_attempt(now: Timestamp, failed: u32, random: u64) -> Timestamp {
    let doublings = failed.saturating_sub(1).min(20);
    let full = FIRST_DELAY
        .as_secs()
        .saturating_mul(1_i64 << doublings)
        .min(MAX_DELAY.as_secs());
    let half = full / 2;
    let jitter = (random % (half.unsigned_abs() + 1)) as i64;
    let delay = SignedDuration::from_secs(half + jitter);
    now.checked_add(delay).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_stay_in_their_upper_half_and_are_capped() {
        let now = Timestamp::UNIX_EPOCH;
        let seconds = |failed, random| next_attempt(now, failed, random).as_second();
        assert_eq!(seconds(1, 0), 15);
        assert_eq!(seconds(1, 15), 30);
        assert_eq!(seconds(2, 0), 30);
        assert_eq!(seconds(3, u64::MAX), 60 + (u64::MAX % 61) as i64);
        for failed in 12..40 {
            let delay = seconds(failed, 7);
            assert!((3 * 3600..=6 * 3600).contains(&delay), "{failed}: {delay}");
        }
    }
}
