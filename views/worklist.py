"""The worklist in words, in the current language: a note per action (from its typed detail),
kinds and statuses for people, and the table for the terminal."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from models.i18n import name, t
from views.table import _row
from views.words import change, day, money, printed


def note(row: dict[str, Any]) -> str:
    """The action's note, rendered from `kind`, `status` and `detail`."""
    detail = row["detail"]
    if row["kind"] == "claim":
        return t("worklist.note.past") if row["status"] == "past" else t("worklist.note.due", **detail)
    if row["kind"] == "apply":
        window = {**detail, "who": printed(detail["who"])}
        if "last_day" in detail:
            window |= {"opens": day(detail["opens"]), "last_day": day(detail["last_day"])}
            return t("worklist.note.window", **window)
        return t("worklist.note.no_calendar", **window)
    outlay = t("worklist.note.outlay", amount=f"{detail['outlay']:,}") if detail["outlay"] else ""
    return t("worklist.note.near_miss",
             measures=t("reason.word.list_sep").join(name("measure", m) for m in detail["measures"]),
             outlay=outlay, net=f"{detail['net_min']:,}", change=detail["change"])


def subject(row: dict[str, Any]) -> str:
    """What an action is about, in words: a measure by its name (and the tier it rewards), a
    tier by its name, a change in words."""
    detail = row["detail"]
    if row["kind"] == "claim" and "measure" in detail:
        return name("measure", detail["measure"]) + (
            t("worklist.subject_tier", tier=name("tier", detail["tier"], short=True))
            if detail.get("tier") else "")
    if row["kind"] == "apply":
        return name("tier", row["subject"], short=True)
    if "facts" in detail:
        return change(detail["change_kind"], detail["facts"])
    return str(row["subject"])


def action(row: dict[str, Any]) -> str:
    """What to do, in the current language: the kind, its subject in words and the status."""
    return t("worklist.action", kind=t(f"worklist.kind.{row['kind']}"), subject=subject(row),
             status=t(f"worklist.status.{row['status']}"))


def with_note(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON row (ids kept) with its note and its action in the current language."""
    return {**row, "note": note(row), "action": action(row)}


def for_people(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a spreadsheet or a table: kind, status, subject and office in words."""
    row = with_note(row)
    return {**row, "kind": t(f"worklist.kind.{row['kind']}"), "status": t(f"status.{row['status']}"),
            "subject": subject(row), "office": printed(row["office"]), "tel": printed(row["tel"])}


def worklist_view(when: str, rows: list[dict[str, Any]]) -> Table:
    """`rows`: as `for_people` gives them."""
    table = Table(title=t("worklist.title", day=day(when), count=len(rows)), expand=True)
    for column in ("deadline", "enterprise", "kind", "amount_max", "office", "tel", "note"):
        table.add_column(t(f"header.{column}"), overflow="fold")
    for row in rows:
        amount = money({"min": row["amount_min"], "max": row["amount_max"], "open_above": row["open_above"]})
        who = escape(row["enterprise"] + (f" {row['name']}" if row["name"] else ""))
        _row(table, day(row["deadline"]) or "—", who, row["action"], amount, row["office"],
             row["tel"], row["note"])
    return table
