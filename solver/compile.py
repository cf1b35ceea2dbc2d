"""Compile a record and the catalog under readings into candidate awards and the rules that bind
them: a plain data object (`Compiled`) that the optimizer, the oracle and a test can all read.

Each catalog rule kind has one trigger function here: it finds the record's events that may
trigger the rule (a first recognition at a level, a move, a qualification, an expense item, a
listing, a patent annuity), checks the rule's conditions on them, and either yields a candidate
or records why not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from models.catalog import MUNICIPAL_PAYER, Amount, Catalog, Rule
from models.conditions import first_failure
from models.errors import RecordError
from models.money import Money, percent_of
from models.record import EnterpriseRecord


@dataclass(frozen=True)
class Candidate:
    """One award the record may receive, with everything the rules R1–R5 need to know."""

    key: str                           # unique and readable: measure|tier|claim year|event
    rule: Rule
    measure: str
    tier: str | None
    claim_year: int
    amount: Money                      # the interval if taken, before any R2 difference
    paid_by: str                       # "municipal" or the paying district
    projected: bool
    why: tuple[str, ...]
    expense_item: str | None = None    # R4: an expense item funds at most one programme
    r1_group: str | None = None        # R1: one award per group (most favorable)
    one_time: str | None = None        # R3: one award per key
    caps: tuple[str, ...] = ()         # R5: keys of the caps this award counts towards
    year_limit: tuple[str, int] | None = None  # (key, year): at most N distinct years per key
    deduct: tuple[str, ...] = ()       # R2: lower-tier candidates whose amount is deducted
    deduct_received: int = 0           # R2: a lower-tier reward already received
    mirror_of: str | None = None       # paid exactly when (and as much as) another candidate
    event: dt.date | None = None       # the triggering event's date (for effective dates)

    @property
    def variable(self) -> bool:
        """The optimizer chooses how much of [0, max] to pay (the award shares a cap)."""
        return bool(self.caps) or self.mirror_of is not None


@dataclass(frozen=True)
class Received:
    """A reward the record says was already paid (`rewards_received`)."""

    measure: str
    tier: str | None
    year: int
    amount: int
    rule: Rule


@dataclass
class Compiled:
    """Candidates plus the limits that bind them, and the reasons for measures that cannot pay."""

    record: EnterpriseRecord
    readings: dict[str, str]
    as_of: dt.date
    candidates: list[Candidate] = field(default_factory=list)
    caps: dict[str, int] = field(default_factory=dict)          # cap key → limit left
    year_limits: dict[str, int] = field(default_factory=dict)   # key → most distinct years
    received: list[Received] = field(default_factory=list)
    rejections: dict[str, list[str]] = field(default_factory=dict)  # measure → reasons
    benefits: list[dict[str, str]] = field(default_factory=list)
    keep_reasons: bool = True

    def reject(self, measure: str, reason: str) -> None:
        if not self.keep_reasons:
            return
        reasons = self.rejections.setdefault(measure, [])
        if reason not in reasons:
            reasons.append(reason)

    def by_key(self) -> dict[str, Candidate]:
        return {candidate.key: candidate for candidate in self.candidates}


def _last_day(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _facts(record: EnterpriseRecord, **more: object) -> dict[str, object]:
    return {"industry": frozenset(record.industries), "entity_type": record.entity_type, **more}


def _interval(amount: Amount, base: int | None = None, ceiling: int | None = None) -> Money:
    """An amount form applied to a base (an expense) in whole yuan."""
    if amount.fixed is not None:
        return Money.fixed(amount.fixed)
    if amount.up_to is not None:
        top = amount.up_to if base is None else min(amount.up_to, base)
    else:
        assert amount.percent is not None and base is not None
        top = percent_of(base, amount.percent)
    if ceiling is not None:
        top = min(top, ceiling)
    return Money(0, top)


class _Compiler:
    def __init__(self, record: EnterpriseRecord, catalog: Catalog, readings: dict[str, str],
                 today: dt.date, part: str, reasons: bool) -> None:
        self.record = record
        self.catalog = catalog
        self.readings = readings
        self.part = part
        self.keys: set[str] = set()  # candidate keys are unique
        self.out = Compiled(record=record, readings=readings, as_of=record.as_of or today,
                            keep_reasons=reasons)
        # Without reasons to give, a district the record never touches cannot pay: skip its rules.
        self.places = None if reasons else {record.district} | {
            place for move in record.moves for place in (move.from_, move.to)}

    # -- shared helpers ----------------------------------------------------------------------
    def lag(self, rule: Rule) -> int:
        """Claim-year lag of a district reward (reading `claim-lag`)."""
        return 1 if self.readings["claim-lag"] == "next-year" or rule.spec.previous_year else 0

    def payer(self, event_date: dt.date, claim_year: int) -> str:
        """The paying district (reading `paying-district`): on the event date, or at the claim —
        1 January of the claim year, but never before the event itself (a same-year claim)."""
        if self.readings["paying-district"] == "at-claim":
            return self.record.district_on(max(dt.date(claim_year, 1, 1), event_date))
        return self.record.district_on(event_date)

    def projected(self, event_date: dt.date) -> bool:
        return event_date > self.out.as_of

    def received_for(self, measure: str, tier: str | None = None) -> list[Received]:
        return [r for r in self.out.received
                if r.measure == measure and (tier is None or r.tier == tier)]

    def cap_keys(self, rule: Rule, project: str, year: int) -> tuple[str, ...]:
        keys = []
        for number, cap in enumerate(rule.spec.caps):
            parts = {"project": f"project {project}", "year": f"year {year}",
                     "enterprise": "enterprise"}
            key = f"{rule.id} cap {number + 1}: " + ", ".join(parts[p] for p in cap.per)
            if key not in self.out.caps:
                used = sum(r.amount for r in self.received_for(rule.measure)) \
                    if cap.per == ("enterprise",) else 0
                self.out.caps[key] = max(0, cap.limit - used)
            keys.append(key)
        return tuple(keys)

    def add(self, candidate: Candidate) -> None:
        assert candidate.key not in self.keys, candidate.key
        spec = candidate.rule.spec
        day = candidate.event
        if day is not None and ((spec.effective_from and day < spec.effective_from)
                                or (spec.effective_to and day > spec.effective_to)):
            self.out.reject(candidate.measure, f"event on {day}: outside the effective dates of "
                            f"{spec.id} ({spec.effective_from or '…'} to {spec.effective_to or '…'})")
            return
        self.keys.add(candidate.key)
        self.out.candidates.append(candidate)

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> Compiled:
        self.collect_received()
        for rule in self.catalog.active_rules(self.readings, self.part):
            if self.places is not None and rule.payer != MUNICIPAL_PAYER and rule.payer not in self.places:
                continue
            getattr(self, rule.spec.kind)(rule)
        self.link_differences()
        if self.out.keep_reasons:
            self.collect_benefits()
        return self.out

    def collect_received(self) -> None:
        rules = {rule.measure: rule for rule in reversed(self.catalog.rules)}
        for item in self.record.rewards_received:
            if item.measure not in rules:  # the record validated against another catalog
                raise RecordError(f"unknown measure {item.measure!r} in rewards_received",
                                  accepted=", ".join(rules))
            self.out.received.append(Received(measure=item.measure, tier=item.tier,
                                              year=item.year, amount=item.amount,
                                              rule=rules[item.measure]))

    # -- district tier rewards (R1 ladder groups, R2 differences, R3 first recognition) ------
    def tier_reward(self, rule: Rule) -> None:
        assert rule.spec.levels is not None
        vocabulary = self.catalog.vocabulary
        for level in vocabulary.levels:
            if level not in rule.spec.levels:
                continue
            first = next((r for r in self.record.recognitions if vocabulary.level_of(r.tier) == level), None)
            if first is None:
                self.out.reject(rule.measure, f"{level} level: no {level} recognition in the record")
                continue
            if self.received_for(rule.measure, level):
                continue  # R3: already paid; shown as received
            claim_year = first.date.year + self.lag(rule)
            paid_by = self.payer(first.date, claim_year)
            if paid_by != rule.payer:
                when = (f"when the {claim_year} claim opens"
                        if self.readings["paying-district"] == "at-claim" else f"on {first.date}")
                self.out.reject(rule.measure, f"{level} level: registered in {paid_by} {when}, "
                                f"not {rule.payer}")
                continue
            failed = first_failure(rule.conditions, _facts(self.record, tier=level))
            if failed:
                self.out.reject(rule.measure, f"{level} level ({rule.id}): {failed}")
                continue
            why = [f"first {level} recognition on {first.date}"
                   + (f" (as {first.tier})" if first.tier != level else ""),
                   f"registered in {paid_by} " + (f"when the {claim_year} claim opens"
                                                  if self.readings["paying-district"] == "at-claim"
                                                  else "on that date"),
                   f"claimed in {claim_year}" + (" (the year after)" if claim_year > first.date.year else "")]
            why += [f"{c.text}: yes" for c in rule.conditions]
            self.add(Candidate(
                key=f"{rule.id}|{level}|{claim_year}", rule=rule, measure=rule.measure, tier=level,
                claim_year=claim_year, amount=_interval(rule.spec.levels[level]), paid_by=paid_by,
                projected=self.projected(first.date), why=tuple(why),
                r1_group=f"{rule.spec.r1_group} in {claim_year}" if rule.spec.r1_group else None,
                one_time=f"{rule.measure}|{level}", event=first.date))

    def differs(self, rule: Rule) -> bool:
        """Does this ladder pay only the difference between tiers (R2)?"""
        mode = rule.spec.difference
        return mode == "always" or (mode == "reading" and self.readings["stacking"] == "difference-only")

    def link_differences(self) -> None:
        """R2: a higher-level award of a difference-only ladder (national) deducts the lower-level
        award of the same ladder (municipal; taken in an earlier claim year, or already received)."""
        levels = self.catalog.vocabulary.levels
        linked = []
        for candidate in self.out.candidates:
            rule = candidate.rule
            if not (rule.spec.kind == "tier_reward" and candidate.tier in levels[1:]
                    and self.differs(rule)):
                linked.append(candidate)
                continue
            group = rule.spec.r1_group
            below = levels[:levels.index(candidate.tier)]
            lower = tuple(other.key for other in self.out.candidates
                          if other.rule.spec.kind == "tier_reward" and other.tier in below
                          and other.rule.spec.r1_group == group
                          and other.claim_year < candidate.claim_year)
            received = sum(r.amount for r in self.out.received
                           if r.tier in below and r.rule.spec.r1_group == group)
            linked.append(replace(candidate, deduct=lower, deduct_received=received))
        self.out.candidates = linked

    # -- relocation rewards ----------------------------------------------------------------------
    def relocation_reward(self, rule: Rule) -> None:
        district = rule.payer
        moves = [m for m in self.record.moves if m.to == district]
        if not moves:
            self.out.reject(rule.measure, f"no move into {district} in the record")
            return
        if self.received_for(rule.measure):
            return
        amount = rule.spec.amount
        assert amount is not None
        for move in moves:
            # The tier that qualifies: held on the move date, or (Mentougou) first obtained while
            # registered in the district after the move.
            options = [(move.date, self.record.tier_on(move.date))]
            if rule.spec.tier_held == "at_move_or_after":
                options += [(r.date, r.tier) for r in self.record.recognitions
                            if r.date > move.date and self.record.district_on(r.date) == district]
            failed = None
            for qualifying_date, tier in options:
                facts = _facts(self.record, tier=tier, origin=move.from_, move_date=move.date)
                failed = first_failure(rule.conditions, facts)
                if failed is None:
                    break
            if failed:
                self.out.reject(rule.measure, f"move from {move.from_} on {move.date}: {failed}")
                continue
            claim_year = qualifying_date.year + self.lag(rule)
            paid_by = self.payer(qualifying_date, claim_year)
            if paid_by != district:
                self.out.reject(rule.measure, f"move on {move.date}: registered in {paid_by} "
                                f"when the reward is claimed, not {district}")
                continue
            why = (f"moved from {move.from_} into {district} on {move.date}",
                   f"tier {tier} " + ("held on the move date" if qualifying_date == move.date
                                      else f"first obtained in {district} on {qualifying_date}"),
                   f"claimed in {claim_year}")
            self.add(Candidate(
                key=f"{rule.id}||{claim_year}|move {move.date}", rule=rule, measure=rule.measure,
                tier=None, claim_year=claim_year, amount=_interval(amount), paid_by=paid_by,
                projected=self.projected(max(move.date, qualifying_date)), why=why,
                r1_group=f"{rule.spec.r1_group} in {claim_year}" if rule.spec.r1_group else None,
                one_time=rule.measure, event=max(move.date, qualifying_date)))

    # -- Fengtai qualification subsidy -------------------------------------------------------
    def qualification_reward(self, rule: Rule) -> None:
        amount = rule.spec.amount
        assert amount is not None
        events = [(q.kind, q.date) for q in self.record.qualifications]
        for level, kind in rule.spec.recognition_counts_as.items():  # Fengtai: little giant
            first = next((r for r in self.record.recognitions
                          if self.catalog.vocabulary.level_of(r.tier) == level), None)
            if first:
                events.append((kind, first.date))
        if not events:
            self.out.reject(rule.measure, "no qualification or little giant recognition in the record")
        seen: set[str] = set()
        for kind, day in sorted(events, key=lambda e: (e[1], e[0])):
            claim_year = day.year + self.lag(rule)
            paid_by = self.payer(day, claim_year)
            if paid_by != rule.payer:
                self.out.reject(rule.measure, f"{kind} on {day}: registered in {paid_by}, not {rule.payer}")
                continue
            failed = first_failure(rule.conditions, _facts(self.record, qualification=kind))
            if failed:
                self.out.reject(rule.measure, f"{kind} on {day}: {failed}")
                continue
            if kind in seen:
                self.out.reject(rule.measure, f"{kind} on {day}: the same qualification again (R3)")
                continue
            seen.add(kind)
            self.add(Candidate(
                key=f"{rule.id}||{claim_year}|{kind}", rule=rule, measure=rule.measure, tier=None,
                claim_year=claim_year, amount=_interval(amount), paid_by=paid_by,
                projected=self.projected(day),
                why=(f"{kind} obtained on {day} while registered in {paid_by}",
                     f"claimed in {claim_year}"),
                caps=self.cap_keys(rule, "", claim_year), one_time=f"{rule.measure}|{kind}",
                event=day))

    # -- programmes on year-only events (expenses, listings, patent annuities) -------------------
    def event_facts(self, rule: Rule, year: int, what: str, **more: object) -> dict[str, object] | None:
        """Facts on 31 December of the event year, or None (with a reason) when the rule's payer
        does not cover the enterprise then: outside the jurisdiction for a municipal programme,
        registered elsewhere for a district one (a district pays only its own enterprises)."""
        day = _last_day(year)
        if rule.payer == MUNICIPAL_PAYER:
            if not self.record.in_jurisdiction_on(day):
                self.out.reject(rule.measure, f"{what}: not registered in "
                                f"{self.catalog.vocabulary.jurisdiction.en} on {day}")
                return None
        elif self.record.district_on(day) != rule.payer:
            self.out.reject(rule.measure, f"{what}: registered in {self.record.district_on(day)} "
                            f"on {day}, not {rule.payer}")
            return None
        return _facts(self.record, tier=self.record.tier_on(day), **more)

    def expense(self, rule: Rule) -> None:
        amount = rule.spec.amount
        assert amount is not None
        items = [e for e in self.record.expenses if e.category in rule.spec.categories]
        if not items:
            self.out.reject(rule.measure, "no expense of category "
                            + " or ".join(rule.spec.categories))
        for item in items:
            what = f"expense {item.id} ({item.category}, {item.year})"
            facts = self.event_facts(rule, item.year, what, project_year=item.project_year)
            if facts is None:
                continue
            failed = first_failure(rule.conditions, facts)
            if failed:
                self.out.reject(rule.measure, f"{what}: {failed}")
                continue
            if rule.spec.one_time and self.received_for(rule.measure):
                self.out.reject(rule.measure, f"{what}: one-time subsidy already received (R3)")
                continue
            project = item.project or f"{item.id} (own project)"
            limit = rule.spec.max_years
            why = [f"expense {item.id}: {item.category} of {item.amount:,} yuan in {item.year}",
                   f"project {project}, project year {item.project_year}",
                   f"tier {facts['tier']} on 31 December {item.year}"]
            self.add(Candidate(
                key=f"{rule.id}||{item.year}|{item.id}", rule=rule, measure=rule.measure, tier=None,
                claim_year=item.year, amount=_interval(amount, base=item.amount),
                paid_by=rule.payer, projected=item.year > self.out.as_of.year, why=tuple(why),
                expense_item=item.id, caps=self.cap_keys(rule, project, item.year),
                one_time=rule.measure if rule.spec.one_time else None,
                year_limit=(self._year_limit(rule, project), item.year) if limit else None,
                event=_last_day(item.year)))

    def _year_limit(self, rule: Rule, project: str) -> str:
        assert rule.spec.max_years is not None
        scope = "enterprise" if rule.spec.max_years.per == ("enterprise",) else f"project {project}"
        key = f"{rule.id} years: {scope}"
        self.out.year_limits[key] = rule.spec.max_years.limit
        return key

    def listing(self, rule: Rule) -> None:
        amount = rule.spec.amount
        assert amount is not None
        listings = [item for item in self.record.listings if item.board in rule.spec.boards]
        if not listings:
            self.out.reject(rule.measure, "no listing on " + " or ".join(rule.spec.boards))
        for item in listings:
            what = f"{item.board} listing in {item.year}"
            facts = self.event_facts(rule, item.year, what)
            if facts is None:
                continue
            failed = first_failure(rule.conditions, facts)
            if failed:
                self.out.reject(rule.measure, f"{what}: {failed}")
                continue
            self.add(Candidate(
                key=f"{rule.id}||{item.year}|{item.board}", rule=rule, measure=rule.measure,
                tier=None, claim_year=item.year, amount=_interval(amount),
                paid_by=rule.payer, projected=item.year > self.out.as_of.year,
                why=(what, f"tier {facts['tier']} on 31 December {item.year}"),
                caps=self.cap_keys(rule, "", item.year), event=_last_day(item.year)))

    def listing_district(self, rule: Rule) -> None:
        assert rule.spec.amount is not None and rule.spec.amount.not_less_than
        municipal = [c for c in self.out.candidates if c.measure == rule.spec.amount.not_less_than]
        if not municipal:
            self.out.reject(rule.measure, f"no {rule.spec.amount.not_less_than} award to match")
        for award in municipal:
            district = self.record.district_on(_last_day(award.claim_year))
            self.add(Candidate(
                key=f"{rule.id}||{award.claim_year}|{award.key}", rule=rule, measure=rule.measure,
                tier=None, claim_year=award.claim_year,
                amount=Money(award.amount.min, award.amount.max, open_above=True),
                paid_by=district, projected=award.projected,
                why=(f"the district of registration ({district}) pays not less than the municipal "
                     f"subsidy for the same listing ({award.measure})",),
                mirror_of=award.key, event=award.event))

    def patent_annuity(self, rule: Rule) -> None:
        amount = rule.spec.amount
        assert amount is not None
        if not self.record.patents:
            self.out.reject(rule.measure, "no patent annuity in the record")
        for patent in self.record.patents:
            what = f"patent {patent.id} annuity paid in {patent.year}"
            facts = self.event_facts(rule, patent.year, what, patent_year=patent.patent_year)
            if facts is None:
                continue
            failed = first_failure(rule.conditions, facts)
            if failed:
                self.out.reject(rule.measure, f"{what}: {failed}")
                continue
            interval = _interval(amount, base=getattr(patent, amount.base),
                                 ceiling=patent.paid if amount.at_most == "paid" else None)
            self.add(Candidate(
                key=f"{rule.id}||{patent.year}|{patent.id} year {patent.patent_year}", rule=rule,
                measure=rule.measure, tier=None, claim_year=patent.year, amount=interval,
                paid_by=rule.payer, projected=patent.year > self.out.as_of.year,
                why=(f"{what} (patent year {patent.patent_year})",
                     f"{amount.percent}% of the standard annuity {patent.standard_annuity:,} is "
                     f"{percent_of(patent.standard_annuity, amount.percent or 0):,}; paid {patent.paid:,}"),
                event=_last_day(patent.year)))

    # -- non-monetary benefits -----------------------------------------------------------------
    def collect_benefits(self) -> None:
        if self.record.district == self.catalog.vocabulary.outside:
            return
        tier = self.record.highest_tier()
        boards = {item.board for item in self.record.listings}
        for benefit in self.catalog.benefits:
            spec = benefit.spec
            if spec.boards and not boards & set(spec.boards):
                continue
            if first_failure(benefit.conditions, _facts(self.record, tier=tier)):
                continue
            self.out.benefits.append({
                "measure": spec.id, "benefit": spec.quote,
                "amount": "not stated" if spec.amount == "not_stated" else "non-monetary",
                "source": benefit.source_text, "contact": benefit.contact, "tel": benefit.tel})


def compile_record(record: EnterpriseRecord, catalog: Catalog, readings: dict[str, str],
                   today: dt.date | None = None, *, part: str = "all",
                   reasons: bool = True) -> Compiled:
    """Record + catalog + readings → candidates, caps, received rewards, reasons and benefits.

    `part` keeps only the `municipal` or the `district` rules (they never share a constraint);
    `reasons=False` skips the why-not texts and benefits, for batch work that only adds up.
    """
    return _Compiler(record, catalog, readings, today or dt.date.today(), part, reasons).run()


def effective_amount(candidate: Candidate) -> Money:
    """The candidate's interval after a lower-tier reward already received (R2)."""
    paid = candidate.deduct_received
    amount = candidate.amount
    return Money(max(0, amount.min - paid), max(0, amount.max - paid), amount.open_above)


def difference_cut(candidate: Candidate, lower: Candidate) -> tuple[int, int]:
    """R2: how much (on the min, on the max) the higher award loses when `lower` is also paid."""
    amount = effective_amount(candidate)
    paid_lower = lower.amount.max
    return min(amount.min, paid_lower), min(amount.max, paid_lower)
