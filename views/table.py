"""Rich renderings of an evaluation and of the catalog, for the terminal."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from models.catalog import Amount, Catalog, MeasureSpec, name
from models.money import Money
from models.i18n import current_lang, t
from solver.explain import Award, Evaluation
from views import words
from models.conditions import parse_condition
from views.reasons import (condition_words, elsewhere_line, measure_words,
                           nothing_to_trigger_line, only_no_event, render_reason)


def clause_label(clause: str) -> str:
    """The heading of a clause: the brochure's are English as printed; a later edition quotes
    its Chinese source."""
    return t("label.clause_quoted" if re.search(r"[\u4e00-\u9fff]", clause)
             else "label.clause_original")


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
    that nothing in the record triggers, and the measures that bring nothing for the same
    reasons (10,000 rules of one R1 group that lose to the same award: one line, not 10,000)."""
    lines, elsewhere, untriggered = [], [], []
    alike: dict[str, list[str]] = {}  # reasons in words → the measures they keep from paying
    for item in evaluation.not_awarded:
        if item.elsewhere:
            elsewhere.append(measure_words(item.measure, item.title))
        elif only_no_event(item.reasons):
            untriggered.append((measure_words(item.measure, item.title),
                                t("reason.word.item_sep").join(render_reason(r) for r in item.reasons)))
        else:
            alike.setdefault("\n".join(render_reason(r) for r in item.reasons), []).append(item.measure)
    for text, measures in alike.items():
        if len(measures) == 1:
            lines.append((words.measure(measures[0]), text))
        else:
            lines.append((t("evaluate.alike", count=len(measures)), t(
                "reason.line.alike", text=text,
                measures=t("reason.word.list_sep").join(words.measure(m) for m in measures))))
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
                         t("evaluate.as_of", day=words.day(evaluation.as_of)),
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
        _row(why, t("evaluate.award_line", measure=words.measure(award.measure),
                    tier=words.tier(award.tier), year=award.claim_year).replace("  ", " "),
             Text.assemble((clause_label(award.clause) + "\n", "dim"), (f"“{award.clause}”", "italic"),
                           f"\n{words.printed(award.source)}\n"
                           + t("reason.word.item_sep").join(render_reason(r) for r in award.reasons)))
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
            _row(benefits, words.measure(item.measure), item.benefit,
                 t(f"benefit.amount.{item.amount.replace(' ', '_').replace('-', '_')}"),
                 words.call(item.contact, item.tel))
        parts.append(benefits)
    return Group(*parts)


def measures_view(catalog: Catalog) -> Table:
    """One line per measure family."""
    table = Table(title=t("measures.title", count=len(catalog.families),
                          as_of=words.month(catalog.index.brochure.as_of)), expand=True)
    for column in ("id", "payer", "title", "measures", "tel"):
        table.add_column(t(f"measures.column.{column}"), overflow="fold")
    for _file, spec in catalog.files.items():
        for measure in spec.measures:
            ids = sorted({rule.measure or rule.id for rule in measure.rules}) or [t("measures.benefits_only")]
            title = measure.title if current_lang() == "en" else name("measure", measure.id)
            _row(table, measure.id, words.place(spec.payer), title, ", ".join(ids),
                          "; ".join(dict.fromkeys(s.tel for s in spec.sources)))
    return table


def amount_words(amount: Amount) -> str:
    """An encoded amount in words: `100,000`, `up to 2,000,000`, `30% of the expense`, `not less
    than m5.listing`."""
    if amount.fixed is not None:
        return t("amount.fixed", amount=f"{amount.fixed:,}")
    if amount.up_to is not None:
        return t("amount.up_to", amount=f"{amount.up_to:,}")
    if amount.percent is not None:
        text = t(f"amount.percent.{amount.base}", percent=amount.percent)
        return text + (t("amount.at_most_paid") if amount.at_most == "paid" else "")
    return t("amount.not_less_than", measure=words.measure(amount.not_less_than or ""))


def _per(keys: tuple[str, ...]) -> str:
    """What a cap or a year limit is counted per, in words (`project/year` → 项目/年)."""
    return "/".join(t(f"measure.per.{key}") for key in keys)


def _when(only_when: dict[str, str]) -> str:
    """" (only when interest-cap=per-project)": a part of a rule that one reading picks."""
    return f" ({t('measure.only_when', readings=', '.join(f'{k}={v}' for k, v in only_when.items()))})" \
        if only_when else ""


def measure_view(catalog: Catalog, file: str, measure: MeasureSpec) -> Group:
    """A measure's clause, source, contact, telephone and encoding."""
    spec = catalog.files[file]
    title = measure.title if current_lang() == "en" else name("measure", measure.id)
    head = Text.assemble((measure.id, "bold"), "  " + t(
        "measure.head", title=title, payer=words.place(spec.payer), section=spec.brochure_section,
        item=measure.brochure_item, file=file))
    sources = "\n".join(f"{words.printed(s.document)}\n  "
                        + t("measure.contact", contact=words.printed(s.contact), tel=s.tel)
                        for s in spec.sources)
    rules = Table(title=t("measure.encoding"), expand=True)
    _columns(rules, "rule", "kind", "quote", "amount", "conditions", "rules")
    for rule in measure.rules:
        if rule.levels:
            amount = "\n".join(f"{words.tier(level)}: {amount_words(value)}"
                               for level, value in rule.levels.items())
        else:
            amount = amount_words(rule.amount) if rule.amount else ""
        notes = []
        if rule.r1_group:
            notes.append(t("measure.r1", group=rule.r1_group))
        if rule.difference != "never":
            notes.append(t("measure.r2_reading" if rule.difference == "reading" else "measure.r2"))
        if rule.one_time or rule.kind in ("tier_reward", "relocation_reward"):
            notes.append(t("measure.r3"))
        notes += [t("measure.r5", limit=f"{c.limit:,}", per=_per(c.per)) + _when(c.only_when)
                  for c in rule.caps]
        notes += [t("measure.max_years" if y.years == "any" else "measure.max_years_first",
                    limit=y.limit, per=_per(y.per)) + _when(y.only_when) for y in rule.max_years]
        if rule.only_when:
            notes.append(t("measure.only_when", readings=", ".join(
                f"{k}={v}" for k, v in rule.only_when.items())))
        if rule.previous_year:
            notes.append(t("measure.previous_year"))
        categories = (("\n" + t("measure.categories", categories="、".join(
            name("category", c) for c in rule.categories) if current_lang() == "zh"
            else ", ".join(rule.categories))) if rule.categories else "")
        _row(rules, rule.id, t(f"rule_kind.{rule.kind}"), rule.quote, amount,
             "\n".join(condition_words(parse_condition(c)) for c in rule.conditions) + categories,
             "\n".join(notes))
    parts: list[Any] = [head, Panel(Text(measure.clause), title=clause_label(measure.clause)),
                        Panel(Text(sources), title=t("label.source"))]
    if measure.rules:
        parts.append(rules)
    for benefit in measure.benefits:
        parts.append(Text(t("measure.benefit", id=benefit.id, quote=benefit.quote)
                          + t("measure.amount_not_stated" if benefit.amount else "measure.non_monetary")))
    return Group(*parts)
