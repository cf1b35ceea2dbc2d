"""Rich renderings of the planner's answers: ranking, timeline, windows, what-if, readings, howto."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from models.money import Money
from solver.planner import Ranking
from views.table import _row


def _money(data: dict[str, Any]) -> str:
    return Money(data["min"], data["max"], data.get("open_above", False)).text()


def ranking_view(ranking: Ranking) -> Group:
    first, last = ranking.horizon
    table = Table(title=f"Best district for {ranking.enterprise}: move on {ranking.move_date}, "
                        f"claim years {first}–{last}", expand=True)
    for column in ("#", "district", "total (yuan)", "vs staying", "what pays"):
        table.add_column(column, overflow="fold")
    for place, outcome in enumerate(ranking.ranking, 1):
        pays = ", ".join(f"{a.title} {a.tier or ''} {a.claim_year}: {a.amount.text()}"
                         .replace("  ", " ") for a in outcome.awards) or "nothing in the horizon"
        delta = (f"{outcome.delta_max:+,}" if outcome.delta_min == outcome.delta_max
                 else f"{outcome.delta_min:+,} … {outcome.delta_max:+,}")
        _row(table, str(place), outcome.district + (" (current)" if outcome.current else ""),
             outcome.total.text(), delta, pays)
    best = ranking.ranking[0]
    clauses = sorted({f"{a.title}: “{a.clause}” ({a.contact}, tel {a.tel})" for a in best.awards})
    verdict = (f"Staying in {best.district} is best: {best.total.text()} yuan; no move brings more."
               if best.current else
               f"Winner: {best.district}, {best.total.text()} yuan "
               f"({best.delta_max:+,} against staying in {ranking.current_district}).")
    why = (verdict
           + ("\nBecause: " + "\n  ".join(clauses) if clauses else
              "\nNo district pays anything within the horizon: staying is best."))
    return Group(table, Text(why))


def timeline_view(enterprise: str, years: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Claim timeline for {enterprise}", expand=True)
    for column in ("year", "measure", "tier", "amount (yuan)", "paid by", "status", "call"):
        table.add_column(column, overflow="fold")
    for year in years:
        for claim in year["claims"]:
            status = "received" if claim["received"] else ("projected" if claim["projected"] else "due")
            _row(table, str(year["year"]), claim["measure"], claim["tier"] or "",
                 _money(claim["amount"]), claim["paid_by"], status,
                 f"{claim['contact']}, tel {claim['tel']}")
        _row(table, str(year["year"]), "year total (still to come)", "", _money(year["total"]), "", "", "")
    if not years:
        _row(table, "", "nothing to claim", "", "", "", "", "")
    return table


def windows_view(day: str, windows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Application windows open on {day}", expand=True)
    for column in ("tier", "window", "last day", "who may apply", "call"):
        table.add_column(column, overflow="fold")
    for window in windows:
        span = (f"{window['opens']} to {window['last_day']} ({window['days_left']} days left)"
                if window["opens"] else "calendar not stated")
        _row(table, window["tier"], span, window["last_day"] or "not stated",
             f"{window['who']}\n“{window['clause']}”", f"{window['contact']}, tel {window['tel']}")
    return table


def _awards_table(title: str, awards: list[dict[str, Any]]) -> Table:
    table = Table(title=title, expand=True)
    for column in ("claim", "measure", "tier", "amount (yuan)", "paid by"):
        table.add_column(column)
    for award in awards:
        _row(table, str(award["claim_year"]), award["measure"], award["tier"] or "",
             _money(award["amount"]), award["paid_by"])
    return table


def whatif_view(result: dict[str, Any]) -> Group:
    head = Table(title=f"What if: {result['scenario']}", expand=True)
    for column in ("", "baseline", "scenario", "delta"):
        head.add_column(column)
    _row(head, "total (yuan)", _money(result["baseline"]["total"]), _money(result["outcome"]["total"]),
         f"{result['delta']['min']:+,} … {result['delta']['max']:+,}"
         if result["delta"]["min"] != result["delta"]["max"] else f"{result['delta']['max']:+,}")
    changed = {k: v for k, v in result["outcome"]["readings"].items()
               if result["baseline"]["readings"].get(k) != v}
    if changed:
        _row(head, "readings", "defaults", ", ".join(f"{k}={v}" for k, v in changed.items()), "")
    return Group(head, _awards_table("Awards gained", result["gained"]),
                 _awards_table("Awards lost", result["lost"]))


def sweep_view(result: dict[str, Any]) -> Table:
    table = Table(title=f"{result['enterprise']}: total against {result['key']}")
    table.add_column(result["key"], justify="right")
    table.add_column("total (yuan)", justify="right")
    for point in result["points"]:
        _row(table, f"{point['value']:,}", _money(point["total"]))
    return table


def readings_view(result: dict[str, Any]) -> Group:
    head = Text(f"{result['enterprise']}: total under the default readings "
                f"{_money(result['default'])} yuan; across all "
                f"{len(result['combinations'])} combinations of readings "
                f"{_money(result['range'])} yuan")
    table = Table(title="What each alternative reading moves (the others at their defaults)", expand=True)
    for column in ("reading", "delta (yuan)", "gained", "lost"):
        table.add_column(column, overflow="fold")
    for effect in result["effects"]:
        def text(awards: list[dict[str, Any]]) -> str:
            return "\n".join(f"{a['measure']} {a['tier'] or ''} {a['claim_year']}: {_money(a['amount'])}"
                             for a in awards) or "-"
        _row(table, effect["reading"], f"{effect['delta']['min']:+,} … {effect['delta']['max']:+,}"
             if effect["delta"]["min"] != effect["delta"]["max"] else f"{effect['delta']['max']:+,}",
             text(effect["gained"]), text(effect["lost"]))
    return Group(head, table)


def howto_view(result: dict[str, Any]) -> Group:
    goal = f"at least {result['target']:,} yuan from" if result["target"] else "anything from"
    if not result["suggestions"]:
        return Group(Text(f"{result['enterprise']}: {result.get('note')}"))
    head = Text(f"{result['enterprise']}: to get {goal} {result['measure']}, "
                f"the fewest changes needed: {result['changes_needed']}")
    table = Table(expand=True)
    table.add_column("changes (as whatif arguments)", overflow="fold")
    table.add_column("then it pays (yuan)")
    for suggestion in result["suggestions"]:
        _row(table, "  ".join(suggestion["changes"]) or "(none: it pays already)",
             _money(suggestion["amount"]))
    return Group(head, table)
