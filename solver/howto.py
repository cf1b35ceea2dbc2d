"""The inverse question: what would it take for a measure to pay (or to reach a target)?

python-constraint searches the record's free attributes — one more recognition, a move, an
industry tag, the entity type, one more expense, listing, patent annuity or qualification — for
the smallest sets of changes under which a forward evaluation pays the measure. Every suggestion
is such a forward evaluation, so it is checked by construction (and again by the tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from constraint import FunctionConstraint, Problem

from models.i18n import t
from models.limits import MAX_YUAN, Quoted
from models.normalize import measures_accepted
from models.catalog import Catalog, Rule, active_catalog
from models.errors import InputError
from models.money import Money
from models.record import EnterpriseRecord
from models.scenario import Change, Scenario, scenario_of
from solver.evaluate import evaluate
from solver.planner import apply_scenario

MAX_CHANGES = 3
MAX_SUGGESTIONS = 5
DEFAULT_EXPENSE = 1_000_000


@dataclass(frozen=True)
class Suggestion:
    """A set of changes under which a forward evaluation pays the measure, and what it pays."""

    changes: tuple[Change, ...]
    amount: Money

    def scenario(self) -> Scenario:
        """The scenario `whatif` applies: every change at once."""
        return scenario_of(self.changes)

    def as_dict(self) -> dict[str, object]:
        return {"changes": [c.label for c in self.changes],
                "details": [c.as_dict() for c in self.changes], "amount": self.amount.as_dict()}


@dataclass(frozen=True)
class HowTo:
    """The answer to "what would it take": the fewest changes first, the most money first."""

    enterprise: str
    measure: str
    target: int | None
    max_changes: int
    changes_needed: int | None          # None: no combination of up to max_changes
    suggestions: tuple[Suggestion, ...]

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"enterprise": self.enterprise, "measure": self.measure,
                               "target": self.target, "changes_needed": self.changes_needed,
                               "suggestions": [s.as_dict() for s in self.suggestions]}
        if self.changes_needed is None:
            out["note"] = (f"no combination of up to {self.max_changes} changes makes "
                           f"{self.measure} pay" + (f" {self.target:,}" if self.target else ""))
        return out


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _expense_amount(rule: Rule, target: int | None) -> int:
    """The smallest expense that lets the rule pay `target` (or its full "up to" amount)."""
    amount = rule.spec.amount
    if amount is None:  # an expense rule without an amount pays nothing: try the default
        return target or DEFAULT_EXPENSE
    if amount.percent:
        return _ceil_div((target or DEFAULT_EXPENSE) * 100, amount.percent)
    ceiling = amount.up_to if amount.up_to is not None else amount.fixed or DEFAULT_EXPENSE
    return min(target, ceiling) if target else ceiling


def _domains(record: EnterpriseRecord, rules: list[Rule], day: dt.date,
             target: int | None, catalog: Catalog) -> dict[str, list[Change | None]]:
    """For each free attribute, the changes worth trying (None: leave it as it is)."""
    options: dict[str, list[Change | None]] = {}
    vocabulary = catalog.vocabulary

    def offer(attribute: str, change: Change) -> None:
        choices = options.setdefault(attribute, [None])
        if change not in choices:
            choices.append(change)

    for level in vocabulary.levels:  # a recognition at each ladder rung
        offer("recognition", Change.recognition(level, day))
    can_move = not record.moves or record.moves[-1].date < day
    for rule in rules:
        districts = [rule.payer] if rule.payer in vocabulary.districts else (
            list(vocabulary.districts) if record.district == vocabulary.outside else [])
        for district in districts:
            if can_move and district != record.district:
                offer("move", Change.moving(district, day))
        for condition in rule.conditions:
            if condition.field == "industry" and condition.op in ("in", "=="):
                values = condition.value if isinstance(condition.value, frozenset) else {condition.value}
                for tag in sorted(str(v) for v in values):
                    if tag not in record.industries:
                        offer("industry", Change.industry(tag))
            if condition.field == "entity_type":
                for kind in vocabulary.ids("entity_type"):
                    if kind != record.entity_type:
                        offer("entity_type", Change.setting("entity_type", kind))
        kind = rule.spec.kind
        if kind == "expense":
            amount = _expense_amount(rule, target)
            offered = {dict(c.adds)["expenses"]["category"] for c in options.get("expense", []) if c}
            for category in rule.spec.categories:
                if category in offered:
                    continue  # one expense per category: the first rule's amount
                offer("expense", Change.expense(category, amount, day.year))
        elif kind in ("listing", "listing_district"):
            for board in rule.spec.boards:
                offer("listing", Change.listing(board, day.year))
        elif kind == "patent_annuity":
            standard = _ceil_div((target or 1000) * 100, 30)
            offer("patent", Change.patent(standard, standard, day.year, 1))
        elif kind == "qualification_reward":
            named = {str(v) for c in rule.conditions if c.field == "qualification"
                     for v in (c.value if isinstance(c.value, frozenset) else {c.value})}
            kinds = [k for k in vocabulary.ids("qualification") if not named or k in named]
            if kinds:  # the first declared kind the rule accepts
                offer("qualification", Change.qualification(kinds[0], day))
    return options


def howto(record: EnterpriseRecord, measure: str, target: int | None = None,
          readings: dict[str, str] | None = None, *, catalog: Catalog | None = None,
          today: dt.date | None = None, max_changes: int = MAX_CHANGES) -> HowTo:
    """The smallest sets of changes that make `measure` pay (at least `target` at the top)."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    rules = [r for r in catalog.active_rules(chosen) if r.measure == measure]
    if not rules:
        raise InputError(t("option.unknown_measure", measure=Quoted(measure), hint=""), field="measure",
                         accepted=measures_accepted(catalog.measure_ids()))
    if target is not None and not 0 < target <= MAX_YUAN:
        raise InputError(f"the target must be a positive number of yuan, at most {MAX_YUAN:,}",
                         field="target", accepted=f"1 .. {MAX_YUAN:,}")
    day = record.as_of or today or dt.date.today()
    options = _domains(record, rules, day, target, catalog)
    names = list(options)
    need = target or 1
    memo: dict[tuple[int, ...], Money | None] = {}

    def pays(combination: tuple[int, ...]) -> Money | None:
        """What the measure pays with the chosen option of each attribute (None: not enough)."""
        if combination not in memo:
            changes = [c for a, i in zip(names, combination) if (c := options[a][i]) is not None]
            try:
                changed, changed_catalog, changed_readings = apply_scenario(
                    record, scenario_of(changes, name="howto"), catalog, chosen)
                result = evaluate(changed, changed_readings, catalog=changed_catalog, today=today)
            except InputError:  # an impossible record (e.g. a duplicate recognition)
                memo[combination] = None
                return None
            total = Money.total(award.amount for award in result.awards
                                if award.measure == measure and not award.received)
            memo[combination] = total if total.max >= need else None
        return memo[combination]

    for size in range(max_changes + 1):
        found: list[tuple[tuple[int, ...], Money]] = []
        if names:
            problem = Problem()
            for attribute in names:
                problem.addVariable(attribute, list(range(len(options[attribute]))))
            problem.addConstraint(FunctionConstraint(
                lambda *chosen_options, size=size: sum(i != 0 for i in chosen_options) == size),
                names)
            problem.addConstraint(FunctionConstraint(
                lambda *chosen_options: pays(tuple(chosen_options)) is not None), names)
            for combination in sorted({tuple(s[a] for a in names) for s in problem.getSolutions()}):
                amount = pays(combination)
                if amount is not None:
                    found.append((combination, amount))
        elif size == 0:
            amount = pays(())
            found = [((), amount)] if amount is not None else []
        if found:
            suggestions = [Suggestion(tuple(c for a, i in zip(names, combo)
                                            if (c := options[a][i]) is not None), amount)
                           for combo, amount in found]
            # The most money first, then the fewest words.
            suggestions.sort(key=lambda s: (-s.amount.max, -s.amount.min,
                                            tuple(c.label for c in s.changes)))
            return HowTo(record.id, measure, target, max_changes, size,
                         tuple(suggestions[:MAX_SUGGESTIONS]))
    return HowTo(record.id, measure, target, max_changes, None, ())


def single_changes(record: EnterpriseRecord, measures: list[str], day: dt.date,
                   readings: dict[str, str] | None = None, *,
                   catalog: Catalog | None = None) -> list[Change]:
    """Every single change `howto` would try to make one of `measures` pay (in a stable order,
    each once)."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    rules = [r for r in catalog.active_rules(chosen) if r.measure in measures]
    options = _domains(record, rules, day, None, catalog)
    return list(dict.fromkeys(change for choices in options.values() for change in choices
                              if change is not None))
