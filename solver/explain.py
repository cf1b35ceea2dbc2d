"""Explain an optimizer answer: every award with its clause, contact and reasons; every measure
not awarded with the condition that failed or the award that beat it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.catalog import Catalog
from models.money import Money
from solver.compile import Candidate, Compiled, effective_amount
from solver.optimize import Solution


@dataclass(frozen=True)
class Award:
    measure: str
    tier: str | None
    amount: Money
    claim_year: int
    paid_by: str
    received: bool
    projected: bool
    clause: str
    source: str
    contact: str
    tel: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "tier": self.tier, "amount": self.amount.as_dict(),
                "claim_year": self.claim_year, "paid_by": self.paid_by, "received": self.received,
                "projected": self.projected, "clause": self.clause, "source": self.source,
                "contact": self.contact, "tel": self.tel, "why": self.why}


@dataclass(frozen=True)
class Evaluation:
    """The answer for one record: the JSON contract of `zjtx evaluate --format json`."""

    enterprise: str
    readings: dict[str, str]
    total: Money
    awards: tuple[Award, ...]
    not_awarded: tuple[dict[str, Any], ...]
    benefits: tuple[dict[str, str], ...]
    compiled: Compiled | None = field(default=None, compare=False, repr=False)
    solution: Solution | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"enterprise": self.enterprise, "readings": dict(self.readings),
                "total": self.total.as_dict(),
                "awards": [award.as_dict() for award in self.awards],
                "not_awarded": [dict(item) for item in self.not_awarded],
                "benefits": [dict(item) for item in self.benefits]}


def _award(candidate: Candidate, paid: Money, compiled: Compiled, solution: Solution,
           by_key: dict[str, Candidate]) -> Award:
    rule = candidate.rule
    why = list(candidate.why)
    full = effective_amount(candidate)
    if candidate.deduct_received:
        why.append(f"R2 difference: {candidate.amount.max:,} less {candidate.deduct_received:,} "
                   f"already received for the lower tier")
    for lower in candidate.deduct:
        if lower in solution.paid:
            other = by_key[lower]
            why.append(f"R2 difference: {full.max:,} less {other.amount.max:,} paid for the "
                       f"{other.tier} tier in {other.claim_year}")
    if candidate.variable and not candidate.mirror_of and paid.max < full.max:
        why.append(f"R5 cap binds: {'; '.join(candidate.caps)} "
                   f"(limit {', '.join(f'{compiled.caps[c]:,}' for c in candidate.caps)})")
    rivals = [c for c in compiled.candidates
              if c.key != candidate.key and c.key not in solution.paid
              and c.r1_group and c.r1_group == candidate.r1_group]
    if rivals:
        why.append("R1 most favorable: preferred to " + ", ".join(
            f"{c.measure} {c.tier or ''} {c.amount.text()}".replace("  ", " ") for c in rivals))
    why.append(f"rule {rule.id}")
    return Award(measure=candidate.measure, tier=candidate.tier, amount=paid,
                 claim_year=candidate.claim_year, paid_by=candidate.paid_by, received=False,
                 projected=candidate.projected, clause=rule.spec.quote, source=rule.source_text,
                 contact=rule.contact, tel=rule.tel, why="; ".join(why))


def _loss_reason(candidate: Candidate, compiled: Compiled, solution: Solution) -> str:
    """Why a candidate that could pay was not chosen."""
    label = f"{candidate.tier + ' level, ' if candidate.tier else ''}claim {candidate.claim_year}"
    for c in compiled.candidates:
        if c.key == candidate.key or c.key not in solution.paid:
            continue
        if candidate.r1_group and c.r1_group == candidate.r1_group:
            return (f"{label}: R1 most favorable: {c.measure} {c.tier or ''} "
                    f"{solution.paid[c.key].text()} in the same claim year applies instead")
        if candidate.expense_item and c.expense_item == candidate.expense_item:
            return (f"{label}: R4: expense {candidate.expense_item} is claimed by {c.measure} "
                    "instead (an item funds one programme)")
        if candidate.one_time and c.one_time == candidate.one_time:
            return f"{label}: R3: one-time, already paid by {c.key}"
    if candidate.caps:
        return f"{label}: R5: the cap {'; '.join(candidate.caps)} is used up by other awards"
    return f"{label}: not part of the best combination"


def explain(compiled: Compiled, solution: Solution, catalog: Catalog) -> Evaluation:
    by_key = compiled.by_key()
    # A capped "up to" award left with nothing (the cap went to other awards) is not an award.
    empty = {key for key, paid in solution.paid.items() if paid.max == 0 and by_key[key].variable}
    awards = [_award(by_key[key], paid, compiled, solution, by_key)
              for key, paid in solution.paid.items() if key not in empty]
    for item in compiled.received:
        rule = item.rule
        awards.append(Award(
            measure=item.measure, tier=item.tier, amount=Money.fixed(item.amount),
            claim_year=item.year, paid_by=rule.payer, received=True, projected=False,
            clause=rule.spec.quote, source=rule.source_text, contact=rule.contact, tel=rule.tel,
            why="listed in rewards_received: already paid; counts for R2 and R3, not in the total"))
    awards.sort(key=lambda a: (a.claim_year, a.measure, a.tier or "", not a.received, a.why))
    total = Money.total(a.amount for a in awards if not a.received)

    awarded = {award.measure for award in awards}
    reasons: dict[str, list[str]] = {}
    for c in compiled.candidates:
        if c.key in empty:
            label = f"claim {c.claim_year}"
            reasons.setdefault(c.measure, []).append(
                f"{label}: pays 0 — " + ("the cap " + "; ".join(c.caps) + " is used up by other awards"
                                         if c.caps else "its municipal counterpart pays 0"))
        elif c.key not in solution.paid:
            reasons.setdefault(c.measure, []).append(_loss_reason(c, compiled, solution))
    active = catalog.active_measures(compiled.readings)
    for measure in dict.fromkeys(active):
        if measure not in awarded:
            found = compiled.rejections.get(measure) or ["no triggering event in the record"]
            reasons.setdefault(measure, []).extend(found)
    not_awarded = tuple({"measure": measure, "reasons": list(dict.fromkeys(reasons[measure]))}
                        for measure in dict.fromkeys(active) if measure in reasons)
    return Evaluation(enterprise=compiled.record.id, readings=dict(compiled.readings), total=total,
                      awards=tuple(awards), not_awarded=not_awarded,
                      benefits=tuple(compiled.benefits), compiled=compiled, solution=solution)
