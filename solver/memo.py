"""Canonical keys: records that the compiler cannot tell apart get one compile and solve.

A key holds everything the answer can depend on:

- every field of the validated record (lists already in canonical order) except the identity
  fields the compiler never reads (`IDENTITY_FIELDS`); of the industries, those some condition
  of the catalog names (the compiler tests industries only by shared tags);
- every date, not as itself but as its code among the run's *points* (`points`: every date of
  the catalog, the run's own dates — today, a move date — and the first and last day of every year
  a record may hold): twice the number of points before it, plus one when it is not a point
  itself, and beside that its rank among the record's other dates of the same code. The compiler
  only ever compares dates with one another and takes their years, so two records whose dates
  fall in the same order against each other and against every point (which tells the year) get the
  same candidates, the same optimum and the same amounts;
- the catalog, the readings and the part (the memo's prefix).

`answer_key` keys one record; `row_keys` (formats' batch) keys the rows of a table read in columns
with array operations, the same codes (`column_codes`, held equal to `date_codes` by a property).
`tests/test_memo.py` holds the two properties: records with the same key get the same answer, and
changing any field the compiler reads (a year, an order of dates, any other value) changes the key.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from models.catalog import Catalog
from models.limits import FIRST_YEAR, LAST_YEAR
from models.record import EnterpriseRecord

if TYPE_CHECKING:
    import numpy as np

IDENTITY_FIELDS = frozenset({"id", "name", "credit_code"})
MAX_ENTRIES = 50_000  # about 1 kB each: 50 MB at most per process
RANK_BITS = 20  # a code is (its interval among the points << RANK_BITS) | its rank

T = TypeVar("T")
_ANSWERS: dict[tuple[object, ...], Any] = {}


def points(catalog: Catalog, run_dates: Iterable[dt.date] = ()) -> tuple[int, ...]:
    """The sorted day numbers (`date.toordinal()`) of every point: the catalog's dates, the run's
    dates, and the first and last day of every year from FIRST_YEAR to LAST_YEAR (worked out once
    per catalog and run dates)."""
    run = tuple(sorted(set(run_dates)))

    def work_out() -> tuple[int, ...]:
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        days = {*catalog.facts.dates, *run, *(dt.date(y, 1, 1) for y in years),
                *(dt.date(y, 12, 31) for y in years)}
        return tuple(sorted(day.toordinal() for day in days))
    return catalog.worked_out(("points", *run), work_out)


def date_codes(days: list[int], at: tuple[int, ...]) -> tuple[int, ...]:
    """The code of each day (a day number) of one record among the points `at`."""
    intervals = []
    for day in days:
        position = bisect_left(at, day)
        intervals.append(2 * position + (position == len(at) or at[position] != day))
    same: dict[int, set[int]] = {}
    for day, interval in zip(days, intervals):
        same.setdefault(interval, set()).add(day)
    return tuple((interval << RANK_BITS) | sorted(same[interval]).index(day)
                 for day, interval in zip(days, intervals))


def column_codes(days: np.ndarray, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """`date_codes` of many records at once: `days[i]` is a day of record `rows[i]`."""
    import numpy as np

    position = np.searchsorted(at, days)
    exact = at[np.minimum(position, len(at) - 1)] == days
    interval = 2 * position + ~exact
    # By record, then day (a day number < 2**22; its interval grows with it): one sort key.
    order = np.argsort((rows.astype(np.int64) << 22) | days, kind="stable")
    day, span, row = days[order], interval[order], rows[order]
    start = np.ones(len(order), bool)  # the first day of a (record, interval)
    start[1:] = (row[1:] != row[:-1]) | (span[1:] != span[:-1])
    new = start.copy()  # a day other than the one before it
    new[1:] |= day[1:] != day[:-1]
    count = np.cumsum(new)
    rank = count - count[np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))]
    codes = np.empty(len(order), np.int64)
    codes[order] = (span.astype(np.int64) << RANK_BITS) | rank
    return codes


# A date as the record's JSON writes it (pydantic writes every date so, and only dates: any other
# string of that shape is a name, and a name read as a date keeps its equality and order).
_DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})"')
_UNKEYED: set[str] = set(IDENTITY_FIELDS | {"industries"})


def answer_key(record: EnterpriseRecord, catalog: Catalog, readings: dict[str, str],
               part: str = "all", *, today: dt.date | None = None) -> tuple[object, ...]:
    """The canonical key of everything the batch answer for `record` depends on."""
    text = record.model_dump_json(exclude=_UNKEYED)  # every field but identity and industries
    days = [dt.date.fromisoformat(day).toordinal() for day in _DATE.findall(text)]
    # Industries reach the compiler only as a tag set tested by `industry in [...]` conditions
    # (Condition.holds: a shared tag or none): only the tags some condition names count.
    named = catalog.facts.tags
    return (catalog.facts, tuple(sorted(readings.items())), part,
            tuple(tag for tag in record.industries if tag in named), _DATE.sub("D", text),
            date_codes(days, points(catalog, (today or dt.date.today(),))))


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


def clear() -> None:
    _ANSWERS.clear()


# -- rows read in columns ----------------------------------------------------------------------
# The fields a row's key holds, besides its dates; a row with anything else (a move, an expense, …)
# is its own distinct input (those rows are nearly all distinct anyway), and so is a row whose
# values the normalizer cannot read or the record's own types refuse (it takes `parse_record`).
OWN_LISTS = ("moves", "rewards_received", "qualifications", "expenses", "listings", "patents")
MOST_RECOGNITIONS = 16  # a row with more is its own distinct input
MOST_TAGS = 16  # of industry tags, likewise
MOST_KNOWN = 100_000  # values as written remembered per column (`Interned.read`)
BAD = -1


class Interned:
    """Canonical values (tuples of tags) → small integers, for one run (the keys of many blocks
    must agree): `code(value)`, and `values[code]`; and what the run's blocks have read of their
    columns (`read`: column → value as written → what `row_keys` made of it), so that a value is
    read by the normalizer once per run, not once per block."""

    def __init__(self) -> None:
        self.codes: dict[Any, int] = {}
        self.values: list[Any] = []
        self.read: dict[str, dict[Any, int]] = {}
        self.keyed: dict[int, int] = {}  # a code of tags → the code a key holds (`_read_tags`)

    def code(self, value: Any) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found


def row_keys(table: Any, catalog: Catalog, at: tuple[int, ...], tags: Interned,
             whole: Callable[[tuple[str, ...]], bool]) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    """The keys of the rows of `table` (raw columns: `formats.tables.read_at_once`) with array
    operations, each distinct value of a column read once by the normalizer and checked by the
    record's own types. Returns the distinct keys, each row's index among them (BAD: the row is
    its own distinct input), and each row's industry tags (sorted, as its record holds them) as a
    code of `tags`. A key holds the district, the entity type, the tags conditions name (every tag
    when `whole(tags)`: their warnings need the record), the recognitions as written (tier, and
    the date's code) and as_of's code (`column_codes` among the points `at`)."""
    import numpy as np
    import pyarrow.compute as pc

    from models.normalize import normalize_top, normalize_value

    vocabulary = catalog.vocabulary
    rows = table.num_rows
    ok = np.ones(rows, bool)
    for name in OWN_LISTS:
        ok &= _lengths(table[name].combine_chunks()) == 0

    def index(kind: str, read: Callable[[Any], Any]) -> Callable[[Any], int]:
        return lambda value: vocabulary.ids(kind).index(read(value))

    def column(name: str, values: Any, read: Callable[[Any], int], null: int = BAD) -> np.ndarray:
        return _read_column(values, read, null, tags.read.setdefault(name, {}))
    district = column("district", table["district"], index("place", lambda v: normalize_top(
        "district", v, vocabulary)))
    entity = column("entity_type", table["entity_type"], index("entity_type", lambda v: normalize_top(
        "entity_type", v, vocabulary)), null=vocabulary.ids("entity_type").index(
        EnterpriseRecord.model_fields["entity_type"].default))
    as_of = column("as_of", table["as_of"], lambda v: normalize_top("as_of", v).toordinal(), null=0)
    full, named = _read_tags(table["industries"], catalog, tags, whole)
    ok &= (district != BAD) & (entity != BAD) & (as_of != BAD) & (full != BAD)

    # Recognitions: (tier, date) of each, as written, at most MOST_RECOGNITIONS a row.
    items = table["recognitions"].combine_chunks()
    per_row = _lengths(items)
    flat = pc.list_flatten(items)
    owner = np.repeat(np.arange(rows), per_row)
    tier = column("tier", flat.field("tier"), index("tier", lambda v: normalize_value(
        "tier", v, vocabulary)))
    day = column("date", flat.field("date"), lambda v: normalize_value("date", v).toordinal())
    ok &= per_row <= MOST_RECOGNITIONS
    ok[owner[(tier == BAD) | (day == BAD)]] = False

    # Dates coded among the points and beside one another (as_of, then the recognitions').
    dated = np.flatnonzero(as_of > 0)
    coded = column_codes(np.concatenate([as_of[dated], day]), np.concatenate([dated, owner]),
                         np.array(at, np.int64))
    most = int(min(MOST_RECOGNITIONS, per_row.max(initial=0)))  # (a key: 5 + 2 per recognition)
    matrix = np.full((rows, 5 + 2 * most), BAD, np.int64)
    matrix[:, 0], matrix[:, 1], matrix[:, 2], matrix[:, 4] = district, entity, named, per_row
    matrix[dated, 3] = coded[:len(dated)]
    place = np.arange(len(owner)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    kept = place < most
    matrix[owner[kept], 5 + 2 * place[kept]] = tier[kept]
    matrix[owner[kept], 6 + 2 * place[kept]] = coded[len(dated):][kept]
    chosen = np.flatnonzero(ok)
    distinct, each = _distinct(matrix[chosen])
    found = np.full(rows, BAD, np.int64)
    found[chosen] = each
    return [key[:5 + 2 * key[4]].tobytes() for key in distinct], found, full


def _distinct(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of an integer matrix (in the order they first come) and each row's index
    among them, by Arrow's hash table of the rows as bytes (no sort)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rows, width = matrix.shape
    encoded = pc.dictionary_encode(pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(8 * width), rows, [None, pa.py_buffer(np.ascontiguousarray(matrix, np.int64))]))
    found = encoded.dictionary
    rows_found = np.frombuffer(found.buffers()[1], np.int64)[:len(found) * width]
    return rows_found.reshape(len(found), width), _ints(encoded.indices, BAD)


def _read_column(column: Any, read: Callable[[Any], int], null: int,
                 known: dict[Any, int]) -> np.ndarray:
    """Each row's value of a raw column read by `read`, once per distinct value (`known`: the
    values read before, in this run): BAD where the normalizer cannot read it (or a record
    refuses it), `null` where it is absent."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from models.normalize import Unreadable

    encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray)
                                   else column)
    found = []
    if len(known) > MOST_KNOWN:  # (a file of ever new spellings: memory stays bounded)
        known.clear()
    for value in encoded.dictionary.to_pylist():
        code = known.get(value)
        if code is None:
            try:
                code = read(value)
            except (Unreadable, ValueError):  # (ValidationError is a ValueError)
                code = BAD
            known[value] = code
        found.append(code)
    values: np.ndarray = np.array([*found, null], np.int64)
    each: np.ndarray = values[_ints(encoded.indices, len(found))]
    return each


# Arrow arrays to numpy through their buffers: pyarrow's own conversions (`to_numpy`, `fill_null`
# with a Python value, `take` of numpy indices) import pandas the first time, about half a second
# of a run for nothing the batch needs.

def _ints(array: Any, null: int) -> np.ndarray:
    """An Arrow integer array's values as int64, `null` where a value is null."""
    import numpy as np

    if len(array) == 0:
        return np.zeros(0, np.int64)
    start, end = array.offset, array.offset + len(array)
    width = np.dtype(f"<i{array.type.bit_width // 8}")
    values: np.ndarray = np.frombuffer(array.buffers()[1], width)[start:end].astype(np.int64)
    _nulls(array, values, null)
    return values


def _lengths(array: Any) -> np.ndarray:
    """The length of each list of an Arrow list array (0: a null list)."""
    import numpy as np

    if len(array) == 0:
        return np.zeros(0, np.int64)
    lengths: np.ndarray = np.diff(_ints(array.offsets, 0))
    _nulls(array, lengths, 0)
    return lengths


def _nulls(array: Any, values: np.ndarray, null: int) -> None:
    """Set `values` to `null` where `array` is null (its validity bitmap)."""
    import numpy as np

    validity = array.buffers()[0]
    if validity is not None and array.null_count:
        bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")
        values[bits[array.offset:array.offset + len(array)] == 0] = null


def _read_tags(column: Any, catalog: Catalog, tags: Interned,
               whole: Callable[[tuple[str, ...]], bool]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's industry tags as its record holds them (sorted, each once; validated by the
    record's type), as a code of `tags`, and the code its key holds: the tags conditions name
    (as `-2 - code`), or every tag when `whole(tags)`. Each distinct list as written is read once
    (a row of more than MOST_TAGS tags, or with a null one: BAD, its own distinct input)."""
    import numpy as np
    import pyarrow.compute as pc

    from models.normalize import Unreadable, industries_of
    from models.record import field_adapter

    listed = column.combine_chunks()
    counts = _lengths(listed)
    encoded = pc.dictionary_encode(pc.list_flatten(listed))  # every tag as written, in row order
    spelled = encoded.dictionary.to_pylist()
    codes = _ints(encoded.indices, -1)
    rows = len(counts)
    owner = np.repeat(np.arange(rows), counts)
    place = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    width = int(min(MOST_TAGS, counts.max(initial=0)))
    kept = place < width
    matrix = np.full((rows, width + 1), -2, np.int64)  # each row's tags, then its count
    matrix[owner[kept], place[kept]] = codes[kept]
    matrix[:, width] = counts
    lists, inverse = _distinct(matrix)
    adapter = field_adapter("industries")
    key, known = tags.keyed, tags.read.setdefault("industries", {})
    if len(known) > MOST_KNOWN:
        known.clear()
    found = []
    for row in lists.tolist():
        if row[-1] > MOST_TAGS or -1 in row:
            found.append(BAD)
            continue
        written = tuple(spelled[code] for code in row[:-1] if code >= 0)
        code = known.get(written)
        if code is None:
            try:
                held = tuple(sorted(set(adapter.validate_python(
                    industries_of(list(written), catalog.vocabulary)))))
            except (Unreadable, ValueError):  # (ValidationError is a ValueError)
                code = known[written] = BAD
            else:
                code = known[written] = tags.code(held)
                key[code] = code if whole(held) else \
                    -2 - tags.code(tuple(tag for tag in held if tag in catalog.facts.tags))
        found.append(code)
    full = np.array([*found, BAD], np.int64)[inverse]
    keyed = np.array([*(key.get(code, BAD) for code in range(len(tags.values))), BAD], np.int64)
    return full, keyed[full]  # (BAD indexes the last: BAD)
