"""The API's `Day` (service.record_schema.day_pattern) says exactly what the one date reader
(models.normalize, behind every door: records, options, what-if items, the API's date fields)
reads: a string the pattern matches is read as a day from 1949 to 2200, and a date-like string the
pattern refuses is refused by the reader. Schemathesis holds the service to the schema; this test
holds the schema to the reader, spelling by spelling."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from models.errors import InputError
from models.limits import FIRST_DAY, LAST_DAY
from models.normalize import read_day
from service.record_schema import day_pattern

PATTERN = re.compile(day_pattern())


def reads(text: str) -> dt.date | None:
    try:
        return read_day(text, "date")
    except InputError:
        return None


@given(st.from_regex(PATTERN))
def test_what_the_pattern_names_the_reader_reads(text: str) -> None:
    day = reads(text)
    assert day is not None and FIRST_DAY <= day <= LAST_DAY, text


WIDE = str.maketrans("0123456789-/.:T", "０１２３４５６７８９－／．：Ｔ")


@st.composite
def date_like(draw: st.DrawFn) -> str:
    """Year, month and day near and beyond the bounds, with the separators and spaces a person or
    a spreadsheet writes (and some nobody should), half in full-width forms."""
    year = draw(st.integers(1940, 2210))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    zero = draw(st.booleans())
    part = (lambda n: f"{n:02d}") if zero else str
    space = st.sampled_from(["", "", " ", "\u3000", "\t", "\xa0"])
    if draw(st.booleans()):
        text = f"{year}{part(month)}{part(day)}"
    else:
        first = draw(st.sampled_from("-/.年月日 _"))
        second = draw(st.sampled_from("-/.月年日 _"))
        text = (f"{year}{draw(space)}{first}{draw(space)}{part(month)}{draw(space)}{second}"
                f"{draw(space)}{part(day)}{draw(space)}{draw(st.sampled_from(['', '日', '号']))}"
                f"{draw(st.sampled_from(['', ' 00:00', 'T00:00:00', ' 00:00:00.000', ' 12:00']))}")
    if draw(st.booleans()):
        text = text.translate(WIDE)
    return draw(space) + text + draw(space)


@given(date_like())
def test_the_pattern_matches_exactly_what_the_reader_reads(text: str) -> None:
    assert (PATTERN.search(text) is not None) == (reads(text) is not None), text


def test_29_february_only_in_leap_years() -> None:
    for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        for text in (f"{year}-02-29", f"{year}年2月29日", f"{year}0229"):
            assert (PATTERN.search(text) is not None) is leap is (reads(text) is not None), text


def test_the_spellings_of_the_issue_and_not_more() -> None:
    for text in ("2023-06-30", "2023/6/30", "2023.06.30", "2023年6月30日", "20230630",
                 "２０２３年６月３０日", " 2023-06-30 00:00:00 ", "1949-01-01", "2200-12-31"):
        assert PATTERN.search(text) and reads(text), text
    for text in ("1948-12-31", "2201-01-01", "2023-02-30", "2023-04-31", "2023-13-01", "30/06/2023",
                 "2023-06-30*", "٢٠٢٣-٠٦-٣٠", "²⁰²³-⁰⁶-³⁰", "0", "2023-6-030", "2023-06-30 12:00"):
        assert not PATTERN.search(text) and not reads(text), text
