"""A CSV line of plain cells (whole numbers, nothing, truth values, text without a comma, quote or
line break: a result row's amounts) is joined at once (`formats.tables._plain_csv`): byte for
byte what the csv module writes, in both languages."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from formats.tables import encode_line, text_cell
from models.i18n import using_lang

cells = st.one_of(st.integers(-10**15, 10**15), st.none(), st.booleans(), st.text(max_size=6),
                  st.sampled_from(["", " ", ",", '"', "\r", "\n", "a,b", "东城区", " x "]))


def _by_the_csv_module(values: list[object]) -> str:
    text = io.StringIO()
    csv.writer(text).writerow([text_cell(value) for value in values])
    return text.getvalue()


@given(st.lists(cells, min_size=1, max_size=8), st.sampled_from(["en", "zh"]))
def test_a_line_of_plain_cells_is_what_the_csv_module_writes(values: list[object], lang: str) -> None:
    columns = [f"c{n}" for n in range(len(values))]
    with using_lang(lang):
        assert encode_line(".csv", columns, dict(zip(columns, values))) == _by_the_csv_module(values)
