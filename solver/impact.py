"""Who is affected when policies change: one enterprise's awards under two sets of policies (two
catalog packages, or one package as in force on two dates), compared award by award.

An award is keyed by (measure, paying district, claim year); its amount is an interval. Between
the two answers an award is `added` (paid only under the new policies), `ended` (only under the
old ones) or `changed` (paid under both, another amount). Each such difference names what the
policies changed for its measure (`models.catalog.diff`: the measure added or removed, its
amount, its dates in force, its conditions…), or nothing when the difference follows from other
changes (a lower tier newly paid makes a higher tier pay only the difference, R2; a new reward
wins the most favorable choice, R1).

>>> from models.money import Money
>>> before = [("dongcheng.tier", "dongcheng", 2026, Money.fixed(800000))]
>>> after = [("dongcheng.tier", "dongcheng", 2026, Money.fixed(1000000)),
...          ("m7", "municipal", 2025, Money(0, 300))]
>>> found = compare(before, after, {"dongcheng.tier": (("changed", "amount"),)})
>>> [(c.kind, c.measure, c.claim_year) for c in found.causes]
[('changed', 'dongcheng.tier', 2026), ('added', 'm7', 2025)]
>>> (found.delta_min, found.delta_max)
(200000, 200300)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from models.catalog import MUNICIPAL_PAYER, Catalog, name
from models.catalog.diff import diff_catalogs
from models.i18n import messages, t
from models.money import Money
from models.record import EnterpriseRecord

AwardAmounts = list[tuple[str, str, int, Money]]  # (measure, paid_by, claim_year, amount)
CauseKind = Literal["added", "ended", "changed"]
# What the policies changed for a measure: (added | removed | changed, the aspect), e.g.
# ("added", "measure"), ("changed", "amount"), ("changed", "in force").
PolicyChanges = dict[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Cause:
    """One award that differs between the two answers, and why."""

    kind: CauseKind
    measure: str
    paid_by: str
    claim_year: int
    before: Money | None
    after: Money | None
    policy: tuple[tuple[str, str], ...]  # what the policies changed for the measure; () = none

    def as_dict(self) -> dict[str, object]:
        return {"change": self.kind, "measure": self.measure, "paid_by": self.paid_by,
                "claim_year": self.claim_year,
                "before": self.before.as_dict() if self.before else None,
                "after": self.after.as_dict() if self.after else None,
                "policy": [{"change": kind, "what": what} for kind, what in self.policy]}


@dataclass(frozen=True)
class Impact:
    """One enterprise's totals under the old and the new policies, and every award that differs."""

    before: Money
    after: Money
    causes: tuple[Cause, ...]

    @property
    def changed(self) -> bool:
        return bool(self.causes)

    @property
    def delta_min(self) -> int:
        return self.after.min - self.before.min

    @property
    def delta_max(self) -> int:
        return self.after.max - self.before.max

    @property
    def direction(self) -> str:
        """gain, loss, mixed (one end of the interval up, the other down) or moved (the same
        totals, paid otherwise: other measures, claim years or payers), for an answer that
        changed; unchanged otherwise."""
        if not self.changed:
            return "unchanged"
        low, high = self.delta_min, self.delta_max
        if low >= 0 and high >= 0 and (low or high):
            return "gain"
        if low <= 0 and high <= 0 and (low or high):
            return "loss"
        return "mixed" if (low or high) else "moved"


def _by_key(amounts: Iterable[tuple[str, str, int, Money]]) -> dict[tuple[str, str, int], Money]:
    found: dict[tuple[str, str, int], Money] = {}
    for measure, paid_by, year, amount in amounts:
        key = (measure, paid_by, year)
        found[key] = Money.total([found[key], amount]) if key in found else amount
    return found


def compare(before: AwardAmounts, after: AwardAmounts, policy: PolicyChanges) -> Impact:
    """The awards of two answers compared: every award added, ended or changed, in the order of
    the old answer, then the new awards in theirs."""
    old, new = _by_key(before), _by_key(after)
    causes: list[Cause] = []
    for key in dict.fromkeys([*old, *new]):
        measure, paid_by, year = key
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        kind: CauseKind = "added" if was is None else "ended" if now is None else "changed"
        causes.append(Cause(kind, measure, paid_by, year, was, now, policy.get(measure, ())))
    return Impact(Money.total(old.values()), Money.total(new.values()), tuple(causes))


def policy_changes(before: Catalog, after: Catalog) -> PolicyChanges:
    """What changed between two catalogs, per measure (`diff_catalogs`), each aspect once."""
    found: dict[str, list[tuple[str, str]]] = {}
    for change in diff_catalogs(before, after):
        aspect = (change.kind, change.what)
        if aspect not in found.setdefault(change.measure, []):
            found[change.measure].append(aspect)
    return {measure: tuple(aspects) for measure, aspects in found.items()}


# -- a batch row of `zjtx impact` -----------------------------------------------------------------

# The columns of an impact file: the row's own cells (id, name, credit code … warnings) around its
# answer (`impact_cells`).
IMPACT_COLUMNS = ("id", "name", "credit_code", "district", "from_total_min", "from_total_max",
                  "to_total_min", "to_total_max", "delta_min", "delta_max", "open_above",
                  "direction", "changes", "causes", "warnings")

def cached_policy_changes(before: Catalog, after: Catalog) -> PolicyChanges:
    """`policy_changes`, worked out once per pair of catalogs (a batch asks for every row): kept
    by the new catalog, keyed by the old one's facts (equal only to themselves)."""
    return after.worked_out(("policy changes", before.facts), lambda: policy_changes(before, after))


def impact_cells(record: EnterpriseRecord, before: AwardAmounts, after: AwardAmounts,
                 old: Catalog, new: Catalog, lang: str) -> dict[str, object]:
    """The answer cells of an impact row (every column of `IMPACT_COLUMNS` but the row's own):
    the totals before and after, the difference, and each award that differs, as words in
    `lang` (`changes`) and as data (`causes`, JSON)."""
    found = compare(before, after, cached_policy_changes(old, new))
    return {"district": record.district,
            "from_total_min": found.before.min, "from_total_max": found.before.max,
            "to_total_min": found.after.min, "to_total_max": found.after.max,
            "delta_min": found.delta_min, "delta_max": found.delta_max,
            "open_above": found.before.open_above or found.after.open_above,
            "direction": found.direction,
            "changes": t("impact.sep", lang).join(cause_text(c, lang) for c in found.causes),
            "causes": json.dumps([c.as_dict() for c in found.causes], ensure_ascii=False)
            if found.causes else ""}


def changed(names: tuple[str, ...], values: tuple[Any, ...]) -> bool:
    """Does an impact row's answer differ between the two policies (is it written)?"""
    return dict(zip(names, values)).get("direction") != "unchanged"


def _money(amount: Money | None, lang: str) -> str:
    if amount is None:
        return "0"
    body = f"{amount.min:,}" if amount.min == amount.max else f"{amount.min:,} – {amount.max:,}"
    return body + (t("money.or_more", lang) if amount.open_above else "")


def cause_text(cause: Cause, lang: str) -> str:
    """One award that differs, in words: what, paid by whom, when, how much before and after,
    and what the policies changed for it."""
    measure = cause.measure if lang == "en" else f"{name('measure', cause.measure, lang)}（{cause.measure}）"
    what = t("impact.sep", lang).join(policy_words(kind, aspect, lang) for kind, aspect in cause.policy)
    return t(f"impact.cause.{cause.kind}", lang, measure=measure, year=cause.claim_year,
             payer=name("district", cause.paid_by, lang), before=_money(cause.before, lang),
             after=_money(cause.after, lang)) \
        + (t("impact.policy", lang, what=what) if what else t("impact.policy_none", lang))


def policy_words(kind: str, aspect: str, lang: str) -> str:
    """What the policies changed for a measure, in words (an aspect without words of its own:
    named as the catalog names it)."""
    key = f"impact.what.{kind}.{aspect.replace(' ', '_')}"
    return t(key, lang) if key in messages() else t("impact.what.other", lang, what=aspect)


# -- rows the change of policies cannot reach --------------------------------------------------

def changed_payers(before: Catalog, after: Catalog) -> frozenset[str] | None:
    """The paying districts whose rules differ between two catalogs (with `municipal` when the
    jurisdiction's own do), or None when the catalogs differ in what every rule reads (the
    vocabulary's tiers, the readings): then every row must be evaluated under both. Worked out
    once per pair, kept by the new catalog."""
    return after.worked_out(("changed payers", before.facts), lambda: _changed_payers(before, after))


def _changed_payers(before: Catalog, after: Catalog) -> frozenset[str] | None:
    """`changed_payers`, worked out."""
    found: frozenset[str] | None
    if before.vocabulary.spec.tiers != after.vocabulary.spec.tiers \
            or before.index.readings != after.index.readings:
        found = None
    else:
        old, new = _rules_by_payer(before), _rules_by_payer(after)
        found = frozenset(payer for payer in {*old, *new} if old.get(payer) != new.get(payer))
    return found


def _rules_by_payer(catalog: Catalog) -> dict[str, list[tuple[str, str, dict[str, object]]]]:
    """Each payer's rules as plain data, in catalog order: equal lists read the same."""
    found: dict[str, list[tuple[str, str, dict[str, object]]]] = {}
    for rule in catalog.rules:
        found.setdefault(rule.payer, []).append((rule.measure, rule.family, rule.spec.model_dump()))
    return found


def out_of_reach(record: EnterpriseRecord, before: Catalog, after: Catalog) -> bool:
    """Is the record's answer the same under both catalogs without evaluating it twice? Yes when
    no rule of the jurisdiction changed and no district it was ever registered in (or moved
    from) changed its rules: the compiler reads no other district's rules for a batch answer
    (`solver.compile`: a district the record never touches cannot pay)."""
    payers = changed_payers(before, after)
    if payers is None or MUNICIPAL_PAYER in payers:
        return False
    known = before.measure_ids()
    if any(item.measure not in known for item in record.rewards_received):
        return False  # the old policies refuse the record: let them say so
    places = {record.district} | {place for move in record.moves for place in (move.from_, move.to)}
    return payers.isdisjoint(places)
