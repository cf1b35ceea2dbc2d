"""Forgiving input: what people type becomes the record's canonical values before validation.

Every door a record comes through (record files, batch cells, the API, the page) calls
`normalize_record` in front of pydantic (through `models.record.parse_record`); spreadsheet readers
may call `normalize_value(kind, cell)` on one cell. Accepted, and turned into the canonical form:

- vocabulary values (districts, tiers, entity types, industry tags, expense categories, boards,
  qualifications) by id in any case with spaces trimmed, by their English or Chinese name (a
  district with or without 区, a tier by its short name: 创新型, 专精特新, 小巨人, 重点小巨人);
- dates as 2023-06-30, 2023/06/30, 2023.06.30, 2023年6月30日, 20230630, and spreadsheet date cells;
- amounts as integers, 1,000,000, full-width digits, 100万, 1.5万 (integer arithmetic, never a float);
- years and other whole numbers as integers or digit strings (2025, "2025", "2025年").

A value that cannot be read is a `Problem` naming its field path and, for a vocabulary value, the
nearest known id ("did you mean"); every problem of a record is collected, none stops the others.
Nothing is guessed: a value is changed only when it names exactly one canonical value.

>>> normalize_value("district", " 东城 ")
'dongcheng'
>>> normalize_value("tier", "小巨人"), normalize_value("date", "2024年7月15日")
('national', datetime.date(2024, 7, 15))
>>> normalize_value("amount", "1.5万"), normalize_value("amount", "１，０００，０００")
(15000, 1000000)
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from models.catalog import VOCABULARY_KINDS, active_catalog, name
from models.errors import InputError, Problem
from models.i18n import current_lang, t
from models.limits import FIRST_DAY, LAST_DAY, Quoted, check_day

READ_DIGITS = 100  # the longest whole number read (its bound, e.g. MAX_YUAN, is the validator's)

if TYPE_CHECKING:
    from models.catalog import Catalog
    from models.catalog.vocabulary import Vocabulary

# Display names are declared per vocabulary; a level is named like the tier it rewards.
_NAMES_OF = {"level": "tier"}

# The record's shape: which kind of value each field holds, for the top level and each list.
_TOP = {"district": "district", "entity_type": "entity_type", "as_of": "date", "id": "text",
        "name": "text"}
_ITEMS: dict[str, dict[str, str]] = {
    "recognitions": {"tier": "tier", "date": "date"},
    "moves": {"from": "district", "to": "district", "date": "date"},
    "rewards_received": {"measure": "measure", "tier": "level", "amount": "amount", "year": "integer"},
    "qualifications": {"kind": "qualification", "date": "date"},
    "expenses": {"id": "text", "category": "category", "amount": "amount", "year": "integer",
                 "project": "text", "project_year": "integer"},
    "listings": {"board": "board", "year": "integer"},
    "patents": {"id": "text", "standard_annuity": "amount", "paid": "amount", "year": "integer",
                "patent_year": "integer"},
}

ITEM_KINDS = _ITEMS  # (read by the batch's columns: formats.tables.raw_schema)
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
# A date is read from ASCII digits, separators and whitespace, full-width forms (２０２３－０６－３０)
# read as their ASCII: exactly what service.record_schema's `day_pattern` tells an API client.
_DATE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
                   r"(?:[ T]0{1,2}:0{2}(?::0{2}(?:\.0+)?)?)?")
_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！…～ → !…~
_AMOUNT = re.compile(r"(\d+)(?:\.(\d+))?(万|亿)?")
_UNIT_DIGITS = {None: 0, "万": 4, "亿": 8}
_YEAR = re.compile(r"(\d+)年?")


class Unreadable(ValueError):
    """A value that names no canonical value; `.problem` says why, without the field path."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _plain(text: str) -> str:
    """Full-width to half-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def lookup_key(text: str) -> str:
    """The form two spellings of one value share: `Hydrogen Energy` and `hydrogen-energy` →
    `hydrogen_energy`; quotes dropped (国家级专精特新"小巨人"企业 = 国家级专精特新“小巨人”企业)."""
    return re.sub(r"[\s\-_]+", "_", _plain(text).lower().translate(_QUOTES)).strip("_")


def _vocabulary_of(catalog: Catalog | None) -> Vocabulary:
    return (catalog or active_catalog()).vocabulary


def spellings(kind: str, vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """Every accepted spelling of a vocabulary kind (as a lookup key) → its canonical id: the
    id, the Chinese and English names (full and short) and the aliases the catalog declares."""
    vocabulary = vocabulary or _vocabulary_of(None)
    return vocabulary.worked_out(("spellings", kind), lambda: _spellings(kind, vocabulary))


def _spellings(kind: str, vocabulary: Vocabulary) -> dict[str, str]:
    declared = VOCABULARY_KINDS[kind]
    table: dict[str, str] = {}
    for ident in vocabulary.ids(declared):
        term = vocabulary.term(declared, ident)
        written = [ident, term.zh, term.en, *(s for s in (term.zh_short, term.en_short) if s),
                   *term.aliases]
        if kind == "district":  # 东城区 or 东城; Dongcheng District
            written += [w[:-1] for w in written if w.endswith("区") and len(w) > 2]
            written += [w + " district" for w in written if w.isascii()]
        for spelling in written:
            table.setdefault(lookup_key(spelling), ident)
    return table


def nearest(kind: str, value: str, vocabulary: Vocabulary | None = None) -> str | None:
    """The canonical id whose spelling is closest to `value` (None when nothing is close)."""
    table = spellings(kind, vocabulary)
    key = lookup_key(value)
    starts = sorted({ident for spelling, ident in table.items()
                     if key and (spelling.startswith(key) or key.startswith(spelling))})
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.5)
    return table[close[0]] if close else None


def _read(vocabulary: Vocabulary, kind: str) -> dict[str, str]:
    """{text as written → its id}: a file writes the same few spellings on row after row; each
    is looked up (NFKC, lower case, …) once per vocabulary."""
    read: dict[str, str] = vocabulary.worked_out(("read", kind), dict)
    return read


def _vocabulary(kind: str, value: Any, vocabulary: Vocabulary | None = None) -> str:
    vocabulary = vocabulary or _vocabulary_of(None)
    if isinstance(value, str):
        read = _read(vocabulary, kind)
        found = read.get(value)
        if found is not None:
            return found
        found = spellings(kind, vocabulary).get(lookup_key(value))
        if found is not None:
            if len(read) >= 10_000:
                read.clear()
            read[value] = found
            return found
    # (nothing is near a value far longer than any name; a value is never written out whole)
    near = nearest(kind, value, vocabulary) if isinstance(value, str) and len(value) <= 200 \
        else None
    hint = (t("problem.did_you_mean", near=near, name=name(_NAMES_OF.get(kind, kind), near))
            if near else "")
    raise Unreadable(Problem(None, t("problem.unknown_value", value=Quoted(value), kind=t(f"kind.{kind}"),
                                     hint=hint), accepted_values(kind, vocabulary)))


def accepted_values(kind: str, vocabulary: Vocabulary | None = None,
                    ids: Iterable[str] | None = None) -> str:
    """The ids of a vocabulary kind (or those of `ids`), each with its name in the current
    language where that says more than the id (`dongcheng（东城区）、…`, `municipal (municipal S&S
    SME), …`)."""
    vocabulary = vocabulary or _vocabulary_of(None)
    declared = VOCABULARY_KINDS[kind]
    shown = []
    for ident in vocabulary.ids(declared) if ids is None else ids:
        named = vocabulary.name(declared, ident, current_lang(), short=True)
        shown.append(ident if lookup_key(named) == ident else
                     t("accepted.named", id=ident, name=named))
    return t("reason.word.list_sep").join(shown)


def measures_accepted(ids: Iterable[str]) -> str:
    """Measure ids as an accepted-value list: in Chinese each with its short name
    (`m1（技术创新）、…`), in English the ids (a measure's id is its English name)."""
    if current_lang() == "en":
        return ", ".join(ids)
    return t("reason.word.list_sep").join(
        ident if name("measure", ident) == ident else t("accepted.named", id=ident, name=name("measure", ident))
        for ident in ids)


_DATES: dict[str, dt.date] = {}  # text as written → its date (a population repeats its dates)


def _date(value: Any) -> dt.date:
    if isinstance(value, str):
        day = _DATES.get(value)
        if day is None:
            day = _read_date(value)
            if len(_DATES) >= 100_000:
                _DATES.clear()
            _DATES[value] = day
        return day
    if isinstance(value, dt.datetime):  # a spreadsheet date cell
        if value.time() != dt.time(0, 0):
            raise Unreadable(Problem(None, t("problem.bad_date", value=Quoted(str(value))),
                                     t("accepted.date")))
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise Unreadable(Problem(None, t("problem.bad_date", value=Quoted(value)), t("accepted.date")))


def _read_date(value: str) -> dt.date:
    text = value.translate(FULL_WIDTH).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        raise Unreadable(Problem(None, t("problem.bad_date", value=Quoted(value)), t("accepted.date")))
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Unreadable(Problem(None, t("problem.not_a_real_date", value=Quoted(value)),
                                 t("accepted.date"))) from None


def _amount(value: Any) -> Any:
    """Whole yuan from an integer or text; floats and booleans are left for the validator to refuse."""
    if not isinstance(value, str):
        return value
    text = re.sub(r"[\s,]", "", _plain(value)).removeprefix("¥").removesuffix("元")
    match = _AMOUNT.fullmatch(text)
    if not match:
        raise Unreadable(Problem(None, t("problem.bad_amount", value=Quoted(value)), t("accepted.amount")))
    whole, fraction, unit = match.groups()
    digits = _UNIT_DIGITS[unit]
    _few_digits(whole, value, "accepted.amount")
    fraction = fraction or ""
    if len(fraction) > READ_DIGITS or fraction[digits:].strip("0"):  # 1.23456万, 12.5: not whole yuan
        raise Unreadable(Problem(None, t("problem.not_whole_yuan", value=Quoted(value)),
                                 t("accepted.amount")))
    return int(whole) * 10 ** digits + int((fraction[:digits]).ljust(digits, "0") or "0")


def _integer(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    match = _YEAR.fullmatch(_plain(value))
    if not match:
        raise Unreadable(Problem(None, t("problem.bad_integer", value=Quoted(value)),
                                 t("accepted.integer")))
    return int(_few_digits(match.group(1), value, "accepted.integer"))


def _few_digits(digits: str, value: str, accepted: str) -> str:
    """`digits` when at most READ_DIGITS long (leading zeros aside): thousands of digits are never
    converted (Python refuses past 4,300); a shorter number too large is the validator's to bound."""
    if len(digits) > READ_DIGITS and len(digits.lstrip("0")) > READ_DIGITS:
        raise Unreadable(Problem(None, t("problem.too_many_digits", value=Quoted(value),
                                         digits=len(digits)), t(accepted)))
    return digits


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _measure(value: Any) -> Any:
    return lookup_key(value).replace("_", ".") if isinstance(value, str) and "." in value else \
        (_plain(value).lower() if isinstance(value, str) else value)


_READERS = {"date": _date, "amount": _amount, "integer": _integer, "text": _text,
            "measure": _measure}


def normalize_value(kind: str, value: Any, vocabulary: Vocabulary | None = None) -> Any:
    """One value of a kind (`district`, `tier`, `date`, `amount`, `integer`, …) in canonical
    form, vocabulary values by `vocabulary` (default: the active catalog's); raises Unreadable
    (with a Problem without field path) when it names nothing."""
    if kind in _READERS:
        return _READERS[kind](value)
    return _vocabulary(kind, value, vocabulary)


def read_day(value: str, field: str) -> dt.date:
    """A date typed at a door outside a record — an option (`--date 2026/12/1`, `--move-date
    2027年1月15日`), a what-if item (`move=大兴区@2027年1月1日`), a scenario file's `move.date`:
    every spelling a record accepts, within the bounds; else an InputError naming `field`."""
    try:
        return check_day(normalize_value("date", value))
    except ValueError:  # unreadable (Unreadable is a ValueError), not a real day, or out of bounds
        raise InputError(t("option.bad_date", value=Quoted(value), first=FIRST_DAY,
                           last=LAST_DAY), field=field, accepted=t("accepted.date")) from None


def read_value(kind: str, value: str, field: str) -> Any:
    """One value of `kind` typed at a door outside a record (a what-if item, a scenario file):
    what `normalize_value` reads, or an InputError naming `field` with what is accepted."""
    try:
        return normalize_value(kind, value)
    except Unreadable as unreadable:
        raise InputError(unreadable.problem.message, field=field,
                         accepted=unreadable.problem.accepted) from None


def industry_tag(value: Any, vocabulary: Vocabulary | None = None) -> Any:
    """An industry tag: a catalog tag by id or name (氢能, Hydrogen Energy → hydrogen_energy);
    other tags are free and kept (lower case, words joined by _); `warnings` names near misses."""
    if not isinstance(value, str):
        return value
    vocabulary = vocabulary or _vocabulary_of(None)
    read = _read(vocabulary, "industry tag")
    found = read.get(value)
    if found is None:
        found = spellings("industry", vocabulary).get(lookup_key(value)) or (lookup_key(value) or value)
        if len(read) >= 10_000:
            read.clear()
        read[value] = found
    return found


def normalize_top(key: str, value: Any, vocabulary: Vocabulary | None = None) -> Any:
    """A top-level field's value (`district`, `as_of`, `id`, …) as `normalize_record` reads it;
    raises Unreadable as `normalize_value` does. Other fields are left as they are."""
    kind = _TOP.get(key)
    return value if kind is None or value is None else normalize_value(kind, value, vocabulary)


def split_tags(text: str) -> list[str]:
    """One cell of industry tags (`"氢能, 外贸"`) as a list, tags as written."""
    return [tag for tag in re.split(r"[,，、;；]", text) if tag.strip()]


def top_reader(key: str) -> Callable[[Any], Any]:
    """`normalize_top` of one field, for many values: the function it applies."""
    kind = _TOP.get(key)
    reader = _READERS.get(kind) if kind is not None else None
    if reader is not None:
        return lambda value: value if value is None else reader(value)
    return lambda value: normalize_top(key, value)


def industries_of(value: Any, vocabulary: Vocabulary | None = None) -> Any:
    """The industry tags as `normalize_record` reads them: a list tag by tag, one cell of text
    split first (`split_tags`); anything else is left for the validator."""
    if isinstance(value, str):
        value = split_tags(value)
    return [industry_tag(tag, vocabulary) for tag in value] if isinstance(value, list) else value


def _field(container: dict[str, object], key: str, kind: str, where: tuple[str, int, str] | str,
           problems: list[Problem], vocabulary: Vocabulary) -> None:
    value = container.get(key)
    if value is None:
        return
    try:
        container[key] = normalize_value(kind, value, vocabulary)
    except Unreadable as unreadable:
        path = where if isinstance(where, str) else "{}[{}].{}".format(*where)
        problems.append(Problem(path, unreadable.problem.message, unreadable.problem.accepted))


def _known_keys(data: Mapping[str, object], known: frozenset[str]) -> dict[str, object]:
    """Keys in any case with spaces trimmed, when that names a known key (others stay for the
    validator to report with "did you mean")."""
    out: dict[str, object] = {}
    for key, value in data.items():
        if key in known:  # already canonical (its plain lower-case form is itself)
            out[key] = value
            continue
        plain = _plain(key).lower() if isinstance(key, str) else key
        out[plain if plain in known and plain not in data else key] = value
    return out


_TOP_KEYS = frozenset(_TOP) | frozenset(_ITEMS) | {"industries"}
_ITEM_KEYS = {list_key: frozenset(shape) for list_key, shape in _ITEMS.items()}


def normalize_record(data: Mapping[str, object], catalog: Catalog | None = None
                     ) -> tuple[dict[str, object], list[Problem]]:
    """A copy of `data` with every readable value in canonical form (vocabulary values by
    `catalog`'s vocabulary, default the active catalog's), and every unreadable one as a Problem
    with its field path (unknown keys and missing fields are left to the validator)."""
    vocabulary = _vocabulary_of(catalog)
    out = _known_keys(data, _TOP_KEYS)
    problems: list[Problem] = []
    for key, kind in _TOP.items():
        _field(out, key, kind, key, problems, vocabulary)
    if "industries" in out:
        out["industries"] = industries_of(out["industries"], vocabulary)
    for list_key, shape in _ITEMS.items():
        items = out.get(list_key)
        if not isinstance(items, list):
            continue
        known = _ITEM_KEYS[list_key]
        out[list_key] = items = list(items)  # (each item a new dict: `_known_keys`)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            items[index] = item = _known_keys(item, known)
            for key, kind in shape.items():
                _field(item, key, kind, (list_key, index, key), problems, vocabulary)
    return out, problems
