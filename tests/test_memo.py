"""The batch memo (solver/memo.py): two records with the same canonical key get the same answer,
and changing any field the compiler reads changes the key."""

from __future__ import annotations

import copy
import json
import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.population import record as population_record
from models.catalog import load_catalog
from models.record import EnterpriseRecord, parse_record
from solver.evaluate import compute_amounts
from solver.memo import IDENTITY_FIELDS, answer_key

TODAY = dt.date(2026, 11, 25)


def sample(seed: int) -> dict[str, Any]:
    rnd = random.Random(seed)
    data = population_record(rnd, seed)
    for item in data["recognitions"] + data["moves"] + data["qualifications"]:
        item["date"] = str(item["date"])
    data["as_of"] = str(data["as_of"])
    return data


def key_of(data: dict[str, Any], readings: dict[str, str] | None = None, part: str = "all") -> tuple:
    catalog = load_catalog()
    return answer_key(parse_record(data), catalog, catalog.resolve_readings(readings or {}), part,
                      today=TODAY)


def answer_of(data: dict[str, Any]) -> list:
    catalog = load_catalog()
    amounts = compute_amounts(parse_record(data), catalog.resolve_readings({}), catalog=catalog,
                              today=TODAY)
    return sorted((m, p, y, a.min, a.max, a.open_above) for m, p, y, a in amounts)


def _dates_in(data: Any, found: set[dt.date]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("date", "as_of") and isinstance(value, str):
                found.add(dt.date.fromisoformat(value))
            else:
                _dates_in(value, found)
    elif isinstance(data, list):
        for value in data:
            _dates_in(value, found)


def _remap(data: Any, mapping: dict[dt.date, dt.date]) -> Any:
    if isinstance(data, dict):
        return {k: (str(mapping[dt.date.fromisoformat(v)]) if k in ("date", "as_of") and isinstance(v, str)
                    else _remap(v, mapping)) for k, v in data.items()}
    if isinstance(data, list):
        return [_remap(v, mapping) for v in data]
    return data


def twin(data: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Another enterprise the compiler cannot tell apart: other id and name, irrelevant
    industries added, and every date moved to another day of its year strictly between the
    same neighbours (the record's other dates, the catalog's dates, the year's first and last
    day, today)."""
    dates: set[dt.date] = set()
    _dates_in(data, dates)
    facts = load_catalog().facts
    fixed, tags = set(facts.dates) | {TODAY}, set(facts.tags)
    for year in {d.year for d in dates}:
        fixed |= {dt.date(year, 1, 1), dt.date(year, 12, 31)}
    mapping: dict[dt.date, dt.date] = {}
    for day in sorted(dates):  # each into the gap between its (moved) predecessor and successor
        below = [d for d in fixed if d < day] + [mapping[d] for d in mapping]
        low = max(below, default=dt.date(day.year, 1, 1))
        high = min((d for d in fixed | dates if d > day), default=dt.date(day.year, 12, 31))
        if day in fixed or (high - low).days < 2:
            mapping[day] = day
        else:
            mapping[day] = low + dt.timedelta(days=rnd.randint(1, (high - low).days - 1))
    other = _remap(copy.deepcopy(data), mapping)
    other["id"], other["name"] = f"{data['id']}-twin", "Another Co."
    other["industries"] = sorted(set(other.get("industries", [])) | {"software", "biomedicine"} - tags)
    return other


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_records_with_the_same_key_get_the_same_answer(seed: int, twin_seed: int):
    data = sample(seed)
    other = twin(data, random.Random(twin_seed))
    assert key_of(other) == key_of(data)
    assert answer_of(other) == answer_of(data)


def _mutations(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(what, changed record) for a change of every kind of field the compiler reads."""
    out = []

    def change(what: str, edit) -> None:
        changed = copy.deepcopy(data)
        edit(changed)
        out.append((what, changed))

    change("district", lambda d: d.update(district="haidian" if d["district"] != "haidian" else "xicheng",
                                          moves=[]))
    change("entity_type", lambda d: d.update(entity_type="private_non_enterprise"
                                             if d.get("entity_type") != "private_non_enterprise" else "enterprise"))
    industry = "hydrogen_energy"
    change("industries", lambda d: d.update(industries=sorted(set(d.get("industries", [])) ^ {industry})))
    change("recognition year", lambda d: d["recognitions"][1].update(
        date=str(dt.date.fromisoformat(d["recognitions"][1]["date"]) + dt.timedelta(days=366))))
    change("recognition tier", lambda d: d["recognitions"].append({"tier": "national", "date": "2026-03-03"}))
    change("recognition order", lambda d: d["recognitions"][0].update(
        date=d["recognitions"][1]["date"]))  # innovative on the municipal date: an order changes
    change("as_of year", lambda d: d.update(as_of="2021-11-24"))
    change("expense", lambda d: d.update(expenses=d.get("expenses", []) + [
        {"id": "Z", "category": "exhibition", "amount": 1000, "year": 2024}]))
    change("listing", lambda d: d.update(listings=[{"board": "a_share", "year": 2024}]
                                         if not d.get("listings") else [])),
    change("patent", lambda d: d.update(patents=d.get("patents", []) + [
        {"id": "ZZ", "standard_annuity": 900, "paid": 900, "year": 2024, "patent_year": 3}]))
    change("qualification", lambda d: d.update(qualifications=d.get("qualifications", []) + [
        {"kind": "tech_center", "date": "2024-06-01"}] if not any(
            q["kind"] == "tech_center" and q["date"] == "2024-06-01" for q in d.get("qualifications", []))
        else []))
    for field in ("amount", "year", "project_year", "category", "project", "id"):
        if data.get("expenses"):
            def edit(d, field=field):
                item = d["expenses"][0]
                item[field] = {"amount": item["amount"] + 1, "year": item["year"] - 1,
                               "project_year": item["project_year"] % 3 + 1,
                               "category": "exhibition" if item["category"] != "exhibition" else "rd_investment",
                               "project": "P9", "id": "X9"}[field]
            change(f"expense {field}", edit)
    for field in ("standard_annuity", "paid", "year", "patent_year"):
        if data.get("patents"):
            def edit(d, field=field):
                d["patents"][0][field] += 1
            change(f"patent {field}", edit)
    if data.get("moves"):
        change("move date year", lambda d: d["moves"][0].update(
            date=str(dt.date.fromisoformat(d["moves"][0]["date"]) - dt.timedelta(days=366))))
    if data.get("rewards_received"):
        change("reward amount", lambda d: d["rewards_received"][0].update(amount=d["rewards_received"][0]["amount"] + 1))
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_changing_any_field_the_compiler_reads_changes_the_key(seed: int):
    data = sample(seed)
    key = key_of(data)
    for what, changed in _mutations(data):
        try:
            parse_record(changed)
        except Exception:  # noqa: BLE001 - a change the record contract refuses is no record
            continue
        assert key_of(changed) != key, what


def test_readings_part_and_catalog_are_in_the_key():
    from models.catalog import reformed

    data = sample(7)
    catalog = load_catalog()
    record = parse_record(data)
    base = answer_key(record, catalog, catalog.resolve_readings({}), today=TODAY)
    assert answer_key(record, catalog, catalog.resolve_readings({"stacking": "difference-only"}),
                      today=TODAY) != base
    assert answer_key(record, catalog, catalog.resolve_readings({}), "district", today=TODAY) != base
    other = reformed(catalog, {"shunyi.tier.national.amount": 800000})
    assert answer_key(record, other, other.resolve_readings({}), today=TODAY) != base


def test_every_record_field_is_in_the_key_or_an_identity_field():
    """A field added to the record later is in the key unless declared an identity field."""
    data = sample(3)
    keyed = json.loads(key_of(data)[4].replace(":D", ":null"))
    assert set(keyed) | IDENTITY_FIELDS | {"industries"} == set(EnterpriseRecord.model_fields)
    changed = dict(data, id="OTHER", name="Other Co.")
    assert key_of(changed) == key_of(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9),
                          st.text(max_size=12), st.text('",\r\n a\x00\x1b中\u2028', max_size=6)),
                min_size=7, max_size=7),
       st.sampled_from([".csv", ".jsonl"]))
def test_lean_line_encoding_equals_the_plain_encoding(values: list, kind: str):
    """Shared answer cells encoded once, the row's own cells (front and back) per row: the same
    bytes as encoding the whole row, whatever the cells hold (quotes, commas, newlines)."""
    from formats.batch import encode_line
    from formats.lines import LineEncoder

    columns = ["id", "name", "total_min", "x.min", "x.max", "open_above", "warnings"]
    encoder = LineEncoder(kind, columns, ("id", "name", "warnings"), encode_line)
    names = tuple(columns[2:6])
    for row_values in (values, values[:2] + [1, 2, 3, True] + values[-1:], values[::-1]):
        row = dict(zip(columns, row_values))
        row.update(zip(names, values[2:6]))  # the same answer cells, other own cells
        own = {c: row[c] for c in ("id", "name", "warnings")}
        assert encoder.line(own, encoder.middle(names, tuple(values[2:6]))) == \
            encode_line(kind, columns, row)


# -- keys of rows read in columns ----------------------------------------------------------------
_DAYS = ["2021-12-31", "2022-01-01", "2023-03-31", "2023-07-01", "2023-07-02", "2024-02-29",
         "2025-12-31", "2026-01-01", "2026-11-24", "2026-11-25", "2026-11-26"]


@st.composite
def keyed_rows(draw: st.DrawFn) -> dict[str, Any]:
    """Rows a key holds, from a small space (few districts, tags and days), so that keys meet;
    recognitions in canonical order (a key holds them as written)."""
    row: dict[str, Any] = {"id": draw(st.sampled_from(["A", "B", "C"])),
                           "district": draw(st.sampled_from(["haidian", "daxing", "dongcheng",
                                                             "outside_beijing", "海淀"]))}
    if draw(st.booleans()):
        row["entity_type"] = draw(st.sampled_from(["enterprise", "private_non_enterprise"]))
    if draw(st.booleans()):
        row["industries"] = draw(st.lists(st.sampled_from(
            ["software", "hydrogen_energy", "foreign_trade", "氢能", "hydrogen"]), max_size=3))
    rank = load_catalog().vocabulary.tier_rank
    row["recognitions"] = sorted(draw(st.lists(st.fixed_dictionaries(
        {"tier": st.sampled_from(["innovative", "municipal", "national"]),
         "date": st.sampled_from(_DAYS)}), max_size=3, unique_by=lambda r: (r["tier"], r["date"]))),
        key=lambda r: (r["date"], rank[r["tier"]]))
    if draw(st.booleans()):
        row["as_of"] = draw(st.sampled_from(_DAYS))
    return row


@settings(max_examples=100, deadline=None)
@given(st.lists(keyed_rows(), min_size=2, max_size=8))
def test_rows_share_a_key_only_when_their_records_do(rows: list):
    """The key of a row read in columns (array operations over the block) is equal for two rows
    only when the canonical keys of their records are (so they get one answer), and whenever
    those are and the rows have the same tags (one distinct input, not two)."""
    from formats.tables import read_at_once
    from solver.batch import BatchOptions, RowContext
    from solver.memo import BAD, Interned, points, row_keys

    catalog = load_catalog()
    readings = catalog.resolve_readings({})
    context = RowContext(BatchOptions(readings=readings, today=TODAY), catalog)
    table, kept = read_at_once([json.dumps(row).encode() for row in rows])
    assert kept == list(range(len(rows)))
    tags = Interned()
    distinct, index, held = row_keys(table, catalog, points(catalog, (TODAY, *context.dates)), tags,
                                     lambda found: context.tag_notices(found) is None)
    assert BAD not in index.tolist()
    records = [parse_record(row, catalog=catalog) for row in rows]
    keys = [answer_key(record, catalog, readings, today=TODAY) for record in records]
    for i, one in enumerate(records):
        assert tags.values[held[i]] == tuple(one.industries)
        for j in range(i):
            if index[i] == index[j]:
                assert keys[i] == keys[j]
            elif keys[i] == keys[j]:
                assert held[i] != held[j]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(-5, 5)), max_size=4)),
                max_size=12), st.integers(0, 4), st.integers(0, 4))
def test_arrays_read_from_their_buffers_hold_their_values(lists: list, start: int, cut: int):
    """Integers and list lengths read from Arrow's buffers (without pyarrow's conversions, which
    import pandas) are what the arrays hold, nulls as asked, in slices too."""
    import pyarrow as pa

    from solver.memo import _ints, _lengths

    array = pa.array(lists, pa.list_(pa.int32()))[start:len(lists) - cut]
    assert _lengths(array).tolist() == [len(x) if x is not None else 0 for x in array.to_pylist()]
    flat = array.flatten()
    assert _ints(flat, 99).tolist() == [99 if x is None else x for x in flat.to_pylist()]
    assert _ints(flat[1:], 99).tolist() == [99 if x is None else x for x in flat[1:].to_pylist()]


def test_a_row_of_many_tags_is_its_own_distinct_input() -> None:
    """Up to MOST_TAGS industry tags a row is keyed with its tags; with more, it takes the road
    of its own (its answer is still the record's)."""
    from formats.tables import read_at_once
    from solver.batch import BatchOptions, RowContext
    from solver.memo import BAD, MOST_TAGS, Interned, points, row_keys

    catalog = load_catalog()
    context = RowContext(BatchOptions(readings=catalog.resolve_readings({}), today=TODAY), catalog)
    tags_of = [[f"tag{i}" for i in range(MOST_TAGS)], [f"tag{i}" for i in range(MOST_TAGS + 1)],
               ["software"], []]
    rows = [{"id": str(i), "district": "haidian", "industries": held} for i, held in enumerate(tags_of)]
    table, _kept = read_at_once([json.dumps(row).encode() for row in rows])
    tags = Interned()
    _distinct, index, held = row_keys(table, catalog, points(catalog, (TODAY, *context.dates)), tags,
                                      lambda found: context.tag_notices(found) is None)
    assert index[1] == BAD and BAD not in (index[0], index[2], index[3])
    assert [tags.values[code] for code in held[[0, 2, 3]].tolist()] == \
        [tuple(sorted(tags_of[0])), ("software",), ()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.dates(dt.date(2019, 1, 1), dt.date(2028, 12, 31)), min_size=1,
                         max_size=6), min_size=1, max_size=4),
       st.sets(st.dates(dt.date(2019, 1, 1), dt.date(2028, 12, 31)), max_size=4))
def test_column_codes_equal_the_date_codes(records: list, run_dates: set):
    """The codes of many records' dates worked out at once (array operations) are each record's
    own codes; a date that is a point keeps apart from the day before it."""
    import numpy as np

    from solver.memo import column_codes, date_codes, points

    at = points(load_catalog(), run_dates)
    days = [[day.toordinal() for day in dates] for dates in records]
    owner = np.repeat(np.arange(len(days)), [len(d) for d in days])
    codes = column_codes(np.array([d for ds in days for d in ds]), owner, np.array(at))
    assert codes.tolist() == [c for ds in days for c in date_codes(ds, at)]
    for day in run_dates:  # a point and the day before: other codes
        assert date_codes([day.toordinal()], at) != date_codes([day.toordinal() - 1], at)


def test_a_date_on_a_catalog_date_and_the_day_before_get_different_keys() -> None:
    """Found by running every case through the batch's memoized road: Fangshan's measures of
    2025-04-28 (beijing-2025) — a recognition on 2025-04-27 and one on 2025-04-28 had one key."""
    from models.catalog import open_catalog, using_catalog
    from models.packages import locate
    from solver.memo import date_codes, points

    catalog = open_catalog(locate("beijing-2025"))
    keys = []
    for day in ("2025-04-27", "2025-04-28", "2025-04-29"):
        with using_catalog(catalog):
            record = parse_record({"id": "F", "district": "fangshan", "as_of": "2026-11-24",
                                   "recognitions": [{"tier": "municipal", "date": day}]})
        keys.append(answer_key(record, catalog, catalog.resolve_readings({}), today=dt.date(2026, 11, 24)))
    assert len(set(keys)) == 3
    at = points(catalog, (dt.date(2026, 11, 24),))
    codes = {date_codes([dt.date.fromisoformat(day).toordinal()], at)
             for day in ("2025-04-27", "2025-04-28", "2025-04-29")}
    assert len(codes) == 3


@settings(max_examples=100, deadline=None)
@given(st.lists(keyed_rows(), min_size=2, max_size=8), st.integers(1, 7))
def test_a_row_s_key_is_the_same_in_any_block(rows: list, cut: int):
    """A key holds as many recognitions as its row has, whatever the others of its block (a block
    of rows keyed together is as wide as its row of most recognitions): a row keyed with all the
    rows, or with only those before or after `cut`, gets the same key, so blocks of one run agree."""
    from formats.tables import read_at_once
    from solver.memo import Interned, points, row_keys

    catalog = load_catalog()
    at, tags = points(catalog, (TODAY,)), Interned()

    def keys(part: list) -> list:
        distinct, index, _held = row_keys(read_at_once([json.dumps(row).encode() for row in part])[0],
                                          catalog, at, tags, lambda found: False)
        assert (index >= 0).all()  # (every generated row is valid: BAD would index the last key)
        return [distinct[i] for i in index.tolist()]
    cut = min(cut, len(rows) - 1)  # (a part on each side of the cut)
    assert keys(rows) == keys(rows[:cut]) + keys(rows[cut:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), max_size=30))
def test_distinct_rows_are_those_a_dict_finds(rows: list):
    """The distinct rows of an integer matrix (Arrow's hash table over the rows' bytes) are those a
    dict of tuples finds, in the order they first come, and each row's index points at its own."""
    import numpy as np

    from solver.memo import _distinct

    found, index = _distinct(np.array(rows, np.int64).reshape(len(rows), 3))
    first = list(dict.fromkeys(map(tuple, rows)))
    assert list(map(tuple, found.tolist())) == first
    assert [first[i] for i in index.tolist()] == list(map(tuple, rows))
