"""The exact fast path: the same lexicographic optimum as CP-SAT, without CP-SAT, for records whose
candidates fall apart into small independent components.

Candidates are linked when a rule ties them (an R1 group, an R3 key, an R4 expense item, a cap, a
year limit, a "not less than" mirror, an R2 difference). Each component is solved on its own by
enumerating the combinations its at-most-one rules allow and pricing each exactly (a cap is filled
greedily by weight, then earliest claim first — optimal for a continuous fill). The objective is
the optimizer's, stage for stage: upper total, lower total, number of awards, then money earliest.
Before enumerating, awards that the rules treat alike are folded (`interchangeable`): awards that
share every at-most-one key (R1 group, R3 key, R4 item) and the awards deducting them (R2), and
take part in nothing else (no cap, year limit or mirror), are never paid two at a time, and what
one of them adds depends only on which of its deductors are paid — so an optimum needs at most one
of them per set of deductors: a catalog of 10,000 tier rules in one R1 group is a choice among one
or two awards, not 2^10,000 combinations. A component still larger than `MAX_COMPONENT` is not
enumerable: `solver.evaluate.solve` gives that component (only, folded) to CP-SAT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace

from models.errors import BugError
from models.money import Money
from solver.compile import Candidate, Compiled, difference_cut, effective_amount
from solver.components import Part, Solution, assemble, components, earliest_rank, earliest_weight

MAX_COMPONENT = 12
MAX_DEDUCTORS = 4  # awards deducted by more are not folded (one kept per set of deductors)
_Class = tuple[str | None, str | None, str | None, tuple[str, ...]]  # keys R1, R3, R4; deductors


def _price(members: list[Candidate], chosen: frozenset[str], compiled: Compiled,
           rank: dict[str, int], effective: dict[str, Money]) -> tuple[tuple[int, int, int, int], dict[str, Money]]:
    """Exact objective (upper, lower, count, earliest-first) and payments of one combination."""
    weight: dict[str, int] = defaultdict(lambda: 1)
    for c in members:
        if c.key in chosen and c.mirror_of:
            weight[c.mirror_of] += 1
    pay: dict[str, int] = {}
    in_cap: dict[str, list[Candidate]] = defaultdict(list)
    for c in members:
        if c.key not in chosen or c.mirror_of:
            continue
        if c.caps:
            in_cap[c.caps[0]].append(c)
        else:
            pay[c.key] = effective[c.key].max
    for cap, capped in in_cap.items():
        room = compiled.caps[cap]
        for c in sorted(capped, key=lambda m: (-weight[m.key], rank[m.key])):
            pay[c.key] = min(room, effective[c.key].max)
            room -= pay[c.key]
    for c in members:
        if c.key in chosen and c.mirror_of:
            pay[c.key] = pay[c.mirror_of]
    upper = sum(pay.values())
    lower = sum(effective[c.key].min for c in members if c.key in chosen)
    earliest = sum(earliest_weight(rank, key) * amount for key, amount in pay.items())
    paid: dict[str, Money] = {}
    by_key = {c.key: c for c in members}
    for key in sorted(chosen, key=rank.__getitem__):
        c = by_key[key]
        low, high = effective[key].min, pay[key]
        for lower_key in c.deduct:
            if lower_key in chosen:
                cut_min, cut_max = difference_cut(c, by_key[lower_key])
                low, high, upper, lower = low - cut_min, high - cut_max, upper - cut_max, lower - cut_min
        paid[key] = Money(low, high, c.amount.open_above)
    return (upper, lower, len(chosen), earliest), paid


def _combinations(members: list[Candidate], compiled: Compiled) -> Iterator[frozenset[str]]:
    """Every combination the at-most-one rules (R1, R3, R4), mirrors and year limits allow."""
    order = sorted(members, key=lambda c: c.mirror_of is not None)  # mirrors follow their original
    yield from _walk(order, compiled.year_limits, 0, [], set(), {})


def _exclusive_keys(c: Candidate) -> list[tuple[str, str]]:
    return [(k, v) for k, v in (("r1", c.r1_group), ("r3", c.one_time), ("r4", c.expense_item)) if v]


def _walk(order: list[Candidate], limits: dict[str, int], i: int, chosen: list[str],
          used: set[tuple[str, str]], years: dict[str, set[int]]) -> Iterator[frozenset[str]]:
    """The combinations of `order[i:]` beside `chosen`. (A module function: a recursive closure
    is a reference cycle, which kept each record's compiled candidates alive until the garbage
    collector's next pass.)"""
    if i == len(order):
        yield frozenset(chosen)
        return
    c = order[i]
    if c.mirror_of:  # paid exactly when its counterpart is
        if c.mirror_of in chosen:
            yield from _walk(order, limits, i + 1, chosen + [c.key], used, years)
        else:
            yield from _walk(order, limits, i + 1, chosen, used, years)
        return
    yield from _walk(order, limits, i + 1, chosen, used, years)
    keys = _exclusive_keys(c)
    if any(k in used for k in keys):
        return
    new_years = years
    if c.year_limit:
        key, year = c.year_limit
        spent = years.get(key, set()) | {year}
        if len(spent) > limits[key]:
            return
        new_years = {**years, key: spent}
    yield from _walk(order, limits, i + 1, chosen + [c.key], used | set(keys), new_years)


def interchangeable(members: list[Candidate], rank: dict[str, int],
                    effective: dict[str, Money]) -> list[Candidate]:
    """The component with every class of interchangeable awards folded into the few of its
    members an optimum can need, in member order: the same optimum (score and payments) as the
    whole component. An award that deducts folded ones (R2) deducts only the kept ones (the
    others are never paid).

    A class: awards with the same R1 group, R3 key and R4 item (at least one of them) and the
    same higher awards deducting them (R2, at most `MAX_DEDUCTORS`), with no cap, no year limit,
    no mirror and no R2 difference of their own, that no award mirrors. Two of a class are never
    paid together, and what one adds to the objective depends only on which of its deductors
    are paid (`_adds`), so an optimum holding one of them may hold instead the best of the class
    for those deductors: one member is kept for each set of deductors. Best by the objective's
    own stages; among equals (awards of 0 yuan) the last in member order, the one enumeration
    would meet first.
    """
    if len(members) < 2:  # (an award alone is its own class)
        return members
    mirrored = {c.mirror_of for c in members if c.mirror_of}
    deductors: dict[str, list[Candidate]] = defaultdict(list)
    for c in members:
        for lower_key in c.deduct:
            deductors[lower_key].append(c)

    def kind(c: Candidate) -> _Class | None:
        """The class of an award that can be folded, or None."""
        above = deductors.get(c.key, [])
        if (c.r1_group, c.one_time, c.expense_item) == (None, None, None) or c.caps \
                or c.year_limit or c.mirror_of or c.deduct or c.key in mirrored \
                or len(above) > MAX_DEDUCTORS:
            return None
        return c.r1_group, c.one_time, c.expense_item, tuple(h.key for h in above)

    classes: dict[_Class, list[Candidate]] = defaultdict(list)
    for c in members:
        if (keys := kind(c)) is not None:
            classes[keys].append(c)
    kept: set[str] = set()
    for alike in classes.values():
        above = deductors.get(alike[0].key, [])
        for paid_above in range(1 << len(above)):  # each set of deductors paid beside it
            paid = [h for n, h in enumerate(above) if paid_above >> n & 1]
            best = alike[0]
            for c in alike[1:]:
                if _adds(c, paid, rank, effective) >= _adds(best, paid, rank, effective):
                    best = c
            kept.add(best.key)
    dropped = {c.key for alike in classes.values() for c in alike} - kept
    if not dropped:
        return members
    return [c if not set(c.deduct) & dropped else
            replace(c, deduct=tuple(key for key in c.deduct if key not in dropped))
            for c in members if c.key not in dropped]


def _adds(c: Candidate, paid_above: list[Candidate], rank: dict[str, int],
          effective: dict[str, Money]) -> tuple[int, int, int]:
    """What an award without a cap, mirror or difference of its own adds to the objective when
    paid beside `paid_above`, the awards that deduct it (R2): its amount less what they lose
    (upper, then lower), then its earliest-first weight (the number of awards: one)."""
    amount = effective[c.key]
    upper, lower = amount.max, amount.min
    for higher in paid_above:
        cut_min, cut_max = difference_cut(higher, c)
        upper, lower = upper - cut_max, lower - cut_min
    return upper, lower, earliest_weight(rank, c.key) * amount.max


def enumerable(members: list[Candidate]) -> bool:
    """Small enough to enumerate, and every award in at most one cap (greedy pricing fills one)."""
    return len(members) <= MAX_COMPONENT and all(len(c.caps) <= 1 for c in members)


def solve_part(members: list[Candidate], compiled: Compiled, rank: dict[str, int],
               effective: dict[str, Money]) -> Part:
    """One enumerable component's optimum: its score and what each chosen award pays."""
    if len(members) == 1 and not members[0].deduct and not members[0].year_limit:
        # Alone, an award is always taken (amounts are never negative), capped by its cap.
        c = members[0]
        amount = effective[c.key]
        high = min([amount.max] + [compiled.caps[cap] for cap in c.caps])
        return ((high, amount.min, 1, earliest_weight(rank, c.key) * high),
                {c.key: Money(amount.min, high, amount.open_above)})
    best_score, best_paid = None, {}
    for chosen in _combinations(members, compiled):
        score, payments = _price(members, chosen, compiled, rank, effective)
        if best_score is None or score > best_score:
            best_score, best_paid = score, payments
    if best_score is None:  # taking nothing is always a combination
        raise BugError("no combination of a component was priced")
    return best_score, best_paid


def solve_exact(compiled: Compiled) -> Solution | None:
    """The optimum by components (interchangeable awards folded), or None when a component is
    too large for enumeration."""
    rank = earliest_rank(compiled.candidates)
    effective = {c.key: effective_amount(c) for c in compiled.candidates}
    parts = [interchangeable(members, rank, effective) for members in components(compiled.candidates)]
    if not all(enumerable(members) for members in parts):
        return None
    return assemble([solve_part(members, compiled, rank, effective) for members in parts], rank,
                    "exact")
