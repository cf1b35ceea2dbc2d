"""The API's contract as types: what each endpoint takes and what it answers (the bodies
/openapi.json describes). Answers are the same JSON as the CLI's `--format json`; a display name
(`*_name`, in the request's language) stands beside each vocabulary id, and every reason carries
its `text`.

Every model forbids keys it does not declare: the schema is the whole body, and a test holds each
endpoint's real answers to it (tests/test_service_contract.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel,
                      WithJsonSchema, create_model)

from models.catalog import BenefitSpec, RuleSpec, SourceSpec
from models.errors import InputError
from models.i18n import t
from models.limits import MAX_HORIZON_YEARS, check_day
from models.normalize import read_day
from models.record import EnterpriseRecord
from service.record_schema import DAY, RECORD_PLACEHOLDER, REF
from solver import worklist as work
from solver.planner import Window
from views.words import NAMED, PRINTED

# A reason's or a warning's parameter: text, whole yuan, a year or a count, or nothing.
Param = str | int | None
# A batch cell: the columns depend on the catalog (one pair per measure).
Cell = str | int | bool | None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _as_written(annotation: Any) -> Any:
    """A field's type in JSON: a day is text (YYYY-MM-DD), a tuple a list, the rest as declared."""
    if annotation is dt.date:
        return str
    if isinstance(annotation, types.UnionType):
        return typing.Union[tuple(_as_written(arg) for arg in typing.get_args(annotation))]
    if typing.get_origin(annotation) is tuple:
        return list[_as_written(typing.get_args(annotation)[0])]  # type: ignore[misc]
    return annotation


def answer_model(kind: type, name: str) -> type[Body]:
    """The response model of a solver dataclass, derived from its fields (one contract, not a
    second copy): each field as its `as_dict` writes it (a field with a default may be left
    out), and beside each field `views.words.with_names` names, its `*_name` (a vocabulary id's
    display name, None where the id may be None; the text the catalog prints, in the request's
    language)."""
    hints = typing.get_type_hints(kind)
    declared: dict[str, tuple[object, object]] = {}
    for field in dataclasses.fields(kind):
        annotation = hints[field.name]
        default = ... if field.default is dataclasses.MISSING else field.default
        declared[field.name] = (_as_written(annotation), default)
        may_be_none = type(None) in typing.get_args(annotation)
        if field.name in NAMED:
            declared[f"{field.name}_name"] = (str | None if may_be_none else str, default)
        elif field.name in PRINTED:
            declared[f"{field.name}_name"] = (str, default)
    model: type[Body] = create_model(name, __base__=Body, __doc__=kind.__doc__,
                                     **declared)  # type: ignore[call-overload]
    return model


def typed_day(value: object) -> object:
    """A date as people type it (2023-06-30, 2023/6/30, 2023年6月30日: models.normalize's one
    reader, as the record and the CLI read it); text only (pydantic alone would read 0 or "0" as
    1970-01-01)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(t("request.iso_date"))
    try:
        return read_day(value, "")
    except InputError as error:
        raise ValueError(error.detail()) from None


def whole_number(value: object) -> object:
    """A whole number, not a truth value (pydantic alone would read false as 0)."""
    if isinstance(value, bool):
        raise ValueError(t("request.whole_number"))
    return value


# -- requests ---------------------------------------------------------------------------------------

# A record as the client sends it: read by models.record.parse_record (its problems are a 422 that
# names each field), described by service.record_schema (the app adds it to /openapi.json).
RecordIn = Annotated[dict[str, object], WithJsonSchema(RECORD_PLACEHOLDER)]
Whole = Annotated[int, BeforeValidator(whole_number)]
# A day within the years the tool reasons about, as people type it (not a number of seconds).
Day = Annotated[dt.date, BeforeValidator(typed_day), AfterValidator(check_day),
                WithJsonSchema({"$ref": REF + DAY})]


class PlanRequest(Body):
    record: RecordIn = Field(description="An enterprise record (DOMAIN.md section 7).")
    move_date: Day | None = None
    horizon_years: Whole = Field(2, ge=0, le=MAX_HORIZON_YEARS)  # (the CLI's bound)
    rank_by: Literal["max", "min"] = "max"


class WhatifRequest(Body):
    record: RecordIn = Field(description="An enterprise record (DOMAIN.md section 7).")
    changes: list[Annotated[str, Field(pattern=r"^[^=\s]+=.+$")]] = Field(min_length=1, max_length=50, description=(
        "Inline changes, as on the CLI: move=shunyi@2027-01-01, recognition=national@2027-06-30, "
        "expense=leased_equipment:12000000@2027, stacking=difference-only, "
        "shunyi.tier.national.amount=800000"))


class WorklistRequest(Body):
    records: list[dict[str, object]] = Field(max_length=200, description=(
        "Enterprise records (the Record schema); one that does not validate is an error row."))
    date: Day | None = Field(None, description="The working day (default today).")
    min_gain: Whole = Field(100_000, ge=1, description="A near-miss must bring at least this much more (yuan).")


class UploadedFile(Body):
    """A file the page read (or a client sends): its name (the suffix says its format) and its
    bytes in base64."""

    name: str = Field(max_length=200, pattern=r"(?i)^[^/\\]+\.(csv|xlsx|jsonl)$",
                      description="e.g. 2026年第一批名单.xlsx")
    content: str = Field(description="The file's bytes, base64-encoded.")


class RecognitionsRequest(Body):
    list: UploadedFile = Field(description=(
        "The published list: 企业名称 (required), 统一社会信用代码, 认定等级, 认定日期; "
        "序号, 批次, 所在区, 备注 are read and not used."))
    registry: UploadedFile = Field(description="The registry of enterprises (a batch input).")
    tier: str | None = Field(None, max_length=200, description=(
        "The tier of every list row without a 认定等级 cell, e.g. national or 小巨人."))
    date: Day | None = Field(None, description="The date of every list row without a 认定日期 cell.")
    day: Day | None = Field(None, description="The worklist's day (default today).")
    min_gain: Whole = Field(100_000, ge=1, description="As for the worklist.")


# -- shared pieces ----------------------------------------------------------------------------------

class Amount(Body):
    """Whole yuan: `min` = `max` when the amount is certain; `open_above` for "up to … or more"."""

    min: int
    max: int
    open_above: bool


class Delta(Body):
    min: int
    max: int


class ReasonOut(Body):
    """A typed reason: `code` names the sentence, `params` fill it, `text` is the sentence."""

    code: str
    params: dict[str, Param]
    text: str


class ClaimOut(Body):
    """An award as the timeline lists it: what, how much, who pays, whom to call."""

    measure: str
    measure_name: str
    title: str
    tier: str | None
    tier_name: str | None
    amount: Amount
    paid_by: str
    paid_by_name: str | None
    status: Literal["received", "projected", "due", "past"]
    received: bool
    projected: bool
    contact: str
    contact_name: str  # the office's official Chinese name in Chinese (else as printed, labelled)
    tel: str
    tel_name: str


class AwardOut(ClaimOut):
    """An award: its claim year, clause, source, and why it pays what it pays."""

    claim_year: int
    clause: str
    source: str
    source_name: str  # the documents' official Chinese titles in Chinese, where confirmed
    why: str | None
    reasons: list[ReasonOut]


class NotAwardedOut(Body):
    measure: str
    measure_name: str
    title: str
    elsewhere: bool
    reasons: list[ReasonOut]


class BenefitOut(Body):
    measure: str
    measure_name: str
    benefit: str
    amount: str
    source: str
    source_name: str
    contact: str
    contact_name: str
    tel: str
    tel_name: str


class TimelineYearOut(Body):
    year: int
    total: Amount
    claims: list[ClaimOut]
    past: list[ClaimOut]


class WarningOut(Body):
    code: str
    field: str
    message: str
    params: dict[str, Param]


class ErrorRow(Body):
    """An input that could not be evaluated: its row, id, field and what was wrong."""

    row: int
    id: str | None
    field: str | None
    message: str


# -- answers ----------------------------------------------------------------------------------------

class Health(Body):
    status: Literal["ok"]
    measure_families: int


class EvaluationOut(Body):
    """`zjtx evaluate --format json`, plus the claim timeline."""

    enterprise: str
    readings: dict[str, str]
    total: Amount
    awards: list[AwardOut]
    not_awarded: list[NotAwardedOut]
    benefits: list[BenefitOut]
    as_of: str
    by_status: dict[str, Amount]
    timeline: list[TimelineYearOut]
    warnings: list[WarningOut]


class DistrictOutcomeOut(Body):
    district: str
    district_name: str | None
    total: Amount
    delta_vs_stay: Delta
    awards: list[AwardOut]


class RankingOut(Body):
    """`zjtx best-district --format json`, plus the current district."""

    enterprise: str
    move_date: str
    horizon: list[int]
    ranking: list[DistrictOutcomeOut]
    current_district: str
    current_district_name: str | None


class Totals(Body):
    readings: dict[str, str]
    total: Amount


class WhatIfOut(Body):
    """`zjtx whatif --format json`."""

    enterprise: str
    scenario: str
    baseline: Totals
    outcome: Totals
    delta: Delta
    gained: list[AwardOut]
    lost: list[AwardOut]


class BatchOut(Body):
    """One result row per valid line (the columns of `zjtx batch`), one error row per invalid
    line; `rows_in` = `rows_out` + `error_rows`."""

    rows_in: int
    rows_out: int
    error_rows: int
    columns: list[str]
    results: list[dict[str, Cell]]
    errors: list[ErrorRow]


if TYPE_CHECKING:  # to mypy a derived model is a Body (pydantic checks its fields)
    ClaimDetail = Body
    ApplyDetail = Body
    NearMissDetail = Body
else:
    ClaimDetail = answer_model(work.ClaimDetail, "ClaimDetail")
    ApplyDetail = answer_model(work.ApplyDetail, "ApplyDetail")
    NearMissDetail = answer_model(work.NearMissDetail, "NearMissDetail")


class ActionOut(Body):
    enterprise: str
    name: str | None
    credit_code: str | None
    kind: Literal["claim", "apply", "near_miss"]
    subject: str
    status: str
    amount_min: int
    amount_max: int
    open_above: bool
    claim_year: int | None
    deadline: str | None
    office: str
    office_name: str
    tel: str
    tel_name: str
    detail: ClaimDetail | ApplyDetail | NearMissDetail
    note: str
    action: str


class WorklistOut(Body):
    """`zjtx worklist --format json`: per enterprise and action, by date then amount."""

    date: str
    actions: list[ActionOut]
    errors: list[ErrorRow]


class MatchOut(Body):
    """What became of one list row (`zjtx recognitions import --report`)."""

    list_row: int
    name: str | None
    credit_code: str | None = None
    tier: str | None = None
    date: str | None = None
    status: Literal["matched_by_code", "matched_by_name", "already_recorded", "unmatched",
                    "ambiguous", "bad_code", "code_conflict", "listed_twice",
                    "registry_row_invalid", "invalid_row"]
    registry_row: int | None = None
    id: str | None = None
    registry_name: str | None = None
    registry_credit_code: str | None = None
    candidates: str | None = None
    message: str


class ImportCounts(Body):
    list_rows: int
    added: int
    already_recorded: int
    not_added: int
    registry_rows: int
    written: int
    registry_errors: int


class RecognitionsOut(Body):
    """`zjtx recognitions import` and `zjtx worklist UPDATED --new-since REGISTRY`: every list
    row's match, the registry's error rows, who newly qualifies, and the files to download."""

    counts: ImportCounts
    matches: list[MatchOut]
    registry_errors: list[ErrorRow]
    worklist: WorklistOut
    worklist_xlsx: str = Field(description="The new claims as the worklist's XLSX, base64.")
    updated_xlsx: str = Field(description="The registry with the recognitions added, XLSX, base64.")


class MeasureFamily(Body):
    id: str
    title: str
    payer: str
    measures: list[str]
    contact: str
    tel: str


class MeasureOut(Body):
    """A measure family: its clause (verbatim), sources, contact and encoding."""

    id: str
    title: str
    file: str
    clause: str
    payer: str
    sources: list[SourceSpec]
    rules: list[RuleSpec]
    benefits: list[BenefitSpec]


if TYPE_CHECKING:  # to mypy a derived model is a Body (pydantic checks its fields)
    WindowOut = Body
else:
    WindowOut = answer_model(Window, "WindowOut")


class WindowsOut(Body):
    date: str
    windows: list[WindowOut]


class Reading(Body):
    about: str
    default: str
    alternatives: dict[str, str]


Readings = RootModel[dict[str, Reading]]


class PageMessages(Body):
    """The page's words and the vocabulary's display names, in one language."""

    lang: str
    messages: dict[str, str]
    names: dict[str, dict[str, str]]
    industries: list[str]


class Example(Body):
    name: str
    record: EnterpriseRecord


class ChangeAmount(Body):
    """How much an interval moved, in whole yuan: the change of each end (either may be
    negative); `open_above` when either side may be more."""

    min: int
    max: int
    open_above: bool


class ImpactCell(Body):
    """What the old and the new policies pay, and the change."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True)
    old: Amount = Field(alias="from")
    new: Amount = Field(alias="to")
    change: ChangeAmount


class ImpactSide(Body):
    """One side of a comparison: a shipped package, whole or as in force on a day."""

    package: str
    in_force: str | None


class ImpactSummary(Body):
    """The counts (`rows_in` = `changed` + `unchanged` + `error_rows`), the totals under both
    policies, and per paying district, claim year, both and measure what changed."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True)
    old: ImpactSide = Field(alias="from")
    new: ImpactSide = Field(alias="to")
    rows_in: int
    changed: int
    unchanged: int
    error_rows: int
    total: ImpactCell
    by_paying_district: dict[str, ImpactCell]
    by_claim_year: dict[str, ImpactCell]
    by_paying_district_and_claim_year: dict[str, dict[str, ImpactCell]]
    by_measure: dict[str, ImpactCell]


class ImpactOut(Body):
    """`zjtx impact` on the lines sent: the enterprises whose answer changes (the columns of
    `columns`), the error rows, and the summary."""

    columns: list[str]
    summary: ImpactSummary
    rows: list[dict[str, Cell]]
    errors: list[ErrorRow]


class PackageOut(Body):
    """A catalog package zjtx ships (`zjtx measures packages`)."""

    name: str
    title: str
    title_zh: str | None
    as_of: str
    extends: str | None
    rules: int
    grades: dict[str, int]
    own_grades: dict[str, int]
    default: bool
