"""An independent re-check of an optimizer answer against R1–R5: a list of broken rules (empty
when sound). It reads only the compiled data and the answer, never the CP-SAT model."""

from __future__ import annotations

from collections import Counter, defaultdict

from models.money import Money
from solver.compile import Compiled, difference_cut, effective_amount


def violations(compiled: Compiled, paid: dict[str, Money]) -> list[str]:
    by_key = compiled.by_key()
    found: list[str] = []
    unknown = set(paid) - set(by_key)
    if unknown:
        found.append(f"awards not among the candidates: {sorted(unknown)}")
        return found
    if not paid:  # nothing paid: no limit is passed, and no counterpart is paid without its mirror
        return found
    chosen = [by_key[key] for key in paid]
    for rule, attribute in (("R1", "r1_group"), ("R3", "one_time"), ("R4", "expense_item")):
        if len(chosen) < 2:  # (one award shares a key with no other)
            break
        keys = [key for c in chosen if (key := getattr(c, attribute))]
        if len(set(keys)) == len(keys):  # (each key once: the usual answer, checked at a glance)
            continue
        found += [f"{rule}: {count} awards share {key!r}" for key, count in Counter(keys).items()
                  if count > 1]
    cap_use: dict[str, int] = defaultdict(int)
    for c in chosen:
        for cap in c.caps:
            cap_use[cap] += paid[c.key].max
    found += [f"R5: {cap!r} pays {used:,} over its limit {compiled.caps[cap]:,}"
              for cap, used in cap_use.items() if used > compiled.caps[cap]]
    years: dict[str, set[int]] = defaultdict(set)
    for c in chosen:
        if c.year_limit:
            years[c.year_limit[0]].add(c.year_limit[1])
    found += [f"R5: {key!r} pays in {len(ys)} years, over {compiled.year_limits[key]}"
              for key, ys in years.items() if len(ys) > compiled.year_limits[key]]
    for c in chosen:
        amount = effective_amount(c)
        got = paid[c.key]
        cut_min = cut_max = 0
        for lower in c.deduct:
            if lower in paid:
                cut = difference_cut(c, by_key[lower])
                cut_min, cut_max = cut_min + cut[0], cut_max + cut[1]
        if got.min != amount.min - cut_min:
            found.append(f"{c.key}: pays min {got.min:,}, expected {amount.min - cut_min:,} (R2)")
        if not c.variable and got.max != amount.max - cut_max:
            found.append(f"{c.key}: pays max {got.max:,}, expected {amount.max - cut_max:,} (R2)")
        if got.max > amount.max or got.max < 0:
            found.append(f"{c.key}: pays {got.max:,} outside [0, {amount.max:,}]")
        if c.mirror_of and (c.mirror_of not in paid or paid[c.mirror_of].max != got.max):
            found.append(f"{c.key}: not paid as its municipal counterpart {c.mirror_of}")
    for c in compiled.candidates:  # "not less than": the district pays whenever the city does
        if c.mirror_of and c.mirror_of in paid and c.key not in paid:
            found.append(f"{c.key}: missing beside its municipal counterpart {c.mirror_of}")
    return found

