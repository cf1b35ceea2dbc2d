"""Hypothesis strategies: small but varied enterprise records (as plain dicts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import strategies as st

from models.catalog import load_catalog

# The closed lists come from the shipped catalog's vocabulary (never written in Python).
_VOCABULARY = load_catalog().vocabulary
BOARDS = _VOCABULARY.ids("board")
DISTRICTS = _VOCABULARY.districts
EXPENSE_CATEGORIES = _VOCABULARY.ids("expense_category")
OUTSIDE_BEIJING = _VOCABULARY.outside
QUALIFICATIONS = _VOCABULARY.ids("qualification")
TIERS = _VOCABULARY.tiers

# Districts with measures weigh more: that is where the rules interact.
BUSY = ("dongcheng", "xicheng", "fengtai", "shijingshan", "mentougou", "shunyi", "daxing",
        "pinggu", "miyun")
places = st.one_of(st.sampled_from(BUSY), st.sampled_from(BUSY),
                   st.sampled_from(DISTRICTS + (OUTSIDE_BEIJING,)))
# Most records hold a municipal or national recognition: that is who the brochure is for.
tiers = st.sampled_from(("innovative", "municipal", "municipal", "national", "privileged") + TIERS)
dates = st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31))
years = st.integers(2020, 2027)
amounts = st.one_of(st.integers(0, 15_000_000), st.sampled_from([0, 1, 999_999, 1_000_001,
                                                                  2_000_000, 10_000_000]))
TIER_MEASURES = ("dongcheng.tier", "shijingshan.tier", "daxing.tier", "pinggu.tier",
                 "mentougou.tier", "fengtai.qualification", "m5.listing", "m6.investment",
                 "shunyi.tier", "miyun.tier", "pinggu.relocation", "mentougou.relocation")
# Amounts a clause pays (received in full), and others (a record may say anything).
RECEIVED_AMOUNTS = st.one_of(st.sampled_from([100_000, 200_000, 500_000, 800_000, 1_000_000]),
                             st.integers(0, 3_000_000))


@st.composite
def moves_and_district(draw: st.DrawFn) -> tuple[list[dict], str]:
    start = draw(places)
    hops = draw(st.lists(st.tuples(places, dates), max_size=2, unique_by=lambda h: h[1]))
    moves, here = [], start
    for place, day in sorted(hops, key=lambda h: h[1]):
        if place == here:
            continue
        moves.append({"from": here, "to": place, "date": day})
        here = place
    return moves, here


@st.composite
def records(draw: st.DrawFn, max_expenses: int = 4) -> dict:
    moves, district = draw(moves_and_district())
    record = {
        "id": "H-1",
        "district": district,
        "entity_type": draw(st.sampled_from(["enterprise", "enterprise", "private_non_enterprise"])),
        "industries": draw(st.lists(st.sampled_from(
            ["hydrogen_energy", "commercial_aerospace", "foreign_trade", "software"]), max_size=2)),
        "recognitions": draw(st.lists(st.fixed_dictionaries(
            {"tier": tiers, "date": dates}), min_size=1, max_size=3,
            unique_by=lambda r: (r["tier"], r["date"]))),
        "moves": moves,
        "qualifications": draw(st.lists(st.fixed_dictionaries(
            {"kind": st.sampled_from(QUALIFICATIONS), "date": dates}), max_size=2,
            unique_by=lambda q: (q["kind"], q["date"]))),
        "expenses": [dict(item, id=f"X{n}") for n, item in enumerate(draw(st.lists(
            st.fixed_dictionaries({
                "category": st.sampled_from(EXPENSE_CATEGORIES), "amount": amounts, "year": years,
                "project": st.sampled_from([None, "P1", "P2"]),
                "project_year": st.integers(1, 4)}), max_size=max_expenses)))],
        "listings": draw(st.lists(st.fixed_dictionaries(
            {"board": st.sampled_from(BOARDS), "year": years}), max_size=2,
            unique_by=lambda item: (item["board"], item["year"]))),
        "patents": [dict(item, id=f"ZL{n}") for n, item in enumerate(draw(st.lists(
            st.fixed_dictionaries({"standard_annuity": st.integers(0, 20_000),
                                   "paid": st.integers(0, 20_000), "year": years,
                                   "patent_year": st.integers(1, 12)}), max_size=1)))],
        "rewards_received": draw(st.lists(st.fixed_dictionaries({
            "measure": st.sampled_from(TIER_MEASURES),
            "tier": st.sampled_from([None, "municipal", "national"]),
            "amount": RECEIVED_AMOUNTS,
            "year": years}), max_size=2)),
        "as_of": draw(st.one_of(st.just(dt.date(2026, 11, 24)), dates)),
    }
    for expense in record["expenses"]:
        if expense["project"] is None:  # its own project, in project year 1
            del expense["project"]
            del expense["project_year"]
    return record


@st.composite
def ladder_records(draw: st.DrawFn) -> dict:
    """Records where the district rules interact: two levels close in time (R1), a lower tier
    paid first (R2), moves between ladder districts, relocation rewards, received rewards."""
    record = draw(records(max_expenses=2))
    district = draw(st.sampled_from(BUSY + ("mentougou", "pinggu") * 3))  # relocation rewards
    start = draw(st.sampled_from(BUSY + (OUTSIDE_BEIJING,) * 4 + ("haidian",)))
    move_day = draw(st.dates(dt.date(2021, 6, 1), dt.date(2024, 6, 30)))
    record["moves"] = ([{"from": start, "to": district, "date": move_day}]
                       if start != district and draw(st.booleans()) else [])
    record["district"] = district
    municipal = draw(st.dates(dt.date(2020, 1, 1), dt.date(2024, 12, 31)))
    national = municipal + dt.timedelta(days=draw(st.integers(0, 900)))
    record["recognitions"] = [{"tier": "municipal", "date": municipal},
                              {"tier": draw(st.sampled_from(["national", "privileged"])), "date": national}]
    if draw(st.booleans()):
        record["recognitions"].append({"tier": "privileged", "date": national + dt.timedelta(days=400)})
    record["industries"] = draw(st.lists(st.sampled_from(
        ["hydrogen_energy", "commercial_aerospace", "foreign_trade"]), min_size=1, max_size=2))
    return record


# Every reading of the register, each at any of its values (read from the catalog, never listed).
readings = st.fixed_dictionaries({
    key: st.sampled_from(sorted(spec.alternatives))
    for key, spec in load_catalog().index.readings.items()})

# The shipped package and the fixture packages that extend it (test data, not policy): a later
# edition raising an amount, and one lowering an amount and ending rules.
FIXTURES = Path(__file__).parent / "catalogs"
catalogs = st.sampled_from([None, FIXTURES / "beijing-later-edition",
                            FIXTURES / "beijing-lowered-and-ended"])
