"""Reads an iCalendar file with Python's icalendar (an implementation
independent of cutover's) and prints its events as JSON for the calendar
tests: uid, summary, categories, the date of an all-day event, and for a
timed event every occurrence as a UTC instant — its recurrence rule expanded
by dateutil, its exceptions removed, and each local time placed twice, once
by the file's own VTIMEZONE and once by the system's zoneinfo; the two must
agree or the script fails.

Usage: python3 ics_read.py FILE
"""

import datetime
import json
import sys
import zoneinfo

import icalendar
from dateutil import rrule


def vtimezones(calendar):
    """TZID -> tzinfo built from the file's own VTIMEZONE components."""
    return {str(tz["TZID"]): tz.to_tz() for tz in calendar.walk("VTIMEZONE")}


def occurrences(event, own_zones):
    """Every occurrence of a timed event, as UTC ISO strings."""
    start = event["DTSTART"]
    tzid = start.params.get("TZID")
    local = start.dt.replace(tzinfo=None)
    if tzid not in own_zones:
        raise SystemExit(f"{event['UID']}: TZID {tzid} has no VTIMEZONE")
    system = zoneinfo.ZoneInfo(tzid)
    if "RRULE" in event:
        rule = event["RRULE"].to_ical().decode()
        # Expand in naive local time, UNTIL converted to local time first.
        until = event["RRULE"].get("UNTIL")[0]
        until_local = until.astimezone(system).replace(tzinfo=None)
        rule = ";".join(p for p in rule.split(";") if not p.startswith("UNTIL="))
        rule += until_local.strftime(";UNTIL=%Y%m%dT%H%M%S")
        slots = list(rrule.rrulestr(rule, dtstart=local))
    else:
        slots = [local]
    exdates = event.get("EXDATE", [])
    if not isinstance(exdates, list):
        exdates = [exdates]
    skipped = set()
    for exdate in exdates:
        for value in exdate.dts:
            skipped.add(value.dt.replace(tzinfo=None))
    result = []
    for slot in slots:
        if slot in skipped:
            continue
        by_file = slot.replace(tzinfo=own_zones[tzid]).astimezone(datetime.timezone.utc)
        by_system = slot.replace(tzinfo=system).astimezone(datetime.timezone.utc)
        if by_file != by_system:
            raise SystemExit(
                f"{event['UID']}: {slot} is {by_file} by the VTIMEZONE but {by_system} by zoneinfo"
            )
        result.append(by_file.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return tzid, result


def main():
    with open(sys.argv[1], "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    own_zones = vtimezones(calendar)
    events = []
    for event in calendar.walk("VEVENT"):
        categories = event.get("CATEGORIES")
        item = {
            "uid": str(event["UID"]),
            "summary": str(event["SUMMARY"]),
            "description": str(event.get("DESCRIPTION", "")),
            "categories": [str(c) for c in categories.cats] if categories else [],
        }
        start = event["DTSTART"].dt
        if isinstance(start, datetime.datetime):
            item["tzid"], item["occurrences"] = occurrences(event, own_zones)
            item["local_time"] = start.strftime("%H:%M")
        else:
            item["date"] = start.isoformat()
            item["end"] = event["DTEND"].dt.isoformat()
        events.append(item)
    print(json.dumps({"name": str(calendar.get("NAME", "")), "events": events}))


main()
