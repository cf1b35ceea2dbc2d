"""Memoized batch answers: records that the compiler cannot tell apart get one compile and solve.

The canonical key of a record holds everything the answer can depend on:

- every field of the validated record (lists already in canonical order) except the identity
  fields the compiler never reads (`IDENTITY_FIELDS`); of the industries, those some condition
  of the catalog names (the compiler tests industries only by shared tags);
- every date, not as itself but as its year and its rank among the dates it can be compared
  with: the record's own dates, the catalog's dates (effective dates, dates in conditions), the
  first and last day of its year, and the extra dates of the run (today, a move date). The
  compiler only ever compares dates with one another and takes their years, so two records
  whose dates fall in the same years in the same order against all of those get the same
  candidates, the same optimum and the same amounts;
- the catalog (its identity: a reformed catalog is another key), the readings and the part.

`tests/test_memo.py` holds the two properties: records with the same key get the same answer,
and changing any field the compiler reads (a year, an order of dates, any other value) changes
the key.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from models.catalog import Benefit, Catalog, Rule
from models.record import EnterpriseRecord, PlainRow

IDENTITY_FIELDS = frozenset({"id", "name", "credit_code"})
MAX_ENTRIES = 50_000  # about 1 kB each: 50 MB at most per process

T = TypeVar("T")
_ANSWERS: dict[tuple[object, ...], Any] = {}
# Each catalog seen (kept alive, so that its id is never reused while answers cite it), with
# every date it holds and every industry tag its conditions name.
_CATALOGS: dict[int, tuple[Catalog, frozenset[str], frozenset[str]]] = {}


def catalog_facts(catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """Every date the catalog holds (effective dates, dates in conditions, any dated field), as
    ISO text, and every industry its conditions name."""
    hit = _CATALOGS.get(id(catalog))
    if hit is not None and hit[0] is catalog:
        return hit[1], hit[2]
    found: set[dt.date] = set()
    tags: set[str] = set()
    items: tuple[Rule | Benefit, ...] = (*catalog.rules, *catalog.benefits)
    for item in items:
        _collect(item.spec.model_dump(), found)
        for condition in item.conditions:
            values = condition.value if isinstance(condition.value, frozenset) else (condition.value,)
            found.update(v for v in values if isinstance(v, dt.date))
            if condition.field == "industry":
                tags.update(str(v) for v in values)
    if len(_CATALOGS) >= 64:
        clear()
    dates = frozenset(day.isoformat() for day in found)
    _CATALOGS[id(catalog)] = (catalog, dates, frozenset(tags))
    return dates, frozenset(tags)


def _collect(value: Any, found: set[dt.date]) -> None:
    if isinstance(value, dt.date):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)


# A date as the record's JSON writes it (pydantic writes every date so, and only dates: any other
# string of that shape is a name, and a name read as a date keeps its equality and order).
_DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})"')


def date_codes(dates: list[str], breakpoints: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Each ISO date as (year, code): its rank among every date of that year it may be compared
    with (the other `dates`, the `breakpoints` of that year, the year's first and last day),
    doubled, plus 1 when it is not itself a breakpoint — a date on a breakpoint and the day before
    it take the same rank among different sets, so the rank alone would let them meet."""
    compared = set(dates)
    years = {day[:4] for day in compared}
    points = {day for day in breakpoints if day[:4] in years}
    for year in years:
        points.add(year + "-01-01")
        points.add(year + "-12-31")
    compared |= points
    rank: dict[str, int] = {}
    year, index = "", 0
    for day in sorted(compared):
        if day[:4] != year:
            year, index = day[:4], 0
        rank[day] = 2 * index + (day not in points)
        index += 1
    return tuple([(day[:4], rank[day]) for day in dates])


def answer_key(record: EnterpriseRecord, catalog: Catalog, readings: dict[str, str],
               part: str = "all", *, today: dt.date | None = None,
               extra: tuple[object, ...] = (), extra_dates: Iterable[dt.date] = ()
               ) -> tuple[object, ...]:
    """The canonical key of everything the batch answer for `record` depends on."""
    breakpoints, tags = catalog_facts(catalog)
    text = record.model_dump_json(exclude=_UNKEYED)  # every field but identity and industries
    dates = _DATE.findall(text)
    run_dates = [d.isoformat() for d in (today or dt.date.today(), *extra_dates) if d is not None]
    codes = date_codes(dates + run_dates, breakpoints | frozenset(run_dates))
    # Industries reach the compiler only as a tag set tested by `industry in [...]` conditions
    # (Condition.holds: a shared tag or none): only the tags some condition names count.
    industries = tuple(tag for tag in record.industries if tag in tags)
    return (id(catalog), tuple(sorted(readings.items())), part, extra, industries,
            _DATE.sub("D", text), codes)


_UNKEYED: set[str] = set(IDENTITY_FIELDS | {"industries"})


def plain_key(row: PlainRow, context: PlainContext) -> tuple[object, ...]:
    """The key of a plain row's answer (models.record.plain_row), read without building its
    record: rows with equal plain keys (in one context) have records with equal `answer_key`s,
    hence the same answer (tests/test_memo.py). A plain record's fields other than identity and
    industries are its district, entity type, recognitions and as_of; every other field holds
    its default."""
    prefix, tags, points, run_dates = context
    dates = [day for day, _tier in row.recognitions]
    as_of = row.values.get("as_of")
    if as_of is not None:
        dates.append(as_of)
    return (prefix, tuple([tag for tag in row.industries if tag in tags]), row.district,
            row.entity_type, tuple([tier for _day, tier in row.recognitions]), as_of is None,
            ranked_codes(dates + run_dates, points))


Points = dict[int, tuple[list[dt.date], frozenset[dt.date]]]
PlainContext = tuple[tuple[object, ...], frozenset[str], Points, list[dt.date]]


def plain_context(catalog: Catalog, readings: dict[str, str], part: str = "all", *,
                  today: dt.date | None = None, extra: tuple[object, ...] = (),
                  extra_dates: Iterable[dt.date] = ()) -> PlainContext:
    """What the plain keys of one run share (the arguments of `answer_key` other than the
    record): (prefix, the tags conditions name, the breakpoints of each year, the run dates)."""
    breakpoints, tags = catalog_facts(catalog)
    run_dates = [d for d in (today or dt.date.today(), *extra_dates) if d is not None]
    points = year_points({dt.date.fromisoformat(day) for day in breakpoints} | set(run_dates))
    return (("plain", id(catalog), tuple(sorted(readings.items())), part, extra), tags, points,
            run_dates)


def year_points(breakpoints: Iterable[dt.date]) -> Points:
    """The breakpoints of each year, with its first and last day: sorted, and as a set."""
    years: dict[int, set[dt.date]] = {}
    for day in breakpoints:
        years.setdefault(day.year, set()).add(day)
    return {year: _points(year, days) for year, days in years.items()}


def _points(year: int, days: set[dt.date]) -> tuple[list[dt.date], frozenset[dt.date]]:
    every = days | {dt.date(year, 1, 1), dt.date(year, 12, 31)}
    return sorted(every), frozenset(every)


def ranked_codes(dates: list[dt.date], points: Points) -> tuple[tuple[int, int], ...]:
    """`date_codes` of the dates for `points = year_points(breakpoints)` (years as numbers),
    without sorting the breakpoints for every record: a date's rank is the number of
    breakpoints of its year before it, and of the record's other dates of its year before it
    that are not breakpoints. Years without breakpoints are added to `points` when first met."""
    ranks: dict[dt.date, tuple[int, int]] = {}
    year, own = 0, 0
    ordered: list[dt.date] = []
    known: frozenset[dt.date] = frozenset()
    for day in sorted(set(dates)):
        if day.year != year:
            year, own = day.year, 0
            found = points.get(year)
            if found is None:
                found = points[year] = _points(year, set())
            ordered, known = found
        ranks[day] = (year, 2 * (bisect_left(ordered, day) + own) + (day not in known))
        if day not in known:
            own += 1
    return tuple([ranks[day] for day in dates])


_TOKENS: dict[int, tuple[Any, str, tuple[dt.date, ...]]] = {}


def _describe(options: Any) -> tuple[str, tuple[dt.date, ...]]:
    import dataclasses
    import json

    data = dataclasses.asdict(options)
    found: set[dt.date] = set()
    _collect(data, found)
    text = json.dumps(data, default=str, sort_keys=True)
    # Dates written as text (a scenario's `move=D@2027-01-01`) are compared with the record's.
    for word in text.replace('"', " ").replace("@", " ").replace(",", " ").split():
        if len(word) >= 10 and word[4] == "-" and word[7] == "-":
            try:
                found.add(dt.date.fromisoformat(word[:10]))
            except ValueError:
                pass
    return text, tuple(sorted(found))


def _options(options: Any) -> tuple[str, tuple[dt.date, ...]]:
    hit = _TOKENS.get(id(options))
    if hit is None or hit[0] is not options:
        if len(_TOKENS) >= 64:
            clear()
        hit = _TOKENS[id(options)] = (options, *_describe(options))
    return hit[1], hit[2]


def options_token(options: Any) -> str:
    """The content of a run's options (a dataclass) as text: part of a key."""
    return _options(options)[0]


def options_dates(options: Any) -> tuple[dt.date, ...]:
    """Every date in a run's options (a move date, the dates of a scenario's changes)."""
    return _options(options)[1]


def memoized(key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """The answer stored under `key`, computed once (the store is bounded)."""
    try:
        found: T = _ANSWERS[key]
        return found
    except KeyError:
        pass
    answer = compute()
    if len(_ANSWERS) >= MAX_ENTRIES:
        _ANSWERS.clear()
    _ANSWERS[key] = answer
    return answer


def remember(key: tuple[object, ...], answer: Any) -> None:
    """Store an answer worked out elsewhere (another worker) under `key`, unless one is there."""
    if key not in _ANSWERS:
        if len(_ANSWERS) >= MAX_ENTRIES:
            _ANSWERS.clear()
        _ANSWERS[key] = answer


def clear() -> None:
    _ANSWERS.clear()
    _CATALOGS.clear()
    _TOKENS.clear()
