"""Explain an optimizer answer: every award with its clause, contact, status and reasons; every
measure, level and event that brings nothing with the reason that excluded it (typed reasons,
see `solver/reasons.py`; `views/reasons.py` puts them into words)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models.money import Money
from solver import reasons as R
from solver.compile import Candidate, Compiled, effective_amount
from solver.optimize import Solution
from solver.reasons import Param, Reason, reason

STATUSES = ("received", "projected", "due", "past")


@dataclass(frozen=True)
class Award:
    """One award: what pays, how much, when, who pays, its status and why."""

    measure: str
    title: str
    tier: str | None
    amount: Money
    claim_year: int
    paid_by: str
    status: str                 # received | projected | due | past (DOMAIN.md section 8)
    clause: str
    source: str
    contact: str
    tel: str
    reasons: tuple[Reason, ...]
    order: str = field(default="", compare=False, repr=False)  # a stable sort key, internal

    @property
    def received(self) -> bool:
        return self.status == "received"

    @property
    def projected(self) -> bool:
        return self.status == "projected"

    def as_dict(self) -> dict[str, object]:
        """The JSON contract; `why` (and each reason's `text`) are filled in by `views/`."""
        return {"measure": self.measure, "title": self.title, "tier": self.tier,
                "amount": self.amount.as_dict(), "claim_year": self.claim_year,
                "paid_by": self.paid_by, "status": self.status, "received": self.received,
                "projected": self.projected, "clause": self.clause, "source": self.source,
                "contact": self.contact, "tel": self.tel, "why": None,
                "reasons": [r.as_dict() for r in self.reasons]}


@dataclass(frozen=True)
class NotAwarded:
    """A measure with at least one level or event that brings nothing, and why."""

    measure: str
    title: str
    reasons: tuple[Reason, ...]
    elsewhere: bool = False     # a district measure of a district the enterprise never was in

    def as_dict(self) -> dict[str, object]:
        return {"measure": self.measure, "title": self.title, "elsewhere": self.elsewhere,
                "reasons": [r.as_dict() for r in self.reasons]}


@dataclass(frozen=True)
class BenefitItem:
    """A non-monetary benefit or support without a stated amount."""

    measure: str
    benefit: str
    amount: str                 # "non-monetary" | "not stated"
    source: str
    contact: str
    tel: str

    def as_dict(self) -> dict[str, str]:
        return {"measure": self.measure, "benefit": self.benefit, "amount": self.amount,
                "source": self.source, "contact": self.contact, "tel": self.tel}


def status_totals(awards: tuple[Award, ...] | list[Award]) -> dict[str, Money]:
    """The total of each status but `received` (left out of every total)."""
    return {status: Money.total(a.amount for a in awards if a.status == status)
            for status in STATUSES if status != "received"}


@dataclass(frozen=True)
class Evaluation:
    """The answer for one record: the JSON contract of `zjtx evaluate --format json`."""

    enterprise: str
    readings: dict[str, str]
    as_of: str
    total: Money
    awards: tuple[Award, ...]
    not_awarded: tuple[NotAwarded, ...]
    benefits: tuple[BenefitItem, ...]
    compiled: Compiled | None = field(default=None, compare=False, repr=False)
    solution: Solution | None = field(default=None, compare=False, repr=False)

    def by_status(self) -> dict[str, Money]:
        return status_totals(self.awards)

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.enterprise, "readings": dict(self.readings),
                "total": self.total.as_dict(),
                "awards": [award.as_dict() for award in self.awards],
                "not_awarded": [item.as_dict() for item in self.not_awarded],
                "benefits": [item.as_dict() for item in self.benefits],
                "as_of": self.as_of,
                "by_status": {k: v.as_dict() for k, v in self.by_status().items()}}


def _status(candidate: Candidate, compiled: Compiled) -> str:
    if candidate.projected:
        return "projected"
    return "past" if candidate.claim_year < compiled.as_of.year else "due"


def _cap_use(compiled: Compiled, solution: Solution) -> dict[str, int]:
    """How much of each cap the answer uses."""
    by_key = compiled.by_key()
    used: dict[str, int] = defaultdict(int)
    for key, paid in solution.paid.items():
        for cap in by_key[key].caps:
            used[cap] += paid.max
    return used


def _cap_params(compiled: Compiled, cap: str) -> dict[str, Param]:
    info = compiled.cap_info[cap]
    return {**info.params(), "received": info.limit - compiled.caps[cap]}


def _award_reasons(candidate: Candidate, paid: Money, compiled: Compiled, solution: Solution,
                   by_key: dict[str, Candidate], cap_use: dict[str, int]) -> list[Reason]:
    why = list(candidate.why)
    full = effective_amount(candidate)
    why += candidate.received_cut  # R1 / R2 / a closed ladder: what was received takes off
    for lower in candidate.deduct:
        if lower in solution.paid:
            other = by_key[lower]
            why.append(reason(R.R2_PAID, full=full.max, lower=other.amount.max,
                              lower_tier=other.tier, lower_year=other.claim_year))
    if candidate.caps and not candidate.mirror_of and paid.max < full.max:
        for cap in candidate.caps:
            others = cap_use[cap] - paid.max
            if others + paid.max >= compiled.caps[cap]:  # this cap is the one that binds
                why.append(reason(R.CAP_BOUND, _cap_params(compiled, cap), full=full.max,
                                  paid=paid.max, others=others))
    for rival in compiled.candidates:
        if (rival.key != candidate.key and rival.key not in solution.paid
                and rival.r1_group and rival.r1_group == candidate.r1_group):
            amount = effective_amount(rival)
            why.append(reason(R.R1_PREFERRED, rival_title=rival.title, rival_measure=rival.measure,
                              rival_tier=rival.tier,
                              rival_min=amount.min, rival_max=amount.max))
    return why


def _zero_reason(candidate: Candidate, compiled: Compiled, solution: Solution,
                 by_key: dict[str, Candidate], cap_use: dict[str, int]) -> Reason:
    """Why an award the optimizer took pays nothing (0 yuan is a reason, never an award)."""
    about = dict(candidate.about)
    if candidate.mirror_of:
        counterpart = by_key[candidate.mirror_of]
        return reason(R.MIRROR_ZERO, about, claim_year=candidate.claim_year,
                      counterpart_title=counterpart.title,
                      counterpart_measure=counterpart.measure)
    full = effective_amount(candidate)
    deducted = candidate.deduct_received + sum(by_key[k].amount.max for k in candidate.deduct
                                               if k in solution.paid)
    if deducted:
        lower = next((by_key[k] for k in candidate.deduct if k in solution.paid), None)
        if lower is None and candidate.received_cut:  # what was received leaves nothing
            binding = candidate.received_cut[-1]
            return reason(R.RECEIVED_COVERS, about, binding.params, claim_year=candidate.claim_year,
                          rule=_COVERS[binding.code])
        return reason(R.DIFFERENCE_FLOORED, about, claim_year=candidate.claim_year,
                      full=candidate.amount.max, deducted=deducted,
                      received=candidate.deduct_received,
                      lower_tier=lower.tier if lower else "municipal")
    for cap in candidate.caps:
        if cap_use[cap] >= compiled.caps[cap]:
            return reason(R.CAP_USED_UP, about, _cap_params(compiled, cap), claim_year=candidate.claim_year, others=cap_use[cap])
    return reason(R.AMOUNT_ZERO, about, claim_year=candidate.claim_year)


# The rule by which rewards already received leave an award nothing (`received_covers`).
_COVERS = {R.R1_RECEIVED: "r1", R.R2_RECEIVED: "r2", R.LADDER_CLOSED: "closed"}


def _loss_reason(candidate: Candidate, compiled: Compiled, solution: Solution,
                 cap_use: dict[str, int]) -> Reason:
    """Why a candidate that could pay was not chosen: the rule that excluded it."""
    about = {**dict(candidate.about), "claim_year": candidate.claim_year}
    paid = [c for c in compiled.candidates if c.key in solution.paid and c.key != candidate.key]
    for rival in paid:
        if candidate.r1_group and rival.r1_group == candidate.r1_group:
            amount = solution.paid[rival.key]
            return reason(R.R1_RIVAL, about, rival_title=rival.title, rival_measure=rival.measure,
                          rival_tier=rival.tier,
                          rival_min=amount.min, rival_max=amount.max)
    for rival in paid:
        if candidate.expense_item and rival.expense_item == candidate.expense_item:
            return reason(R.R4_EXPENSE_TAKEN, about, expense=candidate.expense_item,
                          rival_title=rival.title, rival_measure=rival.measure)
    for rival in paid:
        if candidate.one_time and rival.one_time == candidate.one_time:
            return reason(R.R3_ALREADY_PAID, about, rival_title=rival.title, rival_measure=rival.measure,
                          rival_year=rival.claim_year)
    if candidate.year_limit:
        key, year = candidate.year_limit
        years = sorted({c.year_limit[1] for c in paid if c.year_limit and c.year_limit[0] == key})
        if len(years) >= compiled.year_limits[key] and year not in years:
            project = next((p.get("project") for p in candidate.why if p.code == R.EXPENSE_ITEM), None)
            return reason(R.YEAR_LIMIT_REACHED, about, limit=compiled.year_limits[key],
                          project=project, years=", ".join(map(str, years)))
    for cap in candidate.caps:
        if cap_use[cap] >= compiled.caps[cap]:
            return reason(R.CAP_USED_UP, about, _cap_params(compiled, cap),
                          others=cap_use[cap])
    if candidate.mirror_of and candidate.mirror_of not in solution.paid:
        counterpart = compiled.by_key()[candidate.mirror_of]
        return reason(R.MIRROR_ZERO, about, counterpart_title=counterpart.title,
                      counterpart_measure=counterpart.measure)
    return reason(R.NOT_CHOSEN, about)


def award_order(award: Award) -> tuple[int, str, str, bool, str]:
    """The order of an evaluation's awards: claim year, measure, tier, received first, key."""
    return (award.claim_year, award.measure, award.tier or "", not award.received, award.order)


def explain(compiled: Compiled, solution: Solution) -> Evaluation:
    by_key = compiled.by_key()
    cap_use = _cap_use(compiled, solution)
    zero = {key for key, paid in solution.paid.items() if paid.max == 0}
    awards = []
    for key, paid in solution.paid.items():
        if key in zero:
            continue
        c = by_key[key]
        rule = c.rule
        awards.append(Award(
            measure=c.measure, title=c.title, tier=c.tier, amount=paid, claim_year=c.claim_year,
            paid_by=c.paid_by, status=_status(c, compiled), clause=rule.spec.quote,
            source=rule.source_text, contact=rule.contact, tel=rule.tel,
            reasons=tuple(_award_reasons(c, paid, compiled, solution, by_key, cap_use)),
            order=c.key))
    for item in compiled.received:
        rule = item.rule
        awards.append(Award(
            measure=item.measure, title=item.title, tier=item.tier,
            amount=Money.fixed(item.amount), claim_year=item.year, paid_by=rule.payer,
            status="received", clause=rule.spec.quote, source=rule.source_text,
            contact=rule.contact, tel=rule.tel,
            reasons=(reason(R.RECEIVED, year=item.year, amount=item.amount),),
            order=f"received {item.year} {item.amount}"))
    awards.sort(key=award_order)
    total = Money.total(a.amount for a in awards if not a.received)

    reasons: dict[str, list[Reason]] = {}
    for c in compiled.candidates:
        if c.key in zero:
            reasons.setdefault(c.measure, []).append(
                _zero_reason(c, compiled, solution, by_key, cap_use))
        elif c.key not in solution.paid:
            reasons.setdefault(c.measure, []).append(_loss_reason(c, compiled, solution, cap_use))
    awarded = {award.measure for award in awards}
    paid_events: dict[str, list[dict[str, Param]]] = defaultdict(list)
    for key, paid in solution.paid.items():
        if key not in zero:
            paid_events[by_key[key].measure].append(dict(by_key[key].about))
    for measure in compiled.titles:  # every active measure, in catalog order
        found = reasons.setdefault(measure, [])
        found += compiled.rejections.get(measure, [])
        # An event the measure pays (through another of its rules) brings something: no why-not.
        found[:] = [r for r in found if not _about_paid(r, paid_events[measure])]
        if not found and measure not in awarded:
            found.append(reason(R.NO_TRIGGER))
    record = compiled.record
    places = {record.district} | {p for move in record.moves for p in (move.from_, move.to)}
    not_awarded = tuple(
        NotAwarded(measure=measure, title=compiled.titles[measure],
                   reasons=tuple(_unique(reasons[measure])),
                   elsewhere=compiled.payers.get(measure, "municipal") not in places | {"municipal"})
        for measure in compiled.titles if reasons.get(measure))
    benefits = tuple(BenefitItem(**item) for item in compiled.benefits)
    return Evaluation(enterprise=compiled.record.id, readings=dict(compiled.readings),
                      as_of=compiled.as_of.isoformat(), total=total, awards=tuple(awards),
                      not_awarded=not_awarded, benefits=benefits, compiled=compiled,
                      solution=solution)


def _about_paid(item: Reason, events: list[dict[str, Param]]) -> bool:
    """Is this reason about an event that its measure pays anyway?"""
    return any(event and all(item.params.get(k) == v for k, v in event.items())
               for event in events)


def _unique(items: list[Reason]) -> list[Reason]:
    out: list[Reason] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
