"""Spreadsheet columns: which record field each header names, and one row of cells → record data.

A header may be the field's English name (`district`), its Chinese name (`注册区`), or any name
given in a `--columns MAP.yaml` (`{"所在区": district}`); case, spaces and full-width spaces do not
matter. Besides the record's own fields (list fields as JSON cells), a sheet may use the flat
columns `innovative`, `municipal`, `national`, `privileged`: a recognition date each, several
dates separated by `;` (the first recognition and its re-examinations).

Problems are collected for the whole row (every bad cell, not only the first) and name the field;
`label` turns a field path back into the column as its header is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.i18n import messages, t
from models.limits import Quoted, shown_text
from models.yamlio import parse_document
from models.normalize import Unreadable, normalize_value
from models.record import EnterpriseRecord
from models.catalog import load_catalog

RECORD_COLUMNS = tuple(field.alias or name for name, field in EnterpriseRecord.model_fields.items())
LIST_FIELDS = ("industries", "recognitions", "moves", "rewards_received", "qualifications",
               "expenses", "listings", "patents")
VOCABULARY = load_catalog().vocabulary  # the shipped catalog's (spreadsheet columns are fixed)
TIER_COLUMNS = VOCABULARY.tiers  # the catalog's tiers: recognition dates

# The template's columns, in order, with their Chinese headers (the project's own labels).
CHINESE: dict[str, str] = {
    "id": "编号",
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "district": "注册区",
    "entity_type": "主体类型",
    "industries": "行业",
    # A recognition-date column per tier of the catalog, as notices and sheets name the tiers
    # (创新型中小企业认定日期, 专精特新中小企业认定日期, 小巨人认定日期, 重点小巨人认定日期): the
    # name that begins the tier's aliases, else its short Chinese name; any spelling of the tier
    # is read too (`_tier_date_column`).
    **{tier: (VOCABULARY.aliases("tier", tier)[:1] or (VOCABULARY.name("tier", tier, "zh", short=True),))[0]
       + "认定日期" for tier in TIER_COLUMNS},
    "moves": "迁移记录",
    "expenses": "费用支出",
    "listings": "上市记录",
    "patents": "专利年费",
    "qualifications": "资质认定",
    "rewards_received": "已获奖励",
    "recognitions": "认定记录",
    "as_of": "评估基准日",
}
TEMPLATE_COLUMNS = tuple(c for c in CHINESE if c not in ("recognitions", "as_of"))
FIELDS = tuple(dict.fromkeys((*RECORD_COLUMNS, *TIER_COLUMNS)))

Problem = tuple[str, str]  # (field, message)


def _key(header: str) -> str:
    """Headers compare without case, spaces (also full-width) or width differences."""
    return "".join(unicodedata.normalize("NFKC", header).split()).casefold()


def load_column_map(path: Path | None, fields: Iterable[str] | None = None,
                    option: str = "--columns") -> dict[str, str]:
    """A `--columns` file: YAML (or JSON) mapping header text → field (one of `fields`, by
    default an enterprise sheet's)."""
    known = tuple(fields) if fields is not None else FIELDS
    if path is None:
        return {}
    from models.limits import MAX_COLUMNS_BYTES
    from models.yamlio import read_document

    # (the same door as a record: a regular file within its cap, plain data, no aliases)
    try:
        data = read_document(path, what="columns", limit=MAX_COLUMNS_BYTES, error=InputError)
    except InputError as exc:
        exc.field = option
        raise
    if not isinstance(data, dict):
        raise InputError(t("columns.not_a_mapping", example="{所在区: district}"), file=str(path),
                         field=option)
    out = {}
    for header, target in data.items():
        if not isinstance(target, str) or target not in known:
            near = difflib.get_close_matches(target, known, n=1) \
                if isinstance(target, str) and len(target) < 100 else []
            raise InputError(t("columns.unknown_field", header=Quoted(header), target=Quoted(target))
                             + (t("validation.did_you_mean_key", near=near[0]) if near else ""),
                             file=str(path), field=option, accepted=", ".join(known))
        out[_key(str(header))] = str(target)
    return out


@dataclass(frozen=True)
class Schema:
    """The columns another kind of sheet may have (a published list of recognized enterprises):
    each field with the headers that name it (besides its own name, the first one shown in
    messages), and the field every sheet must have. Enterprise sheets are the default."""

    headers: dict[str, tuple[str, ...]]
    required: str

    def known(self) -> dict[str, str]:
        return {_key(header): field for field, names in self.headers.items()
                for header in (field, *names)}

    def accepted(self) -> str:
        return ", ".join(f"{field} ({names[0]})" if names else field
                         for field, names in self.headers.items())


class Columns:
    """A sheet's header row, resolved: the field of each column and the header of each field."""

    def __init__(self, header: list[str], path: Path, mapping: dict[str, str] | None = None,
                 schema: Schema | None = None) -> None:
        if schema is None:  # an enterprise sheet
            known = {_key(f): f for f in FIELDS} | {_key(z): f for f, z in CHINESE.items()}
            known |= {_key(VOCABULARY.name("tier", tier, "zh") + "认定日期"): tier for tier in TIER_COLUMNS}
            choices = [*FIELDS, *CHINESE.values()]
            accepted = ", ".join(f"{f} ({CHINESE[f]})" if f in CHINESE else f for f in FIELDS)
        else:
            known = schema.known()
            choices = [header for field, names in schema.headers.items() for header in (field, *names)]
            accepted = schema.accepted()
        known |= mapping or {}
        self.fields: list[str] = []
        self.labels: dict[str, str] = {}
        for column in header:
            field = known.get(_key(column)) or _tier_date_column(column)
            if field is None:
                near = difflib.get_close_matches(column, choices, n=1)
                raise InputError(
                    t("columns.unknown_column", column=Quoted(column))
                    + (t("validation.did_you_mean_key", near=near[0]) if near else "")
                    + t("columns.map_hint"), file=str(path), accepted=accepted)
            if field in self.labels:
                raise InputError(t("columns.both_give", first=self.labels[field], second=column,
                                   field=field), file=str(path))
            self.fields.append(field)
            self.labels[field] = column
        required = "id" if schema is None else schema.required
        if required not in self.labels:
            raise InputError(t("columns.no_id") if schema is None else
                             t("columns.no_column", field=required,
                               header=schema.headers[required][0]), file=str(path),
                             accepted=", ".join(RECORD_COLUMNS) if schema is None else accepted)

    def record(self, cells: Iterable[Any]) -> tuple[dict[str, Any], Problem | None]:
        """One row of cells → record data, and every problem found (joined into one)."""
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        recognitions: list[dict[str, str]] = []
        for field, cell in zip(self.fields, cells):
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            if field in TIER_COLUMNS:
                days, problem = _dates(cell)
                if problem:
                    problems.append((field, problem))
                recognitions += [{"tier": field, "date": day} for day in days]
                continue
            if field in LIST_FIELDS and isinstance(cell, str):
                value, problem = _list_cell(field, cell.strip())
                if problem:
                    problems.append((field, problem))
                    continue
                cell = value
            elif field == "id" and isinstance(cell, (int, float)) and not isinstance(cell, bool):
                cell = str(int(cell)) if float(cell).is_integer() else str(cell)  # a spreadsheet number
            elif field == "credit_code" and isinstance(cell, (int, float)) and not isinstance(cell, bool):
                cell = str(cell)  # all digits, stored as a number: still text to check
            data[field] = cell
        if recognitions:
            listed = data.get("recognitions", [])
            data["recognitions"] = (listed if isinstance(listed, list) else [listed]) + recognitions
        return data, joined(problems)

# A recognition-date column may name its tier by any spelling a record accepts for the tier
# (创新型中小企业认定日期, 专精特新中小企业认定日期, 国家级专精特新“小巨人”企业认定日期, …).
_DATE_SUFFIXES = ("认定日期", "认定时间", "认定", "recognition date", "recognition_date", "date")


def _tier_date_column(header: str) -> str | None:
    """The tier whose recognition dates a header names (None: not such a header)."""
    text = unicodedata.normalize("NFKC", header).strip()
    for suffix in _DATE_SUFFIXES:
        if text.casefold().endswith(suffix) and len(text) > len(suffix):
            try:
                tier = normalize_value("tier", text[:-len(suffix)].strip(" _-"), VOCABULARY)
            except Unreadable:
                continue
            return str(tier)
    return None


def joined(problems: list[Problem]) -> Problem | None:
    """Several problems of one row as one (fields; fields, and field: message; …)."""
    if not problems:
        return None
    if len(problems) == 1:
        return problems[0]
    return ("; ".join(f for f, _ in problems),  # field paths: the contract's separator
            t("reason.word.item_sep").join(t("cell.problem", field=f, message=m) for f, m in problems))


_SEPARATORS = re.compile(r"[;；\n]")


def _dates(cell: Any) -> tuple[list[str], str | None]:
    """A recognition-date cell: one date or several separated by `;` → ISO dates (each read by
    the forgiving input of `models.normalize`: 2023-06-30, 2023/6/30, 2023年6月30日, a date cell)."""
    parts = [cell] if isinstance(cell, (dt.date, dt.datetime)) else \
        [part for part in _SEPARATORS.split(str(cell)) if part.strip()]
    days, bad = [], []
    for part in parts:
        try:
            days.append(normalize_value("date", part).isoformat())
        except Unreadable as unreadable:
            bad.append(unreadable.problem)
    if bad:
        return days, t("reason.word.item_sep").join(p.text() for p in bad) + t("cell.several_dates")
    return days, None


def _list_cell(field: str, text: str) -> tuple[Any, str | None]:
    """A list cell: a JSON list, read as a JSON Lines row is (the same words for what is wrong)."""
    if text.startswith("["):
        try:
            return parse_document(text, as_json=True, one_line=True), None
        except ValueError as exc:  # not JSON, a duplicate key, nested too deeply, huge numbers
            return None, t("cell.not_json_list", problem=shown_text(str(exc)))
    if field == "industries":  # "氢能, 外贸": models.normalize splits and reads the tags
        return text, None
    return None, t("cell.expected_list")


OUTPUT_LANGS = ("en", "zh")


def output_headers(columns: Iterable[str], lang: str) -> list[str]:
    """Column headers in `lang` (the message catalogue's `header.*`): English keeps the field
    names; a measure's amounts keep the measure id (`m1 下限`)."""
    if lang not in OUTPUT_LANGS:
        raise InputError(f"unknown language {lang!r}", field="--lang", accepted=", ".join(OUTPUT_LANGS))
    known = messages()
    out = []
    for column in columns:
        if f"header.{column}" in known:
            out.append(t(f"header.{column}", lang))
        elif column.endswith((".min", ".max")):
            out.append(t("header.measure_" + column[-3:], lang, measure=column[:-4]))
        else:
            out.append(column)
    return out
