//! A `VTIMEZONE` from the bundled time-zone database: one observance
//! (standard or daylight time) per offset in force during the agenda, each
//! starting at its real transition, so every calendar — including those
//! that do not know IANA names — places a slot at the same instant.

use ics::properties::TzName;
use ics::{Daylight, Standard};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};

/// The `VTIMEZONE` named `name` for `time_zone`, covering `from` to `until`.
pub fn vtimezone(
    name: &str,
    time_zone: &TimeZone,
    from: Timestamp,
    until: Timestamp,
) -> ics::TimeZone<'static> {
    let mut observances: Vec<Observance> = Vec::new();
    match time_zone.preceding(from).next() {
        Some(transition) => observances.push(Observance {
            start: transition.timestamp(),
            from: offset_before(time_zone, transition.timestamp()),
            to: transition.offset(),
            name: transition.abbreviation().to_owned(),
            daylight: transition.dst().is_dst(),
        }),
        None => {
            let info = time_zone.to_offset_info(from);
            observances.push(Observance {
                start: Timestamp::UNIX_EPOCH,
                from: info.offset(),
                to: info.offset(),
                name: info.abbreviation().to_owned(),
                daylight: info.dst().is_dst(),
            });
        }
    }
    for transition in time_zone
        .following(from)
        .take_while(|t| t.timestamp() <= until)
    {
        observances.push(Observance {
            start: transition.timestamp(),
            from: offset_before(time_zone, transition.timestamp()),
            to: transition.offset(),
            name: transition.abbreviation().to_owned(),
            daylight: transition.dst().is_dst(),
        });
    }
    let mut zone: Option<ics::TimeZone<'static>> = None;
    for observance in observances {
        zone = Some(observance.add_to(zone, name));
    }
    zone.unwrap_or_else(|| {
        ics::TimeZone::standard(
            name.to_owned(),
            Standard::new("19700101T000000", "+0000", "+0000"),
        )
    })
}

/// One period of a single offset.
struct Observance {
    start: Timestamp,
    from: Offset,
    to: Offset,
    name: String,
    daylight: bool,
}

impl Observance {
    /// Adds this observance to `zone` (starting it when there is none).
    fn add_to(self, zone: Option<ics::TimeZone<'static>>, name: &str) -> ics::TimeZone<'static> {
        // RFC 5545: an observance's DTSTART is local time in the offset
        // that was in force before it.
        let start = self
            .start
            .to_zoned(self.from.to_time_zone())
            .datetime()
            .strftime("%Y%m%dT%H%M%S")
            .to_string();
        let (from, to) = (utc_offset(self.from), utc_offset(self.to));
        if self.daylight {
            let mut daylight = Daylight::new(start, from, to);
            daylight.push(TzName::new(self.name));
            match zone {
                Some(mut zone) => {
                    zone.add_daylight(daylight);
                    zone
                }
                None => ics::TimeZone::daylight(name.to_owned(), daylight),
            }
        } else {
            let mut standard = Standard::new(start, from, to);
            standard.push(TzName::new(self.name));
            match zone {
                Some(mut zone) => {
                    zone.add_standard(standard);
                    zone
                }
                None => ics::TimeZone::standard(name.to_owned(), standard),
            }
        }
    }
}

/// The offset in force just before `instant`.
fn offset_before(time_zone: &TimeZone, instant: Timestamp) -> Offset {
    let before = instant.checked_sub(1.second()).unwrap_or(instant);
    time_zone.to_offset(before)
}

/// `+0100`, `-0530`, `+013045` (seconds only when there are any).
fn utc_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let total = total.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observances_start_at_the_real_transitions_in_the_offset_before() {
        let berlin = TimeZone::get("Europe/Berlin").expect("bundled tzdb");
        let from: Timestamp = "2027-01-04T08:00:00Z".parse().expect("time");
        let until: Timestamp = "2027-04-13T06:30:00Z".parse().expect("time");
        let text = vtimezone("Europe/Berlin", &berlin, from, until).to_string();
        let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
        assert_eq!(
            lines,
            [
                "BEGIN:VTIMEZONE",
                "TZID:Europe/Berlin",
                "BEGIN:STANDARD",
                "DTSTART:20261025T030000",
                "TZOFFSETFROM:+0200",
                "TZOFFSETTO:+0100",
                "TZNAME:CET",
                "END:STANDARD",
                "BEGIN:DAYLIGHT",
                "DTSTART:20270328T020000",
                "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0200",
                "TZNAME:CEST",
                "END:DAYLIGHT",
                "END:VTIMEZONE",
            ]
        );
        let utc = vtimezone("UTC", &TimeZone::UTC, from, until).to_string();
        assert!(utc.contains("DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000"));
    }

    #[test]
    fn offsets_are_written_as_rfc_5545_utc_offsets() {
        assert_eq!(utc_offset(Offset::constant(1)), "+0100");
        assert_eq!(
            utc_offset(Offset::from_seconds(-(5 * 3600 + 30 * 60)).expect("ok")),
            "-0530"
        );
        assert_eq!(
            utc_offset(Offset::from_seconds(3600 + 30 * 60 + 45).expect("ok")),
            "+013045"
        );
        assert_eq!(utc_offset(Offset::UTC), "+0000");
    }
}
