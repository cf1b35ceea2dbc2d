"""A seeded generator of realistic enterprise records (plain dicts, the record contract).

Tier mix as in the brochure (October 2022): 5,360 municipal : 588 national : 138 privileged;
all 16 districts; some moves, expenses, listings, patents, qualifications and received rewards.
"""

from __future__ import annotations

import datetime as dt
import random

from models.catalog import load_catalog

_VOCABULARY = load_catalog().vocabulary  # the closed lists come from the shipped catalog
DISTRICTS = _VOCABULARY.districts
EXPENSE_CATEGORIES = _VOCABULARY.ids("expense_category")
QUALIFICATIONS = _VOCABULARY.ids("qualification")

TIER_MIX = (("municipal", 5360), ("national", 588), ("privileged", 138))
INDUSTRIES = ("hydrogen_energy", "commercial_aerospace", "foreign_trade", "software",
              "biomedicine", "integrated_circuits", "new_materials")


def _day(rnd: random.Random, first: int, last: int) -> dt.date:
    start = dt.date(first, 1, 1).toordinal()
    return dt.date.fromordinal(rnd.randint(start, dt.date(last, 12, 31).toordinal()))


def record(rnd: random.Random, number: int) -> dict:
    """One enterprise record."""
    top = rnd.choices([t for t, _ in TIER_MIX], weights=[w for _, w in TIER_MIX])[0]
    municipal = _day(rnd, 2019, 2025)
    recognitions = [{"tier": "innovative", "date": municipal - dt.timedelta(days=rnd.randint(60, 400))},
                    {"tier": "municipal", "date": municipal}]
    if top != "municipal":
        national = municipal + dt.timedelta(days=rnd.randint(100, 1100))
        recognitions.append({"tier": "national", "date": national})
        if top == "privileged":
            recognitions.append({"tier": "privileged", "date": national + dt.timedelta(days=rnd.randint(30, 500))})
    if rnd.random() < 0.2:  # a re-examination
        recognitions.append({"tier": "municipal", "date": municipal + dt.timedelta(days=3 * 365)})
    district = rnd.choice(DISTRICTS)
    moves = []
    if rnd.random() < 0.15:
        origin = rnd.choice(("outside_beijing",) + tuple(d for d in DISTRICTS if d != district))
        moves.append({"from": origin, "to": district, "date": _day(rnd, 2020, 2025)})
    expenses = []
    for item in range(rnd.choice((0, 0, 1, 2, 3, 4))):
        expenses.append({"id": f"X{item}", "category": rnd.choice(EXPENSE_CATEGORIES),
                         "amount": rnd.choice((50_000, 300_000, 1_500_000, 4_000_000, 12_000_000))
                         + rnd.randint(0, 99_999), "year": rnd.randint(2021, 2026),
                         "project": rnd.choice(("P1", "P2")), "project_year": rnd.randint(1, 3)})
    data = {
        "id": f"E-{number:07d}", "district": district,
        "entity_type": "private_non_enterprise" if rnd.random() < 0.03 else "enterprise",
        "industries": rnd.sample(INDUSTRIES, rnd.randint(0, 2)),
        "recognitions": recognitions, "moves": moves, "expenses": expenses,
        "qualifications": [{"kind": rnd.choice(QUALIFICATIONS), "date": _day(rnd, 2020, 2025)}
                           for _ in range(rnd.choice((0, 0, 0, 1, 2)))],
        "listings": ([{"board": rnd.choice(("a_share", "overseas_major", "neeq")),
                       "year": rnd.randint(2022, 2027)}] if rnd.random() < 0.08 else []),
        "patents": [{"id": f"ZL{number}-{n}", "standard_annuity": rnd.choice((900, 1200, 2000, 4000)),
                     "paid": rnd.choice((270, 900, 1200)), "year": rnd.randint(2022, 2026),
                     "patent_year": rnd.randint(1, 12)} for n in range(rnd.choice((0, 0, 1, 2)))],
        "as_of": dt.date(2026, 11, 24),
    }
    if rnd.random() < 0.1 and district in ("shijingshan", "dongcheng", "daxing", "pinggu"):
        data["rewards_received"] = [{"measure": f"{district}.tier", "tier": "municipal",
                                     "amount": 100_000, "year": municipal.year + 1}]
    if len({(q["kind"], q["date"]) for q in data["qualifications"]}) < len(data["qualifications"]):
        data["qualifications"] = data["qualifications"][:1]
    return data


def population(size: int, seed: int = 0):
    """`size` records, the same for the same seed."""
    rnd = random.Random(seed)
    for number in range(size):
        yield record(rnd, number)
