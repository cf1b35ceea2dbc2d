"""Rich renderings of an evaluation and of the catalog, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from models.catalog import Catalog, MeasureSpec
from models.money import Money
from solver.explain import Award, Evaluation
from views.reasons import (PAST_NOTE, elsewhere_line, nothing_to_trigger_line, only_no_event,
                           render_reason)


def _row(table: Table, *cells: str | Text) -> None:
    """Add a row of plain text: catalog and record text is data, never rich markup
    (`industry in [foreign_trade]` must print its brackets)."""
    table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells))


def _yuan(amount: Money) -> str:
    return amount.text() + " yuan"


def award_status(status: str) -> str:
    """A status in words (the past ones say what to do)."""
    return PAST_NOTE["en"] if status == "past" else status


def _awards_table(title: str, awards: list[Award]) -> Table:
    table = Table(title=title, show_lines=False, expand=True)
    for column in ("claim", "measure", "tier", "amount (yuan)", "paid by", "status", "call"):
        table.add_column(column, overflow="fold")
    for award in awards:
        _row(table, str(award.claim_year), award.title, award.tier or "", award.amount.text(),
             award.paid_by, award.status, f"{award.contact}, tel {award.tel}")
    return table


def not_awarded_lines(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(title, reasons in words) of every measure that brings nothing somewhere. The measures of
    districts the enterprise was never registered in share one line, and so do the measures
    that nothing in the record triggers."""
    lines, elsewhere, untriggered = [], [], []
    for item in evaluation.not_awarded:
        if item.elsewhere:
            elsewhere.append(item.title)
        elif only_no_event(item.reasons):
            untriggered.append((item.title, "; ".join(render_reason(r) for r in item.reasons)))
        else:
            lines.append((item.title, "\n".join(render_reason(r) for r in item.reasons)))
    if untriggered:
        lines.append(("No event for them", nothing_to_trigger_line(untriggered)))
    if elsewhere:
        lines.append(("Other districts", elsewhere_line(elsewhere)))
    return lines


def evaluation_view(evaluation: Evaluation, defaults: dict[str, str]) -> Group:
    """Totals, awards (with whom to call), earlier claims apart, why, what did not pay, and
    non-monetary benefits."""
    changed = {k: v for k, v in evaluation.readings.items() if defaults.get(k) != v}
    readings = ", ".join(f"{k}={v}" for k, v in changed.items()) or "defaults"
    by_status = evaluation.by_status()
    head = Text.assemble(("Enterprise ", "bold"), evaluation.enterprise, "   total: ",
                         (_yuan(evaluation.total), "bold green"),
                         f" (due {by_status['due'].text()}, projected "
                         f"{by_status['projected'].text()}, earlier years "
                         f"{by_status['past'].text()})   as of {evaluation.as_of}"
                         f"   readings: {readings}")
    current = [a for a in evaluation.awards if a.status != "past"]
    past = [a for a in evaluation.awards if a.status == "past"]
    awards = _awards_table("Awards", current)
    if not current:
        _row(awards, "", "no award", "", "", "", "", "")
    parts: list[Any] = [Panel(head), awards]
    if past:
        parts.append(_awards_table("Earlier claim years: " + PAST_NOTE["en"], past))
    why = Table(title="Why (clause and reasons)", show_header=False, expand=True)
    why.add_column("award", style="bold", no_wrap=True)
    why.add_column("clause and reasons", overflow="fold")
    for award in evaluation.awards:
        _row(why, f"{award.title} {award.tier or ''} {award.claim_year}",
             Text.assemble((f"“{award.clause}”", "italic"), f"\n{award.source}\n"
                           + "; ".join(render_reason(r) for r in award.reasons)))
    parts.append(why)
    lines = not_awarded_lines(evaluation)
    if lines:
        lost = Table(title="What brings nothing, and why", show_header=False, expand=True)
        lost.add_column("measure", no_wrap=True)
        lost.add_column("why not", overflow="fold")
        for title, text in lines:
            _row(lost, title, text)
        parts.append(lost)
    if evaluation.benefits:
        benefits = Table(title="Non-monetary benefits and support without a stated amount", expand=True)
        for column in ("measure", "benefit", "amount", "call"):
            benefits.add_column(column, overflow="fold")
        for item in evaluation.benefits:
            _row(benefits, item.measure, item.benefit, item.amount, f"{item.contact}, tel {item.tel}")
        parts.append(benefits)
    return Group(*parts)


def measures_view(catalog: Catalog) -> Table:
    """One line per measure family."""
    table = Table(title=f"{len(catalog.families)} measure families (brochure as of "
                        f"{catalog.index.brochure.as_of})", expand=True)
    for column in ("id", "level", "title", "measures", "tel"):
        table.add_column(column, overflow="fold")
    for name, spec in catalog.files.items():
        for measure in spec.measures:
            ids = sorted({rule.measure or rule.id for rule in measure.rules}) or ["benefits only"]
            _row(table, measure.id, spec.level, measure.title, ", ".join(ids),
                          "; ".join(dict.fromkeys(s.tel for s in spec.sources)))
    return table


def measure_view(catalog: Catalog, file: str, measure: MeasureSpec) -> Group:
    """A measure's clause, source, contact, telephone and encoding."""
    spec = catalog.files[file]
    head = Text.assemble((measure.id, "bold"), f"  {measure.title}  ({spec.level}, brochure "
                         f"{spec.brochure_section} item {measure.brochure_item}, file {file})")
    sources = "\n".join(f"{s.document}\n  contact: {s.contact}, tel {s.tel}" for s in spec.sources)
    rules = Table(title="Encoding", expand=True)
    for column in ("rule", "kind", "quote", "amount", "conditions", "rules"):
        rules.add_column(column, overflow="fold")
    for rule in measure.rules:
        amount = ({k: v.model_dump(exclude_defaults=True) for k, v in rule.levels.items()}
                  if rule.levels else rule.amount.model_dump(exclude_defaults=True) if rule.amount else "")
        notes = []
        if rule.r1_group:
            notes.append(f"R1 group {rule.r1_group}")
        if rule.difference != "never":
            notes.append("R2 difference" + (" (reading stacking)" if rule.difference == "reading" else ""))
        if rule.one_time or rule.kind in ("tier_reward", "relocation_reward"):
            notes.append("R3 one-time")
        notes += [f"R5 cap {c.limit:,} per {'/'.join(c.per)}" for c in rule.caps]
        if rule.max_years:
            notes.append(f"at most {rule.max_years.limit} years per {'/'.join(rule.max_years.per)}")
        if rule.only_when:
            notes.append("only when " + ", ".join(f"{k}={v}" for k, v in rule.only_when.items()))
        if rule.previous_year:
            notes.append("says 'in the previous year'")
        _row(rules, rule.id, rule.kind, rule.quote, str(amount),
                      "\n".join(rule.conditions) + ("\ncategories: " + ", ".join(rule.categories)
                                                    if rule.categories else ""), "\n".join(notes))
    parts: list = [head, Panel(Text(measure.clause), title="Clause (verbatim)"),
                         Panel(Text(sources), title="Source")]
    if measure.rules:
        parts.append(rules)
    for benefit in measure.benefits:
        parts.append(Text(f"benefit {benefit.id}: {benefit.quote}"
                          + (" (amount not stated)" if benefit.amount else " (non-monetary)")))
    return Group(*parts)
