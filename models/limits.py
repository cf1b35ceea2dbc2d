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
import unicodedata

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
MAX_BUNDLE_BYTES = 200_000_000     # an evidence bundle (`zjtx verify`)
MAX_BUNDLE_MEMBERS = 1_000         # members of an evidence bundle


def check_day(day: dt.date) -> dt.date:
    """A date within the years the tool reasons about (1949–2200)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        from models.i18n import t  # here: models.i18n reads its messages through models.yamlio

        raise ValueError(t("limit.date_outside", day=day.isoformat(), first=FIRST_DAY, last=LAST_DAY))
    return day


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
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in "\u200d\u200c":
            from models.i18n import t

            raise ValueError(t("limit.control_character", code=f"U+{ord(char):04X}"))
    return text


def shown_text(text: str, limit: int = 80) -> str:
    """A piece of user text as it may appear in a message, cut to `limit` characters."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shown(value: object, limit: int = 60) -> str:
    """A value as it may appear in a message: repr'd, cut to `limit` characters."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**limit:
        return f"a number of more than {limit} digits"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
