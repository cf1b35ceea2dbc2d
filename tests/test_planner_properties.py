"""Properties of the planner on generated records: the ranking covers the 16 districts in the
specified order, staying put is `evaluate` restricted to the horizon, and every `howto`
suggestion, applied, makes the measure pay."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from models.catalog import Catalog, load_catalog
from models.record import parse_record
from models.scenario import parse_inline
from models.catalog import load_catalog as _load_catalog
from solver.evaluate import evaluate
from solver.howto import howto
from models.money import Money
from solver.planner import apply_scenario, best_district
from tests.strategies import ladder_records, readings, records

DISTRICTS = _load_catalog().vocabulary.districts  # the catalog declares them

TODAY = dt.date(2026, 11, 24)
CATALOG = load_catalog()
move_dates = st.dates(dt.date(2024, 1, 1), dt.date(2029, 12, 31))


def _movable(data: dict, day: dt.date) -> bool:
    return all(move["date"] < day for move in data["moves"])


@settings(max_examples=40)
@given(st.one_of(records(), ladder_records()), move_dates, st.integers(0, 3), readings)
def test_the_ranking_holds_the_16_districts_in_order(data: dict, day: dt.date, years: int,
                                                     chosen: dict[str, str]) -> None:
    assume(_movable(data, day))
    ranking = best_district(parse_record(data), day, years, chosen, today=TODAY)
    names = [o.district for o in ranking.ranking]
    assert sorted(names) == sorted(DISTRICTS)
    # DOMAIN 8: ties keep the current district first
    keys = [(-o.total.max, -o.total.min, o.district != data["district"], o.district)
            for o in ranking.ranking]
    assert keys == sorted(keys)
    assert ranking.horizon == (day.year, day.year + years)
    for outcome in ranking.ranking:
        assert all(day.year <= a.claim_year <= day.year + years for a in outcome.awards)
        assert all(not a.received for a in outcome.awards)
        assert (outcome.total.min, outcome.total.max) == (sum(a.amount.min for a in outcome.awards),
                                                          sum(a.amount.max for a in outcome.awards))


@settings(max_examples=40)
@given(st.one_of(records(), ladder_records()), move_dates, st.integers(0, 3), readings)
def test_staying_put_is_evaluate_restricted_to_the_horizon(data: dict, day: dt.date, years: int,
                                                           chosen: dict[str, str]) -> None:
    assume(_movable(data, day))
    record = parse_record(data)
    ranking = best_district(record, day, years, chosen, today=TODAY)
    claims = [a for a in evaluate(record, chosen, today=TODAY).awards
              if not a.received and day.year <= a.claim_year <= day.year + years]
    alone = Money(sum(a.amount.min for a in claims), sum(a.amount.max for a in claims),
                  any(a.amount.open_above for a in claims))
    assert ranking.stay == alone
    if record.district in DISTRICTS:
        current = next(o for o in ranking.ranking if o.current)
        assert current.district == record.district and current.total == alone
        assert (current.delta_min, current.delta_max) == (0, 0)


PAYING = [m for m in CATALOG.measure_ids()]


@settings(max_examples=25)
@given(records(max_expenses=1), st.sampled_from(PAYING),
       st.one_of(st.none(), st.sampled_from([1, 100_000, 700_000, 2_000_000])))
def test_every_howto_suggestion_applied_makes_the_measure_pay(data: dict, measure: str,
                                                              target: int | None) -> None:
    record = parse_record(data)
    answer = howto(record, measure, target, today=TODAY, max_changes=2)
    for suggestion in answer.suggestions:
        scenario = suggestion.scenario()  # the structured changes, applied as they are
        changed, catalog, chosen = apply_scenario(record, scenario, CATALOG, {})
        result = evaluate(changed, chosen, catalog=catalog, today=TODAY)
        paid = sum(a.amount.max for a in result.awards if a.measure == measure and not a.received)
        assert paid >= (target or 1), (suggestion, paid)
        assert paid == suggestion.amount.max
        # What a person reads is the same change: the labels typed back into `whatif`.
        typed = parse_inline([c.label for c in suggestion.changes], list(CATALOG.index.readings))
        assert (typed.sets, typed.adds, typed.moves) == (scenario.sets, scenario.adds, scenario.moves)


@settings(max_examples=40)
@given(st.one_of(records(), ladder_records()), move_dates, st.integers(0, 3), readings)
def test_the_fast_best_district_totals_equal_the_full_ranking(data: dict, day: dt.date, years: int,
                                                              chosen: dict[str, str]) -> None:
    from solver.planner import best_district_totals

    assume(_movable(data, day))
    record = parse_record(data)
    full = best_district(record, day, years, chosen, today=TODAY)
    fast, stay = best_district_totals(record, day, years, chosen, today=TODAY)
    assert fast == [(o.district, o.total) for o in full.ranking]
    assert stay == full.stay


@settings(max_examples=60)
@given(st.one_of(records(), ladder_records()), move_dates, st.integers(0, 3), readings)
def test_the_split_ranking_equals_the_ranking_of_whole_evaluations(data: dict, day: dt.date,
                                                                   years: int,
                                                                   chosen: dict[str, str]) -> None:
    """The municipal awards evaluated once and the district rules per district give the very
    ranking that evaluating every district whole gives: totals, order, and each award with its
    amount, status and reasons."""
    assume(_movable(data, day))
    record = parse_record(data)
    split = best_district(record, day, years, chosen, today=TODAY)
    whole = best_district(record, day, years, chosen, today=TODAY, split=False)
    assert split == whole


def _sharing_a_ladder(catalog: Catalog) -> Catalog:
    """The catalog with Miyun's tier rewards in Pinggu's R1 group: two paying districts' rules
    share a constraint (`solver.compile.payers_apart` is false)."""
    rules = tuple(dataclasses.replace(rule, spec=rule.spec.model_copy(update={"r1_group": "pinggu.tier"}))
                  if rule.measure == "miyun.tier" else rule for rule in catalog.rules)
    return dataclasses.replace(catalog, rules=rules, _active={})


@st.composite
def moved_before(draw: st.DrawFn) -> tuple[dict, dt.date]:
    """A record that moved between districts with rules (or not), recognized around a later
    move date: the rules of the districts it was registered in pay on both sides of it."""
    data = draw(ladder_records())
    last = max([move["date"] for move in data["moves"]], default=dt.date(2023, 1, 1))
    day = last + dt.timedelta(days=draw(st.integers(1, 1200)))
    for tier, shift in draw(st.lists(st.tuples(st.sampled_from(["municipal", "national",
                                                               "privileged"]),
                                               st.integers(-500, 500)), max_size=2)):
        recognition = {"tier": tier, "date": day + dt.timedelta(days=shift)}
        if recognition not in data["recognitions"]:  # (each recognition once)
            data["recognitions"].append(recognition)
    return data, day


# Registered in Shijingshan when recognized national, then in Dongcheng: Shijingshan's difference
# is claimed after the move date, so every new district's total holds it (a shared part compiled
# for the current district alone drops it: Pinggu [0, 500,000] where whole it is [600,000, 1,100,000]).
FROM_SHIJINGSHAN = ({"id": "S", "district": "dongcheng", "as_of": TODAY,
                     "recognitions": [{"tier": "municipal", "date": dt.date(2024, 3, 1)},
                                      {"tier": "national", "date": dt.date(2025, 9, 1)}],
                     "moves": [{"from": "shijingshan", "to": "dongcheng", "date": dt.date(2025, 10, 1)}]},
                    dt.date(2026, 1, 15))


@settings(max_examples=60)
@given(moved_before(), st.integers(0, 3), readings, st.booleans())
@example(FROM_SHIJINGSHAN, 2, {}, False)
def test_the_shared_district_parts_equal_whole_evaluations(case: tuple[dict, dt.date], years: int,
                                                           chosen: dict[str, str],
                                                           shared_ladder: bool) -> None:
    """Best-district totals compile the rules of the districts a record was registered in once
    per row and each new district's own rules per district (`solver.planner._district_parts`):
    the totals and the ranking are those of evaluating every district whole — also on a catalog
    whose districts share a ladder, where nothing may be shared."""
    from solver.compile import payers_apart
    from solver.planner import best_district_totals

    data, day = case
    catalog = _sharing_a_ladder(CATALOG) if shared_ladder else CATALOG
    assert payers_apart(catalog, catalog.resolve_readings(chosen)) is not shared_ladder
    record = parse_record(data)
    whole = best_district(record, day, years, chosen, catalog=catalog, today=TODAY, split=False)
    fast, stay = best_district_totals(record, day, years, chosen, catalog=catalog, today=TODAY)
    assert fast == [(o.district, o.total) for o in whole.ranking]
    assert stay == whole.stay
