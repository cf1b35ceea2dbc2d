"""RFC 5545 calendars (the `icalendar` package) for the claim timeline and the worklist, so that
a deadline lands in the clerk's calendar instead of a spreadsheet column. The events come in
words already (`views/calendar.py` puts them in the user's language); this module only writes
the bytes.

Every event is an all-day event. Output is deterministic: each UID is a hash of the event's
content and DTSTAMP is derived from the content's own date (the worklist day, the record's as_of),
never from the clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PRODID = "-//zjtx//Beijing SME support measures//EN"


@dataclass(frozen=True, order=True)
class CalendarEvent:
    """One all-day event, in words (ordered by day, then summary, then description)."""

    day: dt.date
    summary: str
    description: str


def calendar_bytes(name: str, events: Iterable[CalendarEvent], stamp: dt.date) -> bytes:
    """The calendar `name` holding `events`, as RFC 5545 bytes."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    seen: set[str] = set()
    stamped = dt.datetime(stamp.year, stamp.month, stamp.day, tzinfo=dt.timezone.utc)
    for item in sorted(events):
        key = f"{item.day.isoformat()}\n{item.summary}\n{item.description}"
        uid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@zjtx"
        if uid in seen:  # the same event twice is one event
            continue
        seen.add(uid)
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamped)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + dt.timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def write_calendar(path: Path, data: bytes, option: str = "--out") -> Path:
    """Write a calendar (the path checked first: formats.safety)."""
    from formats.safety import writing

    with writing(path, option):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path
