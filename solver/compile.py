"""Compile a record and the catalog under readings into candidate awards and the rules that bind
them: a plain data object (`Compiled`) that the optimizer, the oracle and a test can all read.

Each catalog rule kind has one trigger function here: it finds the record's events that may
trigger the rule (a first recognition at a level, a move, a qualification, an expense item, a
listing, a patent annuity), checks the rule's conditions on them, and either yields a candidate
or records why not (a typed `Reason`, see `solver/reasons.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import assert_never

from models.catalog import MUNICIPAL_PAYER, Amount, Catalog, Ladder, MaxYears, Rule
from models.catalog.kinds import TRIGGERS, RuleKind
from models.conditions import Condition
from models.errors import BugError, CatalogError, RecordError, SolverError
from models.i18n import t
from models.money import Money, percent_of
from models.record import EnterpriseRecord, Expense, Recognition
from solver import reasons as R
from solver.reasons import Param, Reason

PRIVATE_NON_ENTERPRISE = "private_non_enterprise"

Event = R.Event  # what a reason is about: LevelEvent(level="municipal"), …
# The facts of its event each rule kind declares (`models/catalog/kinds.py`).
_DECLARED: dict[RuleKind, frozenset[str]] = {kind: frozenset(trigger.facts)
                                             for kind, trigger in TRIGGERS.items()}


@dataclass(frozen=True)
class Candidate:
    """One award the record may receive, with everything the rules R1–R5 need to know."""

    key: str                           # unique and internal: rule|tier|claim year|event
    rule: Rule
    measure: str
    tier: str | None
    claim_year: int
    amount: Money                      # the interval if taken, before any R2 difference
    paid_by: str                       # "municipal" or the paying district
    projected: bool
    why: tuple[Reason, ...]
    expense_item: str | None = None    # R4: an expense item funds at most one programme
    r1_group: str | None = None        # R1: one award per group (most favorable)
    one_time: str | None = None        # R3: one award per key
    caps: tuple[str, ...] = ()         # R5: keys of the caps this award counts towards
    year_limit: tuple[str, int] | None = None  # (key, year): at most N distinct years per key
    deduct: tuple[str, ...] = ()       # R2: lower-tier candidates whose amount is deducted
    deduct_received: int = 0           # R1/R2: what rewards already received take off the amount
    received_cut: tuple[R.ReceivedCut, ...] = ()  # why (one reason per rule that takes it off)
    ladder: str | None = None          # the R1 group of a ladder (tier rewards, their rungs)
    level: str | None = None           # the ladder level this award pays (R2, R3)
    reading: str | None = None         # the reading that makes its ladder difference-only
    mirror_of: str | None = None       # paid exactly when (and as much as) another candidate
    occasion: str = "first"            # a first recognition, or a re-examination passed ("review")
    event: dt.date | None = None       # the triggering event's date (for effective dates)
    about: Event | None = None         # the triggering event, for reasons
    title: str = ""                    # the measure's title, for people

    @property
    def variable(self) -> bool:
        """The optimizer chooses how much of [0, max] to pay (the award shares a cap)."""
        return bool(self.caps) or self.mirror_of is not None


@dataclass(frozen=True)
class CapInfo:
    """What a cap limits, for people: the measure, its scope and its limit before receipts."""

    title: str
    per: tuple[str, ...]
    limit: int
    project: str | None = None
    measure: str = ""              # the measure's id, for views that name it in another language
    year: int | None = None
    project_years: str | None = None   # "1" or "2-3" when the rule is for some project years
    reading: str | None = None         # the reading that picks this cap, `key=value`

    def described(self, received: int) -> R.Cap:
        """The cap as a reason describes it, with what was received towards it."""
        return R.Cap(title=self.title, measure=self.measure, per=",".join(self.per),
                     limit=R.Yuan(self.limit), project=self.project, year=self.year,
                     project_years=self.project_years, reading=self.reading,
                     received=R.Yuan(received))


@dataclass(frozen=True)
class Received:
    """A reward the record says was already paid (`rewards_received`)."""

    measure: str
    tier: str | None
    year: int
    amount: int
    rule: Rule
    title: str = ""
    ladder: str | None = None          # its rule's ladder (R1 group), when it is a ladder reward
    level: str | None = None           # the ladder level it paid (its tier, or the rung's level)


@dataclass
class Compiled:
    """Candidates plus the limits that bind them, and the reasons for measures that cannot pay."""

    record: EnterpriseRecord
    readings: dict[str, str]
    as_of: dt.date
    candidates: list[Candidate] = field(default_factory=list)
    caps: dict[str, int] = field(default_factory=dict)          # cap key → limit left
    cap_info: dict[str, CapInfo] = field(default_factory=dict)  # cap key → what it limits
    year_limits: dict[str, int] = field(default_factory=dict)   # key → most distinct years
    received: list[Received] = field(default_factory=list)
    rejections: dict[str, list[Reason]] = field(default_factory=dict)  # measure → reasons
    benefits: list[dict[str, str]] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)        # measure → title
    payers: dict[str, str] = field(default_factory=dict)        # measure → "municipal" or district
    keep_reasons: bool = True
    _rejected: set[tuple[str, str, tuple[tuple[str, Param], ...]]] = field(
        default_factory=set, repr=False, compare=False)

    def reject(self, measure: str, why: Reason) -> None:
        if not self.keep_reasons:
            return
        seen = (measure, why.code, tuple(sorted(why.params.items(), key=lambda kv: kv[0])))
        if seen not in self._rejected:  # each reason once (a set: 10,000 items stay linear)
            self._rejected.add(seen)
            self.rejections.setdefault(measure, []).append(why)

    def by_key(self) -> dict[str, Candidate]:
        return {candidate.key: candidate for candidate in self.candidates}


def measure_title(catalog: Catalog, rule: Rule) -> str:
    """The title a person reads for the measure a rule pays (its own, else its family's)."""
    return rule.spec.title or catalog.families[rule.family][1].title


def _titles(catalog: Catalog, rules: tuple[Rule, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """measure → title and measure → payer, each from the measure's first rule among `rules`
    (worked out once per catalog and readings: `_Compiler.run`)."""
    titles: dict[str, str] = {}
    payers: dict[str, str] = {}
    for rule in rules:
        payers.setdefault(rule.measure, rule.payer)
        if rule.measure not in titles:
            titles[rule.measure] = measure_title(catalog, rule)
    return titles, payers


def _last_day(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _interval(amount: Amount, base: int | None = None, ceiling: int | None = None) -> Money:
    """An amount form applied to a base (an expense) in whole yuan."""
    if amount.fixed is not None:
        return Money.fixed(amount.fixed)
    if amount.up_to is not None:
        top = amount.up_to if base is None else min(amount.up_to, base)
    elif amount.percent is not None and base is not None:
        top = percent_of(base, amount.percent)
    else:
        raise CatalogError(t("catalog.no_base"))
    if ceiling is not None:
        top = min(top, ceiling)
    return Money(0, top)


def _text(value: object) -> str:
    """A condition value or fact as plain text (tags sorted, dates ISO)."""
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _years_of(conditions: tuple[Condition, ...]) -> str | None:
    """The project years a rule is for ("1", "2-3"), read from its project_year conditions."""
    low, high = None, None
    for c in conditions:
        if c.field == "project_year" and isinstance(c.value, int):
            if c.op == "==":
                low = high = c.value
            elif c.op == ">=":
                low = c.value
            elif c.op == "<=":
                high = c.value
    if low is None and high is None:
        return None
    return str(low) if low == high else f"{low or 1}-{high or ''}"


def _occasions(at_level: list[Recognition], pays_for: tuple[str, ...]) -> list[tuple[str, Recognition]]:
    """The recognitions at one ladder level that a rule pays for, in date order: the first
    (`first`), then the re-examinations passed — a later recognition at a tier the enterprise was
    recognized at before (a privileged recognition after a national one is no re-examination) —
    the first of them (`first_review`) or every one (`review`)."""
    found: list[tuple[str, Recognition]] = [("first", at_level[0])] if "first" in pays_for else []
    if "first_review" in pays_for or "review" in pays_for:
        seen = {at_level[0].tier}
        for recognition in at_level[1:]:
            if recognition.tier in seen:
                found.append(("review", recognition))
                if "first_review" in pays_for:
                    break
            seen.add(recognition.tier)
    return found


def names_private_non_enterprise(conditions: tuple[Condition, ...]) -> bool:
    """Does a clause name private non-enterprise entities (a condition on the entity type that a
    private non-enterprise entity meets)? Every other clause speaks of "enterprises"."""
    return any(c.field == "entity_type" and c.holds({"entity_type": PRIVATE_NON_ENTERPRISE})
               for c in conditions)


class _Rungs:
    """The ladder candidates by (ladder, level), looked up by the candidates above them: R2's
    awards below and the earliest claim year below cost the levels, never a scan of every
    candidate (10,000 rules of one ladder stay linear)."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.first: dict[tuple[str, str], list[tuple[int, int, str]]] = {}  # first occasions
        self.earliest: dict[tuple[str, str], int] = {}  # any occasion: its earliest claim year
        for position, c in enumerate(candidates):
            if c.ladder is None or c.level is None:
                continue
            at = (c.ladder, c.level)
            self.earliest[at] = min(self.earliest.get(at, c.claim_year), c.claim_year)
            if c.occasion == "first":
                self.first.setdefault(at, []).append((position, c.claim_year, c.key))

    def firsts_below(self, ladder: str, below: tuple[str, ...], claim_year: int) -> tuple[str, ...]:
        """The keys of first-occasion awards of the ladder at a level below, claimed before
        `claim_year`, in candidate order."""
        found = [item for level in below for item in self.first.get((ladder, level), ())
                 if item[1] < claim_year]
        return tuple(key for _position, _year, key in sorted(found))

    def any_below(self, ladder: str, below: tuple[str, ...], claim_year: int) -> bool:
        """Is an award of the ladder at a level below claimed before `claim_year`?"""
        return any(self.earliest.get((ladder, level), claim_year) < claim_year for level in below)


class _Compiler:
    def __init__(self, record: EnterpriseRecord, catalog: Catalog, readings: dict[str, str],
                 today: dt.date, part: str, reasons: bool,
                 payers: frozenset[str] | None = None) -> None:
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
        if payers is not None:  # only these districts' rules (`compile_record`)
            self.places = set(payers) if self.places is None else self.places & payers
        # Reading `entity-scope`: `any-entity` pays a private non-enterprise entity as an enterprise.
        self.entity_type = ("enterprise" if readings.get("entity-scope") == "any-entity"
                            else record.entity_type)
        self.industries = frozenset(record.industries)  # what every condition on `industry` reads
        self.why = reasons  # a candidate's reasons are built only when reasons are kept
        self.ladders: dict[str, Ladder] = {}  # (`run`)
        self._on: dict[dt.date, tuple[str, str | None]] = {}  # day → (district, tier) then
        self._levels: dict[str | None, list[Recognition]] | None = None  # `at_level`

    # -- shared helpers ----------------------------------------------------------------------
    def facts(self, rule: Rule, **event: object) -> dict[str, object]:
        """The facts a rule's conditions test on one event: what the enterprise is (industry
        tags, entity type) and the event's own facts — exactly those its kind declares
        (`models/catalog/kinds.py`: lint checks conditions against the same declaration)."""
        if event.keys() != _DECLARED[rule.spec.kind]:
            raise BugError(f"a {rule.spec.kind} trigger offers the facts {sorted(event)}, its kind "
                           f"declares {sorted(_DECLARED[rule.spec.kind])}")
        return {"industry": self.industries, "entity_type": self.entity_type, **event}

    def on(self, day: dt.date) -> tuple[str, str | None]:
        """Where the enterprise is registered on `day` and the highest tier it holds then (asked
        by many rules of the same events: worked out once per day)."""
        found = self._on.get(day)
        if found is None:
            found = self._on[day] = (self.record.district_on(day), self.record.tier_on(day))
        return found

    def at_level(self, level: str) -> list[Recognition]:
        """The record's recognitions at a ladder level, in date order (grouped once per record)."""
        if self._levels is None:
            level_of = self.catalog.vocabulary.level_of
            self._levels = {}
            for recognition in self.record.recognitions:
                self._levels.setdefault(level_of(recognition.tier), []).append(recognition)
        return self._levels.get(level, [])

    def first_failure(self, rule: Rule, event: Event | None,
                      facts: dict[str, object]) -> Reason | None:
        """The first condition of the rule that fails on these facts, as a reason (or None). A
        tier judged on a year-only event names the deciding day (31 December of its year); a
        rule that one reading picks names that reading."""
        for condition in rule.conditions:
            if not condition.holds(facts):
                on_date = _last_day(event.year).isoformat() \
                    if condition.field == "tier" and isinstance(event, R.YEAR_EVENTS) else None
                return R.ConditionFailed(about=event, field=condition.field, op=condition.op,
                                         value=_text(condition.value),
                                         fact=_text(facts.get(condition.field)) or None,
                                         on_date=on_date, reading=self.reading_of(rule))
        return None

    def fails(self, rule: Rule, event: Event | None, facts: dict[str, object]) -> bool:
        """Does a condition of the rule fail on these facts? (Its reason kept, when reasons are.)"""
        if not self.why:
            for condition in rule.conditions:
                if not condition.holds(facts):
                    return True
            return False
        failed = self.first_failure(rule, event, facts)
        if failed is not None:
            self.reject(rule, failed)
        return failed is not None

    def reading_of(self, rule: Rule) -> str | None:
        """The reading that puts this rule in force (`only_when`), as `key=value`, or None."""
        return ", ".join(f"{k}={v}" for k, v in rule.spec.only_when.items()) or None

    def reject(self, rule: Rule, why: Reason) -> None:
        self.out.reject(rule.measure, why)

    def lag(self, rule: Rule) -> int:
        """Claim-year lag of a district reward (reading `claim-lag`)."""
        return 1 if self.readings["claim-lag"] == "next-year" or rule.spec.previous_year else 0

    def lag_reading(self, rule: Rule) -> str | None:
        """The reading behind a claim year, when the clause itself does not fix it."""
        return None if rule.spec.previous_year else f"claim-lag={self.readings['claim-lag']}"

    def payer(self, event_date: dt.date, claim_year: int) -> str:
        """The paying district (reading `paying-district`): on the event date, or at the claim —
        1 January of the claim year, but never before the event itself (a same-year claim)."""
        if self.readings["paying-district"] == "at-claim":
            return self.on(max(dt.date(claim_year, 1, 1), event_date))[0]
        return self.on(event_date)[0]

    def registered(self, event_date: dt.date, claim_year: int, district: str) -> Reason:
        """Why the paying district is the one it is (on the event date or at the claim)."""
        at_claim = self.readings["paying-district"] == "at-claim"
        return R.RegisteredIn(district=district, date=event_date.isoformat(),
                              at_claim=claim_year if at_claim else None)

    def elsewhere(self, rule: Rule, event: Event, event_date: dt.date, claim_year: int,
                  paid_by: str) -> None:
        if not self.why:
            return
        at_claim = self.readings["paying-district"] == "at-claim"
        self.reject(rule, R.RegisteredElsewhere(about=event, district=paid_by,
                                                payer=rule.payer, date=event_date.isoformat(),
                                                at_claim=claim_year if at_claim else None))

    def projected(self, event_date: dt.date) -> bool:
        return event_date > self.out.as_of

    def received_for(self, measure: str, tier: str | None = None) -> list[Received]:
        return [r for r in self.out.received
                if r.measure == measure and (tier is None or r.tier == tier)]

    def received_level(self, rule: Rule, ladder: str | None, level: str) -> Received | None:
        """R3 along a ladder: a reward received for this level of the ladder (this measure's
        first: it is shown as received), or None."""
        found = [r for r in self.out.received if r.level == level
                 and (r.measure == rule.measure or (ladder is not None and r.ladder == ladder))]
        return next((r for r in found if r.measure == rule.measure), found[0] if found else None)

    def ladder_taken(self, rule: Rule, event: Event, taken: Received) -> None:
        """Why a ladder level brings nothing: another reward of the ladder already paid it."""
        self.reject(rule, R.LadderLevelReceived(about=event, received_title=taken.title,
                                                received_measure=taken.measure,
                                                received_year=taken.year, received=taken.amount))

    def title(self, rule: Rule) -> str:
        self.out.payers.setdefault(rule.measure, rule.payer)
        title = self.out.titles.get(rule.measure)
        if title is None:  # the first rule of a measure titles it (worked out once per measure)
            title = self.out.titles[rule.measure] = measure_title(self.catalog, rule)
        return title

    def tier_held(self, tier: object, year: int) -> Reason:
        """The tier a year-only event counts with (held on 31 December of `year`) and the day it
        was first recognized at that tier (a recognition on 2025-07-01 is not one on 31 December)."""
        held = _text(tier)
        since = min((r.date for r in self.record.recognitions
                     if r.tier == held and r.date <= _last_day(year)), default=None)
        return R.TierAtYearEnd(tier=held, year=year, since=since.isoformat() if since else None)

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
            if self.why and key not in self.out.cap_info:
                self.out.cap_info[key] = CapInfo(
                    title=self.title(rule), measure=rule.measure, per=tuple(cap.per), limit=cap.limit,
                    project=project.removesuffix(" (own project)") if "project" in cap.per else None,
                    year=year if "year" in cap.per else None,
                    project_years=_years_of(rule.conditions),
                    reading=", ".join(f"{k}={v}" for k, v in cap.only_when.items()) or None)
            keys.append(key)
        return tuple(keys)

    def add(self, candidate: Candidate) -> None:
        if candidate.key in self.keys:
            raise SolverError(f"two candidates share the key {candidate.key!r}")
        spec = candidate.rule.spec
        day = candidate.event
        if day is not None and ((spec.effective_from and day < spec.effective_from)
                                or (spec.effective_to and day > spec.effective_to)):
            self.reject(candidate.rule, R.OutsideEffectiveDates(
                about=candidate.about, date=day.isoformat(),
                effective_from=spec.effective_from.isoformat() if spec.effective_from else None,
                effective_to=spec.effective_to.isoformat() if spec.effective_to else None))
            return
        self.keys.add(candidate.key)
        self.out.candidates.append(candidate)

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> Compiled:
        # The rules in force, their ladders and every active measure's title (and place in the
        # answer: its first rule's), worked out once per catalog, readings and part. (Readings
        # unsorted: resolved readings come in one order; another order only works it out again.)
        rules, self.ladders, (titles, payers) = self.catalog.worked_out(
            ("compile", self.part, *self.readings.items()), self.plan)
        self.out.titles.update(titles)
        self.out.payers.update(payers)
        self.collect_received()
        private = self.entity_type == PRIVATE_NON_ENTERPRISE
        for rule in rules:
            if self.places is not None and rule.payer != MUNICIPAL_PAYER and rule.payer not in self.places:
                continue
            if private and not names_private_non_enterprise(rule.conditions):
                # Reading `entity-scope=as-written`: the clause speaks of enterprises only.
                self.reject(rule, R.EntityNotNamed(entity_type=PRIVATE_NON_ENTERPRISE,
                                                   reading="entity-scope=as-written"))
                continue
            self.trigger(rule)
        self.link_ladders()
        if self.out.keep_reasons:
            self.collect_benefits()
        return self.out

    def plan(self) -> tuple[tuple[Rule, ...], dict[str, Ladder],
                            tuple[dict[str, str], dict[str, str]]]:
        rules = self.catalog.active_rules(self.readings, self.part)
        return rules, self.catalog.ladders(self.readings), _titles(self.catalog, rules)

    def trigger(self, rule: Rule) -> None:
        """The rule's trigger, by its kind (the registry of kinds: `models/catalog/kinds.py`;
        mypy proves every kind has one)."""
        kind = rule.spec.kind
        match kind:
            case "tier_reward":
                self.tier_reward(rule)
            case "relocation_reward":
                self.relocation_reward(rule)
            case "qualification_reward":
                self.qualification_reward(rule)
            case "expense":
                self.expense(rule)
            case "listing":
                self.listing(rule)
            case "listing_district":
                self.listing_district(rule)
            case "patent_annuity":
                self.patent_annuity(rule)
            case _:
                assert_never(kind)

    def collect_received(self) -> None:
        """The rewards the record lists as received, each with its rule (one in force under the
        readings when there is one) and its place on a ladder: an R1 group and a level."""
        if not self.record.rewards_received:
            return
        rules = {rule.measure: rule for rule in reversed(self.catalog.rules)}
        rules.update({rule.measure: rule for rule in reversed(self.catalog.active_rules(self.readings))})
        for item in self.record.rewards_received:
            if item.measure not in rules:  # the record validated against another catalog
                raise RecordError(f"unknown measure {item.measure!r}", field="rewards_received",
                                  accepted=", ".join(rules))
            rule = rules[item.measure]
            spec = rule.spec
            ladder = spec.r1_group if spec.kind == "tier_reward" or spec.ladder_level else None
            level = spec.ladder_level or (item.tier if spec.kind == "tier_reward" else None)
            self.out.received.append(Received(measure=item.measure, tier=item.tier,
                                              year=item.year, amount=item.amount, rule=rule,
                                              title=self.title(rule), ladder=ladder, level=level))

    # -- district tier rewards (R1 ladder groups, R2 differences, R3 first recognition) ------
    def tier_reward(self, rule: Rule) -> None:
        levels = rule.spec.levels or {}
        vocabulary = self.catalog.vocabulary
        for level in vocabulary.levels:
            if level not in levels:
                continue
            event: Event = R.LevelEvent(level=level)
            at_level = self.at_level(level)
            if not at_level:
                if self.why:
                    self.reject(rule, R.NoRecognition(level=level))
                continue
            first = at_level[0]
            occasions = [(occasion, recognition)
                         for occasion, recognition in _occasions(at_level, rule.spec.pays_for)
                         if not self.below_held(rule, level, recognition)]
            if not occasions:
                continue
            ladder = rule.spec.r1_group
            taken = self.received_level(rule, ladder, level)
            if taken is not None and taken.measure != rule.measure:
                self.ladder_taken(rule, event, taken)  # R3: another rung paid this level
                continue
            received = self.received_for(rule.measure, level)
            if received:  # R3: already paid (shown as received): the first occasions, in order
                occasions = [] if rule.spec.one_time else occasions[len(received):]
            for occasion, recognition in occasions:
                claim_year = recognition.date.year + self.lag(rule)
                paid_by = self.payer(recognition.date, claim_year)
                if paid_by != rule.payer:
                    self.elsewhere(rule, event, recognition.date, claim_year, paid_by)
                    continue
                if self.fails(rule, event, self.facts(rule, tier=level)):
                    continue
                why: list[Reason] = []
                if self.why:
                    why.append(
                        R.FirstRecognition(level=level, date=recognition.date.isoformat(),
                                           tier=recognition.tier)
                        if occasion == "first" else
                        R.ReviewPassed(level=level, date=recognition.date.isoformat(),
                                       tier=recognition.tier, first_date=first.date.isoformat()))
                    why += [self.registered(recognition.date, claim_year, paid_by),
                            R.ClaimedIn(claim_year=claim_year, event_year=recognition.date.year,
                                        reading=self.lag_reading(rule))]
                    why += [R.ConditionMet(field=c.field, op=c.op, value=_text(c.value))
                            for c in rule.conditions]
                review = "" if occasion == "first" else f"|review {recognition.date}"
                self.add(Candidate(
                    key=f"{rule.id}|{level}|{claim_year}{review}", rule=rule, measure=rule.measure,
                    tier=level, claim_year=claim_year, amount=_interval(levels[level]),
                    paid_by=paid_by, projected=self.projected(recognition.date), why=tuple(why),
                    r1_group=f"{ladder} in {claim_year}" if ladder else None,
                    one_time=f"{ladder or rule.measure}|{level}" + ("" if rule.spec.one_time else review),
                    event=recognition.date, about=event, occasion=occasion,
                    ladder=ladder, level=level, title=self.title(rule)))

    def below_held(self, rule: Rule, level: str, recognition: Recognition) -> bool:
        """R3: a recognition below a tier already held is a renewal: it pays no tier reward
        (recording why)."""
        rank = self.catalog.vocabulary.tier_rank
        higher = next((r for r in self.record.recognitions if r.date < recognition.date
                       and rank[r.tier] > rank[level]), None)
        if higher is not None:
            self.reject(rule, R.RenewalBelowHeld(level=level, date=recognition.date.isoformat(),
                                                 held=higher.tier,
                                                 held_date=higher.date.isoformat()))
        return higher is not None

    def link_ladders(self) -> None:
        """Each ladder award (a tier reward, or a relocation reward that is a rung of the ladder)
        against the rewards already received along its ladder and the awards below it:

        - R1: a reward received for the same claim year takes its place in the year's choice, so
          this award brings only what it pays above it;
        - R2 (difference-only ladders): it deducts what the ladder paid for a lower level, as a
          lower-level award taken in an earlier claim year (`deduct`, priced by the optimizer) or
          received; and the ladder pays one enterprise at most its highest amount in all, so
          what was received along it closes the ladder that far (DOMAIN 3)."""
        ladders = self.ladders
        levels = self.catalog.vocabulary.levels
        rungs = _Rungs(self.out.candidates)
        linked = []
        for candidate in self.out.candidates:
            ladder = ladders.get(candidate.ladder or "")
            if ladder is None or candidate.level is None:
                linked.append(candidate)
                continue
            if candidate.occasion != "first":  # a re-examination pays its own amount
                linked.append(candidate)
                continue
            linked.append(self.linked(candidate, ladder, levels, rungs))
        self.out.candidates = linked

    def linked(self, candidate: Candidate, ladder: Ladder, levels: tuple[str, ...],
               rungs: _Rungs) -> Candidate:
        below = levels[:levels.index(candidate.level)] if candidate.level in levels else ()
        along = [r for r in self.out.received if r.ladder == ladder.group]
        # What the ladder paid for a lower level's first recognition: the earliest reward received
        # for each lower level (a later one paid a re-examination).
        firsts: dict[str | None, Received] = {}
        for item in sorted(along, key=lambda r: r.year):
            if item.level in below:
                firsts.setdefault(item.level, item)
        full = candidate.amount.max
        cut: list[R.ReceivedCut] = []
        counted = 0
        kind: type[R.R2Received]  # R1Received is an R2Received with its own template
        for item in along:
            if item.year == candidate.claim_year:  # R1: one reward of the ladder per claim year
                kind, reading = R.R1Received, None
            elif ladder.differs and firsts.get(item.level) is item:  # R2: the difference below
                kind, reading = R.R2Received, ladder.reading
            else:
                continue
            counted += item.amount
            cut.append(kind(full=full, received=item.amount, received_title=item.title,
                            received_measure=item.measure, received_tier=item.level,
                            received_year=item.year, reading=reading))
        if ladder.differs and ladder.top is not None:
            room = max(0, ladder.top - sum(item.amount for item in along))
            if full - counted > room:  # the ladder is closed that far by what it already paid
                counted = full - room
                cut.append(R.LadderClosed(full=full, top=ladder.top, room=room,
                                          received=sum(item.amount for item in along),
                                          ladder_title=self.out.titles.get(ladder.group,
                                                                           ladder.group),
                                          ladder_measure=ladder.group, reading=ladder.reading))
        lower = rungs.firsts_below(ladder.group, below, candidate.claim_year) \
            if ladder.differs else ()
        why = candidate.why
        if not ladder.differs and ladder.reading and rungs.any_below(  # the reading pays it in full
                ladder.group, below, candidate.claim_year):
            why += (R.StackedInFull(full=full, reading=ladder.reading),)
        reading = ladder.reading if ladder.differs else None
        if (why, lower, counted, tuple(cut), reading) == (
                candidate.why, candidate.deduct, candidate.deduct_received, candidate.received_cut,
                candidate.reading):
            return candidate  # (the ladder changes nothing: the same award, not a copy)
        return replace(candidate, why=why, deduct=lower, deduct_received=counted,
                       received_cut=tuple(cut), reading=reading)

    # -- relocation rewards ----------------------------------------------------------------------
    def relocation_reward(self, rule: Rule) -> None:
        """DOMAIN 4: the tier must be held on the move date or (Mentougou) be the enterprise's
        first recognition at that tier, obtained while registered in the district continuously
        since the move. The district moved into pays, whatever the `paying-district` reading; a
        return is not a relocation: only a move into a district never registered in before pays.
        A relocation reward that is a rung of a ladder (`ladder_level`, Pinggu) shares its R1
        group, its R2 differences and its R3 level with the ladder's tier rewards."""
        district = rule.payer
        moves = [m for m in self.record.moves if m.to == district]
        if not moves:
            self.reject(rule, R.NoMoveInto(district=district))
            return
        amount = rule.spec.amount
        if self.received_for(rule.measure) or amount is None:
            return
        ladder, level = (rule.spec.r1_group, rule.spec.ladder_level) if rule.spec.ladder_level \
            else (None, None)
        for move in moves:
            event: Event = R.MoveEvent(origin=move.from_, move_date=move.date.isoformat())
            before = self.registered_before(district, move.date)
            if before is not None:  # DOMAIN 4: a return is not a relocation
                self.reject(rule, R.ReturnNotRelocation(about=event, district=district,
                                                        date=move.date.isoformat(),
                                                        left=before.isoformat()))
                continue
            if ladder is not None and level is not None:
                taken = self.received_level(rule, ladder, level)
                if taken is not None:  # R3: the ladder already paid this level
                    self.ladder_taken(rule, event, taken)
                    return
            qualifying = self.relocation_qualifies(rule, move.date, move.from_, event)
            if qualifying is None:
                continue
            qualifying_date, tier = qualifying
            claim_year = qualifying_date.year + self.lag(rule)
            event_date = max(move.date, qualifying_date)
            why = (R.MovedInto(origin=move.from_, district=district, date=move.date.isoformat()),
                   R.TierQualifies(tier=tier, date=qualifying_date.isoformat(), district=district,
                                   at_move=int(qualifying_date == move.date)),
                   R.ClaimedIn(claim_year=claim_year, event_year=event_date.year,
                               reading=self.lag_reading(rule))) if self.why else ()
            self.add(Candidate(
                key=f"{rule.id}||{claim_year}|move {move.date}", rule=rule, measure=rule.measure,
                tier=None, claim_year=claim_year, amount=_interval(amount),
                paid_by=district, projected=self.projected(event_date), why=why,
                r1_group=f"{rule.spec.r1_group} in {claim_year}" if rule.spec.r1_group else None,
                one_time=f"{ladder}|{level}" if ladder else rule.measure, event=event_date,
                about=event, ladder=ladder, level=level, title=self.title(rule)))

    def registered_before(self, district: str, day: dt.date) -> dt.date | None:
        """The date the enterprise last left `district` before `day`, or None when it was never
        registered there (a move into it on `day` is then a relocation, not a return)."""
        moves = self.record.moves
        left = None
        place = moves[0].from_ if moves else self.record.district
        for move in moves:
            if move.date >= day:
                break
            if place == district:
                left = move.date
            place = move.to
        return left

    def relocation_qualifies(self, rule: Rule, move_date: dt.date, origin: str,
                             event: Event) -> tuple[dt.date, str] | None:
        """(qualifying date, tier) of a move, or None after recording why not."""
        held = self.on(move_date)[1]
        facts = self.facts(rule, tier=held, origin=origin, move_date=move_date)
        failed = self.first_failure(rule, event, facts)
        if failed is None and held is not None:
            return move_date, held
        if failed is None or failed.get("field") != "tier" or rule.spec.tier_held != "at_move_or_after":
            self.reject(rule, failed or R.NoTrigger())
            return None
        # The enterprise's first recognition that meets the tier condition (never a later one).
        first = next((r for r in self.record.recognitions
                      if self.first_failure(rule, event, {**facts, "tier": r.tier}) is None), None)
        if first is None:
            self.reject(rule, failed)
            return None
        moved_again = [m for m in self.record.moves if move_date < m.date <= first.date]
        if moved_again:
            self.reject(rule, R.NotContinuous(about=event, district=rule.payer,
                                              first_tier=first.tier,
                                              first_date=first.date.isoformat(),
                                              where=self.on(first.date)[0]))
            return None
        return first.date, first.tier

    # -- Fengtai qualification subsidy -------------------------------------------------------
    def qualification_reward(self, rule: Rule) -> None:
        amount = rule.spec.amount
        if amount is None:
            return
        events = [(q.kind, q.date) for q in self.record.qualifications]
        for level, kind in rule.spec.recognition_counts_as.items():  # Fengtai: little giant
            at_level = self.at_level(level)
            if at_level:
                events.append((kind, at_level[0].date))
        if not events:
            self.reject(rule, R.NoQualification())
        held: dict[str, int] = {}  # kind → how many times obtained so far
        for kind, day in sorted(events, key=lambda e: (e[1], e[0])):
            event: Event = R.QualificationEvent(kind=kind, date=day.isoformat())
            times = held[kind] = held.get(kind, 0) + 1
            occasion = "first" if times == 1 else "review"
            claim_year = day.year + self.lag(rule)
            paid_by = self.payer(day, claim_year)
            if paid_by != rule.payer:
                self.elsewhere(rule, event, day, claim_year, paid_by)
                continue
            if self.fails(rule, event, self.facts(rule, qualification=kind, tier=self.on(day)[1])):
                continue
            pays = rule.spec.pays_for
            if not (occasion in pays or (times == 2 and "first_review" in pays)):
                self.reject(rule, R.SameQualification(about=event))
                continue
            review = "" if occasion == "first" else f" review {day}"
            self.add(Candidate(
                key=f"{rule.id}||{claim_year}|{kind}{review}", rule=rule, measure=rule.measure,
                tier=None, claim_year=claim_year, amount=_interval(amount), paid_by=paid_by,
                projected=self.projected(day),
                why=(R.Qualification(kind=kind, date=day.isoformat(), district=paid_by),
                     R.ClaimedIn(claim_year=claim_year, event_year=day.year,
                                 reading=self.lag_reading(rule))) if self.why else (),
                caps=self.cap_keys(rule, "", claim_year),
                one_time=f"{rule.measure}|{kind}" + ("" if rule.spec.one_time else review),
                event=day, about=event, occasion=occasion, title=self.title(rule)))

    # -- programmes on year-only events (expenses, listings, patent annuities) -------------------
    def event_facts(self, rule: Rule, year: int, event: Event,
                    **more: object) -> dict[str, object] | None:
        """Facts on 31 December of the event year, or None (with a reason) when the rule's payer
        does not cover the enterprise then: outside the jurisdiction for a municipal programme,
        registered elsewhere for a district one (a district pays only its own enterprises)."""
        day = _last_day(year)
        district, tier = self.on(day)
        if rule.payer == MUNICIPAL_PAYER:
            if district == self.record.vocabulary.outside:  # (`in_jurisdiction_on`)
                self.reject(rule, R.NotInBeijing(
                    about=event, date=day.isoformat(),
                    jurisdiction=self.catalog.vocabulary.jurisdiction.id))
                return None
        elif district != rule.payer:
            self.elsewhere(rule, event, day, year, district)
            return None
        return self.facts(rule, tier=tier, **more)

    def expense(self, rule: Rule) -> None:
        amount = rule.spec.amount
        if amount is None:
            return
        items = [e for e in self.record.expenses if e.category in rule.spec.categories]
        if not items and self.out.keep_reasons:  # (most records: built only when kept)
            self.reject(rule, R.NoExpense(categories=", ".join(rule.spec.categories)))
        eligible = []
        for item in items:
            event: Event = R.ExpenseEvent(expense=item.id, category=item.category,
                                          year=item.year)
            facts = self.event_facts(rule, item.year, event, project_year=item.project_year)
            if facts is None:
                continue
            if self.fails(rule, event, facts):
                continue
            if rule.spec.one_time and self.received_for(rule.measure):
                self.reject(rule, R.OneTimeReceived(about=event))
                continue
            eligible.append((item, event, facts))
        limit = rule.spec.year_limit
        first_years = self.first_years(rule, [(item, event) for item, event, _ in eligible]) \
            if limit is not None and limit.years == "first" else None
        for item, event, facts in eligible:
            project = item.project or f"{item.id} (own project)"  # a key, never shown
            shown = item.project or item.id  # the project a person reads
            own = int(item.project is None)
            number = None
            if first_years is not None and limit is not None:
                years = first_years[self._year_scope(limit.per, project)]
                if item.year not in years:  # reading `interest-years=first-three`
                    self.reject(rule, R.FirstYearsUsed(about=event, project=shown,
                                                       own_project=own, limit=R.Years(limit.limit),
                                                       years=", ".join(map(str, years)),
                                                       reading=self.reading_of_limit(limit)))
                    continue
                number = years.index(item.year) + 1
            interval = _interval(amount, base=item.amount)
            why: list[Reason] = [
                R.ExpenseItem(project=shown, own_project=own, expense=item.id,
                              category=item.category,
                              amount=item.amount, year=item.year, project_year=item.project_year,
                              year_number=number,
                              years_limit=limit.limit if limit is not None and number else None),
                self.tier_held(facts["tier"], item.year)] if self.why else []
            if self.why and amount.up_to is not None and item.amount > amount.up_to:
                why.append(R.LimitBound(limit=R.Yuan(amount.up_to), base=item.amount,
                                        project_years=_years_of(rule.conditions),
                                        per=",".join(rule.spec.caps[0].per) if rule.spec.caps
                                        else None))
            self.add(Candidate(
                key=f"{rule.id}||{item.year}|{item.id}", rule=rule, measure=rule.measure, tier=None,
                claim_year=item.year, amount=interval,
                paid_by=rule.payer, projected=item.year > self.out.as_of.year, why=tuple(why),
                expense_item=item.id, caps=self.cap_keys(rule, project, item.year),
                one_time=rule.measure if rule.spec.one_time else None,
                year_limit=(self._year_limit(rule, project), item.year)
                if limit is not None and first_years is None else None,
                event=_last_day(item.year), about=event, title=self.title(rule)))

    def first_years(self, rule: Rule, eligible: list[tuple[Expense, Event]]) -> dict[str, list[int]]:
        """Reading `interest-years=first-three`: the first N years in which each project (or the
        enterprise) has an eligible item, in order (consecutive or not; effective dates count)."""
        limit = rule.spec.year_limit
        if limit is None:
            raise CatalogError(t("catalog.no_year_limit", id=rule.id))
        years: dict[str, set[int]] = {}
        for item, _event in eligible:
            if rule.in_force(_last_day(item.year)):
                scope = self._year_scope(limit.per, item.project or f"{item.id} (own project)")
                years.setdefault(scope, set()).add(item.year)
        return {scope: sorted(found)[:limit.limit] for scope, found in years.items()}

    @staticmethod
    def reading_of_limit(limit: MaxYears) -> str | None:
        return ", ".join(f"{k}={v}" for k, v in limit.only_when.items()) or None

    @staticmethod
    def _year_scope(per: tuple[str, ...], project: str) -> str:
        return "enterprise" if per == ("enterprise",) else f"project {project}"

    def _year_limit(self, rule: Rule, project: str) -> str:
        limit = rule.spec.year_limit
        if limit is None:
            raise CatalogError(t("catalog.no_year_limit", id=rule.id))
        key = f"{rule.id} years: {self._year_scope(limit.per, project)}"
        self.out.year_limits[key] = limit.limit
        return key

    def listing(self, rule: Rule) -> None:
        amount = rule.spec.amount
        if amount is None:
            return
        listings = [item for item in self.record.listings if item.board in rule.spec.boards]
        if not listings and self.out.keep_reasons:
            self.reject(rule, R.NoListing(boards=", ".join(rule.spec.boards)))
        for item in listings:
            event: Event = R.ListingEvent(board=item.board, year=item.year)
            facts = self.event_facts(rule, item.year, event)
            if facts is None:
                continue
            if self.fails(rule, event, facts):
                continue
            self.add(Candidate(
                key=f"{rule.id}||{item.year}|{item.board}", rule=rule, measure=rule.measure,
                tier=None, claim_year=item.year, amount=_interval(amount),
                paid_by=rule.payer, projected=item.year > self.out.as_of.year,
                why=(R.Listing(board=item.board, year=item.year),
                     self.tier_held(facts["tier"], item.year)) if self.why else (),
                caps=self.cap_keys(rule, "", item.year), event=_last_day(item.year),
                about=event, title=self.title(rule)))

    def listing_district(self, rule: Rule) -> None:
        counterpart = rule.spec.amount.not_less_than if rule.spec.amount else None
        if counterpart is None:
            return
        municipal = [c for c in self.out.candidates if c.measure == counterpart]
        counterpart_title = self.out.titles.get(counterpart, counterpart)
        if not municipal and self.out.keep_reasons:
            listed = [item for item in self.record.listings if item.board in rule.spec.boards]
            # Nothing listed: nothing to match, said as for any measure without its event.
            self.reject(rule, R.NoCounterpart(counterpart_title=counterpart_title,
                                              counterpart_measure=counterpart) if listed else
                        R.NoListing(boards=", ".join(rule.spec.boards)))
        for award in municipal:
            day = _last_day(award.claim_year)  # the listing's year
            if self.fails(rule, award.about, self.facts(rule, tier=self.on(day)[1])):
                continue
            district = self.on(day)[0]
            self.add(Candidate(
                key=f"{rule.id}||{award.claim_year}|{award.key}", rule=rule, measure=rule.measure,
                tier=None, claim_year=award.claim_year,
                amount=Money(award.amount.min, award.amount.max, open_above=True),
                paid_by=district, projected=award.projected,
                why=(R.DistrictMatches(district=district, counterpart_title=counterpart_title,
                                       counterpart_measure=counterpart),) if self.why else (),
                mirror_of=award.key, event=award.event, about=award.about,
                title=self.title(rule)))

    def patent_annuity(self, rule: Rule) -> None:
        amount = rule.spec.amount
        if amount is None:
            return
        if not self.record.patents and self.out.keep_reasons:
            self.reject(rule, R.NoPatent())
        for patent in self.record.patents:
            event: Event = R.PatentEvent(patent=patent.id, year=patent.year,
                                          patent_year=patent.patent_year)
            facts = self.event_facts(rule, patent.year, event, patent_year=patent.patent_year)
            if facts is None:
                continue
            if self.fails(rule, event, facts):
                continue
            if amount.base != "standard_annuity":
                raise CatalogError(t("catalog.annuity_base", id=rule.id), field="amount.base")
            base = patent.standard_annuity
            interval = _interval(amount, base=base,
                                 ceiling=patent.paid if amount.at_most == "paid" else None)
            self.add(Candidate(
                key=f"{rule.id}||{patent.year}|{patent.id} year {patent.patent_year}", rule=rule,
                measure=rule.measure, tier=None, claim_year=patent.year, amount=interval,
                paid_by=rule.payer, projected=patent.year > self.out.as_of.year,
                why=(R.PatentAnnuity(patent=patent.id, year=patent.year,
                                     patent_year=patent.patent_year, percent=amount.percent or 0,
                                     standard=patent.standard_annuity,
                                     share=percent_of(patent.standard_annuity,
                                                      amount.percent or 0),
                                     paid=patent.paid, subsidy=interval.max),) if self.why else (),
                event=_last_day(patent.year), about=event, title=self.title(rule)))

    # -- non-monetary benefits -----------------------------------------------------------------
    def collect_benefits(self) -> None:
        if self.record.district == self.catalog.vocabulary.outside:
            return
        tier = self.record.highest_tier()
        boards = {item.board for item in self.record.listings}
        private = self.entity_type == PRIVATE_NON_ENTERPRISE
        for benefit in self.catalog.benefits:
            spec = benefit.spec
            if spec.boards and not boards & set(spec.boards):
                continue
            if private and not names_private_non_enterprise(benefit.conditions):
                continue
            facts = {"industry": self.industries, "entity_type": self.entity_type,
                     "tier": tier}  # BENEFIT_FACTS: judged on the highest tier
            if any(not c.holds(facts) for c in benefit.conditions):
                continue
            self.out.benefits.append({
                "measure": spec.id, "benefit": spec.quote,
                "amount": "not stated" if spec.amount == "not_stated" else "non-monetary",
                "source": benefit.source_text, "contact": benefit.contact, "tel": benefit.tel})


def compile_record(record: EnterpriseRecord, catalog: Catalog, readings: dict[str, str],
                   today: dt.date | None = None, *, part: str = "all",
                   reasons: bool = True, payers: frozenset[str] | None = None) -> Compiled:
    """Record + catalog + readings → candidates, caps, received rewards, reasons and benefits.

    `part` keeps only the `municipal` or the `district` rules (they never share a constraint);
    `reasons=False` skips the why-not texts and benefits, for batch work that only adds up;
    `payers` keeps of the district rules only those these districts pay.
    """
    return _Compiler(record, catalog, readings, today or dt.date.today(), part, reasons,
                     payers).run()


def joined(first: Compiled, second: Compiled) -> Compiled:
    """One record's candidates from two compilations of rules that share no constraint (the
    rules of different paying districts, when `payers_apart`), as one `Compiled`: the same
    optimum as compiling them together (no component spans the two, and each keeps its
    candidates' order; ranks are by claim year and key). Both read the same received rewards."""
    return replace(first, candidates=first.candidates + second.candidates,
                   caps={**first.caps, **second.caps},
                   cap_info={**first.cap_info, **second.cap_info},
                   year_limits={**first.year_limits, **second.year_limits},
                   rejections={**first.rejections, **second.rejections},
                   titles={**first.titles, **second.titles},
                   payers={**first.payers, **second.payers})


def payers_apart(catalog: Catalog, readings: dict[str, str]) -> bool:
    """Do the district rules of different paying districts share no constraint under
    `readings`? (No R1 group, R3 key — a measure — or "not less than" counterpart of one
    district's rules among another's; an expense, listing or patent pays only the district the
    enterprise is registered in on 31 December of its year: one district per item, never two.)
    Worked out once per catalog and readings."""
    def apart() -> bool:
        owner: dict[tuple[str, str], str] = {}
        for rule in catalog.active_rules(readings, "district"):
            counterpart = rule.spec.amount.not_less_than if rule.spec.amount else None
            for key in (("group", rule.spec.r1_group), ("measure", rule.measure),
                        ("measure", counterpart)):
                if key[1] is not None and owner.setdefault((key[0], key[1]), rule.payer) != rule.payer:
                    return False
        return True
    return catalog.worked_out(("payers apart", *sorted(readings.items())), apart)


def effective_amount(candidate: Candidate) -> Money:
    """The candidate's interval after a lower-tier reward already received (R2)."""
    paid = candidate.deduct_received
    amount = candidate.amount
    if not paid:  # (most awards: the amount itself, never negative)
        return amount
    return Money(max(0, amount.min - paid), max(0, amount.max - paid), amount.open_above)


def difference_cut(candidate: Candidate, lower: Candidate) -> tuple[int, int]:
    """R2: how much (on the min, on the max) the higher award loses when `lower` is also paid."""
    amount = effective_amount(candidate)
    paid_lower = lower.amount.max
    return min(amount.min, paid_lower), min(amount.max, paid_lower)
