"""Rich renderings of the planner's answers: ranking, timeline, windows, what-if, readings, howto."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.console import Group
from rich.table import Table
from rich.text import Text

from models.i18n import t
from models.money import Money
from solver.explain import Award
from solver.howto import HowTo
from solver.planner import (AllReadings, Ranking, Sweep, TimelineYear, WhatIf, Window,
                            total_of)
from views import words
from views.table import _columns, _row


def _award_line(award: Award) -> str:
    """`dongcheng.tier national 2025: 800,000`."""
    return (f"{words.measure(award.measure)} {words.tier(award.tier)} {award.claim_year}: "
            f"{words.money(award.amount)}").replace("  ", " ")


def ranking_view(ranking: Ranking) -> Group:
    first, last = ranking.horizon
    table = Table(title=t("ranking.title", enterprise=escape(ranking.enterprise),
                          date=words.day(ranking.move_date), first=first, last=last), expand=True)
    table.add_column("#", overflow="fold")
    _columns(table, "district", "total", "vs_staying", "what_pays")
    for place, outcome in enumerate(ranking.ranking, 1):
        pays = ", ".join(_award_line(a) for a in outcome.awards) or t("ranking.nothing")
        _row(table, str(place), words.place(outcome.district) + (t("label.current") if outcome.current else ""),
             words.money(outcome.total), words.delta(outcome.delta_min, outcome.delta_max), pays)
    best = ranking.ranking[0]
    clauses = sorted({f"{words.measure(a.measure)}: “{a.clause}” ({words.call(a.contact, a.tel)})"
                      for a in best.awards})
    verdict = (t("ranking.stay", district=words.place(best.district), total=words.money(best.total))
               if best.current else
               t("ranking.winner", district=words.place(best.district), total=words.money(best.total),
                 delta=f"{best.delta_max:+,}", current=words.place(ranking.current_district)))
    why = (verdict
           + ("\n" + t("ranking.because") + "\n  ".join(clauses) if clauses else
              "\n" + t("ranking.none_pays")))
    return Group(table, Text(why))


def _timeline_rows(table: Table, year: int, awards: tuple[Award, ...]) -> None:
    for award in awards:
        _row(table, str(year), words.measure(award.measure), words.tier(award.tier),
             words.money(award.amount), words.place(award.paid_by),
             words.status(award.received, award.projected, award.status == "past"),
             words.call(award.contact, award.tel))


def timeline_view(enterprise: str, years: tuple[TimelineYear, ...]) -> Group:
    """The claims year by year, and apart the claims of years gone that the record does not list
    as received (check with the office whether they were paid)."""
    table = Table(title=t("timeline.title", enterprise=escape(enterprise)), expand=True)
    _columns(table, "year", "measure", "tier", "amount", "paid_by", "status", "call")
    for year in years:
        if year.claims:
            _timeline_rows(table, year.year, year.claims)
            _row(table, str(year.year), t("timeline.year_total"), "",
                 words.money(total_of(year.claims)), "", "", "")
    if not any(year.claims for year in years):
        _row(table, "", t("timeline.nothing"), "", "", "", "", "")
    parts: list[Any] = [table]
    if any(year.past for year in years):
        past = Table(title=t("evaluate.past_title"), expand=True)
        _columns(past, "year", "measure", "tier", "amount", "paid_by", "status", "call")
        for year in years:
            _timeline_rows(past, year.year, year.past)
        parts.append(past)
    return Group(*parts)


def windows_view(day: str, windows: tuple[Window, ...]) -> Table:
    table = Table(title=t("windows.title", day=words.day(day)), expand=True)
    _columns(table, "tier", "window", "last_day", "who", "call")
    for window in windows:
        span = (t("windows.span", opens=words.day(window.opens), last_day=words.day(window.last_day),
                  days_left=window.days_left) if window.opens else t("windows.not_stated"))
        _row(table, words.tier(window.tier), span,
             words.day(window.last_day) if window.last_day else t("windows.last_not_stated"),
             f"{words.printed(window.who)}\n"
             + t("windows.clause", label=t("label.clause_original"), clause=window.clause),
             words.call(window.contact, window.tel))
    return table


def _awards_table(title: str, awards: tuple[Award, ...]) -> Table:
    table = Table(title=title, expand=True)
    _columns(table, "claim", "measure", "tier", "amount", "paid_by")
    for award in awards:
        _row(table, str(award.claim_year), words.measure(award.measure), words.tier(award.tier),
             words.money(award.amount), words.place(award.paid_by))
    return table


def whatif_view(result: WhatIf) -> Group:
    head = Table(title=t("whatif.title", scenario=result.scenario), expand=True)
    head.add_column("")
    _columns(head, "baseline", "scenario", "difference")
    _row(head, t("whatif.total"), words.money(result.baseline), words.money(result.outcome),
         words.delta(result.delta_min, result.delta_max))
    changed = {k: v for k, v in result.outcome_readings.items()
               if result.baseline_readings.get(k) != v}
    if changed:
        _row(head, t("whatif.readings"), t("label.defaults"),
             ", ".join(f"{k}={v}" for k, v in changed.items()), "")
    return Group(head, _awards_table(t("whatif.gained"), result.gained),
                 _awards_table(t("whatif.lost"), result.lost))


def sweep_view(result: Sweep) -> Table:
    table = Table(title=t("sweep.title", enterprise=escape(result.enterprise), key=result.key))
    table.add_column(result.key, justify="right")
    table.add_column(t("column.total"), justify="right")
    for value, total in result.points:
        _row(table, f"{value:,}", words.money(total))
    return table


def readings_view(result: AllReadings) -> Group:
    head = Text(t("readings.head", enterprise=result.enterprise,
                  default=words.money(result.default), count=len(result.combinations),
                  range=words.money(Money(result.low, result.high, result.open_above))))
    table = Table(title=t("readings.title"), expand=True)
    _columns(table, "reading", "delta", "gained", "lost")

    def text(awards: tuple[Award, ...]) -> str:
        return "\n".join(_award_line(a) for a in awards) or "-"
    for effect in result.effects:
        _row(table, effect.reading, words.delta(effect.delta_min, effect.delta_max),
             text(effect.gained), text(effect.lost))
    return Group(head, table)


def howto_view(result: HowTo) -> Group:
    goal = (t("howto.at_least", target=f"{result.target:,}") if result.target
            else t("howto.anything"))
    if not result.suggestions:
        return Group(Text(t("howto.nothing", enterprise=result.enterprise,
                            count=result.max_changes, measure=words.measure(result.measure),
                            goal=goal)))
    head = Text(t("howto.head", enterprise=result.enterprise, goal=goal,
                  measure=words.measure(result.measure), count=result.changes_needed))
    table = Table(expand=True, show_lines=True)
    _columns(table, "changes", "then_pays")
    for suggestion in result.suggestions:
        _row(table, "\n".join(t("change.replay", words=words.change(c.kind, c.facts()), label=c.label)
                              for c in suggestion.changes) or t("howto.none_needed"),
             words.money(suggestion.amount))
    return Group(head, table)
