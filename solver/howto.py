"""The inverse question: what would it take for a measure to pay (or to reach a target)?

python-constraint searches the record's free attributes — one more recognition, a move, an
industry tag, the entity type, one more expense, listing, patent annuity or qualification — for
the smallest sets of changes under which a forward evaluation pays the measure. Every suggestion
is such a forward evaluation, so it is checked by construction (and again by the tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from constraint import FunctionConstraint, Problem

from models.catalog import Catalog, Rule, active_catalog
from models.errors import BugError, InputError
from models.money import Money
from models.record import EnterpriseRecord
from models.scenario import Scenario, parse_inline
from solver.evaluate import evaluate
from solver.planner import apply_scenario

MAX_CHANGES = 3
MAX_SUGGESTIONS = 5
NONE = "-"
DEFAULT_EXPENSE = 1_000_000


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _expense_amount(rule: Rule, target: int | None) -> int:
    """The smallest expense that lets the rule pay `target` (or its full "up to" amount)."""
    amount = rule.spec.amount
    if amount is None:  # only expense rules (one amount each) come here
        raise BugError(f"rule {rule.id} has no amount to reach")
    if amount.percent:
        return _ceil_div((target or DEFAULT_EXPENSE) * 100, amount.percent)
    ceiling = amount.up_to if amount.up_to is not None else amount.fixed or DEFAULT_EXPENSE
    return min(target, ceiling) if target else ceiling


def _domains(record: EnterpriseRecord, rules: list[Rule], day: dt.date,
             target: int | None, catalog: Catalog) -> dict[str, list[tuple[str, Scenario]]]:
    """For each free attribute, the changes worth trying (each a small scenario)."""
    options: dict[str, list[tuple[str, Scenario]]] = {}
    vocabulary = catalog.vocabulary

    def offer(attribute: str, label: str) -> None:
        """A change, written as a `zjtx whatif` inline item and parsed by the same parser."""
        options.setdefault(attribute, [(NONE, Scenario(name=NONE))])
        if label not in [name for name, _ in options[attribute]]:
            options[attribute].append((label, parse_inline([label], [])))

    for level in vocabulary.levels:  # a recognition at each ladder rung
        offer("recognition", f"recognition={level}@{day}")
    can_move = not record.moves or record.moves[-1].date < day
    for rule in rules:
        districts = [rule.payer] if rule.payer in vocabulary.districts else (
            list(vocabulary.districts) if record.district == vocabulary.outside else [])
        for district in districts:
            if can_move and district != record.district:
                offer("move", f"move={district}@{day}")
        for condition in rule.conditions:
            if condition.field == "industry" and condition.op in ("in", "=="):
                values = condition.value if isinstance(condition.value, frozenset) else {condition.value}
                for tag in sorted(str(v) for v in values):
                    if tag not in record.industries:
                        offer("industry", f"industry={tag}")
            if condition.field == "entity_type":
                for kind in vocabulary.ids("entity_type"):
                    if kind != record.entity_type:
                        offer("entity_type", f"entity_type={kind}")
        kind = rule.spec.kind
        if kind == "expense":
            amount = _expense_amount(rule, target)
            offered = {label.split(":")[0] for label, _ in options.get("expense", [])}
            for category in rule.spec.categories:
                if f"expense={category}" in offered:
                    continue  # one expense per category: the first rule's amount
                offer("expense", f"expense={category}:{amount}@{day.year}")
        elif kind in ("listing", "listing_district"):
            for board in rule.spec.boards:
                offer("listing", f"listing={board}@{day.year}")
        elif kind == "patent_annuity":
            standard = _ceil_div((target or 1000) * 100, 30)
            offer("patent", f"patent={standard}:{standard}@{day.year}/1")
        elif kind == "qualification_reward":
            named = {str(v) for c in rule.conditions if c.field == "qualification"
                     for v in (c.value if isinstance(c.value, frozenset) else {c.value})}
            kinds = [k for k in vocabulary.ids("qualification") if not named or k in named]
            if kinds:  # the first declared kind the rule accepts
                offer("qualification", f"qualification={kinds[0]}@{day}")
    return options


def howto(record: EnterpriseRecord, measure: str, target: int | None = None,
          readings: dict[str, str] | None = None, *, catalog: Catalog | None = None,
          today: dt.date | None = None, max_changes: int = MAX_CHANGES) -> dict[str, Any]:
    """The smallest sets of changes that make `measure` pay (at least `target` at the top)."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    rules = [r for r in catalog.active_rules(chosen) if r.measure == measure]
    if not rules:
        raise InputError(f"unknown measure {measure!r}", field="--measure",
                         accepted=", ".join(catalog.measure_ids()))
    if target is not None and target <= 0:
        raise InputError("the target must be a positive number of yuan", field="--target")
    day = record.as_of or today or dt.date.today()
    options = _domains(record, rules, day, target, catalog)
    need = target or 1

    memo: dict[tuple[str, ...], Money | None] = {}

    def pays(combination: tuple[str, ...]) -> Money | None:
        if combination not in memo:
            scenario = Scenario(name="howto")
            for attribute, label in zip(options, combination):
                scenario = scenario.merged(dict(options[attribute])[label])
            try:
                changed, changed_catalog, changed_readings = apply_scenario(record, scenario,
                                                                            catalog, chosen)
                result = evaluate(changed, changed_readings, catalog=changed_catalog, today=today)
            except InputError:  # an impossible record (e.g. a duplicate recognition)
                memo[combination] = None
                return None
            total = Money.total(award.amount for award in result.awards
                                if award.measure == measure and not award.received)
            memo[combination] = total if total.max >= need else None
        return memo[combination]

    names = list(options)
    for size in range(max_changes + 1):
        problem = Problem()
        for attribute in names:
            problem.addVariable(attribute, [label for label, _ in options[attribute]])
        if names:
            problem.addConstraint(FunctionConstraint(
                lambda *labels, size=size: sum(label != NONE for label in labels) == size), names)
            problem.addConstraint(FunctionConstraint(
                lambda *labels: pays(tuple(labels)) is not None), names)
            solutions = problem.getSolutions()
        else:
            solutions = [{}] if size == 0 and pays(()) is not None else []
        if solutions:
            # The most money first, then the fewest words.
            found = sorted({tuple(s[a] for a in names) for s in solutions},
                           key=lambda combo: (-pays(combo).max, -pays(combo).min, combo))  # type: ignore[union-attr]
            return {"enterprise": record.id, "measure": measure, "target": target,
                    "changes_needed": size,
                    "suggestions": [{"changes": [label for label in combo if label != NONE],
                                     "amount": pays(combo).as_dict()}  # type: ignore[union-attr]
                                    for combo in found[:MAX_SUGGESTIONS]]}
    return {"enterprise": record.id, "measure": measure, "target": target,
            "changes_needed": None, "suggestions": [],
            "note": f"no combination of up to {max_changes} changes makes {measure} pay"
                    + (f" {target:,}" if target else "")}


def single_changes(record: EnterpriseRecord, measures: list[str], day: dt.date,
                   readings: dict[str, str] | None = None, *,
                   catalog: Catalog | None = None) -> list[str]:
    """Every single change `howto` would try to make one of `measures` pay, as `zjtx whatif`
    inline items (in a stable order, each once)."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    rules = [r for r in catalog.active_rules(chosen) if r.measure in measures]
    options = _domains(record, rules, day, None, catalog)
    return list(dict.fromkeys(label for choices in options.values() for label, _ in choices
                              if label != NONE))
