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
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter,
                      ValidationError, ValidationInfo, field_validator, model_validator)
from pydantic_core import PydanticCustomError

from models.creditcode import normalize as normalize_credit_code
from models.creditcode import problem_of as credit_code_problem
from models.errors import RecordError
from models.i18n import t
from models.limits import (MAX_EVENTS, MAX_ITEMS, MAX_RECORD_BYTES, MAX_TEXT, Day, Year, Yuan,
                           check_printable)
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
Text = Annotated[str, Field(max_length=MAX_TEXT)]


def _credit_code(code: str) -> str:
    """统一社会信用代码, normalized and checked per GB 32100-2015."""
    code = normalize_credit_code(code)
    problem = credit_code_problem(code)
    if problem:
        raise ValueError(problem)
    return code


CreditCode = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_credit_code)]
Industries = Annotated[list[Name], Field(max_length=MAX_EVENTS, fail_fast=True)]


class _Item(BaseModel):
    # defer_build: built on first use (a command that reads no record never needs the validator).
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
    name: Text | None = None
    credit_code: CreditCode | None = None
    entity_type: EntityType = "enterprise"
    district: Place
    # Lists default through a factory: a `[]` default is deep-copied for every record.
    industries: Industries = Field(default_factory=list)
    recognitions: Annotated[list[Recognition], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    moves: Annotated[list[Move], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    rewards_received: Annotated[list[RewardReceived], Field(max_length=MAX_ITEMS, fail_fast=True)] = Field(default_factory=list)
    qualifications: Annotated[list[Qualification], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    expenses: Annotated[list[Expense], Field(max_length=MAX_ITEMS, fail_fast=True)] = Field(default_factory=list)
    listings: Annotated[list[Listing], Field(max_length=MAX_EVENTS, fail_fast=True)] = Field(default_factory=list)
    patents: Annotated[list[Patent], Field(max_length=MAX_ITEMS, fail_fast=True)] = Field(default_factory=list)
    as_of: Day | None = None
    _vocabulary: Vocabulary | None = PrivateAttr(default=None)

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


def _check_lengths(data: Mapping[str, object], source: str, row: int | None) -> None:
    """Refuse an over-long list before validating a single item of it (memory stays flat)."""
    for key, most in LIST_MAXIMA.items():
        value = data.get(key)
        if isinstance(value, list) and len(value) > most:
            raise RecordError(t("record.too_many_items", count=len(value), most=most),
                              file=source, row=row, field=key)


def parse_record(data: Any, *, source: str = "record", row: int | None = None,
                 catalog: Catalog | None = None) -> EnterpriseRecord:
    """Validate already-parsed data against `catalog`'s vocabulary (default: the active
    catalog); a RecordError names the file (or row) and field."""
    if not isinstance(data, dict):
        raise RecordError(t("record.not_a_mapping", kind=type(data).__name__),
                          file=source, row=row)
    _check_lengths(data, source, row)
    return _validated(data, source, row, catalog)


# The identity fields and the industry tags, as the record declares them, for many rows at once.
_ADAPTERS: dict[str, TypeAdapter[list[Any]]] = {}


def field_adapter(field: str) -> TypeAdapter[list[Any]]:
    if field not in _ADAPTERS:
        _ADAPTERS.update(id=TypeAdapter(list[Name]), name=TypeAdapter(list[Text | None]),
                         credit_code=TypeAdapter(list[CreditCode | None]),
                         industries=TypeAdapter(Industries))
    return _ADAPTERS[field]


def identities(field: str, values: list[Any]) -> tuple[list[Any], set[int]]:
    """`field` (id, name or credit_code) of many rows, normalized and validated as `parse_record`
    does (`normalize_record`, then the field's own type), and the positions of the values a record
    refuses: those rows take `parse_record`, which names the problem."""
    from models.normalize import top_reader

    if values.count(None) == len(values) and field != "id":  # (absent: valid, nothing to read)
        return values, set()
    adapter = field_adapter(field)
    values = list(map(top_reader(field), values))
    try:
        return adapter.validate_python(values), set()
    except ValidationError as exc:
        bad = {int(error["loc"][0]) for error in exc.errors()}
    kept = adapter.validate_python([v for i, v in enumerate(values) if i not in bad])
    found = iter(kept)
    return [None if i in bad else next(found) for i in range(len(values))], bad


def _validated(data: Mapping[str, object], source: str, row: int | None,
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
