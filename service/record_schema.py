"""The enterprise record as /openapi.json describes it: the record model's own JSON Schema
(models.record.EnterpriseRecord: keys, types, bounds, list lengths), with what the model checks
in code written out for a client to see — the catalog's closed lists as enums, dates within the
years the tool reasons about, text without control characters, and the checks across items that
JSON Schema can say (no two equal recognitions, a project year only with a project, a move into
another district).

Dates are described as the service reads them (the `Day` component: 2023-06-30, 2023/6/30,
2023年6月30日, …, only days that exist); for the rest it describes the canonical form, and the
service also reads the forgiving spellings the CLI reads (names for ids, "1.5万"). Checks across fields that JSON Schema cannot say
(moves chaining to the record's district, expense ids unique, one annuity per patent and year)
are the service's: a record that breaks one is a 422 naming the field.
"""

from __future__ import annotations

import copy
import functools
import sys
import unicodedata
from typing import Any

from models.catalog import Catalog
from models.limits import FIRST_YEAR, LAST_YEAR, MAX_TEXT
from models.record import EnterpriseRecord

REF = "#/components/schemas/"
# Where a model or a route takes a record, the schema says this; `with_record` puts the record's
# component there (pydantic resolves a `$ref` of its own when it builds a model's schema).
RECORD_PLACEHOLDER: dict[str, Any] = {"type": "object", "x-zjtx-record": True}
# Item model → {its field: the vocabulary kind of its values}; "" is the record itself.
CLOSED = {"": {"district": "place", "entity_type": "entity_type"},
          "Recognition": {"tier": "tier"},
          "Move": {"from": "place", "to": "place"},
          "RewardReceived": {"tier": "level"},
          "Qualification": {"kind": "qualification"},
          "Expense": {"category": "expense_category"},
          "Listing": {"board": "board"}}
DATES = {"": ("as_of",), "Recognition": ("date",), "Move": ("date",), "Qualification": ("date",)}
TEXTS = {"": ("id",), "Expense": ("id", "project"), "Patent": ("id",)}
assert FIRST_YEAR == 1949 and LAST_YEAR == 2200, "day_pattern spells out 1949-2200"
# A day as /openapi.json describes it: one component every date field refers to.
DAY = "Day"


def _wide(spec: str) -> str:
    """A character class of `spec`'s characters and ranges (`0-9`) with their full-width forms,
    which the date reader reads as ASCII (models.normalize.FULL_WIDTH): `0-9` → `[0-9０-９]`."""
    spans, at = [], 0
    while at < len(spec):
        ranged = at + 2 < len(spec) and spec[at + 1] == "-"
        spans.append((spec[at], spec[at + 2] if ranged else spec[at]))
        at += 3 if ranged else 1
    wide = [(chr(ord(lo) + 0xFEE0), chr(ord(hi) + 0xFEE0)) for lo, hi in spans
            if "!" <= lo <= hi <= "~"]

    def one(ch: str) -> str:
        return "\\" + ch if ch in "-\\]^" else ch
    return "[" + "".join(one(lo) if lo == hi else f"{one(lo)}-{one(hi)}"
                         for lo, hi in [*spans, *wide]) + "]"


def _digits(text: str) -> str:
    """Each digit of `text` with its full-width form (`29` → `[2２][9９]`)."""
    return "".join(_wide(ch) for ch in text)


@functools.cache
def _space_class() -> str:
    """The characters Python's `\\s` and `str.strip` take for whitespace, as a regex class body."""
    return _class_body([code for code in range(sys.maxunicode + 1) if chr(code).isspace()])


@functools.cache
def day_pattern() -> str:
    """Every spelling of a day from 1949 to 2200 that models.normalize's date reader reads, and
    nothing else (tests/test_day_pattern.py holds the two together): 2023-06-30, 2023/6/30,
    2023.06.30, 2023年6月30日, 20230630, each with full-width digits and separators, whitespace
    around and between the parts, a spreadsheet's midnight (`2023-06-30 00:00:00`). The pattern
    names only days that exist (months of 30 days, 29 February in leap years): a client's
    validator refuses what the service would."""
    space = f"[{_space_class()}]*"
    d = _wide
    year = f"(?:{_digits('1949')}|{_digits('19')}{d('5-9')}{d('0-9')}|{_digits('2')}{d('01')}" \
           f"{d('0-9')}{d('0-9')}|{_digits('2200')})"
    # 1952 … 2196 by fours, but 2100 (2000 is a leap year, 2100 and 2200 are not).
    leap = f"(?:{_digits('19')}(?:{d('5')}{d('26')}|{d('68')}{d('048')}|{d('79')}{d('26')})" \
           f"|{_digits('20')}(?:{d('02468')}{d('048')}|{d('13579')}{d('26')})" \
           f"|{_digits('21')}(?:{d('0')}{d('48')}|{d('2468')}{d('048')}|{d('13579')}{d('26')}))"
    # month and day: (months, their days) with a leading 0 optional, then with it written
    loose = ((f"(?:{d('0')}?{d('13578')}|{d('1')}{d('02')})",
              f"(?:{d('0')}?{d('1-9')}|{d('12')}{d('0-9')}|{d('3')}{d('01')})"),
             (f"(?:{d('0')}?{d('469')}|{_digits('11')})",
              f"(?:{d('0')}?{d('1-9')}|{d('12')}{d('0-9')}|{_digits('30')})"),
             (f"{d('0')}?{d('2')}", f"(?:{d('0')}?{d('1-9')}|{d('1')}{d('0-9')}|{d('2')}{d('0-8')})"))
    tight = ((f"(?:{d('0')}{d('13578')}|{d('1')}{d('02')})",
              f"(?:{d('0')}{d('1-9')}|{d('12')}{d('0-9')}|{d('3')}{d('01')})"),
             (f"(?:{d('0')}{d('469')}|{_digits('11')})",
              f"(?:{d('0')}{d('1-9')}|{d('12')}{d('0-9')}|{_digits('30')})"),
             (_digits("02"), f"(?:{d('0')}{d('1-9')}|{d('1')}{d('0-9')}|{d('2')}{d('0-8')})"))
    to_month, to_day = f"{space}{d('-/.年')}{space}", f"{space}{d('-/.月')}{space}"
    zero = d("0")
    midnight = f"(?:{d(' T')}{zero}{{1,2}}{d(':')}{zero}{{2}}(?:{d(':')}{zero}{{2}}" \
               f"(?:{d('.')}{zero}+)?)?)?"
    written = f"(?:{year}{to_month}(?:" + "|".join(f"{m}{to_day}{day}" for m, day in loose) + \
        f")|{leap}{to_month}{loose[2][0]}{to_day}{_digits('29')}){space}日?{midnight}"
    compact = f"(?:{year}(?:" + "|".join(m + day for m, day in tight) + \
        f")|{leap}{_digits('0229')})"
    return f"^{space}(?:{written}|{compact}){space}$"


def day_schema() -> dict[str, object]:
    """The `Day` component."""
    return {"type": "string", "pattern": day_pattern(),
            "description": "A day from 1949 to 2200 as people type it: 2023-06-30, 2023/6/30, "
                           "2023.06.30, 2023年6月30日 or 20230630 (full-width digits too). "
                           "日期，1949 至 2200 年：2023-06-30、2023/6/30、2023.06.30、2023年6月30日、20230630"
                           "（全角数字亦可）。",
            "examples": ["2023-06-30", "2023年6月30日", "2023/6/30"]}


@functools.cache
def _control_class() -> str:
    """The characters an id or a name may not hold (models.limits.check_printable): control,
    format and line or paragraph separators, but the zero-width joiners; as a regex class body."""
    return _class_body([code for code in range(sys.maxunicode + 1)
                        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")
                        and chr(code) not in "\u200c\u200d"])


def _class_body(bad: list[int]) -> str:
    """Code points (ascending) as the body of a regex character class, in ranges."""
    ranges: list[tuple[int, int]] = []
    for code in bad:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))

    def escape(code: int) -> str:
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else \
            f"\\U{code:08x}"
    return "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges)


def text_pattern() -> str:
    """1 to MAX_TEXT printable characters once the whitespace around them is trimmed."""
    bad = _control_class()
    return rf"^\s*[^\s{bad}]([^{bad}]{{0,{MAX_TEXT - 2}}}[^\s{bad}])?\s*$"


def record_schema(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Component schemas: `Record` and its items (`Record.Move`, …), for `catalog`."""
    schema = copy.deepcopy(EnterpriseRecord.model_json_schema(
        ref_template=REF + "Record.{model}"))
    parts = {f"Record.{name}": part for name, part in schema.pop("$defs").items()}
    parts["Record"] = schema
    vocabulary = catalog.vocabulary

    def property_of(model: str, field: str) -> dict[str, Any]:
        part = parts["Record" + (f".{model}" if model else "")]
        held: dict[str, Any] = part["properties"][field]
        return next((option for option in held.get("anyOf", []) if option.get("type") != "null"),
                    held)

    for model, fields in CLOSED.items():
        for field, kind in fields.items():
            property_of(model, field)["enum"] = list(vocabulary.ids(kind))
    property_of("RewardReceived", "measure").update(enum=list(catalog.measure_ids()))
    property_of("RewardReceived", "measure").pop("maxLength", None)
    property_of("RewardReceived", "measure").pop("minLength", None)
    for model, dates in DATES.items():
        for field in dates:
            day = property_of(model, field)
            day.clear()
            day["$ref"] = REF + DAY
    for model, texts in TEXTS.items():
        for field in texts:
            prop = property_of(model, field)
            prop.pop("minLength", None)
            prop.pop("maxLength", None)
            prop["pattern"] = text_pattern()
    # Industry tags as a list, or as one text (a spreadsheet cell: "氢能, 外贸").
    tags = parts["Record"]["properties"]["industries"]
    parts["Record"]["properties"]["industries"] = {"anyOf": [
        {key: value for key, value in tags.items() if key != "title"},
        {"type": "string", "description": "tags separated by , ，、; or ；"}]}
    for items in ("recognitions", "qualifications", "listings"):  # items of two keys
        parts["Record"]["properties"][items]["uniqueItems"] = True
    # A project year other than 1 needs its project.
    parts["Record.Expense"]["if"] = {"required": ["project_year"],
                                     "properties": {"project_year": {"not": {"const": 1}}}}
    parts["Record.Expense"]["then"] = {"required": ["project"],
                                       "properties": {"project": {"type": "string"}}}
    # A move goes into another district.
    parts["Record.Move"]["not"] = {"anyOf": [
        {"properties": {"from": {"const": place}, "to": {"const": place}}}
        for place in vocabulary.ids("place")]}
    parts[DAY] = day_schema()
    return parts


def with_record(node: Any) -> Any:
    """`node` with every placeholder replaced by a reference to the `Record` component."""
    if isinstance(node, dict):
        if node.get("x-zjtx-record"):
            return {"$ref": REF + "Record"}
        return {key: with_record(value) for key, value in node.items()}
    if isinstance(node, list):
        return [with_record(item) for item in node]
    return node
