"""The enterprise record (DOMAIN.md section 7), validated: the public input contract.

Unknown keys are errors naming the nearest known key; a bad value names its field path
(`recognitions[0].tier`), what is accepted and the nearest accepted value. The closed lists
(districts, tiers, entity types, categories, boards, qualification kinds) are the loaded
catalog's vocabulary: `parse_record(data, catalog=...)` checks against that catalog (default: the
shipped one). Lists are put in a canonical order on load, so that reordering any list in the
input cannot change an answer.
"""

from __future__ import annotations

import datetime as dt
import difflib
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError,
                      ValidationInfo, field_validator, model_validator)
from pydantic_core import PydanticCustomError

from models.creditcode import normalize as normalize_credit_code
from models.creditcode import problem_of as credit_code_problem
from models.errors import BugError, RecordError
from models.i18n import t
from models.limits import (FIRST_DAY, LAST_DAY, MAX_EVENTS, MAX_ITEMS, MAX_RECORD_BYTES,
                           MAX_TEXT, Day, Year, Yuan, check_printable, has_surrogate)
from models.normalize import normalize_record
from models.validation import describe_all
from models.yamlio import parse_bytes, parse_document, read_bytes

if TYPE_CHECKING:
    from models.catalog import Catalog
    from models.catalog.vocabulary import Vocabulary


def _catalog_of(info: ValidationInfo | None) -> Catalog:
    """The catalog a record is validated against: the context's, else the active one."""
    catalog = (info.context or {}).get("catalog") if info is not None else None
    if catalog is None:
        from models.catalog import active_catalog
        catalog = active_catalog()
    return catalog


def _declared(kind: str) -> AfterValidator:
    """A value from one of the catalog's closed lists (`vocabulary.ids(kind)`)."""
    def check(value: str, info: ValidationInfo) -> str:
        vocabulary = _catalog_of(info).vocabulary
        accepted = vocabulary.ids(kind)
        if value not in accepted:  # (the normalizer has already read most values as ids)
            near = vocabulary.nearest(kind, value)
            raise PydanticCustomError(
                "closed_value", "{shown} is not accepted",
                {"shown": repr(value), "expected": _one_of(accepted),
                 "hint": f"; did you mean {near!r}?" if near else ""})
        return value
    return AfterValidator(check)


def _one_of(values: tuple[str, ...]) -> str:
    """`'a', 'b' or 'c'`, as pydantic writes the values a Literal accepts."""
    quoted = [repr(value) for value in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# The closed vocabularies come from the catalog's index (one list each, never written in Python).
Tier = Annotated[str, _declared("tier")]
Level = Annotated[str, _declared("level")]
Place = Annotated[str, _declared("place")]
EntityType = Annotated[str, _declared("entity_type")]
Category = Annotated[str, _declared("expense_category")]
Board = Annotated[str, _declared("board")]
QualificationKind = Annotated[str, _declared("qualification")]
# The bounds of models.limits, declared on the types (README, "Bounds"): Yuan, Year, Day.
Name = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(check_printable)]


class _Item(BaseModel):
    # defer_build: built on first use (plain rows of a batch never need the validator).
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Recognition(_Item):
    tier: Tier
    date: Day


class Move(_Item):
    from_: Place = Field(alias="from")
    to: Place
    date: Day


class RewardReceived(_Item):
    measure: Name
    tier: Level | None = None
    amount: Yuan
    year: Year

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, measure: str, info: ValidationInfo) -> str:
        known = _catalog_of(info).measure_ids()
        if measure not in known:
            near = difflib.get_close_matches(measure, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ValueError(f"unknown measure {measure!r}{hint} (accepted: {', '.join(known)})")
        return measure


class Qualification(_Item):
    kind: QualificationKind
    date: Day


class Expense(_Item):
    id: Name
    category: Category
    amount: Yuan
    year: Year
    project: Name | None = None
    project_year: Annotated[int, Field(ge=1, le=50, strict=True)] = 1


class Listing(_Item):
    board: Board
    year: Year


class Patent(_Item):
    id: Name
    standard_annuity: Yuan
    paid: Yuan
    year: Year
    patent_year: Annotated[int, Field(ge=1, le=50, strict=True)]


class EnterpriseRecord(_Item):
    id: Name
    name: Annotated[str, Field(max_length=MAX_TEXT)] | None = None
    credit_code: Annotated[str, Field(max_length=MAX_TEXT)] | None = None  # 统一社会信用代码, checked per GB 32100-2015
    entity_type: EntityType = "enterprise"
    district: Place
    # Lists default through a factory: a `[]` default is deep-copied for every record.
    industries: Annotated[list[Name], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    recognitions: Annotated[list[Recognition], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    moves: Annotated[list[Move], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    rewards_received: Annotated[list[RewardReceived], Field(max_length=MAX_ITEMS, fail_fast=True)] = Field(default_factory=list)
    qualifications: Annotated[list[Qualification], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    expenses: Annotated[list[Expense], Field(max_length=MAX_ITEMS, fail_fast=True)] = Field(default_factory=list)
    listings: Annotated[list[Listing], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    patents: Annotated[list[Patent], Field(max_length=MAX_ITEMS, fail_fast=True)] = Field(default_factory=list)
    as_of: Day | None = None
    _vocabulary: Vocabulary | None = PrivateAttr(default=None)

    @field_validator("credit_code")
    @classmethod
    def _valid_credit_code(cls, code: str | None) -> str | None:
        if code is None:
            return None
        code = normalize_credit_code(code)
        problem = credit_code_problem(code)
        if problem:
            raise ValueError(problem)
        return code

    @model_validator(mode="after")
    def _canonical_and_consistent(self, info: ValidationInfo) -> EnterpriseRecord:
        return self._put_in_order(_catalog_of(info).vocabulary)

    def _put_in_order(self, vocabulary: Vocabulary) -> EnterpriseRecord:
        """Canonical order and the checks across fields (ValueError), after the fields' own."""
        self._vocabulary = vocabulary
        rank = vocabulary.tier_rank
        # Canonical order: the answer must not depend on the order the lists were written in.
        self.industries = sorted(set(self.industries))
        self.recognitions.sort(key=lambda r: (r.date, rank[r.tier]))
        self.moves.sort(key=lambda m: m.date)
        self.rewards_received.sort(key=lambda r: (r.year, r.measure, r.tier or "", r.amount))
        self.qualifications.sort(key=lambda q: (q.date, q.kind))
        self.expenses.sort(key=lambda e: e.id)
        self.listings.sort(key=lambda item: (item.year, item.board))
        self.patents.sort(key=lambda p: (p.id, p.year, p.patent_year))
        # Each check builds its messages only when two items collide (a rare, bad record).
        if _repeats([e.id for e in self.expenses]):
            _unique("expense_id", [e.id for e in self.expenses])
        for expense in self.expenses:
            if expense.project is None and expense.project_year != 1:
                raise ValueError(t("record.project_year_without_project", expense=expense.id,
                                   year=expense.project_year))
        if _repeats([(r.tier, r.date) for r in self.recognitions]):
            _unique("recognition", [_on(r.tier, r.date) for r in self.recognitions])
        if _repeats([(q.kind, q.date) for q in self.qualifications]):
            _unique("qualification", [_on(q.kind, q.date) for q in self.qualifications])
        if _repeats([(item.board, item.year) for item in self.listings]):
            _unique("listing", [t("record.key.in", item=item.board, year=item.year)
                                for item in self.listings])
        if _repeats([(p.id, p.year) for p in self.patents]):
            _unique("patent_annuity", [t("record.key.in", item=p.id, year=p.year)
                                       for p in self.patents])
        previous = None
        for move in self.moves:
            if move.from_ == move.to:
                raise ValueError(t("record.move_to_itself", date=move.date, district=move.to))
            if previous is not None:
                if move.date == previous.date:
                    raise ValueError(t("record.two_moves", date=move.date))
                if move.from_ != previous.to:
                    raise ValueError(t("record.move_chain", date=move.date, origin=move.from_,
                                       previous=previous.to))
            previous = move
        if previous is not None and previous.to != self.district:
            raise ValueError(t("record.last_move", last=previous.to, district=self.district))
        return self

    # -- facts the compiler asks for ------------------------------------------------------------
    @property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary the record was validated against (tier order, the place outside)."""
        # Read from the private attributes' own slot: the compiler asks for it many times per
        # record, and pydantic's attribute lookup for a private attribute is slow Python.
        private = self.__pydantic_private__
        vocabulary: Vocabulary | None = private.get("_vocabulary") if private is not None else None
        if vocabulary is None:  # built without validation (model_construct)
            vocabulary = self._vocabulary = _catalog_of(None).vocabulary
        return vocabulary

    def district_on(self, day: dt.date) -> str:
        """Where the enterprise is registered on `day` (a move counts from its own date)."""
        if not self.moves:
            return self.district
        place = self.moves[0].from_
        for move in self.moves:
            if move.date <= day:
                place = move.to
        return place

    def tier_on(self, day: dt.date) -> str | None:
        """The highest tier recognized on or before `day`."""
        held = [r.tier for r in self.recognitions if r.date <= day]
        return max(held, key=self.vocabulary.tier_rank.__getitem__) if held else None

    def highest_tier(self) -> str | None:
        return max((r.tier for r in self.recognitions), key=self.vocabulary.tier_rank.__getitem__,
                   default=None)

    def in_jurisdiction_on(self, day: dt.date) -> bool:
        """Registered in one of the jurisdiction's districts on `day` (not outside it)."""
        return self.district_on(day) != self.vocabulary.outside


# The most items each list field may hold (read from the field declarations above).
LIST_MAXIMA: dict[str, int] = {
    name: next(rule.max_length for rule in field.metadata if hasattr(rule, "max_length"))
    for name, field in EnterpriseRecord.model_fields.items()
    if any(getattr(rule, "max_length", None) for rule in field.metadata)
    and typing.get_origin(field.annotation) is list}


def _repeats(keys: list[Any]) -> bool:
    """Some key appears twice."""
    return len(keys) > 1 and len(set(keys)) < len(keys)


def _on(item: str, day: dt.date) -> str:
    return t("record.key.on", item=item, date=day)


def _unique(what: str, keys: list[str]) -> None:
    """A ValueError naming the first key that appears twice (`what`: a `record.what.*` id)."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(t("record.twice", what=t(f"record.what.{what}"), key=key))
        seen.add(key)


def _check_lengths(data: dict[str, Any], source: str, row: int | None) -> None:
    """Refuse an over-long list before validating a single item of it (memory stays flat)."""
    for key, most in LIST_MAXIMA.items():
        value = data.get(key)
        if isinstance(value, list) and len(value) > most:
            raise RecordError(t("record.too_many_items", count=len(value), most=most),
                              file=source, row=row, field=key)


# The fields a plain record writes (the fast road below); any other key takes the full road.
_PLAIN_KEYS = frozenset({"id", "name", "entity_type", "district", "industries", "recognitions",
                         "as_of", "moves", "rewards_received", "qualifications", "expenses",
                         "listings", "patents"})
_EMPTY_ONLY = ("moves", "rewards_received", "qualifications", "expenses", "listings", "patents")
_RECOGNITION_KEYS = frozenset({"tier", "date"})


def _text_of(value: Any, *, required: bool, strip: bool = True) -> str | None:
    """A Name (`required`) or a name, as normalizer (which strips ids and names, not tags) and
    validator leave it; None: not plain."""
    if not isinstance(value, str) or type(value) is not str:  # (str itself, no subclass)
        return None
    text: str = value.strip() if strip else value
    if len(text) > MAX_TEXT or (required and (not text or not text.isprintable())) \
            or has_surrogate(text):  # (the validator's message, for a name too)
        return None
    return text


class PlainRow(typing.NamedTuple):
    """A plain row read and checked without a model (`plain_row`): what `_plain_record` builds
    its record from, and what a batch keys a row's answer on when the row is plain."""

    values: dict[str, Any]  # every field the row gave, as the record holds it (lists canonical)
    district: str
    entity_type: str
    industries: tuple[str, ...]  # sorted, each once
    recognitions: tuple[tuple[dt.date, str], ...]  # (date, tier), in the record's order


_ABSENT = object()
_NOT_PLAIN = ("", "", ())  # (remembered for values that are not plain)
# What plain values read as, per vocabulary and kind: text → the canonical value, or None when the
# value is not plain (unreadable, out of range, not in the vocabulary). Bounded.
_PLAIN_READ: dict[int, tuple[Vocabulary, dict[str, dict[Any, Any]]]] = {}
_PLAIN_KINDS = ("entity_type", "district", "industry", "tier", "date", "recognition", "head")


def _plain_reads(vocabulary: Vocabulary) -> dict[str, dict[Any, Any]]:
    hit = _PLAIN_READ.get(id(vocabulary))
    if hit is None or hit[0] is not vocabulary:
        if len(_PLAIN_READ) >= 16:
            _PLAIN_READ.clear()
        hit = _PLAIN_READ[id(vocabulary)] = (vocabulary, {kind: {} for kind in _PLAIN_KINDS})
    return hit[1]


def _plain_value(kind: str, value: Any, vocabulary: Vocabulary, read: dict[str, Any]) -> Any:
    """`value` (of `kind`: a vocabulary kind, `industry` or `date`) as a plain record holds it,
    or None when it is not plain; text is read once and remembered in `read`."""
    if type(value) is not str:
        return _read_plain_value(kind, value, vocabulary)
    found = read.get(value, _ABSENT)
    if found is _ABSENT:
        found = _read_plain_value(kind, value, vocabulary)
        if len(read) >= 20_000:
            read.clear()
        read[value] = found
    return found


def _read_plain_value(kind: str, value: Any, vocabulary: Vocabulary) -> Any:
    from models.normalize import Unreadable, industry_tag, normalize_value

    if value is None:
        return None
    try:
        if kind == "industry":
            return _text_of(industry_tag(value, vocabulary), required=True, strip=False)
        if kind == "date":
            day = normalize_value("date", value, vocabulary)
            return day if FIRST_DAY <= day <= LAST_DAY else None
        found = normalize_value(kind, value, vocabulary)
    except Unreadable:
        return None
    return found if found in vocabulary.ids("place" if kind == "district" else kind) else None


def _plain_head(written: tuple[Any, Any, Any], vocabulary: Vocabulary,
                reads: dict[str, dict[Any, Any]]) -> tuple[str, str, tuple[str, ...]] | None:
    """(entity type, district, industry tags) as a record holds them, from the entity type
    (`_ABSENT` when not given), district and tags (a tuple, `_ABSENT` when not given) as
    written; None when they are not plain."""
    entity_type = "enterprise"
    if written[0] is not _ABSENT:
        entity_type = _plain_value("entity_type", written[0], vocabulary, reads["entity_type"])
        if entity_type is None:
            return None
    district = _plain_value("district", written[1], vocabulary, reads["district"])
    if district is None:
        return None
    if written[2] is _ABSENT:
        return entity_type, district, ()
    if type(written[2]) is not tuple:
        return None
    named = set()
    for tag in written[2]:
        tag = _plain_value("industry", tag, vocabulary, reads["industry"])
        if tag is None:
            return None
        named.add(tag)
    return entity_type, district, tuple(sorted(named))


class _NotPlain(Exception):
    """The row is not plain: it takes the full road, with its messages."""


def plain_row(data: dict[str, Any], catalog: Catalog | None) -> PlainRow | None:
    """A row that is already plain — known keys only, ids and tags as text, dates in range,
    lists of moves, rewards, qualifications, expenses, listings and patents empty — read and
    checked as `parse_record` would, in canonical order; None for any other row (it takes the
    full road, with its messages). tests/test_record.py holds the two roads equal."""
    if not _PLAIN_KEYS.issuperset(data):
        return None
    ident = _text_of(data.get("id"), required=True)
    if ident is None:
        return None
    vocabulary = (catalog or _catalog_of(None)).vocabulary
    reads = _plain_reads(vocabulary)
    values: dict[str, Any] = {"id": ident}
    try:
        _plain_empty_lists(data, values)  # first: most rows that are not plain fail here
        if "name" in data:
            values["name"] = _plain_name(data["name"])
        entity_type, district, industries = _plain_head_of(data, values, vocabulary, reads)
        recognitions: tuple[tuple[dt.date, str], ...] = ()
        if "recognitions" in data:
            recognitions = values["recognitions"] = _plain_recognitions(
                data["recognitions"], vocabulary, reads)
        if "as_of" in data:
            day = data["as_of"]
            values["as_of"] = None if day is None else _plain_or_not(
                _plain_value("date", day, vocabulary, reads["date"]))
    except _NotPlain:
        return None
    return PlainRow(values, district, entity_type, industries, recognitions)


def _plain_or_not(value: Any) -> Any:
    """`value`, unless it is None (a value that is not plain)."""
    if value is None:
        raise _NotPlain
    return value


def _plain_name(name: Any) -> str | None:
    """The name as the record holds it (None stays None)."""
    return None if name is None else _plain_or_not(_text_of(name, required=False))


def _plain_head_of(data: dict[str, Any], values: dict[str, Any], vocabulary: Vocabulary,
                   reads: dict[str, dict[Any, Any]]) -> tuple[str, str, tuple[str, ...]]:
    """Entity type, district and industry tags as held (into `values` as given), read as one
    remembered combination of what is written: few combinations in a file."""
    tags = data.get("industries", _ABSENT)
    if type(tags) is list and len(tags) > MAX_EVENTS:
        raise _NotPlain
    try:
        written = (data.get("entity_type", _ABSENT), data.get("district"),
                   tuple(tags) if type(tags) is list else tags)
        head = reads["head"].get(written)
    except TypeError:  # something unhashable: not plain
        raise _NotPlain from None
    if head is None:
        head = reads["head"][written] = _plain_head(written, vocabulary, reads) or _NOT_PLAIN
        if len(reads["head"]) >= 20_000:
            reads["head"].clear()
    if head is _NOT_PLAIN:
        raise _NotPlain
    entity_type, district, industries = head
    if written[0] is not _ABSENT:
        values["entity_type"] = entity_type
    values["district"] = district
    if tags is not _ABSENT:
        values["industries"] = industries
    return entity_type, district, industries


def _plain_recognitions(items: Any, vocabulary: Vocabulary,
                        reads: dict[str, dict[Any, Any]]) -> tuple[tuple[dt.date, str], ...]:
    """The recognitions as (date, tier) pairs in the record's order (by date, then tier rank);
    not plain when one is given twice (the validator's message)."""
    if type(items) is not list or len(items) > MAX_EVENTS:
        raise _NotPlain
    held = [_plain_recognition(item, vocabulary, reads) for item in items]
    if len(held) > 1:
        held.sort()  # by date (equal items side by side); tiers of one date by rank, below
        tied = False
        for before, after in zip(held, held[1:]):
            if before == after:  # twice the same: the validator's message
                raise _NotPlain
            tied = tied or before[0] == after[0]
        if tied:
            rank = vocabulary.tier_rank
            held.sort(key=lambda r: (r[0], rank[r[1]]))
    return tuple(held)


def _plain_recognition(item: Any, vocabulary: Vocabulary,
                       reads: dict[str, dict[Any, Any]]) -> tuple[dt.date, str]:
    """One recognition as (date, tier); a pair of texts is read once (`reads["recognition"]`)."""
    if type(item) is not dict or len(item) != 2:
        raise _NotPlain
    read = reads["recognition"]  # (tier, date) as written → (date, tier)
    pair = (item.get("tier"), item.get("date"))  # (None when absent: not plain)
    text = type(pair[0]) is str and type(pair[1]) is str
    found: tuple[dt.date, str] | None = read.get(pair) if text else None
    if found is None:
        tier = _plain_or_not(_plain_value("tier", pair[0], vocabulary, reads["tier"]))
        day = _plain_or_not(_plain_value("date", pair[1], vocabulary, reads["date"]))
        found = (day, tier)
        if text:
            if len(read) >= 20_000:
                read.clear()
            read[pair] = found
    return found


def _plain_empty_lists(data: dict[str, Any], values: dict[str, Any]) -> None:
    """The lists a plain row may give only empty (into `values`)."""
    for key in _EMPTY_ONLY:
        if key in data:
            if type(data[key]) is not list or data[key]:
                raise _NotPlain
            values[key] = []


def plain_record(row: PlainRow, catalog: Catalog | None) -> EnterpriseRecord:
    """The record of a plain row, exactly as the validator builds it."""
    # The fields the row gave (pydantic's `model_fields_set`), and the industries, which the
    # validator sets when it puts them in order.
    given = {*row.values, "industries"}
    values = dict(row.values)
    for key, default in _PLAIN_DEFAULTS.items():
        if key not in values:  # a new list for each record, as the field's factory makes
            values[key] = [] if default is list else default
        elif default is list:
            values[key] = list(values[key])
    values["recognitions"] = [_built(Recognition, {"tier": tier, "date": day}, {"tier", "date"})
                              for day, tier in row.recognitions]
    vocabulary = (catalog or _catalog_of(None)).vocabulary
    return _built(EnterpriseRecord, {key: values[key] for key in _FIELD_ORDER}, given,
                  {"_vocabulary": vocabulary})


def _plain_record(data: dict[str, Any], catalog: Catalog | None) -> EnterpriseRecord | None:
    """The record of a plain row (`plain_row`), built without the validator; None for any other
    row. Most rows of a large file are plain, and the validator is a third of a row's time."""
    row = plain_row(data, catalog)
    return plain_record(row, catalog) if row is not None else None


_FIELD_ORDER = tuple(EnterpriseRecord.model_fields)
Model = typing.TypeVar("Model", bound=BaseModel)


def _built(model: type[Model], values: dict[str, Any], given: set[str],
           private: dict[str, Any] | None = None) -> Model:
    """A model from values already valid, every field given in declaration order: the last steps
    of pydantic's `model_construct`, without its search for aliases and defaults (slow, and
    nothing to find here)."""
    built = model.__new__(model)
    object.__setattr__(built, "__dict__", values)
    object.__setattr__(built, "__pydantic_fields_set__", given)
    object.__setattr__(built, "__pydantic_extra__", None)
    object.__setattr__(built, "__pydantic_private__", private)
    return built


# Every field's default as the declaration says (`list` for a list's factory): given to
# model_construct, which would otherwise inspect each factory again for every record.
_PLAIN_DEFAULTS = {key: (list if field.default_factory is list else field.default)
                   for key, field in EnterpriseRecord.model_fields.items() if not field.is_required()}
if not all(field.default_factory in (None, list) for field in EnterpriseRecord.model_fields.values()):
    raise BugError("a record field's default factory is neither none nor list: _PLAIN_DEFAULTS "
                   "would share one default between records")


def parse_record(data: Any, *, source: str = "record", row: int | None = None,
                 catalog: Catalog | None = None) -> EnterpriseRecord:
    """Validate already-parsed data against `catalog`'s vocabulary (default: the active
    catalog); a RecordError names the file (or row) and field."""
    if not isinstance(data, dict):
        raise RecordError(t("record.not_a_mapping", kind=type(data).__name__),
                          file=source, row=row)
    plain = _plain_record(data, catalog)  # (it looks at no list longer than the maxima)
    if plain is not None:
        return plain
    _check_lengths(data, source, row)
    return _validated(data, source, row, catalog)


def _validated(data: dict[str, Any], source: str, row: int | None,
               catalog: Catalog | None) -> EnterpriseRecord:
    """The full road: normalize, validate, and every problem of the record in one RecordError."""
    data, problems = normalize_record(data, catalog)
    try:
        record = EnterpriseRecord.model_validate(data, context={"catalog": catalog})
    except ValidationError as exc:
        # Every problem in one run: the normalizer's, then the validator's on the other fields.
        named = {problem.field for problem in problems}
        problems += [p for p in describe_all(exc, EnterpriseRecord) if p.field not in named]
    if problems:
        first = problems[0]
        raise RecordError(first.message, file=source, row=row, field=first.field,
                          accepted=first.accepted, problems=tuple(problems))
    return record


def load_record(path: str | Path, catalog: Catalog | None = None) -> EnterpriseRecord:
    """Read a YAML or JSON record file (at most MAX_RECORD_BYTES), validated against `catalog`
    (default: the active catalog)."""
    path = Path(path)
    return parse_record_bytes(read_record_bytes(path), source=str(path),
                              as_json=is_json(path), catalog=catalog)


def is_json(path: str | Path) -> bool:
    """A record or scenario file is JSON by its `.json` suffix, else YAML."""
    return Path(path).suffix.lower() == ".json"


def read_record_bytes(path: str | Path) -> bytes:
    """A record file's bytes, at most MAX_RECORD_BYTES (a RecordError naming the file)."""
    return read_bytes(path, what="record", limit=MAX_RECORD_BYTES, error=RecordError)


def parse_record_bytes(raw: bytes, *, source: str, as_json: bool,
                       catalog: Catalog | None = None) -> EnterpriseRecord:
    """A record from the bytes of a record file (what `load_record` reads, and what an evidence
    bundle keeps as read), validated against `catalog` (default: the active catalog)."""
    data = parse_bytes(raw, source=source, as_json=as_json, error=RecordError)
    return parse_record(data, source=source, catalog=catalog)


def parse_record_text(text: str, *, source: str, catalog: Catalog | None = None) -> EnterpriseRecord:
    """Read a record from YAML or JSON text (what the page pasted or uploaded)."""
    if not text.strip():
        raise RecordError(t("record.empty"), file=source)
    try:
        data = parse_document(text, as_json=False)  # YAML reads JSON too
    except ValueError as exc:
        raise RecordError(str(exc), file=source) from None
    return parse_record(data, source=source, catalog=catalog)
