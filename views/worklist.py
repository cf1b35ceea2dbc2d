"""The worklist in words, in the current language: a note per action (from its typed detail),
kinds and statuses for people, and the table for the terminal."""

from __future__ import annotations

from typing import assert_never

from rich.markup import escape
from rich.table import Table

from models.catalog import name
from models.i18n import t
from solver.worklist import Action, ApplyDetail, ClaimDetail, NearMissDetail
from views.table import _row
from views.words import change, day, money, printed


def note(action: Action) -> str:
    """The action's note, rendered from its status and typed detail."""
    match action.detail:
        case ClaimDetail() as claim:
            return t("worklist.note.past") if action.status == "past" else \
                t("worklist.note.due", year=claim.year, measure=claim.measure, tier=claim.tier)
        case ApplyDetail() as apply:
            if apply.opens and apply.last_day:
                return t("worklist.note.window", who=printed(apply.who),
                         opens=day(apply.opens), last_day=day(apply.last_day))
            return t("worklist.note.no_calendar", who=printed(apply.who))
        case NearMissDetail() as near:
            outlay = t("worklist.note.outlay", amount=f"{near.outlay:,}") if near.outlay else ""
            return t("worklist.note.near_miss",
                     measures=t("reason.word.list_sep").join(name("measure", m) for m in near.measures),
                     outlay=outlay, net=f"{near.net_min:,}", change=near.change)
        case other:
            assert_never(other)


def subject(action: Action) -> str:
    """What an action is about, in words: a measure by its name (and the tier it rewards), a
    tier by its name, a change in words."""
    match action.detail:
        case ClaimDetail() as claim:
            return name("measure", claim.measure) + (
                t("worklist.subject_tier", tier=name("tier", claim.tier, short=True))
                if claim.tier else "")
        case ApplyDetail():
            return name("tier", action.subject, short=True)
        case NearMissDetail() as near:
            return change(near.change_kind, near.facts)
        case other:
            assert_never(other)


def action_words(action: Action) -> str:
    """What to do, in the current language: the kind, its subject in words and the status."""
    return t("worklist.action", kind=t(f"worklist.kind.{action.kind}"), subject=subject(action),
             status=t(f"worklist.status.{action.status}"))


def with_note(action: Action) -> dict[str, object]:
    """The JSON row (ids kept) with its note and its action in the current language."""
    return {**action.as_dict(), "note": note(action), "action": action_words(action)}


def for_people(action: Action) -> dict[str, object]:
    """A row for a spreadsheet or a table: kind, status, subject and office in words."""
    return {**with_note(action), "kind": t(f"worklist.kind.{action.kind}"),
            "status": t(f"status.{action.status}"), "subject": subject(action),
            "office": printed(action.office), "tel": printed(action.tel)}


def worklist_view(when: str, actions: list[Action]) -> Table:
    """The actions of a day, soonest first, in the current language."""
    table = Table(title=t("worklist.title", day=day(when), count=len(actions)), expand=True)
    for column in ("deadline", "enterprise", "kind", "amount_max", "office", "tel", "note"):
        table.add_column(t(f"header.{column}"), overflow="fold")
    for item in actions:
        who = escape(item.enterprise + (f" {item.name}" if item.name else ""))
        _row(table, day(item.deadline) or "—", who,
             action_words(item), money(item.amount), printed(item.office), printed(item.tel),
             note(item))
    return table
