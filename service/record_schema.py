"""The enterprise record as /openapi.json describes it: the record model's own JSON Schema
(models.record.EnterpriseRecord: keys, types, bounds, list lengths), with what the model checks
in code written out for a client to see — the catalog's closed lists as enums, dates within the
years the tool reasons about, text without control characters, and the checks across items that
JSON Schema can say (no two equal recognitions, a project year only with a project, a move into
another district).

What it describes is the canonical form; the service also reads the forgiving spellings the
CLI reads (names for ids, 2023/06/30, "1.5万"). Checks across fields that JSON Schema cannot say
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
assert FIRST_YEAR == 1949 and LAST_YEAR == 2200, "DATE below spells out 1949-2200"
# YYYY-MM-DD from 1949 to 2200 (format: date says the day exists).
DATE = r"^(19(49|[5-9][0-9])|20[0-9]{2}|21[0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


@functools.cache
def _control_class() -> str:
    """The characters an id or a name may not hold (models.limits.check_printable): control,
    format and line or paragraph separators, but the zero-width joiners; as a regex class body."""
    bad = [code for code in range(sys.maxunicode + 1)
           if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")
           and chr(code) not in "\u200c\u200d"]
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
            property_of(model, field)["pattern"] = DATE
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
