"""The planner: best relocation district, claim timeline, application windows and every reading.

Each function loops over `solver.evaluate.evaluate` (the one road) and returns typed data
(frozen dataclasses with `as_dict()` for JSON); `views/` renders them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields

from models.catalog import MUNICIPAL_PAYER, Catalog, active_catalog, open_catalog_on, reformed
from models.errors import InputError
from models.i18n import t
from models.limits import MAX_DIGITS, MAX_SCENARIO_ITEMS, MAX_YUAN, Quoted, shown
from models.money import Money
from models.record import EnterpriseRecord, Move, parse_record
from models.scenario import Scenario, parse_inline
from solver.compile import Compiled, compile_record, joined, payers_apart
from solver.evaluate import compute_amounts, evaluate, paid_amounts
from solver.explain import Award, Evaluation, award_order

DEFAULT_HORIZON_YEARS = 2


def total_of(awards: list[Award] | tuple[Award, ...]) -> Money:
    """The total still to come: every award not already received."""
    return Money.total(award.amount for award in awards if not award.received)


def within(evaluation: Evaluation, first_year: int, last_year: int) -> list[Award]:
    """The awards (not received) claimed in [first_year, last_year]."""
    return [a for a in evaluation.awards
            if not a.received and first_year <= a.claim_year <= last_year]


# -- best relocation district --------------------------------------------------------------------

@dataclass(frozen=True)
class DistrictOutcome:
    district: str
    current: bool
    total: Money
    delta_min: int
    delta_max: int
    awards: tuple[Award, ...]

    def as_dict(self) -> dict[str, object]:
        return {"district": self.district, "total": self.total.as_dict(),
                "delta_vs_stay": {"min": self.delta_min, "max": self.delta_max},
                "awards": [a.as_dict() for a in self.awards]}


@dataclass(frozen=True)
class Ranking:
    enterprise: str
    current_district: str
    move_date: dt.date
    horizon: tuple[int, int]
    readings: dict[str, str]
    stay: Money
    ranking: tuple[DistrictOutcome, ...]

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.enterprise, "move_date": self.move_date.isoformat(),
                "horizon": list(self.horizon),
                "ranking": [outcome.as_dict() for outcome in self.ranking]}


RANK_BY = ("max", "min")


def rank_key(rank_by: str, current: str) -> Callable[[tuple[str, Money]], tuple[int, int, bool, str]]:
    """DOMAIN 8: by the upper total (`max`) or the lower (`min`), then the other, then the current
    district first (a move is recommended only when it brings more than staying), then name."""
    if rank_by not in RANK_BY:
        raise InputError(f"cannot rank by {rank_by!r}", field="rank_by", accepted="max, min")

    def key(item: tuple[str, Money]) -> tuple[int, int, bool, str]:
        district, total = item
        first, second = (total.max, total.min) if rank_by == "max" else (total.min, total.max)
        return (-first, -second, district != current, district)
    return key


def moved(record: EnterpriseRecord, district: str, day: dt.date) -> EnterpriseRecord:
    """The record plus a move into `district` on `day` (the record itself when already there)."""
    if district == record.district:
        return record
    if record.moves and record.moves[-1].date >= day:
        raise InputError(f"the record already moves on {record.moves[-1].date}, on or after the "
                         f"move date {day}", field="move_date",
                         accepted=f"a date after {record.moves[-1].date}")
    # The move chains from the current district by construction: no need to validate again.
    move = Move.model_construct(from_=record.district, to=district, date=day)
    return record.model_copy(update={"moves": [*record.moves, move], "district": district})


def best_district(record: EnterpriseRecord, move_date: dt.date | None = None,
                  horizon_years: int = DEFAULT_HORIZON_YEARS,
                  readings: dict[str, str] | None = None, *, catalog: Catalog | None = None,
                  today: dt.date | None = None, rank_by: str = "max",
                  split: bool = True) -> Ranking:
    """Rank the catalog's districts by what a move there on `move_date` brings within the horizon.
    `split=False`: every district evaluated whole (the reference the split road is held to)."""
    if horizon_years < 0:
        raise InputError("the horizon cannot be negative", field="horizon_years",
                         accepted="0 or more years after the move year")
    catalog = catalog or active_catalog()
    day = move_date or record.as_of or today or dt.date.today()
    first, last = day.year, day.year + horizon_years
    outcomes: list[tuple[str, Money, tuple[Award, ...]]] = []
    districts = catalog.vocabulary.districts
    for district, awards in _district_awards(record, day, first, last, readings, catalog, today,
                                             split):
        outcomes.append((district, total_of(awards), awards))
    if record.district in districts:
        stay = next(total for district, total, _ in outcomes if district == record.district)
    else:  # outside Beijing: staying is the record as it is
        stay = total_of(within(evaluate(record, readings, catalog=catalog, today=today), first, last))
    by_rank = rank_key(rank_by, record.district)
    ranked = sorted(outcomes, key=lambda o: by_rank((o[0], o[1])))
    return Ranking(
        enterprise=record.id, current_district=record.district, move_date=day,
        horizon=(first, last), readings=catalog.resolve_readings(readings), stay=stay,
        ranking=tuple(DistrictOutcome(district=d, current=d == record.district, total=t,
                                      delta_min=t.min - stay.min, delta_max=t.max - stay.max,
                                      awards=a) for d, t, a in ranked))


def _district_awards(record: EnterpriseRecord, day: dt.date, first: int, last: int,
                     readings: dict[str, str] | None, catalog: Catalog, today: dt.date | None,
                     split: bool) -> Iterator[tuple[str, tuple[Award, ...]]]:
    """Each district and the awards a move there brings in [first, last], explained. Within the
    jurisdiction and when no district rule is tied to a municipal one, the municipal awards do
    not depend on the district: evaluated once, and only the district rules for each district
    (a property holds this equal to evaluating every district whole; a record of 1,000 expense
    items pays its municipal optimization once, not sixteen times)."""
    districts = catalog.vocabulary.districts
    municipal: list[Award] | None = None
    if split and record.district in districts \
            and catalog.parts_separable(catalog.resolve_readings(readings)):
        municipal = within(evaluate(record, readings, catalog=catalog, today=today,
                                    part="municipal"), first, last)
        # A municipal award paid by the district (the district's match of a municipal listing
        # subsidy) follows the move: then every district is evaluated whole.
        if any(award.paid_by != MUNICIPAL_PAYER for award in municipal):
            municipal = None
    if municipal is not None:
        for district in districts:
            local = within(evaluate(moved(record, district, day), readings, catalog=catalog,
                                    today=today, part="district"), first, last)
            yield district, tuple(sorted(municipal + local, key=award_order))
        return
    for district in districts:
        result = evaluate(moved(record, district, day), readings, catalog=catalog, today=today)
        yield district, tuple(within(result, first, last))


def best_district_totals(record: EnterpriseRecord, move_date: dt.date | None = None,
                         horizon_years: int = DEFAULT_HORIZON_YEARS,
                         readings: dict[str, str] | None = None, *, catalog: Catalog | None = None,
                         today: dt.date | None = None,
                         rank_by: str = "max") -> tuple[list[tuple[str, Money]], Money]:
    """The ranking's totals only (and the stay total), fast: the municipal part does not depend
    on the district, so it is solved once; only the district rules are solved per district, and
    of those the rules of the districts the record was registered in are compiled once
    (`_district_parts`). Equal to `best_district` (property tests hold them together, and to
    every district evaluated whole)."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    districts = catalog.vocabulary.districts
    if record.district not in districts or not catalog.parts_separable(chosen):
        # Moving into the jurisdiction changes the municipal part too; a district rule tied to a
        # municipal one (R1 group, R4 expense item) must be solved with it: the full road.
        ranking = best_district(record, move_date, horizon_years, readings, catalog=catalog,
                                today=today, rank_by=rank_by)
        return [(o.district, o.total) for o in ranking.ranking], ranking.stay
    day = move_date or record.as_of or today or dt.date.today()
    first, last = day.year, day.year + horizon_years

    def in_horizon(amounts: Amounts) -> Money:
        return Money.total(amount for _measure, _payer, year, amount in amounts
                           if first <= year <= last)

    municipal = in_horizon(compute_amounts(record, chosen, catalog=catalog, today=today,
                                           part="municipal"))
    totals = [(district, municipal + in_horizon(amounts))
              for district, amounts in _district_parts(record, day, chosen, catalog, today)]
    stay = next(total for district, total in totals if district == record.district)
    return sorted(totals, key=rank_key(rank_by, record.district)), stay


Amounts = list[tuple[str, str, int, Money]]


def _district_parts(record: EnterpriseRecord, day: dt.date, chosen: dict[str, str],
                    catalog: Catalog, today: dt.date | None) -> Iterator[tuple[str, Amounts]]:
    """Each district and what its district rules pay after a move there on `day` (the current
    district: the record as it is). When the districts' rules share no constraint
    (`payers_apart`), the rules of the districts the record was ever registered in do not
    depend on which new district it moves to: they are compiled once, and only the new
    district's own rules per district (none for a district without rules under the readings);
    their optimum is the one of compiling them together (a property test holds the totals to
    whole evaluations)."""
    places = frozenset({record.district} | {place for move in record.moves
                                            for place in (move.from_, move.to)})
    apart = payers_apart(catalog, chosen)
    paying = catalog.worked_out(("district payers", *sorted(chosen.items())), lambda: frozenset(
        rule.payer for rule in catalog.active_rules(chosen, "district")))
    base: Compiled | None = None  # the rules of `places` after a move to a new district
    alone: Amounts | None = None  # what they pay when the new district's rules add nothing
    for district in catalog.vocabulary.districts:
        if district in places or not apart:
            yield district, compute_amounts(moved(record, district, day), chosen,
                                            catalog=catalog, today=today, part="district")
            continue
        # (the moved record is needed for the first new district and for those with rules)
        moving = moved(record, district, day) if base is None or district in paying else record
        if base is None:
            base = compile_record(moving, catalog, chosen, today, part="district", reasons=False,
                                  payers=places)
        own = compile_record(moving, catalog, chosen, today, part="district", reasons=False,
                             payers=frozenset((district,))) if district in paying else None
        if own is not None and own.candidates:
            yield district, paid_amounts(joined(base, own))
            continue
        if alone is None:
            alone = paid_amounts(base)
        yield district, alone


# -- timeline ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineYear:
    """One claim year: its claims, and apart the claims of years already gone that the record
    does not list as received ("check with the office whether it was paid", DOMAIN.md 8)."""

    year: int
    total: Money                     # not received: the claims still to come and the past ones
    claims: tuple[Award, ...]        # received, due, projected
    past: tuple[Award, ...]

    def as_dict(self) -> dict[str, object]:
        return {"year": self.year, "total": self.total.as_dict(),
                "claims": [_claim(a) for a in self.claims], "past": [_claim(a) for a in self.past]}


def _claim(award: Award) -> dict[str, object]:
    return {"measure": award.measure, "title": award.title, "tier": award.tier,
            "amount": award.amount.as_dict(), "paid_by": award.paid_by, "status": award.status,
            "received": award.received, "projected": award.projected,
            "contact": award.contact, "tel": award.tel}


def timeline(evaluation: Evaluation) -> tuple[TimelineYear, ...]:
    """Claim year by claim year: what can be claimed, from whom, whom to call."""
    years: dict[int, list[Award]] = {}
    for award in evaluation.awards:
        years.setdefault(award.claim_year, []).append(award)
    return tuple(TimelineYear(year, total_of(awards),
                              tuple(a for a in awards if a.status != "past"),
                              tuple(a for a in awards if a.status == "past"))
                 for year, awards in sorted(years.items()))


# -- application windows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The application window for a recognition tier on a day (brochure III.(III))."""

    tier: str
    period: str                 # month, quarter, or what the catalog says
    opens: dt.date | None
    last_day: dt.date | None
    days_left: int | None
    who: str
    clause: str
    portal: str
    contact: str
    tel: str

    def as_dict(self) -> dict[str, str | int | None]:
        """Its fields in order, days written YYYY-MM-DD (the service's WindowOut is derived from
        the same fields: service.schemas.answer_model)."""
        return {field.name: _written(getattr(self, field.name)) for field in fields(self)}


def _written(value: str | int | dt.date | None) -> str | int | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def windows(day: dt.date, tier: str | None = None, *,
            catalog: Catalog | None = None) -> tuple[Window, ...]:
    """The application window open on `day` for each recognition tier (brochure III.(III))."""
    catalog = catalog or active_catalog()
    if tier is not None:  # as a notice or a sheet spells it (小巨人企业, 专精特新中小企业, …)
        from models.normalize import accepted_values, normalize_value

        try:
            tier = str(normalize_value("tier", tier, catalog.vocabulary))
        except ValueError:
            pass
        if tier not in catalog.index.windows:
            raise InputError(t("option.no_window", tier=Quoted(tier)), field="tier",
                             accepted=accepted_values("tier", catalog.vocabulary, list(catalog.index.windows)))
    out = []
    for name, spec in catalog.index.windows.items():
        if tier is not None and name != tier:
            continue
        opens: dt.date | None
        closes: dt.date | None
        if spec.period == "month":
            opens = day.replace(day=1)
            closes = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        elif spec.period == "quarter":
            first_month = 3 * ((day.month - 1) // 3) + 1
            opens = dt.date(day.year, first_month, 1)
            closes = dt.date(day.year, first_month + 2,
                             calendar.monthrange(day.year, first_month + 2)[1])
        else:
            opens = closes = None
        out.append(Window(tier=name, period=spec.period, opens=opens, last_day=closes,
                          days_left=(closes - day).days if closes else None, who=spec.who,
                          clause=spec.clause, portal=catalog.index.brochure.portal,
                          contact=spec.contact, tel=spec.tel))
    return tuple(sorted(out, key=lambda w: catalog.vocabulary.tier_rank[w.tier]))


# -- every reading --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadingEffect:
    """What one alternative reading (the others at their defaults) changes."""

    reading: str                       # key=value
    delta_min: int
    delta_max: int
    gained: tuple[Award, ...]
    lost: tuple[Award, ...]

    def as_dict(self) -> dict[str, object]:
        return {"reading": self.reading, "delta": {"min": self.delta_min, "max": self.delta_max},
                "gained": [a.as_dict() for a in self.gained],
                "lost": [a.as_dict() for a in self.lost]}


@dataclass(frozen=True)
class AllReadings:
    """The record under every combination of readings."""

    enterprise: str
    low: int
    high: int
    open_above: bool
    default: Money
    combinations: tuple[tuple[dict[str, str], Money], ...]
    effects: tuple[ReadingEffect, ...]

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.enterprise,
                "range": {"min": self.low, "max": self.high, "open_above": self.open_above},
                "default": self.default.as_dict(),
                "combinations": [{"readings": dict(readings), "total": total.as_dict()}
                                 for readings, total in self.combinations],
                "effects": [effect.as_dict() for effect in self.effects]}


def all_readings(record: EnterpriseRecord, *, catalog: Catalog | None = None,
                 today: dt.date | None = None) -> AllReadings:
    """Evaluate under every combination of readings: the range of totals, and for each
    alternative reading (the others at their defaults) which awards it moves."""
    catalog = catalog or active_catalog()
    keys = list(catalog.index.readings)
    defaults = catalog.default_readings()
    results: dict[tuple[str, ...], Evaluation] = {}
    for values in itertools.product(*(list(catalog.index.readings[k].alternatives) for k in keys)):
        results[values] = evaluate(record, dict(zip(keys, values)), catalog=catalog, today=today)
    totals = [r.total for r in results.values()]
    base = results[tuple(defaults[k] for k in keys)]
    effects = []
    for key in keys:
        for value in catalog.index.readings[key].alternatives:
            if value == defaults[key]:
                continue
            other = results[tuple(value if k == key else defaults[k] for k in keys)]
            gained, lost = award_changes(base, other)
            effects.append(ReadingEffect(f"{key}={value}", other.total.min - base.total.min,
                                         other.total.max - base.total.max, gained, lost))
    return AllReadings(
        enterprise=record.id, low=min(t.min for t in totals), high=max(t.max for t in totals),
        open_above=any(t.open_above for t in totals), default=base.total,
        combinations=tuple((dict(zip(keys, values)), r.total) for values, r in results.items()),
        effects=tuple(effects))


def _award_key(award: Award) -> tuple[object, ...]:
    return (award.measure, award.tier, award.claim_year, award.amount.min, award.amount.max,
            award.received, award.paid_by)


def award_changes(before: Evaluation,
                  after: Evaluation) -> tuple[tuple[Award, ...], tuple[Award, ...]]:
    """Awards in `after` but not `before` (gained) and the other way round (lost)."""
    old = {_award_key(a): a for a in before.awards}
    new = {_award_key(a): a for a in after.awards}
    return (tuple(new[k] for k in new if k not in old), tuple(old[k] for k in old if k not in new))


# -- what if -----------------------------------------------------------------------------------------

def scenario_catalog(scenario: Scenario, catalog: Catalog) -> Catalog:
    """The catalog a scenario's policies name (before reforms), else `catalog`."""
    if scenario.policies is None:
        return catalog
    return open_catalog_on(scenario.policies.directory, scenario.policies.in_force)


def apply_scenario(record: EnterpriseRecord, scenario: Scenario, catalog: Catalog,
                   readings: dict[str, str] | None) -> tuple[EnterpriseRecord, Catalog, dict[str, str]]:
    """The record, catalog and readings a scenario asks for (other policies: another package,
    or one as in force on a date, in place of `catalog`)."""
    catalog = scenario_catalog(scenario, catalog)
    changed = parse_record(scenario.apply(record.model_dump(by_alias=True)),
                           source=f"scenario {scenario.name!r}", catalog=catalog) \
        if (scenario.sets or scenario.adds or scenario.moves) else record
    return (changed, reformed_once(catalog, scenario.reforms) if scenario.reforms else catalog,
            {**(readings or {}), **scenario.readings})


def reformed_once(catalog: Catalog, reforms: dict[str, int]) -> Catalog:
    """`reformed`, built once per catalog and reforms (a batch scenario applies the same reform
    to every row; the same catalog object also lets the batch memo recognize it)."""
    return catalog.worked_out(("reformed", *sorted(reforms.items())), lambda: reformed(catalog, reforms))


@dataclass(frozen=True)
class WhatIf:
    """Baseline against scenario: both totals, the delta, the awards gained and lost."""

    enterprise: str
    scenario: str
    baseline_readings: dict[str, str]
    baseline: Money
    outcome_readings: dict[str, str]
    outcome: Money
    gained: tuple[Award, ...]
    lost: tuple[Award, ...]

    @property
    def delta_min(self) -> int:
        return self.outcome.min - self.baseline.min

    @property
    def delta_max(self) -> int:
        return self.outcome.max - self.baseline.max

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.enterprise, "scenario": self.scenario,
                "baseline": {"readings": self.baseline_readings, "total": self.baseline.as_dict()},
                "outcome": {"readings": self.outcome_readings, "total": self.outcome.as_dict()},
                "delta": {"min": self.delta_min, "max": self.delta_max},
                "gained": [a.as_dict() for a in self.gained],
                "lost": [a.as_dict() for a in self.lost]}


def whatif(record: EnterpriseRecord, scenario: Scenario, readings: dict[str, str] | None = None,
           *, catalog: Catalog | None = None, today: dt.date | None = None) -> WhatIf:
    """Baseline against scenario: both totals, the delta, and the awards gained and lost."""
    catalog = catalog or active_catalog()
    baseline = evaluate(record, readings, catalog=catalog, today=today)
    changed, changed_catalog, changed_readings = apply_scenario(record, scenario, catalog, readings)
    outcome = evaluate(changed, changed_readings, catalog=changed_catalog, today=today)
    gained, lost = award_changes(baseline, outcome)
    return WhatIf(record.id, scenario.name, baseline.readings, baseline.total, outcome.readings,
                  outcome.total, gained, lost)


@dataclass(frozen=True)
class Sweep:
    """The total as one number of a scenario varies."""

    enterprise: str
    key: str
    points: tuple[tuple[int, Money], ...]     # (value, total)

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.enterprise, "key": self.key,
                "points": [{"value": value, "total": total.as_dict()}
                           for value, total in self.points]}


def sweep(record: EnterpriseRecord, key: str, values: list[int], base: Scenario,
          readings: dict[str, str] | None = None, *, catalog: Catalog | None = None,
          today: dt.date | None = None) -> Sweep:
    """The total as one number of a scenario varies (`key` is an inline key taking a number)."""
    catalog = catalog or active_catalog()
    points = []
    for value in values:
        step = parse_inline([f"{key}={value}"], list(catalog.index.readings))
        changed, changed_catalog, changed_readings = apply_scenario(record, base.merged(step),
                                                                    catalog, readings)
        total = evaluate(changed, changed_readings, catalog=changed_catalog, today=today).total
        points.append((value, total))
    return Sweep(record.id, key, tuple(points))


def parse_sweep(text: str, option: str = "--sweep") -> tuple[str, list[int]]:
    """`shunyi.tier.national.amount=100000..900000:100000` → key and the values (at most
    MAX_SCENARIO_ITEMS of them, each a whole number within ±MAX_YUAN)."""
    key, _, spec = text.partition("=")
    example = f"e.g. {option} shunyi.tier.national.amount=100000..900000:100000"
    try:
        span, _, step_text = spec.partition(":")
        low_text, _, high_text = span.partition("..")
        texts = (low_text.strip(), high_text.strip(), step_text.strip() or "1")
        if any(len(part.lstrip("+-0")) > MAX_DIGITS for part in texts):  # never int() 5,000 digits
            raise ValueError
        low, high, step = (int(part) for part in texts)
        if max(abs(low), abs(high), step) > MAX_YUAN:
            raise ValueError
    except ValueError:
        raise InputError(f"{shown(text)} is not KEY=LOW..HIGH:STEP (whole numbers within "
                         f"±{MAX_YUAN:,})", field=option, accepted=example) from None
    if not key or step <= 0 or high < low or (high - low) // step + 1 > MAX_SCENARIO_ITEMS:
        raise InputError(f"{shown(text)}: need LOW <= HIGH, STEP > 0 and at most "
                         f"{MAX_SCENARIO_ITEMS} points", field=option, accepted=example)
    return key, list(range(low, high + 1, step))
