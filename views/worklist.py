"""The worklist as a table for people: whom to call about what, before which day."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from models.money import Money
from views.table import _row


def worklist_view(day: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Worklist for {day}: {len(rows)} action(s), soonest first", expand=True)
    for column in ("by", "enterprise", "action", "amount (yuan)", "office", "tel", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        amount = Money(row["amount_min"], row["amount_max"], row["open_above"]).text()
        who = row["enterprise"] + (f" {row['name']}" if row["name"] else "")
        action = f"{row['kind']} {row['subject']} ({row['status']})"
        _row(table, row["deadline"] or "—", who, action, amount, row["office"], row["tel"], row["note"])
    return table
