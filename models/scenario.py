"""What-if scenarios: a small YAML file or inline `key=value` items that patch a record, pick
readings, or reform the catalog (change an amount, a percentage or a cap).

Inline forms (each one a change):

    move=shunyi@2027-01-01                  move the enterprise on that date
    recognition=national@2027-06-30         add a recognition
    expense=leased_equipment:12000000@2027  add an expense item (its own project, year 1)
    industry=hydrogen_energy                add an industry tag
    listing=a_share@2027                    add a listing
    qualification=tech_center@2027-05-01    add a (Fengtai) qualification
    patent=1200:1020@2027/4                 add a patent annuity: standard:paid@year/patent year
    district=… | entity_type=… | as_of=…    set a field
    stacking=difference-only                pick a reading (any registered reading key)
    shunyi.tier.national.amount=800000      reform: a rule's amount (per level for tier rewards)
    m6.exhibition.percent=50 | m4.cap=20000000
    catalog=beijing-2025                    other policies: a shipped package (or a directory)
    catalog=beijing-2025@2025-06-01         …as in force on a date

>>> parse_inline(["move=shunyi@2027-01-01", "stacking=difference-only"], ["stacking"]).readings
{'stacking': 'difference-only'}
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.errors import InputError
from models.i18n import t
from models.normalize import industry_tag, read_day, read_value
from models.validation import describe
from models.limits import (FIRST_DAY, LAST_DAY, MAX_DIGITS, MAX_SCENARIO_BYTES, MAX_TEXT,
                           MAX_YUAN, shown_text)
from models.yamlio import parse_bytes, read_bytes

SET_FIELDS = ("district", "entity_type", "as_of", "name")
ADD_FIELDS = ("recognitions", "moves", "expenses", "listings", "patents", "qualifications",
              "rewards_received", "industries")


@dataclass(frozen=True)
class Policies:
    """Other policies for a scenario: the catalog package in `directory`, as in force on
    `in_force` (None: whole). `dates` are the dates its rules turn on, carried so that a batch's
    memoized answers tell apart records whose dates fall differently against them."""

    directory: str
    in_force: dt.date | None = None
    dates: tuple[dt.date, ...] = ()
    given: str = field(default="", compare=False)  # as typed: `beijing-2025`, or a directory

    @classmethod
    def of(cls, directory: str | Path, in_force: dt.date | None = None) -> Policies:
        """The policies of a package (a shipped name or a directory), loaded to check it (a
        broken or missing package is a CatalogError naming it)."""
        from models.catalog import catalog_dates, open_catalog_on
        from models.packages import locate

        found = locate(directory) or Path(directory)
        where = str(found.resolve())
        return cls(where, in_force, catalog_dates(open_catalog_on(where, in_force)), str(directory))


@dataclass
class Scenario:
    """A scenario: record changes, readings, reforms and other policies, with a name for the
    report."""

    name: str
    sets: dict[str, Any] = field(default_factory=dict)
    adds: dict[str, list[Any]] = field(default_factory=dict)
    moves: list[tuple[str, dt.date]] = field(default_factory=list)
    readings: dict[str, str] = field(default_factory=dict)
    reforms: dict[str, int] = field(default_factory=dict)
    policies: Policies | None = None

    def merged(self, other: Scenario) -> Scenario:
        adds = {k: list(v) for k, v in self.adds.items()}
        for key, items in other.adds.items():
            adds.setdefault(key, []).extend(items)
        return Scenario(name=f"{self.name} + {other.name}" if self.name else other.name,
                        sets={**self.sets, **other.sets}, adds=adds,
                        moves=self.moves + other.moves,
                        readings={**self.readings, **other.readings},
                        reforms={**self.reforms, **other.reforms},
                        policies=other.policies or self.policies)

    def make(self, change: Change) -> None:
        """Add one record change to this scenario."""
        for key, item in change.adds:
            self.adds.setdefault(key, []).append(item)
        self.sets.update(change.sets)
        if change.move:
            self.moves.append(change.move)

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        """The record data (as dumped by the record model) with the changes applied."""
        out = {**data, **self.sets}
        for key, items in self.adds.items():
            out[key] = list(out.get(key) or []) + list(items)
        for to, day in sorted(self.moves, key=lambda move: move[1]):
            out["moves"] = list(out.get("moves") or []) + [{"from": out["district"], "to": to, "date": day}]
            out["district"] = to
        return out


@dataclass(frozen=True, eq=False)
class Change:
    """One change to a record, as data: what `howto` suggests and `whatif` applies directly.
    `label` is the same change as a `zjtx whatif` inline item, for a person to read or retype;
    `outlay` is what making it true costs the enterprise in yuan (an expense, an annuity paid)."""

    kind: str                                   # recognition, move, expense, listing, …
    label: str
    sets: tuple[tuple[str, Any], ...] = ()       # (field, value)
    adds: tuple[tuple[str, Any], ...] = ()       # (list field, item)
    move: tuple[str, dt.date] | None = None      # (district, date)
    outlay: int = 0

    def __eq__(self, other: object) -> bool:  # the label says the whole change
        return isinstance(other, Change) and (self.kind, self.label) == (other.kind, other.label)

    def __hash__(self) -> int:
        return hash((self.kind, self.label))

    def scenario(self) -> Scenario:
        return scenario_of([self])

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "change": self.label, "outlay": self.outlay,
                "facts": self.facts()}

    def facts(self) -> dict[str, Any]:
        """What the change sets or adds, as plain values (dates ISO), for views to put into
        words: a recognition's tier and date, a move's district and date, an expense's category,
        amount and year, …; a tag as `tag`, a set field as `field` and `value`."""
        out: dict[str, Any] = {}
        for _, item in self.adds:
            out |= item if isinstance(item, dict) else {"tag": item}
        for key, value in self.sets:
            out |= {"field": key, "value": value}
        if self.move:
            out |= {"district": self.move[0], "date": self.move[1]}
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in out.items()
                if not (k == "id" and str(v).startswith("WHATIF"))}

    # -- the changes, one constructor each (parse_inline reads the same forms) -------------------
    @classmethod
    def recognition(cls, tier: str, day: dt.date) -> Change:
        return cls("recognition", f"recognition={tier}@{day.isoformat()}",
                   adds=(("recognitions", {"tier": tier, "date": day}),))

    @classmethod
    def moving(cls, district: str, day: dt.date) -> Change:
        return cls("move", f"move={district}@{day.isoformat()}", move=(district, day))

    @classmethod
    def expense(cls, category: str, amount: int, year: int, number: int = 1) -> Change:
        return cls("expense", f"expense={category}:{amount}@{year}", outlay=amount,
                   adds=(("expenses", {"id": f"WHATIF-{number}", "category": category,
                                       "amount": amount, "year": year}),))

    @classmethod
    def listing(cls, board: str, year: int) -> Change:
        return cls("listing", f"listing={board}@{year}",
                   adds=(("listings", {"board": board, "year": year}),))

    @classmethod
    def qualification(cls, kind: str, day: dt.date) -> Change:
        return cls("qualification", f"qualification={kind}@{day.isoformat()}",
                   adds=(("qualifications", {"kind": kind, "date": day}),))

    @classmethod
    def patent(cls, standard: int, paid: int, year: int, patent_year: int,
               number: int = 1) -> Change:
        return cls("patent", f"patent={standard}:{paid}@{year}/{patent_year}", outlay=paid,
                   adds=(("patents", {"id": f"WHATIF-PATENT-{number}", "standard_annuity": standard,
                                      "paid": paid, "year": year, "patent_year": patent_year}),))

    @classmethod
    def industry(cls, tag: str) -> Change:
        return cls("industry", f"industry={tag}", adds=(("industries", tag),))

    @classmethod
    def setting(cls, key: str, value: Any) -> Change:
        shown = value.isoformat() if isinstance(value, dt.date) else value
        return cls(key, f"{key}={shown}", sets=((key, value),))


def scenario_of(changes: tuple[Change, ...] | list[Change], name: str | None = None) -> Scenario:
    """The scenario that makes every change at once."""
    out = Scenario(name=name if name is not None else " ".join(c.label for c in changes))
    for change in changes:
        out.make(change)
    return out


def _inline_change(key: str, value: str, item: str, scenario: Scenario) -> Change | None:
    """The record change an inline item writes (None: a reading or a reform). Values are read as
    a record's are (`models.normalize`): 大兴区 or daxing, 小巨人 or national, 2027年1月1日 or
    2027-01-01, 50万 or 500000; the change is labelled with the canonical values."""
    where = shown_text(item)
    if key == "move":
        to, _, day = value.partition("@")
        return Change.moving(read_value("district", to, where), read_day(day, where))
    if key == "recognition":
        tier, _, day = value.partition("@")
        return Change.recognition(read_value("tier", tier, where), read_day(day, where))
    if key == "expense":
        match = re.fullmatch(r"([^:@]+):([^:@]+)@([^:@]+)", value)
        if not match:
            raise InputError(t("scenario.expense_syntax", item=item), field="scenario",
                             accepted=t("accepted.example",
                                        example="expense=leased_equipment:12000000@2027"))
        return Change.expense(read_value("category", match[1], where), _yuan(match[2], where),
                              _year(match[3], where),
                              number=len(scenario.adds.get("expenses", [])) + 1)
    if key == "listing":
        board, _, year = value.partition("@")
        return Change.listing(read_value("board", board, where), _year(year, where))
    if key == "qualification":
        kind, _, day = value.partition("@")
        return Change.qualification(read_value("qualification", kind, where), read_day(day, where))
    if key == "patent":
        match = re.fullmatch(r"([^:@/]+):([^:@/]+)@([^:@/]+)/([^:@/]+)", value)
        if not match:
            raise InputError(t("scenario.patent_syntax", item=item), field="scenario",
                             accepted=t("accepted.example", example="patent=1200:1020@2027/4"))
        return Change.patent(_yuan(match[1], where), _yuan(match[2], where), _year(match[3], where),
                             _year(match[4], where, 1, 100),
                             number=len(scenario.adds.get("patents", [])) + 1)
    if key == "industry":
        return Change.industry(str(industry_tag(value)))
    if key == "as_of":
        return Change.setting(key, read_day(value, where))
    if key in ("district", "entity_type"):
        return Change.setting(key, read_value(key, value, where))
    if key in SET_FIELDS:
        return Change.setting(key, value)
    return None


def _yuan(text: str, where: str) -> int:
    """An amount of a what-if item, as a record reads it (500000, 50万, 1,000,000), within bounds."""
    amount = read_value("amount", text.strip(), where)
    if not isinstance(amount, int) or amount > MAX_YUAN:
        raise InputError(t("scenario.too_large", digits=text.strip()[:20], most=MAX_YUAN),
                         field=where, accepted=f"0 .. {MAX_YUAN:,}")
    return amount


def _year(text: str, where: str, first: int = FIRST_DAY.year, last: int = LAST_DAY.year) -> int:
    """A year of a what-if item (2026 or 2026年), or a patent year (`first`, `last`: 1, 100)."""
    year = read_value("integer", text.strip(), where)
    if not isinstance(year, int) or not first <= year <= last:
        raise InputError(t("problem.bad_integer", value=text.strip()[:20]), field=where,
                         accepted=f"{first} .. {last}")
    return year


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use
    name: str | None = None
    set: dict[str, Any] = {}
    add: dict[str, list[Any]] = {}
    move: dict[str, Any] | None = None
    readings: dict[str, str] = {}
    reform: dict[str, Annotated[int, Field(ge=0, le=MAX_YUAN, strict=True)]] = {}


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file (YAML)."""
    path = Path(path)
    return scenario_from_bytes(read_scenario_bytes(path), source=str(path), stem=path.stem,
                               as_json=path.suffix.lower() == ".json")


def read_scenario_bytes(path: str | Path) -> bytes:
    """A scenario file's bytes, at most MAX_SCENARIO_BYTES (an InputError naming the file)."""
    return read_bytes(path, what="scenario", limit=MAX_SCENARIO_BYTES)


def scenario_from_bytes(raw: bytes, *, source: str, stem: str, as_json: bool) -> Scenario:
    """A scenario from a scenario file's bytes (what `load_scenario` reads, and what an evidence
    bundle keeps as read); unnamed, it is named after its file (`stem`)."""
    data = parse_bytes(raw, source=source, as_json=as_json)
    try:
        spec = _ScenarioFile.model_validate(data or {})
    except ValidationError as exc:
        where, message, accepted = describe(exc, _ScenarioFile)
        raise InputError(message, file=source, field=where, accepted=accepted) from exc
    for key in spec.set:
        if key not in SET_FIELDS:
            raise InputError(t("scenario.cannot_set", key=key), file=source, field=f"set.{key}",
                             accepted=t("reason.word.list_sep").join(SET_FIELDS))
    for key in spec.add:
        if key not in ADD_FIELDS:
            raise InputError(t("scenario.cannot_add", key=key), file=source, field=f"add.{key}",
                             accepted=t("reason.word.list_sep").join(ADD_FIELDS))
    moves = []
    if spec.move is not None:
        if set(spec.move) != {"to", "date"}:
            raise InputError(t("scenario.move_keys"), file=source, field="move")
        try:
            moves.append((read_value("district", str(spec.move["to"]), "move.to"),
                          read_day(str(spec.move["date"]), "move.date")))
        except InputError as exc:
            exc.file = source
            raise
    return Scenario(name=spec.name or stem, sets=dict(spec.set), adds=dict(spec.add),
                    moves=moves, readings=dict(spec.readings), reforms=dict(spec.reform))


def _int(text: str, where: str) -> int:
    where = shown_text(where)
    digits = text.replace("_", "")
    if not re.fullmatch(r"\d+", digits):
        raise InputError(t("scenario.not_whole_yuan", value=text[:60]), field=where,
                         accepted=t("accepted.digits"))
    if len(digits.lstrip("0")) > MAX_DIGITS or int(digits) > MAX_YUAN:
        raise InputError(t("scenario.too_large", digits=digits[:20], most=MAX_YUAN), field=where,
                         accepted=f"0 .. {MAX_YUAN:,}")
    return int(digits)


def parse_inline(items: list[str], reading_keys: list[str]) -> Scenario:
    """Inline `key=value` changes (see the module docstring)."""
    scenario = Scenario(name=" ".join(items))
    for item in items:
        if len(item) > MAX_TEXT:
            raise InputError(t("scenario.too_long", item=shown_text(item), length=len(item),
                               most=MAX_TEXT), field="scenario")
        key, sep, value = unicodedata.normalize("NFKC", item).partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InputError(t("option.not_key_value", value=item), field="scenario",
                             accepted=t("accepted.change"))
        change = _inline_change(key, value, item, scenario)
        if change is not None:
            scenario.make(change)
        elif key == "catalog":  # other policies: a package, whole or as in force on a date
            package, at, day = value.rpartition("@") if "@" in value else (value, "", "")
            scenario.policies = Policies.of(package, read_day(day, shown_text(item)) if at else None)
        elif key in reading_keys or key.startswith("reading."):
            scenario.readings[key.removeprefix("reading.")] = value
        elif "." in key:
            scenario.reforms[key] = _int(value, item)
        else:
            raise InputError(t("scenario.unknown_change", key=key), field="scenario",
                             accepted=t("accepted.change_keys", keys=t("reason.word.list_sep").join(
                                 ["move", "recognition", "expense", "industry", "listing",
                                  "qualification", "patent", "catalog", *SET_FIELDS])))
    return scenario
