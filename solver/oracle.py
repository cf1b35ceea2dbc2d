"""A brute-force oracle with python-constraint: enumerate every combination of candidates that
R1, R3, R4 and the year limits allow, price each one exactly, and return the best objective.

It shares nothing with the CP-SAT model, the fast path or the soundness check but the compiled
data: even the R2 difference and a received reward are priced here in the oracle's own words, so
that a pricing bug elsewhere cannot make all three agree. A property test asserts that the
optimizer's optimum equals the oracle's on small records.
"""

from __future__ import annotations

from collections import defaultdict

from constraint import Problem

from solver.compile import Candidate, Compiled

MAX_CANDIDATES = 18  # 2^18 combinations at most; the oracle is for small records


def best_objective(compiled: Compiled) -> tuple[int, int, int]:
    """(upper total, lower total, number of awards) of the best combination."""
    candidates = compiled.candidates
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(f"{len(candidates)} candidates: too many for the oracle")
    if not candidates:
        return (0, 0, 0)
    problem = Problem()
    for c in candidates:
        problem.addVariable(c.key, [0, 1])
    exclusive: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in candidates:
        for kind, key in (("R1", c.r1_group), ("R3", c.one_time), ("R4", c.expense_item)):
            if key:
                exclusive[(kind, key)].append(c.key)
        if c.mirror_of:
            problem.addConstraint(lambda a, b: a == b, (c.key, c.mirror_of))
    for members in exclusive.values():
        if len(set(members)) > 1:
            problem.addConstraint(lambda *xs: sum(xs) <= 1, tuple(dict.fromkeys(members)))
    by_year_key: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for c in candidates:
        if c.year_limit:
            by_year_key[c.year_limit[0]][c.year_limit[1]].append(c.key)
    for key, years in by_year_key.items():
        limit = compiled.year_limits[key]
        groups = list(years.values())
        names = [name for group in groups for name in group]
        sizes = [len(group) for group in groups]

        def within(*xs: int, sizes: list[int] = sizes, limit: int = limit) -> bool:
            used, start = 0, 0
            for size in sizes:
                used += any(xs[start:start + size])
                start += size
            return used <= limit
        problem.addConstraint(within, names)
    return max(_price(compiled, solution) for solution in problem.getSolutionIter())


def _still_due(c: Candidate) -> tuple[int, int]:
    """(min, max) an award pays after what its ladder already received for a lower tier (R2),
    never below zero."""
    return max(0, c.amount.min - c.deduct_received), max(0, c.amount.max - c.deduct_received)


def _price(compiled: Compiled, taken: dict[str, int]) -> tuple[int, int, int]:
    """Exact best (upper, lower, count) for one choice of candidates.

    Capped amounts are continuous within a cap, so the best fill is greedy by weight (an award
    whose "not less than" mirror is also paid weighs 2); every candidate sits in at most one cap.
    R2: a higher-tier award taken with a lower-tier one of its ladder loses what the lower one
    pays at most, down to zero.
    """
    by_key = {c.key: c for c in compiled.candidates}
    chosen = [c for c in compiled.candidates if taken[c.key]]
    weight: defaultdict[str, int] = defaultdict(lambda: 1)
    for c in chosen:
        if c.mirror_of:
            weight[c.mirror_of] += 1
    upper = lower = 0
    in_cap: dict[str, list[Candidate]] = defaultdict(list)
    for c in chosen:
        low, high = _still_due(c)
        lower += low
        if c.mirror_of:
            continue  # priced through its counterpart's weight
        if len(c.caps) > 1:
            raise ValueError(f"{c.key} is in {len(c.caps)} caps; the oracle prices one")
        if c.caps:
            in_cap[c.caps[0]].append(c)
        else:
            upper += weight[c.key] * high
        for lower_key in c.deduct:
            if taken[lower_key]:
                paid_below = by_key[lower_key].amount.max
                upper -= min(high, paid_below)
                lower -= min(low, paid_below)
    for cap, members in in_cap.items():
        room = compiled.caps[cap]
        for c in sorted(members, key=lambda m: -weight[m.key]):
            share = min(room, _still_due(c)[1])
            upper += weight[c.key] * share
            room -= share
    return upper, lower, len(chosen)
