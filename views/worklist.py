"""The worklist in words, in the current language: a note per action (from its typed detail),
kinds and statuses for people, and the table for the terminal."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from models.i18n import current_lang, name, t
from views.table import _row
from views.words import measure, money, tier


def note(row: dict[str, Any]) -> str:
    """The action's note, rendered from `kind`, `status` and `detail`."""
    detail = row["detail"]
    if row["kind"] == "claim":
        return t("worklist.note.past") if row["status"] == "past" else t("worklist.note.due", **detail)
    if row["kind"] == "apply":
        return t("worklist.note.window", **detail) if "last_day" in detail else \
            t("worklist.note.no_calendar", **detail)
    outlay = t("worklist.note.outlay", amount=f"{detail['outlay']:,}") if detail["outlay"] else ""
    return t("worklist.note.near_miss", measures=", ".join(detail["measures"]), outlay=outlay,
             change=detail["change"])


def action(row: dict[str, Any]) -> str:
    """What to do, in the current language: the kind, what it is about (a measure by its name,
    a tier by its name, a change as the command line takes it) and the status."""
    detail, subject = row["detail"], row["subject"]
    if row["kind"] == "claim" and "measure" in detail and current_lang() == "zh":
        subject = measure(detail["measure"]) + (
            t("worklist.subject_tier", tier=tier(detail["tier"])) if detail.get("tier") else "")
    elif row["kind"] == "apply":
        subject = tier(subject)
    return t("worklist.action", kind=t(f"worklist.kind.{row['kind']}"), subject=subject,
             status=t(f"status.{row['status']}"))


def with_note(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON row (ids kept) with its note and its action in the current language."""
    return {**row, "note": note(row), "action": action(row)}


def for_people(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a spreadsheet or a table: kind, status and an applied-for tier in words."""
    row = with_note(row)
    subject = row["subject"]
    if row["kind"] == "apply" and current_lang() == "zh":
        subject = name("tier", subject, short=True)
    return {**row, "kind": t(f"worklist.kind.{row['kind']}"), "status": t(f"status.{row['status']}"),
            "subject": subject}


def worklist_view(day: str, rows: list[dict[str, Any]]) -> Table:
    """`rows`: as `for_people` gives them."""
    table = Table(title=t("worklist.title", day=day, count=len(rows)), expand=True)
    for column in ("deadline", "enterprise", "kind", "amount_max", "office", "tel", "note"):
        table.add_column(t(f"header.{column}"), overflow="fold")
    for row in rows:
        amount = money({"min": row["amount_min"], "max": row["amount_max"], "open_above": row["open_above"]})
        who = escape(row["enterprise"] + (f" {row['name']}" if row["name"] else ""))
        _row(table, row["deadline"] or "—", who, row["action"], amount, row["office"], row["tel"],
             row["note"])
    return table
