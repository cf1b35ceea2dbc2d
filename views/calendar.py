"""The claim timeline and the worklist as calendar events, in the user's language: the words of
each event here, the RFC 5545 bytes in `formats/ics.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from formats.ics import CalendarEvent, calendar_bytes
from models.i18n import t
from solver.planner import TimelineYear
from solver.worklist import Action
from views import words
from views.words import printed
from views.worklist import note, subject


def timeline_events(enterprise: str, years: Iterable[TimelineYear]) -> list[CalendarEvent]:
    """One event on 1 January of each claim year for every claim still to make in it (the
    claims of years gone included: the office may still have to be asked)."""
    events = []
    for year in years:
        for claim in year.claims + year.past:
            if claim.received:
                continue
            tier = f" ({words.tier(claim.tier)})" if claim.tier else ""
            events.append(CalendarEvent(
                dt.date(year.year, 1, 1),
                t("ics.claim", enterprise=enterprise, year=year.year,
                  measure=words.measure(claim.measure), tier=tier, amount=words.yuan(claim.amount)),
                t("ics.claim_detail", payer=words.place(claim.paid_by), contact=claim.contact,
                  tel=claim.tel)
                + (t("ics.projected") if claim.projected else "")
                + (t("ics.past") if claim.status == "past" else "")))
    return events


def timeline_calendar(enterprise: str, years: Iterable[TimelineYear], as_of: dt.date | None) -> bytes:
    """The claim timeline as a calendar; stamped with the record's as_of (else its first year)."""
    events = timeline_events(enterprise, years)
    stamp = as_of or min((e.day for e in events), default=dt.date(2000, 1, 1))
    return calendar_bytes(t("ics.timeline_name", enterprise=enterprise), events, stamp)


def worklist_events(actions: list[Action]) -> list[CalendarEvent]:
    """One event on each action's date (actions without a date have no place in a calendar), in
    the user's language."""
    events = []
    for action in actions:
        if action.deadline is None:
            continue
        low, high = action.amount.min, action.amount.max
        money = f"{low:,}" if low == high else f"{low:,} – {high:,}"
        events.append(CalendarEvent(
            action.deadline,
            f"{action.name or action.enterprise}: {t(f'worklist.kind.{action.kind}')} "
            f"{subject(action)} ({money})",
            t("ics.action_detail", who=f"{action.enterprise} {action.credit_code or ''}".strip(),
              note=note(action), contact=printed(action.office), tel=printed(action.tel))))
    return events


def worklist_calendar(actions: list[Action], day: dt.date) -> bytes:
    """The worklist of `day` as a calendar (stamped with that day)."""
    return calendar_bytes(f"zjtx worklist {day.isoformat()}", worklist_events(actions), day)
