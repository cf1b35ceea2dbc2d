"""The bounds every input is held to at the edge (README, "Bounds"): amounts, dates, list and
string lengths, file and body sizes. One place, so that the record, scenario files, the CLI and the
service refuse the same things with the same words.

>>> check_day(dt.date(9999, 12, 31))
Traceback (most recent call last):
...
ValueError: 9999-12-31 is outside 1949-01-01 .. 2200-12-31
"""

from __future__ import annotations

import datetime as dt
import reprlib
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

from models.i18n import t

MAX_YUAN = 10**13                  # ten trillion yuan: far above any subsidy, far below int64
FIRST_YEAR, LAST_YEAR = 1949, 2200
FIRST_DAY, LAST_DAY = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
MAX_TEXT = 200                     # an id, a name, a measure, an industry tag
MAX_ITEMS = 10_000                 # expenses, patents, received rewards of one record
MAX_EVENTS = 200                   # recognitions, moves, qualifications, listings, industries
MAX_RECORD_BYTES = 4_000_000       # a record file (YAML or JSON)
MAX_SCENARIO_BYTES = 1_000_000     # a scenario file
MAX_BODY_BYTES = 1_000_000         # an HTTP request body, by default (`zjtx serve --max-body`)
TIME_BUDGET_SECONDS = 30.0         # one evaluation request, by default (`serve --time-budget`)
EVAL_THREADS = 2                   # evaluations at once per server process (`serve --eval-threads`)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")  # Host names a loopback server answers
MAX_HORIZON_YEARS = 50             # best-district's horizon
MAX_DIGITS = len(str(MAX_YUAN))    # the longest whole number worth reading
MAX_LINE_BYTES = MAX_RECORD_BYTES  # one line of a CSV or JSON Lines input (longer: an error row)
MAX_SCENARIO_ITEMS = 200           # a sweep's points (`--sweep`, `zjtx sweep --reform`)
MAX_COLUMNS_BYTES = 1_000_000      # a `--columns` map
MAX_CATALOG_BYTES = 16_000_000     # one file of a catalog package (index, source file, text)
MAX_EXTENDS = 16                   # packages in a catalog's `extends` chain
# An XLSX input (a zip of XML parts): what may be unpacked and read, checked before reading.
MAX_XLSX_BYTES = 1_000_000_000     # every part, uncompressed
MAX_XLSX_STRINGS_BYTES = 50_000_000  # the shared-strings part, uncompressed (read whole)
MAX_SHARED_STRINGS = 1_000_000     # distinct texts of a workbook
MAX_SHEET_ROWS = 1_048_576         # rows of a sheet (Excel's own limit); row numbers likewise
QUOTE_CHARS = 80                   # the most of an offending value a message quotes
MAX_BUNDLE_BYTES = 200_000_000     # an evidence bundle (`zjtx verify`)
MAX_BUNDLE_MEMBERS = 1_000         # members of an evidence bundle


def check_day(day: dt.date) -> dt.date:
    """A date within the years the tool reasons about (1949–2200)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(t("limit.date_outside", day=day.isoformat(), first=FIRST_DAY, last=LAST_DAY))
    return day


# The bounds as types, for every model that reads input (records, catalogs, API requests).
Yuan = Annotated[int, Field(ge=0, le=MAX_YUAN, strict=True)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, strict=True)]
Day = Annotated[dt.date, AfterValidator(check_day)]


def check_printable(text: str) -> str:
    """No control characters (NUL, newlines, terminal escapes) in an id, a name or a tag: they
    would be printed raw on a terminal and into CSV cells.

    >>> check_printable("A\x1b[31m")
    Traceback (most recent call last):
    ...
    ValueError: contains the control character U+001B; ids and names are printable text
    """
    if text.isprintable():  # no character of category C* or Z* but the space: nothing to refuse
        return text
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") and char not in "\u200d\u200c":
            raise ValueError(t("limit.control_character", code=f"U+{ord(char):04X}"))
    return text


def shown_text(text: str, limit: int = QUOTE_CHARS) -> str:
    """A piece of user text as it may appear in a message, cut to `limit` characters."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Bounded(reprlib.Repr):
    """repr with bounds on everything: a few items of a list or mapping, a few levels deep,
    text cut, whole numbers of thousands of digits described (never converted)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel, self.maxdict, self.maxlist, self.maxtuple = 3, 4, 6, 6
        self.maxset = self.maxfrozenset = self.maxdeque = self.maxarray = 6
        self.maxstring = self.maxother = self.maxlong = limit

    def repr_int(self, x: int, level: int) -> str:
        if abs(x) >= 10 ** self.maxlong:  # (comparing costs nothing; writing 5,000 digits does)
            return f"<a number of {int(x.bit_length() * 0.30103):,}+ digits>"
        return repr(x)

    def repr_str(self, x: str, level: int) -> str:
        return repr(shown_text(x, self.maxstring))


def shown(value: object, limit: int = QUOTE_CHARS) -> str:
    """A value as it may appear in a message: repr'd within `limit` characters, at a cost
    bounded whatever the value (a 4 MB text, a list of a million items, a number of 5,000
    digits, a structure an alias bomb shares a billion times over).

    >>> shown("x" * 5000)[:6], len(shown("x" * 5000)) <= 82
    ("'xxxxx", True)
    >>> shown(10 ** 5000)
    '<a number of 5,000+ digits>'
    """
    text = _Bounded(limit).repr(value)
    return text if len(text) <= limit + 2 else text[:limit + 1] + "…"


class Quoted:
    """An offending value for a message template: `{value!r}` and `{value}` both give at most
    `QUOTE_CHARS` characters of it (`shown`), whatever its size."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return shown(self.value)

    def __str__(self) -> str:
        return shown_text(self.value) if isinstance(self.value, str) else shown(self.value)


def has_surrogate(text: str) -> bool:
    """A lone surrogate (U+D800..U+DFFF): not a character, cannot be written as UTF-8."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
