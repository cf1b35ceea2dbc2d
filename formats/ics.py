"""RFC 5545 calendars (the `icalendar` package) for the claim timeline and the worklist, so that
a deadline lands in the clerk's calendar instead of a spreadsheet column.

Every event is an all-day event. Output is deterministic: each UID is a hash of the event's
content and DTSTAMP is derived from the content's own date (the worklist day, the record's as_of),
never from the clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.planner import TimelineYear

PRODID = "-//zjtx//Beijing SME support measures//EN"


def _stamp(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def calendar_bytes(name: str, events: Iterable[dict[str, Any]], stamp: dt.date) -> bytes:
    """events: {"date", "summary", "description"} each; the calendar as RFC 5545 bytes."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    seen: set[str] = set()
    for item in sorted(events, key=lambda e: (e["date"], e["summary"], e["description"])):
        key = f"{item['date'].isoformat()}\n{item['summary']}\n{item['description']}"
        uid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@zjtx"
        if uid in seen:  # the same event twice is one event
            continue
        seen.add(uid)
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", _stamp(stamp))
        event.add("dtstart", item["date"])
        event.add("dtend", item["date"] + dt.timedelta(days=1))
        event.add("summary", item["summary"])
        event.add("description", item["description"])
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
        calendar.add_component(event)
    return calendar.to_ical()


def timeline_events(enterprise: str, years: Iterable[TimelineYear]) -> list[dict[str, Any]]:
    """One event on 1 January of each claim year for every claim still to make in it (the
    claims of years gone included: the office may still have to be asked)."""
    from models.i18n import t
    from views import words

    events = []
    for year in years:
        for claim in year.claims + year.past:
            if claim.received:
                continue
            tier = f" ({words.tier(claim.tier)})" if claim.tier else ""
            events.append({
                "date": dt.date(year.year, 1, 1),
                "summary": t("ics.claim", enterprise=enterprise, year=year.year,
                             measure=words.measure(claim.measure), tier=tier,
                             amount=words.yuan(claim.amount)),
                "description": t("ics.claim_detail", payer=words.place(claim.paid_by),
                                 contact=claim.contact, tel=claim.tel)
                + (t("ics.projected") if claim.projected else "")
                + (t("ics.past") if claim.status == "past" else "")})
    return events


def worklist_events(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event on each action's date (actions without a date have no place in a calendar);
    `actions` as views.worklist.for_people gives them (in the user's language)."""
    from models.i18n import t

    events = []
    for action in actions:
        if not action["deadline"]:
            continue
        who = action["name"] or action["enterprise"]
        money = f"{action['amount_min']:,}" if action["amount_min"] == action["amount_max"] \
            else f"{action['amount_min']:,} – {action['amount_max']:,}"
        events.append({
            "date": dt.date.fromisoformat(action["deadline"]),
            "summary": f"{who}: {action['kind']} {action['subject']} ({money})",
            "description": t("ics.action_detail", who=f"{action['enterprise']} {action['credit_code'] or ''}".strip(),
                             note=action["note"], contact=action["office"], tel=action["tel"])})
    return events


def timeline_calendar(enterprise: str, years: Iterable[TimelineYear], as_of: dt.date | None) -> bytes:
    """The claim timeline as a calendar; stamped with the record's as_of (else its first year)."""
    events = timeline_events(enterprise, years)
    stamp = as_of or min((e["date"] for e in events), default=dt.date(2000, 1, 1))
    from models.i18n import t

    return calendar_bytes(t("ics.timeline_name", enterprise=enterprise), events, stamp)


def write_calendar(path: Path, data: bytes, option: str = "--out") -> Path:
    """Write a calendar (the path checked first: formats.safety)."""
    from formats.safety import writing

    with writing(path, option):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path
