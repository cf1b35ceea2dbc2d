"""What changed between two catalogs, or between two dates of one catalog: measures added or
removed, for each measure kept its amounts, conditions, caps, categories, boards and contacts,
and the entries of the vocabulary's closed lists added, removed or renamed (`vocabulary.<list>`).

Rules are compared measure by measure (the award id a result names), so that an edition which
closes `dongcheng.tier` and opens `dongcheng.tier.2025` for the same measure reads as a changed
amount, not as one rule removed and another added. Within a measure, rules pair by id first, then
in catalog order.

>>> from models.catalog import load_catalog
>>> import datetime as dt
>>> catalog = load_catalog()
>>> diff_catalogs(catalog.in_force(dt.date(2022, 10, 1)), catalog.in_force(dt.date(2025, 1, 1)))
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.catalog import Catalog, Rule
from models.errors import BugError


@dataclass(frozen=True)
class Change:
    """One difference: `kind` is added, removed or changed; `what` the aspect that differs."""

    kind: str
    measure: str
    what: str
    before: Any = None
    after: Any = None
    rule: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"change": self.kind, "measure": self.measure, "what": self.what,
                "rule": self.rule, "before": self.before, "after": self.after}

    def __str__(self) -> str:
        mark = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        where = f"{self.measure}" + (f" ({self.rule})" if self.rule else "")
        if self.kind == "changed":
            return f"{mark} {where}: {self.what}: {show_value(self.before)} → {show_value(self.after)}"
        return f"{mark} {where}: {self.what} {self.kind}" + (f": {show_value(self.after or self.before)}"
                                                            if (self.after or self.before) else "")


def show_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


# The fields of a rule that say what it is and where it is quoted, not what it pays or to whom:
# every other field of RuleSpec is an aspect below (tests/test_later_edition.py holds the two
# lists to RuleSpec's fields, so a new field is compared or named here).
NOT_POLICY = frozenset({"id", "measure", "title", "names", "quote", "source"})


def _aspects(rule: Rule) -> dict[str, object]:
    """The parts of a rule a policy reader compares (amounts as declared, in whole yuan): every
    field of its spec that decides an award, and its payer and contact."""
    spec = rule.spec
    if spec.levels is not None:
        amount: Any = {level: a.model_dump(exclude_defaults=True) for level, a in spec.levels.items()}
    else:
        amount = spec.amount.model_dump(exclude_defaults=True) if spec.amount else None
    return {
        "kind": spec.kind,
        "amount": amount,
        "conditions": list(spec.conditions),
        "caps": [cap.model_dump() for cap in spec.caps],
        "year limit": [limit.model_dump() for limit in spec.max_years],
        "categories": list(spec.categories),
        "boards": list(spec.boards),
        "occasions": list(spec.pays_for),
        "one time": spec.one_time,
        "previous year": spec.previous_year,
        "difference": spec.difference,
        "ladder": {"r1_group": spec.r1_group, "tier_held": spec.tier_held,
                   "ladder_level": spec.ladder_level,
                   "recognition_counts_as": dict(spec.recognition_counts_as)},
        "payer": rule.payer,
        "readings": dict(spec.only_when),
        "contact": [rule.contact, rule.tel],
        "in force": [str(spec.effective_from or "…"), str(spec.effective_to or "…")],
    }


# RuleSpec's fields → the aspect that compares each (the rest are NOT_POLICY).
COMPARED = {"kind": "kind", "amount": "amount", "levels": "amount", "conditions": "conditions",
            "caps": "caps", "max_years": "year limit", "categories": "categories",
            "boards": "boards", "pays_for": "occasions", "one_time": "one time",
            "previous_year": "previous year", "difference": "difference", "r1_group": "ladder",
            "tier_held": "ladder", "ladder_level": "ladder", "recognition_counts_as": "ladder",
            "only_when": "readings", "effective_from": "in force", "effective_to": "in force"}


def _by_measure(catalog: Catalog) -> dict[str, list[Rule]]:
    out: dict[str, list[Rule]] = {}
    for rule in catalog.rules:
        out.setdefault(rule.measure, []).append(rule)
    return out


def _pairs(before: list[Rule], after: list[Rule]) -> list[tuple[Rule | None, Rule | None]]:
    """Rules of one measure paired by id, then the rest in order."""
    after_ids = {rule.id: rule for rule in after}
    pairs: list[tuple[Rule | None, Rule | None]] = [(r, after_ids[r.id]) for r in before if r.id in after_ids]
    paired = {r.id for r, _ in pairs if r is not None}
    old = [r for r in before if r.id not in paired]
    new = [r for r in after if r.id not in paired]
    pairs += list(zip(old, new))
    pairs += [(r, None) for r in old[len(new):]] + [(None, r) for r in new[len(old):]]
    return pairs


VOCABULARY_LISTS = ("districts", "tiers", "entity_types", "industries", "expense_categories",
                    "boards", "qualifications")


def _vocabulary_changes(before: Catalog, after: Catalog) -> list[Change]:
    """Entries of the vocabulary's closed lists added, removed or changed (`vocabulary.<list>`:
    what records and conditions may name)."""
    changes: list[Change] = []
    for name in VOCABULARY_LISTS:
        old = {term.id: term for term in getattr(before.vocabulary.spec, name)}
        new = {term.id: term for term in getattr(after.vocabulary.spec, name)}
        where = f"vocabulary.{name}"
        for ident in dict.fromkeys([*old, *new]):
            if ident not in new:
                changes.append(Change("removed", where, ident, before=f"{old[ident].zh} {old[ident].en}"))
            elif ident not in old:
                changes.append(Change("added", where, ident, after=f"{new[ident].zh} {new[ident].en}"))
            elif old[ident] != new[ident]:
                changes.append(Change("changed", where, ident, before=old[ident].model_dump(exclude_defaults=True),
                                      after=new[ident].model_dump(exclude_defaults=True)))
    return changes


def diff_catalogs(before: Catalog, after: Catalog) -> list[Change]:
    """Every difference between two catalogs (or two dates of one), in catalog order, then the
    vocabulary's."""
    old, new = _by_measure(before), _by_measure(after)
    changes: list[Change] = []
    for measure in dict.fromkeys([*old, *new]):
        if measure not in new:
            changes.append(Change("removed", measure, "measure", before=old[measure][0].spec.quote))
            continue
        if measure not in old:
            changes.append(Change("added", measure, "measure", after=new[measure][0].spec.quote))
            continue
        for first, second in _pairs(old[measure], new[measure]):
            if second is None:
                if first is None:  # _pairs pairs a rule with its match or with None, never None with None
                    raise BugError(f"{measure}: a pair of rules without either rule")
                changes.append(Change("removed", measure, "rule", rule=first.id))
            elif first is None:
                changes.append(Change("added", measure, "rule", rule=second.id,
                                      after=_aspects(second)["amount"]))
            else:
                a, b = _aspects(first), _aspects(second)
                label = first.id if first.id == second.id else f"{first.id} → {second.id}"
                changes += [Change("changed", measure, aspect, before=a[aspect], after=b[aspect],
                                   rule=label) for aspect in a if a[aspect] != b[aspect]]
    return changes + _vocabulary_changes(before, after)
