//! The agenda as an iCalendar file (RFC 5545), written with the `ics`
//! crate (content lines folded at 75 octets, CRLF endings, text escaped).
//! All-day entries are `VALUE=DATE` events that block no time; status
//! updates are one recurring event per group (`RRULE`, holidays as
//! `EXDATE`), in their time zone, described by a `VTIMEZONE`.

use std::collections::BTreeMap;

use ics::parameters::{TzIDParam, Value};
use ics::properties::{
    Categories, Description, DtEnd, DtStart, Duration, ExDate, Name, RRule, Summary, Transp,
};
use ics::{Event, ICalendar, escape_text};
use jiff::civil::{Date, DateTime, Weekday};
use jiff::{Timestamp, ToSpan};

use super::entry::{Agenda, AgendaEntry, Series, When};
use super::time_zone::vtimezone;

/// The agenda as iCalendar text; `stamp` (the export time) is each event's
/// `DTSTAMP`, the only part that changes between two exports of one plan.
pub fn render_ics(agenda: &Agenda, stamp: Timestamp) -> String {
    let mut calendar = ICalendar::new("2.0", "-//cutover//migration agenda//EN");
    calendar.push(Name::new(escape_text(agenda.name.clone())));
    calendar.push(ics::components::Property::new(
        "X-WR-CALNAME",
        escape_text(agenda.name.clone()),
    ));
    for zone in time_zones(agenda) {
        calendar.add_timezone(zone);
    }
    let stamp = utc(stamp);
    for entry in &agenda.entries {
        calendar.add_event(event(entry, &stamp));
    }
    calendar.to_string()
}

/// One `VTIMEZONE` per time zone the series use, covering all their slots.
fn time_zones(agenda: &Agenda) -> Vec<ics::TimeZone<'static>> {
    let mut spans: BTreeMap<&str, (&Series, Timestamp, Timestamp)> = BTreeMap::new();
    for entry in &agenda.entries {
        let When::Series(series) = &entry.when else {
            continue;
        };
        let first = series
            .first
            .to_zoned(series.time_zone.clone())
            .map_or(series.last, |z| z.timestamp());
        let span =
            spans
                .entry(series.time_zone_name.as_str())
                .or_insert((series, first, series.last));
        span.1 = span.1.min(first);
        span.2 = span.2.max(series.last);
    }
    spans
        .into_iter()
        .map(|(name, (series, from, until))| vtimezone(name, &series.time_zone, from, until))
        .collect()
}

fn event(entry: &AgendaEntry, stamp: &str) -> Event<'static> {
    let mut event = Event::new(entry.uid.clone(), stamp.to_owned());
    event.push(Summary::new(escape_text(entry.summary.clone())));
    event.push(Description::new(escape_text(entry.description.clone())));
    event.push(Categories::new(escape_text(entry.kind.as_str())));
    match &entry.when {
        When::Day(date) => {
            let mut start = DtStart::new(day(*date));
            start.add(Value::DATE);
            event.push(start);
            let next = date.checked_add(1.day()).unwrap_or(*date);
            let mut end = DtEnd::new(day(next));
            end.add(Value::DATE);
            event.push(end);
            event.push(Transp::transparent());
        }
        When::Series(series) => series_properties(&mut event, series),
    }
    event
}

/// `DTSTART` in the series' zone, its length, its rule and its exceptions.
fn series_properties(event: &mut Event<'static>, series: &Series) {
    let zone = series.time_zone_name.clone();
    let mut start = DtStart::new(local(series.first));
    start.add(TzIDParam::new(zone.clone()));
    event.push(start);
    event.push(Duration::new(format!("PT{}M", series.minutes)));
    let days: Vec<&str> = series.weekdays.iter().map(|d| weekday_code(*d)).collect();
    let mut rule = format!("FREQ=WEEKLY;BYDAY={}", days.join(","));
    if series.interval > 1 {
        rule.push_str(&format!(";INTERVAL={}", series.interval));
    }
    // RFC 5545: with a zoned DTSTART, UNTIL is written in UTC.
    rule.push_str(&format!(";UNTIL={}", utc(series.last)));
    event.push(RRule::new(rule));
    if !series.except.is_empty() {
        let skipped: Vec<String> = series.except.iter().map(|d| local(*d)).collect();
        let mut except = ExDate::new(skipped.join(","));
        except.add(TzIDParam::new(zone));
        event.push(except);
    }
}

fn day(date: Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

fn local(at: DateTime) -> String {
    at.strftime("%Y%m%dT%H%M%S").to_string()
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}
