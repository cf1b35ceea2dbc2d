"""Explain an optimizer answer: every award with its clause, contact, status and reasons; every
measure, level and event that brings nothing with the reason that excluded it (typed reasons,
see `solver/reasons.py`; `views/reasons.py` puts them into words)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models.errors import BugError
from models.money import Money
from solver import reasons as R
from solver.compile import Candidate, Compiled, Received, effective_amount
from solver.optimize import Solution
from solver.reasons import Param, Reason

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


def _cap(compiled: Compiled, cap: str) -> R.Cap:
    info = compiled.cap_info[cap]
    return info.described(info.limit - compiled.caps[cap])


@dataclass
class _Index:
    """Who shares a rule with whom, worked out once per explanation so that each award and each
    candidate left out finds its rivals by key (linear in the candidates, never quadratic)."""

    by_key: dict[str, Candidate]
    cap_use: dict[str, int]
    unpaid_in_group: dict[str, list[Candidate]] = field(default_factory=dict)  # R1 group → not paid
    first_paid: dict[tuple[str, str], Candidate] = field(default_factory=dict)  # (rule, key) → paid
    paid_years: dict[str, set[int]] = field(default_factory=dict)  # year-limit key → years paid

    @classmethod
    def of(cls, compiled: Compiled, solution: Solution) -> _Index:
        index = cls(by_key=compiled.by_key(), cap_use=_cap_use(compiled, solution))
        for c in compiled.candidates:  # in candidate order: the first paid rival is the one named
            if c.key not in solution.paid:
                if c.r1_group:
                    index.unpaid_in_group.setdefault(c.r1_group, []).append(c)
                continue
            for rule, key in (("R1", c.r1_group), ("R4", c.expense_item), ("R3", c.one_time)):
                if key:
                    index.first_paid.setdefault((rule, key), c)
            if c.year_limit:
                index.paid_years.setdefault(c.year_limit[0], set()).add(c.year_limit[1])
        return index


def _award_reasons(candidate: Candidate, paid: Money, compiled: Compiled, solution: Solution,
                   index: _Index) -> list[Reason]:
    by_key, cap_use = index.by_key, index.cap_use
    why = list(candidate.why)
    full = effective_amount(candidate)
    why += candidate.received_cut  # R1 / R2 / a closed ladder: what was received takes off
    for lower in candidate.deduct:
        if lower in solution.paid:
            other = by_key[lower]
            why.append(R.R2Paid(full=full.max, lower=other.amount.max, lower_tier=other.tier,
                                lower_year=other.claim_year, reading=candidate.reading))
    if candidate.caps and not candidate.mirror_of and paid.max < full.max:
        for cap in candidate.caps:
            others = cap_use[cap] - paid.max
            if others + paid.max >= compiled.caps[cap]:  # this cap is the one that binds
                why.append(R.CapBound(cap=_cap(compiled, cap), full=full.max,
                                      paid=paid.max, others=others))
    for rival in index.unpaid_in_group.get(candidate.r1_group or "", ()):
        if rival.key != candidate.key:
            amount = effective_amount(rival)
            why.append(R.R1Preferred(rival_title=rival.title, rival_measure=rival.measure,
                                     rival_tier=rival.tier, rival_min=amount.min,
                                     rival_max=amount.max))
    return why


def _zero_reason(candidate: Candidate, compiled: Compiled, solution: Solution,
                 index: _Index) -> Reason:
    """Why an award the optimizer took pays nothing (0 yuan is a reason, never an award)."""
    by_key, cap_use = index.by_key, index.cap_use
    about = candidate.about
    if candidate.mirror_of:
        counterpart = by_key[candidate.mirror_of]
        return R.MirrorZero(about=about, claim_year=candidate.claim_year,
                            counterpart_title=counterpart.title,
                            counterpart_measure=counterpart.measure)
    full = effective_amount(candidate)
    deducted = candidate.deduct_received + sum(by_key[k].amount.max for k in candidate.deduct
                                               if k in solution.paid)
    if deducted:
        lower = next((by_key[k] for k in candidate.deduct if k in solution.paid), None)
        if lower is None and candidate.received_cut:  # what was received leaves nothing
            return _received_covers(candidate)
        return R.DifferenceFloored(about=about, claim_year=candidate.claim_year,
                                   full=candidate.amount.max, deducted=deducted,
                                   received=candidate.deduct_received,
                                   lower_tier=lower.tier if lower else "municipal",
                                   reading=candidate.reading)
    for cap in candidate.caps:
        if cap_use[cap] >= compiled.caps[cap]:
            return R.CapUsedUp(about=about, cap=_cap(compiled, cap), taken=True,
                               claim_year=candidate.claim_year, others=cap_use[cap])
    return R.AmountZero(about=about, claim_year=candidate.claim_year)


def _received_covers(candidate: Candidate) -> Reason:
    """Rewards already received leave the candidate nothing: the rule by which they do (the
    last cut: R1, R2 or a closed ladder)."""
    binding = candidate.received_cut[-1]
    return R.ReceivedCovers(about=candidate.about, cut=binding, claim_year=candidate.claim_year)


def _loss_reason(candidate: Candidate, compiled: Compiled, solution: Solution,
                 index: _Index) -> Reason:
    """Why a candidate that could pay was not chosen: the rule that excluded it."""
    if candidate.received_cut and effective_amount(candidate).max == 0:
        # Not the R1 rival the optimizer took instead: that rival may pay 0 itself (rewards
        # received zero both tiers of a group); what was received leaves this one nothing.
        return _received_covers(candidate)
    cap_use = index.cap_use
    about = candidate.about
    rival = index.first_paid.get(("R1", candidate.r1_group)) if candidate.r1_group else None
    if rival is not None:
        amount = solution.paid[rival.key]
        return R.R1Rival(about=about, claim_year=candidate.claim_year, rival_title=rival.title,
                         rival_measure=rival.measure, rival_tier=rival.tier,
                         rival_min=amount.min, rival_max=amount.max)
    expense = candidate.expense_item
    rival = index.first_paid.get(("R4", expense)) if expense else None
    if rival is not None and expense:
        return R.R4ExpenseTaken(about=about, claim_year=candidate.claim_year, expense=expense,
                                rival_title=rival.title,
                                rival_measure=rival.measure)
    rival = index.first_paid.get(("R3", candidate.one_time)) if candidate.one_time else None
    if rival is not None:
        return R.R3AlreadyPaid(about=about, claim_year=candidate.claim_year,
                               rival_title=rival.title, rival_measure=rival.measure,
                               rival_year=rival.claim_year)
    if candidate.year_limit:
        key, year = candidate.year_limit
        years = sorted(index.paid_years.get(key, ()))
        if len(years) >= compiled.year_limits[key] and year not in years:
            project = next((p.project for p in candidate.why
                            if isinstance(p, R.ExpenseItem)), None)
            if project is None:  # a limit on the years of a project: an expense item's
                raise BugError(f"{candidate.key} has a year limit and no expense item")
            limit = candidate.rule.spec.year_limit
            return R.YearLimitReached(about=about, claim_year=candidate.claim_year,
                                      limit=R.Years(compiled.year_limits[key]),
                                      project=project,
                                      years=", ".join(map(str, years)),
                                      reading=", ".join(f"{k}={v}"
                                                        for k, v in limit.only_when.items())
                                      if limit else None)
    for cap in candidate.caps:
        if cap_use[cap] >= compiled.caps[cap]:
            return R.CapUsedUp(about=about, cap=_cap(compiled, cap), taken=False,
                               claim_year=candidate.claim_year, others=cap_use[cap])
    if candidate.mirror_of and candidate.mirror_of not in solution.paid:
        counterpart = index.by_key[candidate.mirror_of]
        return R.MirrorZero(about=about, claim_year=candidate.claim_year,
                            counterpart_title=counterpart.title,
                            counterpart_measure=counterpart.measure)
    return R.NotChosen(about=about, claim_year=candidate.claim_year)


def award_order(award: Award) -> tuple[int, str, str, bool, str]:
    """The order of an evaluation's awards: claim year, measure, tier, received first, key."""
    return (award.claim_year, award.measure, award.tier or "", not award.received, award.order)


def explain(compiled: Compiled, solution: Solution) -> Evaluation:
    index = _Index.of(compiled, solution)
    by_key = index.by_key
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
            reasons=tuple(_award_reasons(c, paid, compiled, solution, index)),
            order=c.key))
    for item in compiled.received:
        rule = item.rule
        awards.append(Award(
            measure=item.measure, title=item.title, tier=item.tier,
            amount=Money.fixed(item.amount), claim_year=item.year, paid_by=rule.payer,
            status="received", clause=rule.spec.quote, source=rule.source_text,
            contact=rule.contact, tel=rule.tel,
            reasons=(_received_reason(item),),
            order=f"received {item.year} {item.amount}"))
    awards.sort(key=award_order)
    total = Money.total(a.amount for a in awards if not a.received)

    reasons: dict[str, list[Reason]] = {}
    for c in compiled.candidates:
        if c.key in zero:
            reasons.setdefault(c.measure, []).append(_zero_reason(c, compiled, solution, index))
        elif c.key not in solution.paid:
            reasons.setdefault(c.measure, []).append(_loss_reason(c, compiled, solution, index))
    awarded = {award.measure for award in awards}
    paid_events: dict[str, _Events] = defaultdict(_Events)
    for key, paid in solution.paid.items():
        if key not in zero:
            paid_events[by_key[key].measure].add(by_key[key].about)
    # An event one rule of a measure made a candidate of: why it was not paid is that candidate's
    # reason (R1, R4, a cap…), never the conditions of the measure's other rules (m1's years 2-3
    # rule about a year-1 item that went to m4).
    candidate_events: dict[str, _Events] = defaultdict(_Events)
    for c in compiled.candidates:
        candidate_events[c.measure].add(c.about)
    for measure in compiled.titles:  # every active measure, in catalog order
        found = reasons.setdefault(measure, [])
        found += [r for r in compiled.rejections.get(measure, [])
                  if not isinstance(r, R.ConditionFailed) or not candidate_events[measure].about(r)]
        # An event the measure pays (through another of its rules) brings something: no why-not.
        found[:] = [r for r in found if not paid_events[measure].about(r)]
        if not found and measure not in awarded:
            found.append(R.NoTrigger())
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


def _received_reason(item: Received) -> Reason:
    """How a reward received counts, in the words of its rule: along its ladder (R1, R2, R3), against
    a total (a cap per enterprise: Fengtai's 3,000,000, the listing subsidy's), or as a one-time
    reward not paid again."""
    caps = [cap for cap in item.rule.spec.caps if cap.per == ("enterprise",)]
    counts: R.Counts = "ladder" if item.ladder is not None else \
        R.InCap(R.Yuan(caps[0].limit)) if caps else "one_time"
    return R.Received(year=item.year, amount=item.amount, counts=counts)


class _Events:
    """Events (a candidate's `about`): is a reason about one of them? (One set lookup.)"""

    def __init__(self) -> None:
        self.events: set[R.Event] = set()

    def add(self, about: R.Event | None) -> None:
        if about is not None:
            self.events.add(about)

    def about(self, item: Reason) -> bool:
        """Is the reason about one of these events?"""
        return item.about is not None and item.about in self.events


def _unique(items: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, tuple[tuple[str, Param], ...]]] = set()
    out: list[Reason] = []
    for item in items:
        key = (item.code, tuple(sorted(item.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
