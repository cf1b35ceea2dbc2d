"""Lint a catalog package: every problem in one run; errors for a broken package, warnings for
the brochure's own defects.

Errors: a file that does not load (unknown field, bad value: each named by file and path inside
it), a duplicated clause, a clause that is not verbatim in its source text, an amount its quote
does not state (in English figures or in 万), a Chinese "最高/不超过 X万" encoded as a fixed amount
(or a fixed X万 as an upper bound), a later edition's source without its provenance (grade,
title, issuer, date, address read), invented test data in a shipped package, a declared
condition no rule uses, a condition on a field that is undeclared or
that the rule kind does not offer (models/catalog/kinds.py), a field the rule kind never reads, a condition value, category or board the vocabulary does not
declare (with the nearest declared value), a category whose declared programmes leave out a
measure that takes it, an edition closing a rule that does not exist, overlapping ladders,
districts missing from the catalog. Warnings: the brochure prints Mentougou twice, has no
district item 6, and cites two sources for Daxing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from models.catalog import (CATALOG_DIR, MUNICIPAL_PAYER, Amount, Catalog, Rule, RuleSpec,
                            build, load_raw)
from models.catalog.kinds import BENEFIT_FACTS, COMMON_FIELDS, TRIGGERS
from models.errors import CatalogError
from models.i18n import current_lang, names, t
from models.conditions import Condition
from models.limits import MAX_CATALOG_BYTES
from models.yamlio import read_text


# Which operators make sense for each declared field type.
OPERATORS = {
    "tier": {"==", "!=", ">=", "<=", ">", "<", "in", "not in"},
    "date": {"==", "!=", ">=", "<=", ">", "<"},
    "int": {"==", "!=", ">=", "<=", ">", "<"},
    "tags": {"==", "!=", "in", "not in"},
    "enum": {"==", "!=", "in", "not in"},
    "place": {"==", "!=", "in", "not in"},
}


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    file: str
    message: str

    def __str__(self) -> str:
        """`error: FILE: message` (错误：…), the frame in the current language. The brochure's
        defects (the warnings a run on the shipped catalog shows) are written in the language of
        the run; an error, about a catalog author's own text, stays as written."""
        return t(f"lint.{self.level}", file=self.file, message=self.message)


def _error(file: str, message_id: str, /, **fields: Any) -> Finding:
    """An error finding, its message from the message catalogue in the current language."""
    return Finding("error", file, t(message_id, **fields))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _figures(value: int) -> list[str]:
    """The ways the brochure prints an amount: 200,000 / 100, 000 / 2 million."""
    shown = [f"{value:,}", f"{value:,}".replace(",", ", ")]
    if value % 1_000_000 == 0:
        shown.append(f"{value // 1_000_000} million")
    return shown


_CJK = re.compile(r"[\u4e00-\u9fff]")
# "最高50万元", "最高支持200万元", "不超过500万元": the figure is an upper bound ([0, X]).
_UP_TO_ZH = re.compile(r"(最高|不超过|不高于)[^\d,，;；。]{0,4}$")


def _chinese_figures(value: int, quote: str) -> list[int]:
    """Where a Chinese text prints `value` in 万 (500,000 as 50万), never inside a larger figure
    (50万 is not read in 1500万)."""
    if value <= 0 or value % 10_000:
        return []
    pattern = re.compile(rf"(?<![\d.,]){value // 10_000}万")
    return [match.start() for match in pattern.finditer(quote)]


def _stated(amount: Amount, quote: str) -> bool:
    if amount.not_less_than is not None:
        return "not less than" in quote
    if amount.percent is not None:
        return f"{amount.percent}%" in quote
    value = amount.fixed if amount.fixed is not None else amount.up_to
    return any(figure in quote for figure in _figures(value or 0)) \
        or bool(_chinese_figures(value or 0, quote))


def _bound_problem(amount: Amount, quote: str) -> str | None:
    """In a Chinese quote, a figure after 最高 or 不超过 is an upper bound (`up_to`, the interval
    [0, X]); a figure without one is `fixed`. What is wrong with `amount`, or None."""
    value = amount.fixed if amount.fixed is not None else amount.up_to
    if value is None or not _CJK.search(quote):
        return None
    positions = _chinese_figures(value, quote)
    bounded = [bool(_UP_TO_ZH.search(quote[:at])) for at in positions]
    if amount.fixed is not None and bounded and all(bounded):
        return t("lint.bound_up_to", wan=value // 10_000, value=value)
    if amount.up_to is not None and positions and not any(bounded):
        return t("lint.bound_fixed", wan=value // 10_000, value=value)
    return None


def _finding(exc: CatalogError, directory: Path) -> Finding:
    where = t("lint.field", field=exc.field) if exc.field else ""
    accepted = t("error.accepted", accepted=exc.accepted) if exc.accepted else ""
    return Finding("error", Path(exc.file).name if exc.file else str(directory),
                   where + exc.message + accepted)


def lint(directory: Path = CATALOG_DIR) -> list[Finding]:
    problems: list[CatalogError] = []
    try:
        index, files, package = load_raw(directory, problems)
    except CatalogError as exc:  # the index itself does not load: nothing else can be checked
        return [_finding(exc, directory)] + [_finding(p, directory) for p in problems]
    whole = not problems  # a file left out would make the whole-catalog checks cry wolf
    catalog = build(directory, index, files, package, problems)
    findings = [_finding(problem, directory) for problem in problems]
    brochure_path = package.text_path(index.brochure.file)
    brochure, unreadable = _text(brochure_path, "index.yaml")
    findings += unreadable
    if brochure is None and not unreadable:
        findings.append(_error("index.yaml", "lint.brochure_missing", file=index.brochure.file))
    findings += _clauses(catalog, brochure)
    if brochure is not None:
        findings += [_error("index.yaml", "lint.window_not_verbatim", window=name)
                     for name, window in index.windows.items() if _norm(window.clause) not in brochure]
    findings += _provenance(catalog, directory)
    findings += _conditions(catalog, whole)
    findings += _vocabulary(catalog)
    findings += _ladders(catalog)
    findings += _names(catalog)
    if whole:
        findings += _coverage(catalog)
        findings += _defects(catalog)
    return findings


def _source_text(catalog: Catalog, name: str, brochure: str | None) -> tuple[str | None, list[Finding]]:
    """The normalized text a file's clauses quote: its own `text`, else the brochure."""
    spec = catalog.files[name]
    if spec.text is None or catalog.package is None:
        return brochure, []
    path = catalog.package.text_path(spec.text, name)
    if path is None:
        return None, [_error(name, "lint.text_missing", text=spec.text)]
    return _text(path, name)


def _text(path: Path | None, name: str) -> tuple[str | None, list[Finding]]:
    """A source text, normalized, read within the catalog's bounds (a regular UTF-8 file of at
    most MAX_CATALOG_BYTES); a text that cannot be read is a finding."""
    if path is None:
        return None, []
    try:
        return _norm(read_text(path, what="text", limit=MAX_CATALOG_BYTES, error=CatalogError)), []
    except CatalogError as exc:
        return None, [Finding("error", name, f"{path.name}: {exc.message}")]


def _verbatim(text: str, clause: str, cursors: dict[int, int]) -> bool:
    """Is `clause` in `text`? Searched first from where the previous clause of that text ended:
    clauses follow their source's order, so a package's clauses are found in about one pass
    over its text (10,000 clauses each searched from the start took minutes)."""
    start = cursors.get(id(text), 0)
    found = text.find(clause, start)
    if found < 0 and start:
        found = text.find(clause, 0, start + len(clause))  # (a clause out of order)
    if found >= 0:
        cursors[id(text)] = found + len(clause)
    return found >= 0


def _clauses(catalog: Catalog, brochure: str | None) -> list[Finding]:
    found = []
    cursors: dict[int, int] = {}  # id of a source text → where its previous clause ended
    seen: dict[str, str] = {}
    for name, spec in catalog.files.items():
        text, missing = _source_text(catalog, name, brochure)
        found += missing
        for measure in spec.measures:
            clause = _norm(measure.clause)
            if not clause:
                found.append(_error(name, "lint.no_clause", id=measure.id))
                continue
            if clause in seen:
                found.append(_error(name, "lint.duplicated_clause", id=measure.id, other=seen[clause]))
            seen[clause] = t("lint.id_in_file", id=measure.id, file=name)
            if text is not None and not _verbatim(text, clause, cursors):
                found.append(_error(name, "lint.clause_not_verbatim", id=measure.id) if spec.text is None
                             else _error(name, "lint.clause_not_verbatim_in_text", id=measure.id,
                                         text=spec.text))
            for rule in measure.rules:
                found += _rule_quote(name, measure.id, clause, rule)
            for benefit in measure.benefits:
                if _norm(benefit.quote) not in clause:
                    found.append(_error(name, "lint.quote_not_in_clause", id=benefit.id))
    return found


def _rule_quote(name: str, measure: str, clause: str, rule: RuleSpec) -> list[Finding]:
    quote = _norm(rule.quote)
    if not quote or quote not in clause:
        return [_error(name, "lint.amount_without_clause", id=rule.id, measure=measure)]
    amounts = list((rule.levels or {}).values()) + ([rule.amount] if rule.amount else [])
    found = [_error(name, "lint.amount_not_stated", id=rule.id, amount=a.model_dump(exclude_defaults=True))
             for a in amounts if not _stated(a, quote)]
    found += [Finding("error", name, t("lint.id_prefix", id=rule.id) + problem) for a in amounts
              if (problem := _bound_problem(a, quote))]
    return found


def _provenance(catalog: Catalog, directory: Path) -> list[Finding]:
    """A later edition's rules carry where they come from: every source of a file with an
    `edition:` block states its provenance (grade, title, issuer, date, the address read), and
    a package zjtx ships holds no invented test data."""
    from models.packages import is_shipped

    found = []
    shipped = is_shipped(Path(directory))
    for name, spec in catalog.files.items():
        for source in spec.sources:
            provenance = source.provenance
            if provenance is None:
                if spec.edition is not None:
                    found.append(_error(name, "lint.no_provenance", key=source.key))
                continue
            if provenance.grade == "test" and shipped:
                found.append(_error(name, "lint.test_grade_shipped", key=source.key))
            if provenance.grade != "test" and not provenance.address.startswith(("https://", "http://")):
                found.append(_error(name, "lint.not_an_address", key=source.key,
                                                               address=provenance.address))
    return found


def _conditions(catalog: Catalog, whole: bool = True) -> list[Finding]:
    found = []
    declared = set(catalog.index.conditions)
    used: set[str] = set()
    # The facts a rule's kind offers (models/catalog/kinds.py), a benefit's.
    items: list[tuple[str, str, str, frozenset[str], tuple[Condition, ...]]] = \
        [(r.file, r.id, r.spec.kind, TRIGGERS[r.spec.kind].offers, r.conditions)
         for r in catalog.rules]
    items += [("benefit", b.spec.id, "benefit", BENEFIT_FACTS, b.conditions) for b in catalog.benefits]
    for file, ident, kind, offers, conditions in items:
        for condition in conditions:
            used.add(condition.field)
            if condition.field not in declared:
                found.append(_error(file, "lint.undeclared_field", id=ident, field=condition.field))
            elif condition.field not in offers:
                found.append(_error(file, "lint.no_fact", id=ident, kind=kind, field=condition.field))
            elif condition.op not in OPERATORS[catalog.index.conditions[condition.field].type]:
                kind_of = catalog.index.conditions[condition.field].type
                found.append(_error(file, "lint.operator", id=ident, text=condition.text,
                                    op=condition.op, type=kind_of))
    for field in sorted(declared - used) if whole else ():
        found.append(_error("index.yaml", "lint.condition_unused", field=field))
    for rule in catalog.rules:
        parts = [("", rule.spec.only_when)]
        parts += [(f" (cap {n + 1})", cap.only_when) for n, cap in enumerate(rule.spec.caps)]
        parts += [(f" (max_years {n + 1})", limit.only_when)
                  for n, limit in enumerate(rule.spec.max_years)]
        for where, only_when in parts:
            for key, value in only_when.items():
                spec = catalog.index.readings.get(key)
                if spec is None or value not in spec.alternatives:
                    found.append(_error(rule.file, "lint.unknown_reading", id=rule.id, where=where,
                                        key=key, value=value))
        found += _one_year_limit(catalog, rule)
        found += _fields_read(rule)
    return found


def _fields_read(rule: Rule) -> list[Finding]:
    """A field its kind never reads (`boards` on an expense rule) is an error, not a silent no-op."""
    trigger = TRIGGERS[rule.spec.kind]
    unread = sorted(set(rule.spec.model_fields_set) - set(COMMON_FIELDS) - set(trigger.fields))
    return [_error(rule.file, "lint.unread_field", id=rule.id, kind=rule.spec.kind, field=field,
                   fields=", ".join(trigger.fields)) for field in unread]


def _one_year_limit(catalog: Catalog, rule: Rule) -> list[Finding]:
    """Under every combination of readings, at most one of a rule's year limits applies."""
    limits = rule.spec.max_years
    for i, first in enumerate(limits):
        for second in limits[i + 1:]:
            if all(second.only_when.get(k, v) == v for k, v in first.only_when.items()):
                return [_error(rule.file, "lint.two_year_limits", id=rule.id, n=i + 1)]
    return []


def _allowed(catalog: Catalog, field: str) -> set[str]:
    """The values a condition on `field` may name (empty: not a closed list)."""
    spec = catalog.index.conditions[field]
    return set(spec.values) | (set(catalog.vocabulary.ids(spec.values_from)) if spec.values_from else set())


def _unknown(value: str, allowed: set[str], what: str) -> str:
    near = difflib.get_close_matches(value, sorted(allowed), n=1, cutoff=0.6)
    return (t("lint.unknown", what=what, value=value)
            + (t("validation.did_you_mean_key", near=near[0]) if near else "")
            + t("error.accepted", accepted=", ".join(sorted(allowed))))


def _vocabulary(catalog: Catalog) -> list[Finding]:
    """Condition values, categories and boards must be declared in the vocabulary."""
    found = []
    vocabulary = catalog.vocabulary
    items = [(r.file, r.id, r.conditions) for r in catalog.rules]
    items += [("benefit", b.spec.id, b.conditions) for b in catalog.benefits]
    for file, ident, conditions in items:
        for condition in conditions:
            if condition.field not in catalog.index.conditions:
                continue  # reported by _conditions
            allowed = _allowed(catalog, condition.field)
            values = condition.value if isinstance(condition.value, frozenset) else {condition.value}
            for value in sorted(str(v) for v in values):
                if allowed and value not in allowed:
                    what = t("lint.what.value", field=condition.field)
                    found.append(Finding("error", file, t("lint.in_condition", id=ident, text=condition.text)
                                         + _unknown(value, allowed, what)))
    categories = set(vocabulary.ids("expense_category"))
    boards = set(vocabulary.ids("board"))
    for rule in catalog.rules:
        for category in rule.spec.categories:
            if category not in categories:
                found.append(Finding("error", rule.file, t("lint.id_prefix", id=rule.id)
                                     + _unknown(category, categories, t("lint.what.category"))))
            elif rule.family not in vocabulary.programmes(category):
                found.append(_error(rule.file, "lint.category_programme", id=rule.id, category=category,
                                    programmes=", ".join(vocabulary.programmes(category)),
                                    family=rule.family))
        found += [Finding("error", rule.file,
                          t("lint.id_prefix", id=rule.id) + _unknown(board, boards, t("lint.what.board")))
                  for board in rule.spec.boards if board not in boards]
    found += [Finding("error", "benefit",
                      t("lint.id_prefix", id=b.spec.id) + _unknown(board, boards, t("lint.what.board")))
              for b in catalog.benefits for board in b.spec.boards if board not in boards]
    found += [Finding("error", "index.yaml", "districts_without_measures: "
                      + _unknown(d, set(vocabulary.districts), t("lint.what.district")))
              for d in catalog.index.districts_without_measures if d not in vocabulary.districts]
    return found


def _overlap(first: Rule, second: Rule) -> bool:
    """Can two rules be in force on one day?"""
    start = max(first.spec.effective_from or dt.date.min, second.spec.effective_from or dt.date.min)
    end = min(first.spec.effective_to or dt.date.max, second.spec.effective_to or dt.date.max)
    return start <= end


def _ladders(catalog: Catalog) -> list[Finding]:
    """Two tier rules that can pay the same district and level under one reading must be in one
    R1 group; otherwise the same recognition would be paid twice. Linear in the rules where the
    ladders are sound (rules of one group are never compared); where they are not, at most
    `_PAIRS_SHOWN` pairs of a rung are named, and the number of the others."""
    found = []
    by_rung: dict[tuple[str, str], list[Rule]] = defaultdict(list)
    for rule in catalog.rules:
        if rule.spec.kind != "tier_reward":
            continue
        if rule.spec.difference != "never" and not rule.spec.r1_group:
            found.append(_error(rule.file, "lint.no_r1_group", id=rule.id))
        for level in rule.spec.levels or {}:
            by_rung[(rule.payer, level)].append(rule)
    for (district, level), rules in by_rung.items():
        groups = {rule.spec.r1_group for rule in rules}
        if len(groups) == 1 and None not in groups:
            continue  # one R1 group: nothing can be paid twice
        pairs = 0
        for i, first in enumerate(rules):
            for second in rules[i + 1:]:
                if first.spec.r1_group is not None and first.spec.r1_group == second.spec.r1_group:
                    continue
                compatible = all(second.spec.only_when.get(k, v) == v
                                 for k, v in first.spec.only_when.items()) and _overlap(first, second)
                if compatible:
                    pairs += 1
                    if pairs <= _PAIRS_SHOWN:
                        found.append(_error(second.file, "lint.overlapping", first=first.id,
                                            second=second.id, district=district, level=level))
            if pairs > _PAIRS_SHOWN:
                break
        if pairs > _PAIRS_SHOWN:
            found.append(_error("index.yaml", "lint.more_overlapping", district=district,
                                level=level, shown=_PAIRS_SHOWN))
    return found


_PAIRS_SHOWN = 20


def _names(catalog: Catalog) -> list[Finding]:
    """Every measure (family and award id) has short names in both languages, declared in the
    package (`names: {zh: …, en: …}`) or in the message catalogue: output never shows a raw id."""
    known = set(names().get("measure", {})) | set(catalog.measure_names())
    where = {measure.id: file for measure_id, (file, measure) in catalog.families.items()}
    where.update({rule.measure: rule.file for rule in catalog.rules})
    return [_error(file, "lint.no_names", id=ident)
            for ident, file in where.items() if ident not in known]


def _coverage(catalog: Catalog) -> list[Finding]:
    districts = catalog.vocabulary.districts
    with_measures = {spec.payer for spec in catalog.files.values() if spec.payer != MUNICIPAL_PAYER}
    without = set(catalog.index.districts_without_measures)
    found: list[Finding] = []  # an unknown payer is a load problem (build)
    missing = set(districts) - with_measures - without
    if missing:
        found.append(_error("index.yaml", "lint.not_covered", districts=", ".join(sorted(missing))))
    both = with_measures & without
    if both:
        found.append(_error("index.yaml", "lint.listed_with_file", districts=", ".join(sorted(both))))
    return found


def _defects(catalog: Catalog) -> list[Finding]:
    """The brochure's own defects, found in the data and reported as warnings."""
    found = []
    district_items: list[int] = []
    for name, spec in catalog.files.items():
        if spec.payer == MUNICIPAL_PAYER:
            continue
        district_items += spec.brochure_items
        if len(spec.brochure_items) > len(set(spec.brochure_items)):
            found.append(Finding("warning", name, t(
                "lint.item_twice", item=spec.brochure_items[0], times=len(spec.brochure_items),
                district=spec.payer if current_lang() == "en" else
                catalog.vocabulary.name("place", spec.payer, "zh"))))
        if len(spec.sources) > 1:
            found.append(Finding("warning", name, t(
                "lint.two_sources", count=len(spec.sources), documents=t("reason.word.item_sep").join(
                    catalog.printed(s.document, current_lang()) for s in spec.sources))))
    numbers = set(district_items)
    for gap in sorted(set(range(1, max(numbers, default=0) + 1)) - numbers):
        found.append(Finding("warning", "index.yaml", t("lint.no_item", item=gap)))
    return found
