//! Times and durations as people read them: a time in the migration's time
//! zone with the zone named (`2027-01-05 14:03:07 Europe/Berlin`), a
//! duration in human units (`1.2 s`, `3 min 20 s`, `2 h`). For documents and
//! terminal tables; JSON keeps RFC 3339 (UTC) and raw numbers.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The zone's IANA name, `UTC` for UTC or a zone without one.
pub fn zone_name(zone: &TimeZone) -> &str {
    zone.iana_name().unwrap_or("UTC")
}

/// `2027-01-05 14:03:07 Europe/Berlin`: `at` in `zone`, to the second.
pub fn local_time(at: Timestamp, zone: &TimeZone) -> String {
    format!(
        "{} {}",
        at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S"),
        zone_name(zone)
    )
}

/// `850 ms`, `1.2 s`, `42 s`, `3 min 20 s`, `2 h`, `1 h 5 min`: a duration
/// in seconds, in the largest units that keep it readable.
pub fn human_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "–".to_owned();
    }
    if seconds < 1.0 {
        let ms = seconds * 1000.0;
        return if ms < 10.0 {
            format!("{} ms", trimmed(ms, 1))
        } else {
            format!("{ms:.0} ms")
        };
    }
    if seconds < 60.0 {
        return if seconds < 10.0 {
            format!("{} s", trimmed(seconds, 1))
        } else {
            format!("{seconds:.0} s")
        };
    }
    let whole = seconds.round() as u64;
    let (hours, minutes, rest) = (whole / 3600, whole % 3600 / 60, whole % 60);
    match (hours, minutes, rest) {
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// `value` with at most `places` decimals, trailing zeros dropped.
fn trimmed(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_human_units() {
        for (seconds, text) in [
            (0.0004, "0.4 ms"),
            (0.85, "850 ms"),
            (1.2, "1.2 s"),
            (2.0, "2 s"),
            (42.4, "42 s"),
            (200.0, "3 min 20 s"),
            (180.0, "3 min"),
            (7200.0, "2 h"),
            (3900.0, "1 h 5 min"),
        ] {
            assert_eq!(human_duration(seconds), text, "{seconds}");
        }
    }

    #[test]
    fn times_are_shown_in_the_zone_with_its_name() {
        let at: Timestamp = "2027-01-05T13:03:07Z".parse().expect("time");
        let berlin = jiff::tz::db().get("Europe/Berlin").expect("bundled zone");
        assert_eq!(local_time(at, &berlin), "2027-01-05 14:03:07 Europe/Berlin");
        assert_eq!(local_time(at, &TimeZone::UTC), "2027-01-05 13:03:07 UTC");
    }
}
