"""Reasons as data: why an award pays what it pays, and why a measure, level or event brings
nothing. One frozen dataclass per kind of reason, its parameters typed (ids and dates as text,
whole yuan, years and counts as ints; a limit says its unit: `Yuan` or `Years`). What a reason
is about is typed too: `about`, the event (`LevelEvent(level="national")`, one small dataclass per
kind of event), a cap kind's `cap` (its description, `Cap`), `received_covers`' `cut` (the reward
received that binds: an `R1Received`, `R2Received` or `LadderClosed`), a reward received's
`counts` (its ladder, once, or `InCap(limit)`). The JSON flattens them ahead of the kind's own
parameters, as it always has. `Reason` is the closed union of the kinds: `views/reasons.py`
renders each kind by a `match` that mypy proves exhaustive (one template per kind, so that every
language renders the same kinds).

The solver builds a kind directly (`R1Rival(about=…, claim_year=…, …)`): mypy checks each site.
Ids (`measure`, `level`, `district`) stay ids and every measure a person reads about comes with
its `title`. `reason(CODE, *about, **params)` reads a reason back from its JSON (`{code,
params}`): the kind of CODE, what it is about parsed back into its typed parts, its parameters
checked (a parameter neither the kind nor a part declares, one it lacks or one of another type is
a BugError) — the same value the solver built.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cached_property
from typing import ClassVar, Literal, NewType, TypeAlias, TypeVar, Union, cast

from models.errors import BugError

Param = Union[str, int, None]
Yuan = NewType("Yuan", int)    # an amount of money, whole yuan
Years = NewType("Years", int)  # a number of years


def _flat(part: object) -> dict[str, Param]:
    """A typed part's fields as the JSON writes them (each field under its key)."""
    keys: Mapping[str, str] = getattr(part, "keys", {})
    return {keys.get(f.name, f.name): getattr(part, f.name)
            for f in fields(part)}  # type: ignore[arg-type]


# -- What a reason is about: the event, a cap (its description), the cut received that binds.


@dataclass(frozen=True, kw_only=True)
class EventBase:
    """The event a reason is about; the JSON writes its kind under `event`, then its fields."""

    event: ClassVar[str] = ""

    def params(self) -> dict[str, Param]:
        return {"event": self.event, **_flat(self)}


@dataclass(frozen=True, kw_only=True)
class LevelEvent(EventBase):
    """A recognition at a level."""

    event: ClassVar[str] = "level"
    level: str


@dataclass(frozen=True, kw_only=True)
class MoveEvent(EventBase):
    """A move (from `origin` on `move_date`)."""

    event: ClassVar[str] = "move"
    origin: str
    move_date: str


@dataclass(frozen=True, kw_only=True)
class QualificationEvent(EventBase):
    """A qualification obtained."""

    event: ClassVar[str] = "qualification"
    kind: str
    date: str


@dataclass(frozen=True, kw_only=True)
class ExpenseEvent(EventBase):
    """An expense item of a year."""

    event: ClassVar[str] = "expense"
    expense: str
    category: str
    year: int


@dataclass(frozen=True, kw_only=True)
class ListingEvent(EventBase):
    """A listing on a board in a year."""

    event: ClassVar[str] = "listing"
    board: str
    year: int


@dataclass(frozen=True, kw_only=True)
class PatentEvent(EventBase):
    """A patent's annuity of a year."""

    event: ClassVar[str] = "patent"
    patent: str
    year: int
    patent_year: int


Event: TypeAlias = Union[LevelEvent, MoveEvent, QualificationEvent, ExpenseEvent, ListingEvent,
                         PatentEvent]
YEAR_EVENTS = (ExpenseEvent, ListingEvent, PatentEvent)  # judged on 31 December of their year
EVENTS: dict[str, type[EventBase]] = {kind.event: kind for kind in typing.get_args(Event)}


@dataclass(frozen=True, kw_only=True)
class Cap:
    """A cap a reason is about: the measure it limits, its scope (`per`: `enterprise`, `project`,
    `year`, joined by commas), its limit, what was received towards it, the reading that picks
    it. The JSON writes each field as `cap_<field>` (but `reading` and `received`)."""

    keys: ClassVar[Mapping[str, str]] = {
        name: f"cap_{name}" for name in ("title", "measure", "per", "limit", "project", "year",
                                         "project_years")}
    title: str
    measure: str
    per: str
    limit: Yuan
    project: str | None
    year: int | None
    project_years: str | None
    reading: str | None
    received: Yuan

    def params(self) -> dict[str, Param]:
        return _flat(self)


@dataclass(frozen=True, kw_only=True)
class ReasonBase:
    """One reason: its kind (`code`, the template views render) and its parameters."""

    code: ClassVar[str] = ""
    omitted_if_none: ClassVar[frozenset[str]] = frozenset()  # left out of the parameters when None
    about: Event | None = None  # the event the reason is about

    def _parts(self) -> dict[str, Param]:
        """What it is about beside its event (a cap, a cut received), flattened after it."""
        return {}

    def _after(self) -> dict[str, Param]:
        """Parameters worked out from its parts, flattened last."""
        return {}

    @cached_property
    def params(self) -> dict[str, Param]:
        """What it is about, then its own parameters (in the order the kind declares them)."""
        own: dict[str, Param] = {}
        for f in fields(self):
            if f.name not in _PARTS:
                value = getattr(self, f.name)
                if value is not None or f.name not in self.omitted_if_none:
                    own[f.name] = value
        about = self.about.params() if self.about is not None else {}
        return {**about, **self._parts(), **own, **self._after()}

    def get(self, key: str) -> Param:
        return self.params.get(key)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params)}


# Fields a kind flattens itself (what it is about, its cap, its cut, how it counts, whether it
# was taken), never written as parameters of their own.
_PARTS = frozenset({"about", "cap", "cut", "taken", "counts"})
KINDS: dict[str, type[ReasonBase]] = {}  # code → its kind
_DECLARED: dict[type, tuple[tuple[str, str, tuple[type, ...]], ...]] = {}
_OPTIONAL: dict[type, frozenset[str]] = {}  # parameters a kind may be given or not
_HINTS: dict[type, Mapping[str, object]] = {}  # a kind's field types
K = TypeVar("K", bound=type[ReasonBase])


@typing.dataclass_transform(kw_only_default=True, frozen_default=True)
def _kind(kind: K) -> K:
    """A kind of reason: a frozen dataclass of keyword fields, known by its code."""
    dataclass(frozen=True, kw_only=True)(kind)  # (in place)
    KINDS[kind.code] = kind
    return kind


def _admits(hint: object) -> tuple[type, ...]:
    """The classes a field's type admits (a unit of `NewType` is its int)."""
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return tuple(type(None) if arg is None else getattr(arg, "__supertype__", arg) for arg in args)


def _hints(kind: type) -> Mapping[str, object]:
    """A kind's (or a part's) field types, resolved once (typing.get_type_hints evaluates the
    annotations' strings again at every call: 40 % of an evaluation's answer when it ran for
    each reason read back)."""
    found = _HINTS.get(kind)
    if found is None:
        found = _HINTS[kind] = typing.get_type_hints(kind)
    return found


def _declared(kind: type) -> tuple[tuple[str, str, tuple[type, ...]], ...]:
    """A kind's (or a part's) own parameters — field, key, the classes it admits — worked out
    once per kind."""
    found = _DECLARED.get(kind)
    if found is None:
        hints = _hints(kind)
        keys: Mapping[str, str] = getattr(kind, "keys", {})
        found = _DECLARED[kind] = tuple((f.name, keys.get(f.name, f.name), _admits(hints[f.name]))
                                        for f in fields(kind) if f.name not in _PARTS)
        _OPTIONAL[kind] = frozenset(f.name for f in fields(kind)
                                    if f.name not in _PARTS and f.default is not MISSING)
    return found


def _read(kind: type, code: str, given: Mapping[str, Param], used: set[str],
          problems: list[str]) -> dict[str, object]:
    """The fields of `kind` (a reason's kind or a part) from the parameters given."""
    values: dict[str, object] = {}
    declared = _declared(kind)
    optional = _OPTIONAL[kind]
    for name, key, allowed in declared:
        if key not in given:
            if name not in optional:
                problems.append(f"{code} lacks {key}")
            continue
        value = given[key]
        used.add(key)
        if not isinstance(value, allowed) or isinstance(value, bool):
            problems.append(f"{code}.{key} is {value!r}, not "
                            f"{' or '.join(t.__name__ for t in allowed)}")
        values[name] = value
    return values


def reason(code: str, *about: Mapping[str, Param], **params: Param) -> Reason:
    """A reason read back from its JSON: `reason(code, params)` (or `reason("no_recognition",
    level="national")`) is the kind of `code` with these parameters, what it is about parsed
    into its typed parts (the event by its `event`, a cap by its `cap_…` keys, a cut received
    by the rule of `received_covers`); named parameters win over the mappings. A parameter no
    part and not the kind declares, one it lacks or one of another type is a BugError."""
    kind = KINDS.get(code)
    if kind is None:
        raise BugError(f"no kind of reason {code!r}")
    given: dict[str, Param] = {}
    for part in about:
        given.update(part)
    given.update(params)
    used: set[str] = set()
    problems: list[str] = []
    values = _read(kind, code, given, used, problems)
    parts: dict[str, tuple[Callable[..., object], dict[str, object]]] = {}  # built once all check
    event = EVENTS.get(str(given.get("event")))
    if event is not None:
        used.add("event")
        parts["about"] = event, _read(event, code, given, used, problems)
    elif "event" in given:
        problems.append(f"{code}.event is {given['event']!r}, not one of {sorted(EVENTS)}")
    hints = _hints(kind)
    if "cap" in hints:
        parts["cap"] = Cap, _read(Cap, code, given, used, problems)
        if "taken" in hints:  # taken by the optimizer: its claim year comes after the cap
            keys = list(given)
            values["taken"] = "cap_title" in given and "claim_year" in given \
                and keys.index("claim_year") > keys.index("cap_title")
    if "cut" in hints:
        cut = CUTS.get(str(given.get("rule")))
        if cut is None:
            problems.append(f"{code}.rule is {given.get('rule')!r}, not one of {sorted(CUTS)}")
        else:
            parts["cut"] = cut, _read(cut, code, given, used, problems)
            used.add("rule")
    if "counts" in hints:
        used.update(("counts", "cap_limit"))
        counts, cap_limit = given.get("counts"), given.get("cap_limit")
        if counts == "cap" and isinstance(cap_limit, int) and not isinstance(cap_limit, bool):
            values["counts"] = InCap(Yuan(cap_limit))
        elif counts in ("ladder", "one_time") and "cap_limit" in given and cap_limit is None:
            values["counts"] = counts
        else:
            problems.append(f"{code}.counts is {counts!r} with cap_limit {cap_limit!r}: a cap "
                            "and its limit, or ladder or one_time and null")
    problems[:0] = [f"{key} is not a parameter of {code}" for key in given if key not in used]
    if problems:
        raise BugError("; ".join(problems))
    values.update({name: part(**given_part) for name, (part, given_part) in parts.items()})
    build = cast(Callable[..., Reason], kind)  # KINDS holds the kinds of `Reason` only
    return build(**values)


# -- Why an award pays (its own facts, then the rules that shaped its amount).


@_kind
class FirstRecognition(ReasonBase):
    """The first recognition at a level."""

    code: ClassVar[str] = "first_recognition"
    level: str
    date: str
    tier: str | None


@_kind
class ReviewPassed(ReasonBase):
    """A re-examination passed (the first recognition on first_date)."""

    code: ClassVar[str] = "review_passed"
    level: str
    date: str
    tier: str | None
    first_date: str


@_kind
class RegisteredIn(ReasonBase):
    """The paying district: registered there on the day (at_claim: the claim year's 1 January)."""

    code: ClassVar[str] = "registered_in"
    district: str
    date: str
    at_claim: int | None


@_kind
class ClaimedIn(ReasonBase):
    """The year the award is claimed in."""

    code: ClassVar[str] = "claimed_in"
    claim_year: int
    event_year: int
    reading: str | None


@_kind
class ConditionMet(ReasonBase):
    """A condition of the clause that holds."""

    code: ClassVar[str] = "condition_met"
    field: str
    op: str
    value: str


@_kind
class MovedInto(ReasonBase):
    """A move into the paying district."""

    code: ClassVar[str] = "moved_into"
    origin: str
    district: str
    date: str


@_kind
class TierQualifies(ReasonBase):
    """The tier a relocation counts with (at_move 1: held at the move)."""

    code: ClassVar[str] = "tier_qualifies"
    tier: str | None
    date: str
    district: str
    at_move: int


@_kind
class Qualification(ReasonBase):
    """A qualification obtained."""

    code: ClassVar[str] = "qualification"
    kind: str
    date: str
    district: str


@_kind
class ExpenseItem(ReasonBase):
    """An expense the award pays a share of."""

    code: ClassVar[str] = "expense_item"
    project: str  # the item's project, or the item itself when it is its own project
    own_project: int  # 1: the item is its own project
    expense: str
    category: str
    amount: int
    year: int
    project_year: int
    year_number: int | None
    years_limit: int | None


@_kind
class Listing(ReasonBase):
    """A listing on a board."""

    code: ClassVar[str] = "listing"
    board: str
    year: int


@_kind
class TierAtYearEnd(ReasonBase):
    """The tier held on 31 December of the year."""

    code: ClassVar[str] = "tier_at_year_end"
    tier: str | None
    year: int
    omitted_if_none: ClassVar[frozenset[str]] = frozenset({"since"})
    since: str | None = None  # the first recognition at the tier (left out when there is none)


@_kind
class DistrictMatches(ReasonBase):
    """The district's mirror of a municipal award."""

    code: ClassVar[str] = "district_matches"
    district: str
    counterpart_title: str
    counterpart_measure: str


@_kind
class PatentAnnuity(ReasonBase):
    """A patent annuity paid and the share subsidized."""

    code: ClassVar[str] = "patent_annuity"
    patent: str
    year: int
    patent_year: int
    percent: int
    standard: int
    share: int
    paid: int
    subsidy: int


@_kind
class LimitBound(ReasonBase):
    """A limit that bounds the amount."""

    code: ClassVar[str] = "limit_bound"
    limit: Yuan
    base: int
    project_years: str | None
    per: str | None


@_kind
class R2Received(ReasonBase):
    """R2: a lower tier's reward received takes off."""

    code: ClassVar[str] = "r2_received"
    full: int
    received: int
    received_title: str
    received_measure: str
    received_tier: str | None
    received_year: int
    reading: str | None


@_kind
class R1Received(R2Received):
    """R1: a rival reward received takes off."""

    code: ClassVar[str] = "r1_received"


@_kind
class LadderClosed(ReasonBase):
    """A ladder received up to its top: only the room left."""

    code: ClassVar[str] = "ladder_closed"
    full: int
    top: int
    room: int
    received: int
    ladder_title: str
    ladder_measure: str
    reading: str | None


@_kind
class StackedInFull(ReasonBase):
    """Paid in full beside the lower tier (reading stacking=cumulative)."""

    code: ClassVar[str] = "stacked_in_full"
    full: int
    reading: str | None


@_kind
class R2Paid(ReasonBase):
    """R2: the lower tier paid, the difference only."""

    code: ClassVar[str] = "r2_paid"
    full: int
    lower: int
    lower_tier: str | None
    lower_year: int
    reading: str | None


@_kind
class CapBound(ReasonBase):
    """A cap binds."""

    code: ClassVar[str] = "cap_bound"
    cap: Cap
    full: int
    paid: int
    others: int

    def _parts(self) -> dict[str, Param]:
        return self.cap.params()


@_kind
class R1Preferred(ReasonBase):
    """R1: preferred over a rival that pays less."""

    code: ClassVar[str] = "r1_preferred"
    rival_title: str
    rival_measure: str
    rival_tier: str | None
    rival_min: int
    rival_max: int


@dataclass(frozen=True)
class InCap:
    """A reward received counts against a cap of this limit (the JSON: `counts: "cap"` and its
    `cap_limit`; any other way of counting has `cap_limit: null`)."""

    limit: Yuan


Counts: TypeAlias = Union[Literal["ladder", "one_time"], InCap]


@_kind
class Received(ReasonBase):
    """A reward received and how it counts: along its ladder, once, or against a cap."""

    code: ClassVar[str] = "received"
    year: int
    amount: int
    counts: Counts

    def _after(self) -> dict[str, Param]:
        if isinstance(self.counts, InCap):
            return {"counts": "cap", "cap_limit": self.counts.limit}
        return {"counts": self.counts, "cap_limit": None}


# -- Why nothing is paid (facts of the record, checked while compiling).


@_kind
class NoRecognition(ReasonBase):
    """No recognition at the level."""

    code: ClassVar[str] = "no_recognition"
    level: str


@_kind
class RenewalBelowHeld(ReasonBase):
    """A renewal below a tier already held."""

    code: ClassVar[str] = "renewal_below_held"
    level: str
    date: str
    held: str
    held_date: str


@_kind
class RegisteredElsewhere(ReasonBase):
    """Registered in another district on the day."""

    code: ClassVar[str] = "registered_elsewhere"
    district: str
    payer: str
    date: str
    at_claim: int | None


@_kind
class ConditionFailed(ReasonBase):
    """A condition of the clause that fails (the condition may come in `about`)."""

    code: ClassVar[str] = "condition_failed"
    field: str
    op: str
    value: str
    fact: str | None
    on_date: str | None
    reading: str | None


@_kind
class EntityNotNamed(ReasonBase):
    """The clause does not name the entity type."""

    code: ClassVar[str] = "entity_not_named"
    entity_type: str
    reading: str


@_kind
class NoMoveInto(ReasonBase):
    """No move into the district."""

    code: ClassVar[str] = "no_move_into"
    district: str


@_kind
class NotContinuous(ReasonBase):
    """The relocation does not continue a recognition."""

    code: ClassVar[str] = "not_continuous"
    district: str
    first_tier: str
    first_date: str
    where: str


@_kind
class ReturnNotRelocation(ReasonBase):
    """A return is not a relocation."""

    code: ClassVar[str] = "return_not_relocation"
    district: str
    date: str
    left: str


@_kind
class LadderLevelReceived(ReasonBase):
    """R3: another rung paid this level."""

    code: ClassVar[str] = "ladder_level_received"
    received_title: str
    received_measure: str
    received_year: int
    received: int


@_kind
class NoQualification(ReasonBase):
    """No qualification in the record."""

    code: ClassVar[str] = "no_qualification"


@_kind
class SameQualification(ReasonBase):
    """The same qualification again."""

    code: ClassVar[str] = "same_qualification"


@_kind
class NotInBeijing(ReasonBase):
    """Not registered in the jurisdiction on the day."""

    code: ClassVar[str] = "not_in_beijing"
    date: str
    jurisdiction: str


@_kind
class NoExpense(ReasonBase):
    """No expense of the categories."""

    code: ClassVar[str] = "no_expense"
    categories: str


@_kind
class OneTimeReceived(ReasonBase):
    """A one-time reward already received."""

    code: ClassVar[str] = "one_time_received"


@_kind
class NoListing(ReasonBase):
    """No listing on the boards."""

    code: ClassVar[str] = "no_listing"
    boards: str


@_kind
class NoCounterpart(ReasonBase):
    """The municipal award it mirrors is not paid."""

    code: ClassVar[str] = "no_counterpart"
    counterpart_title: str
    counterpart_measure: str


@_kind
class NoPatent(ReasonBase):
    """No patent in the record."""

    code: ClassVar[str] = "no_patent"


@_kind
class OutsideEffectiveDates(ReasonBase):
    """The event falls outside the rule's dates."""

    code: ClassVar[str] = "outside_effective_dates"
    date: str
    effective_from: str | None
    effective_to: str | None


@_kind
class NoTrigger(ReasonBase):
    """Nothing in the record triggers the measure."""

    code: ClassVar[str] = "no_trigger"


# -- Why a candidate that could pay was not paid (the optimizer's choice under R1–R5).


@_kind
class R1Rival(ReasonBase):
    """R1: a rival paid instead."""

    code: ClassVar[str] = "r1_rival"
    claim_year: int
    rival_title: str
    rival_measure: str
    rival_tier: str | None
    rival_min: int
    rival_max: int


@_kind
class R3AlreadyPaid(ReasonBase):
    """R3: a one-time reward already paid."""

    code: ClassVar[str] = "r3_already_paid"
    claim_year: int
    rival_title: str
    rival_measure: str
    rival_year: int


@_kind
class R4ExpenseTaken(ReasonBase):
    """R4: the expense went to another award."""

    code: ClassVar[str] = "r4_expense_taken"
    claim_year: int
    expense: str
    rival_title: str
    rival_measure: str


@_kind
class CapUsedUp(ReasonBase):
    """A cap used up by other awards: an award the optimizer took pays nothing (`taken`), or
    one is left out (the JSON tells them apart by where the claim year comes: after the cap's
    description when taken, before it when left out)."""

    code: ClassVar[str] = "cap_used_up"
    claim_year: int
    cap: Cap
    others: int
    taken: bool

    def _parts(self) -> dict[str, Param]:
        return self.cap.params() if self.taken else {"claim_year": self.claim_year,
                                                     **self.cap.params()}


@_kind
class YearLimitReached(ReasonBase):
    """The years a project may be paid are used."""

    code: ClassVar[str] = "year_limit_reached"
    claim_year: int
    limit: Years
    project: str
    years: str
    reading: str | None


@_kind
class FirstYearsUsed(ReasonBase):
    """Only the first years of a project are paid."""

    code: ClassVar[str] = "first_years_used"
    project: str
    own_project: int
    limit: Years
    years: str
    reading: str | None


@_kind
class ReceivedCovers(ReasonBase):
    """What was received leaves the award nothing: the cut that binds (its `rule`: r1, r2 or
    closed, worked out from the cut's kind)."""

    code: ClassVar[str] = "received_covers"
    claim_year: int
    cut: ReceivedCut

    @property
    def rule(self) -> str:
        return covers_rule(self.cut)

    def _parts(self) -> dict[str, Param]:
        return self.cut.params

    def _after(self) -> dict[str, Param]:
        return {"rule": self.rule}


@_kind
class DifferenceFloored(ReasonBase):
    """The difference to a lower tier is nothing."""

    code: ClassVar[str] = "difference_floored"
    claim_year: int
    full: int
    deducted: int
    received: int
    lower_tier: str | None
    reading: str | None


@_kind
class MirrorZero(ReasonBase):
    """The mirrored award pays nothing."""

    code: ClassVar[str] = "mirror_zero"
    claim_year: int
    counterpart_title: str
    counterpart_measure: str


@_kind
class NotChosen(ReasonBase):
    """Not chosen by the optimizer."""

    code: ClassVar[str] = "not_chosen"
    claim_year: int


@_kind
class AmountZero(ReasonBase):
    """The amount is zero."""

    code: ClassVar[str] = "amount_zero"
    claim_year: int



# What rewards already received take off an award (one reason per rule that takes it off).
ReceivedCut: TypeAlias = Union[R1Received, R2Received, LadderClosed]


def covers_rule(cut: ReceivedCut) -> str:
    """The rule by which a cut received leaves an award nothing (`received_covers`' `rule`)."""
    match cut:
        case R1Received():
            return "r1"
        case R2Received():
            return "r2"
        case LadderClosed():
            return "closed"
        case _:
            typing.assert_never(cut)


CUTS: dict[str, type[ReceivedCut]] = {"r1": R1Received, "r2": R2Received, "closed": LadderClosed}

# Why an award pays: its own facts, then the rules that shaped its amount.
WhyPaid: TypeAlias = Union[
    FirstRecognition,
    ReviewPassed,
    RegisteredIn,
    ClaimedIn,
    ConditionMet,
    MovedInto,
    TierQualifies,
    Qualification,
    ExpenseItem,
    Listing,
    TierAtYearEnd,
    DistrictMatches,
    PatentAnnuity,
    LimitBound,
    R2Received,
    R1Received,
    LadderClosed,
    StackedInFull,
    R2Paid,
    CapBound,
    R1Preferred,
    Received,
]

# Why nothing is paid: facts of the record, checked while compiling.
WhyNothing: TypeAlias = Union[
    NoRecognition,
    RenewalBelowHeld,
    RegisteredElsewhere,
    ConditionFailed,
    EntityNotNamed,
    NoMoveInto,
    NotContinuous,
    ReturnNotRelocation,
    LadderLevelReceived,
    NoQualification,
    SameQualification,
    NotInBeijing,
    NoExpense,
    OneTimeReceived,
    NoListing,
    NoCounterpart,
    NoPatent,
    OutsideEffectiveDates,
    NoTrigger,
]

# Why a candidate that could pay was not paid: the optimizer's choice under R1–R5.
WhyNotChosen: TypeAlias = Union[
    R1Rival,
    R3AlreadyPaid,
    R4ExpenseTaken,
    CapUsedUp,
    YearLimitReached,
    FirstYearsUsed,
    ReceivedCovers,
    DifferenceFloored,
    MirrorZero,
    NotChosen,
    AmountZero,
]

# Every kind of reason, in its three families: `views/reasons.py` renders each (the last
# family's match ends in assert_never).
Reason: TypeAlias = Union[WhyPaid, WhyNothing, WhyNotChosen]

# -- codes ----------------------------------------------------------------------------------------
# Why an award pays (its own facts, then the rules that shaped its amount).
FIRST_RECOGNITION = "first_recognition"
REVIEW_PASSED = "review_passed"
REGISTERED_IN = "registered_in"
CLAIMED_IN = "claimed_in"
CONDITION_MET = "condition_met"
MOVED_INTO = "moved_into"
TIER_QUALIFIES = "tier_qualifies"
QUALIFICATION = "qualification"
EXPENSE_ITEM = "expense_item"
LISTING = "listing"
TIER_AT_YEAR_END = "tier_at_year_end"
DISTRICT_MATCHES = "district_matches"
PATENT_ANNUITY = "patent_annuity"
LIMIT_BOUND = "limit_bound"
R2_RECEIVED = "r2_received"
R1_RECEIVED = "r1_received"
LADDER_CLOSED = "ladder_closed"
STACKED_IN_FULL = "stacked_in_full"
R2_PAID = "r2_paid"
CAP_BOUND = "cap_bound"
R1_PREFERRED = "r1_preferred"
RECEIVED = "received"

# Why nothing is paid (facts of the record, checked while compiling).
NO_RECOGNITION = "no_recognition"
RENEWAL_BELOW_HELD = "renewal_below_held"
REGISTERED_ELSEWHERE = "registered_elsewhere"
CONDITION_FAILED = "condition_failed"
ENTITY_NOT_NAMED = "entity_not_named"
NO_MOVE_INTO = "no_move_into"
NOT_CONTINUOUS = "not_continuous"
RETURN_NOT_RELOCATION = "return_not_relocation"
LADDER_LEVEL_RECEIVED = "ladder_level_received"
NO_QUALIFICATION = "no_qualification"
SAME_QUALIFICATION = "same_qualification"
NOT_IN_BEIJING = "not_in_beijing"
NO_EXPENSE = "no_expense"
ONE_TIME_RECEIVED = "one_time_received"
NO_LISTING = "no_listing"
NO_COUNTERPART = "no_counterpart"
NO_PATENT = "no_patent"
OUTSIDE_EFFECTIVE_DATES = "outside_effective_dates"
NO_TRIGGER = "no_trigger"

# Why a candidate that could pay was not paid (the optimizer's choice under R1–R5).
R1_RIVAL = "r1_rival"
R3_ALREADY_PAID = "r3_already_paid"
R4_EXPENSE_TAKEN = "r4_expense_taken"
CAP_USED_UP = "cap_used_up"
YEAR_LIMIT_REACHED = "year_limit_reached"
FIRST_YEARS_USED = "first_years_used"
RECEIVED_COVERS = "received_covers"
DIFFERENCE_FLOORED = "difference_floored"
MIRROR_ZERO = "mirror_zero"
NOT_CHOSEN = "not_chosen"
AMOUNT_ZERO = "amount_zero"

WHY_NOT_CHOSEN = (R1_RIVAL, R3_ALREADY_PAID, R4_EXPENSE_TAKEN, CAP_USED_UP, YEAR_LIMIT_REACHED,
                  DIFFERENCE_FLOORED, RECEIVED_COVERS, MIRROR_ZERO, NOT_CHOSEN, AMOUNT_ZERO)
