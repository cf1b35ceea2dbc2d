"""The optimization falls apart into independent components: candidates tied by a rule (an R1
group, an R3 key, an R4 expense item, a cap, a year limit, a "not less than" mirror, an R2
difference) land in one component, and no rule ties two components. The lexicographic optimum of
the whole is the sum of the components' optima (the objective is a sum and the order is compatible
with addition), so each component is solved on its own — by enumeration when it is small
(`solver.fastpath`), by CP-SAT otherwise (`solver.optimize`) — with the same global weights.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from models.money import Money
from solver.compile import Candidate


def earliest_rank(candidates: list[Candidate]) -> dict[str, int]:
    """Each candidate's place in claim-year order: the last stage pays money earliest first."""
    order = sorted(candidates, key=lambda c: (c.claim_year, c.key))
    return {c.key: n for n, c in enumerate(order)}


def earliest_weight(rank: dict[str, int], key: str) -> int:
    """The weight of one yuan of `key` in the last stage (earlier claims weigh more)."""
    return len(rank) - rank[key]


def components(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped by the rules that tie them (union-find), in candidate order."""
    parent = list(range(len(candidates)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key = {c.key: i for i, c in enumerate(candidates)}
    first_with: dict[tuple[str, str], int] = {}
    for i, c in enumerate(candidates):
        links = [("r1", c.r1_group), ("r3", c.one_time), ("r4", c.expense_item)]
        links += [("cap", cap) for cap in c.caps]
        if c.year_limit:
            links.append(("years", c.year_limit[0]))
        for kind, key in links:
            if key:
                j = first_with.setdefault((kind, key), i)
                parent[find(i)] = find(j)
        for other in ((c.mirror_of,) if c.mirror_of else ()) + c.deduct:
            parent[find(i)] = find(by_key[other])
    groups: dict[int, list[Candidate]] = defaultdict(list)
    for i, c in enumerate(candidates):
        groups[find(i)].append(c)
    return list(groups.values())


@dataclass(frozen=True)
class Solution:
    """The chosen awards (candidate key → amount paid) and the objective values."""

    paid: dict[str, Money]
    upper: int
    lower: int
    count: int
    method: str = "cp-sat"


Score = tuple[int, int, int, int]  # (upper, lower, count, earliest first) of one component
Part = tuple[Score, dict[str, Money]]  # a component's optimum and what it pays


def assemble(parts: list[Part], rank: dict[str, int], method: str) -> Solution:
    """The whole record's Solution from its components' optima (payments in claim-year order)."""
    paid: dict[str, Money] = {}
    upper = lower = count = 0
    for (part_upper, part_lower, part_count, _earliest), payments in parts:
        paid.update(payments)
        upper, lower, count = upper + part_upper, lower + part_lower, count + part_count
    return Solution(paid=dict(sorted(paid.items(), key=lambda kv: rank[kv[0]])), upper=upper,
                    lower=lower, count=count, method=method)
