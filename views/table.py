"""Rich renderings of an evaluation and of the catalog, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from models.catalog import Catalog, MeasureSpec
from models.money import Money
from models.i18n import current_lang, name, t
from solver.explain import Award, Evaluation
from views import words
from views.reasons import (elsewhere_line, measure_words, nothing_to_trigger_line, only_no_event,
                           render_reason)


def _row(table: Table, *cells: str | Text) -> None:
    """Add a row of plain text: catalog and record text is data, never rich markup
    (`industry in [foreign_trade]` must print its brackets)."""
    table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells))


def _columns(table: Table, *ids: str, overflow: str = "fold") -> None:
    for ident in ids:
        table.add_column(t(f"column.{ident}"), overflow=overflow)  # type: ignore[arg-type]


def _awards_table(title: str, awards: list[Award]) -> Table:
    table = Table(title=title, show_lines=False, expand=True)
    _columns(table, "claim", "measure", "tier", "amount", "paid_by", "status", "call")
    for award in awards:
        _row(table, str(award.claim_year), words.measure(award.measure), words.tier(award.tier),
             words.money(award.amount), words.place(award.paid_by),
             words.status(award.received, award.projected, award.status == "past"),
             words.call(award.contact, award.tel))
    return table


def not_awarded_lines(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(measure, reasons in words) of every measure that brings nothing somewhere. The measures
    of districts the enterprise was never registered in share one line, and so do the measures
    that nothing in the record triggers."""
    lines, elsewhere, untriggered = [], [], []
    for item in evaluation.not_awarded:
        if item.elsewhere:
            elsewhere.append(measure_words(item.measure, item.title))
        elif only_no_event(item.reasons):
            untriggered.append((measure_words(item.measure, item.title),
                                "; ".join(render_reason(r) for r in item.reasons)))
        else:
            lines.append((words.measure(item.measure),
                          "\n".join(render_reason(r) for r in item.reasons)))
    if untriggered:
        lines.append((t("evaluate.no_event"), nothing_to_trigger_line(untriggered)))
    if elsewhere:
        lines.append((t("evaluate.elsewhere"), elsewhere_line(elsewhere)))
    return lines


def evaluation_view(evaluation: Evaluation, defaults: dict[str, str]) -> Group:
    """Totals, awards (with whom to call), past claims apart, why, what brings nothing and why,
    and non-monetary benefits."""
    changed = {k: v for k, v in evaluation.readings.items() if defaults.get(k) != v}
    readings = ", ".join(f"{k}={v}" for k, v in changed.items()) or t("label.defaults")
    by_status = {k: words.money(v) for k, v in evaluation.by_status().items()}
    head = Text.assemble((t("evaluate.enterprise"), "bold"), evaluation.enterprise,
                         t("evaluate.total"), (words.yuan(evaluation.total), "bold green"),
                         t("evaluate.by_status", **by_status),
                         t("evaluate.as_of", day=evaluation.as_of),
                         t("evaluate.readings", readings=readings))
    current = [a for a in evaluation.awards if a.status != "past"]
    past = [a for a in evaluation.awards if a.status == "past"]
    awards = _awards_table(t("evaluate.awards"), current)
    if not current:
        _row(awards, "", t("evaluate.no_award"), "", "", "", "", "")
    parts: list[Any] = [Panel(head), awards]
    if past:  # apart, so that nobody mistakes them for money to come
        parts.append(_awards_table(t("evaluate.past_title"), past))
    why = Table(title=t("evaluate.why"), show_header=False, expand=True)
    why.add_column(t("column.award"), style="bold", no_wrap=True)
    why.add_column(t("column.reasons"), overflow="fold")
    for award in evaluation.awards:
        _row(why, f"{words.measure(award.measure)} {words.tier(award.tier)} {award.claim_year}",
             Text.assemble((t("label.clause_original") + "\n", "dim"), (f"“{award.clause}”", "italic"),
                           f"\n{award.source}\n" + "; ".join(render_reason(r) for r in award.reasons)))
    if evaluation.awards:
        parts.append(why)
    lines = not_awarded_lines(evaluation)
    if lines:
        lost = Table(title=t("evaluate.not_awarded"), show_header=False, expand=True)
        lost.add_column(t("column.measure"), no_wrap=True)
        lost.add_column(t("column.why_not"), overflow="fold")
        for measure, text in lines:
            _row(lost, measure, text)
        parts.append(lost)
    if evaluation.benefits:
        benefits = Table(title=t("evaluate.benefits"), expand=True)
        _columns(benefits, "measure", "benefit", "amount_plain", "call")
        for item in evaluation.benefits:
            _row(benefits, words.measure(item.measure), item.benefit, item.amount,
                 words.call(item.contact, item.tel))
        parts.append(benefits)
    return Group(*parts)


def measures_view(catalog: Catalog) -> Table:
    """One line per measure family."""
    table = Table(title=t("measures.title", count=len(catalog.families),
                          as_of=catalog.index.brochure.as_of), expand=True)
    for column in ("id", "payer", "title", "measures", "tel"):
        table.add_column(t(f"measures.column.{column}"), overflow="fold")
    for _file, spec in catalog.files.items():
        for measure in spec.measures:
            ids = sorted({rule.measure or rule.id for rule in measure.rules}) or [t("measures.benefits_only")]
            title = measure.title if current_lang() == "en" else name("measure", measure.id)
            _row(table, measure.id, words.place(spec.payer), title, ", ".join(ids),
                          "; ".join(dict.fromkeys(s.tel for s in spec.sources)))
    return table


def measure_view(catalog: Catalog, file: str, measure: MeasureSpec) -> Group:
    """A measure's clause, source, contact, telephone and encoding."""
    spec = catalog.files[file]
    head = Text.assemble((measure.id, "bold"), f"  {measure.title}  ({spec.payer}, brochure "
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
    parts: list = [head, Panel(Text(measure.clause), title=t("label.clause_original")),
                         Panel(Text(sources), title=t("label.source"))]
    if measure.rules:
        parts.append(rules)
    for benefit in measure.benefits:
        parts.append(Text(f"benefit {benefit.id}: {benefit.quote}"
                          + (" (amount not stated)" if benefit.amount else " (non-monetary)")))
    return Group(*parts)
