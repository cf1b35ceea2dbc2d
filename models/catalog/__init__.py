"""The catalog: the brochure's measures as literate data, one YAML file per source document.

Each measure quotes its clause verbatim beside its encoding: rules (what pays, on which trigger,
under which conditions, how much, within which caps, in which R1 group) and non-monetary
benefits. `load_catalog()` reads the YAML through a safe loader, validates it against the schema
below (unknown fields are errors) and parses every condition with `models.conditions`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.conditions import Condition, parse_condition
from models.errors import CatalogError, InputError, ReadingError
from models.validation import describe

CATALOG_DIR = Path(__file__).parent
INDEX_FILE = "index.yaml"

RuleKind = Literal["tier_reward", "relocation_reward", "qualification_reward", "expense",
                   "listing", "listing_district", "patent_annuity"]

# The facts each rule kind offers to its conditions (lint checks every condition against these).
KIND_FACTS: dict[str, frozenset[str]] = {
    "tier_reward": frozenset({"tier", "industry", "entity_type"}),
    "relocation_reward": frozenset({"tier", "industry", "entity_type", "origin", "move_date"}),
    "qualification_reward": frozenset({"qualification", "industry", "entity_type"}),
    "expense": frozenset({"tier", "industry", "entity_type", "project_year"}),
    "listing": frozenset({"tier", "industry", "entity_type"}),
    "listing_district": frozenset({"tier", "industry", "entity_type"}),
    "patent_annuity": frozenset({"tier", "industry", "entity_type", "patent_year"}),
    "benefit": frozenset({"tier", "industry", "entity_type"}),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Amount(_Strict):
    """Exactly one amount form: fixed, up to, percent of a base, not less than another award."""

    fixed: int | None = Field(None, ge=0, strict=True)
    up_to: int | None = Field(None, ge=0, strict=True)
    percent: int | None = Field(None, ge=0, le=100, strict=True)
    base: Literal["amount", "standard_annuity"] = "amount"
    at_most: Literal["paid"] | None = None
    not_less_than: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Amount:
        forms = [f for f in ("fixed", "up_to", "percent", "not_less_than") if getattr(self, f) is not None]
        if len(forms) != 1:
            raise ValueError("give exactly one of fixed, up_to, percent, not_less_than")
        return self


class Cap(_Strict):
    """R5: the awards of a rule sharing the same `per` keys pay at most `limit` together."""

    per: tuple[Literal["project", "year", "enterprise"], ...]
    limit: int = Field(ge=0, strict=True)


class MaxYears(_Strict):
    per: tuple[Literal["project", "enterprise"], ...]
    limit: int = Field(ge=1)


class RuleSpec(_Strict):
    id: str
    measure: str | None = None
    title: str | None = None  # the measure's title when it differs from its family's
    kind: RuleKind
    quote: str
    source: str | None = None
    conditions: tuple[str, ...] = ()
    amount: Amount | None = None
    levels: dict[Literal["municipal", "national"], Amount] | None = None
    caps: tuple[Cap, ...] = ()
    max_years: MaxYears | None = None
    one_time: bool = False
    categories: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    previous_year: bool = False
    difference: Literal["always", "never", "reading"] = "never"
    r1_group: str | None = None
    tier_held: Literal["at_move", "at_move_or_after"] | None = None
    only_when: dict[str, str] = {}
    # DOMAIN.md section 4: the brochure states no effective dates; a later edition can add them.
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    @model_validator(mode="after")
    def _amount_present(self) -> RuleSpec:
        if self.kind == "tier_reward":
            if not self.levels or self.amount is not None:
                raise ValueError("a tier_reward states `levels` (and no `amount`)")
        elif self.amount is None or self.levels is not None:
            raise ValueError(f"a {self.kind} rule states `amount` (and no `levels`)")
        return self


class BenefitSpec(_Strict):
    id: str
    quote: str
    conditions: tuple[str, ...] = ()
    amount: Literal["not_stated"] | None = None
    boards: tuple[str, ...] = ()


class MeasureSpec(_Strict):
    id: str
    title: str
    brochure_item: int
    clause: str
    rules: tuple[RuleSpec, ...] = ()
    benefits: tuple[BenefitSpec, ...] = ()


class SourceSpec(_Strict):
    key: str
    document: str
    contact: str
    tel: str
    image: str
    printed_again_as: str | None = None


class SourceFileSpec(_Strict):
    sources: tuple[SourceSpec, ...]
    brochure_section: str
    brochure_items: tuple[int, ...]
    level: str
    measures: tuple[MeasureSpec, ...]


class ReadingSpec(_Strict):
    about: str
    default: str
    alternatives: dict[str, str]


class ConditionFieldSpec(_Strict):
    type: Literal["tier", "tags", "enum", "place", "date", "int"]
    about: str
    values: tuple[str, ...] = ()


class BrochureSpec(_Strict):
    title: str
    as_of: str
    file: str
    general_contact: dict[str, str]
    portal: str
    closing_note: str


class DefectSpec(_Strict):
    id: str
    about: str


class WindowSpec(_Strict):
    period: Literal["month", "quarter", "not_stated"]
    clause: str
    who: str
    contact: str
    tel: str


class IndexSpec(_Strict):
    brochure: BrochureSpec
    conditions: dict[str, ConditionFieldSpec]
    readings: dict[str, ReadingSpec]
    districts_without_measures: tuple[str, ...]
    brochure_defects: tuple[DefectSpec, ...]
    windows: dict[str, WindowSpec]


class _Cited:
    """Whom an award or benefit cites: its source documents, contact offices and telephones."""

    sources: tuple[SourceSpec, ...]

    @property
    def source_text(self) -> str:
        return "; ".join(source.document for source in self.sources)

    @property
    def contact(self) -> str:
        return "; ".join(dict.fromkeys(source.contact for source in self.sources))

    @property
    def tel(self) -> str:
        return "; ".join(dict.fromkeys(source.tel for source in self.sources))


@dataclass(frozen=True)
class Rule(_Cited):
    """A rule ready for the compiler: its spec, the measure and file it belongs to, parsed
    conditions, and the sources, contact and telephone an award it pays must cite."""

    spec: RuleSpec
    measure: str
    family: str
    level: str  # "municipal" or the paying district
    conditions: tuple[Condition, ...]
    sources: tuple[SourceSpec, ...]
    file: str

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Benefit(_Cited):
    spec: BenefitSpec
    family: str
    conditions: tuple[Condition, ...]
    sources: tuple[SourceSpec, ...]


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: the index page, every source file, and flat views the compiler uses."""

    directory: Path
    index: IndexSpec
    files: dict[str, SourceFileSpec]
    rules: tuple[Rule, ...]
    benefits: tuple[Benefit, ...]
    families: dict[str, tuple[str, MeasureSpec]] = field(default_factory=dict)  # id → (file, spec)

    def family_of(self, measure_id: str) -> MeasureSpec | None:
        """A family (`m6`) or a measure of it (`m6.exhibition`)."""
        if measure_id in self.families:
            return self.families[measure_id][1]
        for rule in self.rules:
            if measure_id in (rule.measure, rule.id):
                return self.families[rule.family][1]
        return None

    def measure_ids(self) -> tuple[str, ...]:
        """Every award id the catalog can pay, in catalog order."""
        return tuple(dict.fromkeys(rule.measure for rule in self.rules))

    def default_readings(self) -> dict[str, str]:
        return {key: spec.default for key, spec in self.index.readings.items()}

    def resolve_readings(self, given: dict[str, str] | None = None) -> dict[str, str]:
        """The defaults with `given` applied; an unknown key or value is a ReadingError."""
        readings = self.default_readings()
        for key, value in (given or {}).items():
            spec = self.index.readings.get(key)
            if spec is None:
                near = difflib.get_close_matches(key, list(self.index.readings), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise ReadingError(f"unknown reading {key!r}{hint}", field="--reading",
                                   accepted=", ".join(self.index.readings))
            if value not in spec.alternatives:
                raise ReadingError(f"reading {key!r} has no value {value!r}", field=f"--reading {key}",
                                   accepted=", ".join(f"{key}={v}" for v in spec.alternatives))
            readings[key] = value
        return readings


# libyaml's safe loader (ten times faster) when PyYAML was built with it, else the pure one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", file=str(path)) from exc
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, in C when built
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {exc}", file=str(path)) from exc


def _validate(model: type[_Strict], data: object, path: Path) -> _Strict:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where, message, accepted = describe(exc, model)
        raise CatalogError(message, file=path.name, field=where or None, accepted=accepted) from exc


def load_raw(directory: Path) -> tuple[IndexSpec, dict[str, SourceFileSpec]]:
    """Index and source files, schema-checked, with nothing cross-checked yet (lint does that)."""
    index = _validate(IndexSpec, _read_yaml(directory / INDEX_FILE), directory / INDEX_FILE)
    files: dict[str, SourceFileSpec] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name != INDEX_FILE:
            files[path.name] = _validate(SourceFileSpec, _read_yaml(path), path)  # type: ignore[assignment]
    if not files:
        raise CatalogError("no catalog files", file=str(directory))
    # Brochure order: the municipal items, then the districts by their item number.
    ordered = sorted(files.items(), key=lambda item: (item[1].level != "municipal",
                                                      min(item[1].brochure_items), item[0]))
    return index, dict(ordered)  # type: ignore[return-value]


def build(directory: Path, index: IndexSpec, files: dict[str, SourceFileSpec]) -> Catalog:
    """Flatten source files into rules and benefits with parsed conditions and resolved sources."""
    rules: list[Rule] = []
    benefits: list[Benefit] = []
    families: dict[str, tuple[str, MeasureSpec]] = {}
    for name, spec in files.items():
        sources = {source.key: source for source in spec.sources}
        for measure in spec.measures:
            if measure.id in families:
                raise CatalogError(f"measure {measure.id!r} is defined twice (also in "
                                   f"{families[measure.id][0]})", file=name)
            families[measure.id] = (name, measure)
            for rule in measure.rules:
                if rule.source is not None and rule.source not in sources:
                    raise CatalogError(f"rule {rule.id!r} cites unknown source {rule.source!r}",
                                       file=name, accepted=", ".join(sources))
                cited = (sources[rule.source],) if rule.source else spec.sources
                rules.append(Rule(spec=rule, measure=rule.measure or rule.id, family=measure.id,
                                  level=spec.level, file=name, sources=cited,
                                  conditions=_parse_all(rule.conditions, name)))
            for benefit in measure.benefits:
                benefits.append(Benefit(spec=benefit, family=measure.id, sources=spec.sources,
                                        conditions=_parse_all(benefit.conditions, name)))
    return Catalog(directory=directory, index=index, files=files, rules=tuple(rules),
                   benefits=tuple(benefits), families=families)


def _parse_all(texts: tuple[str, ...], file: str) -> tuple[Condition, ...]:
    try:
        return tuple(parse_condition(text) for text in texts)
    except CatalogError as exc:
        exc.file = file
        raise


@functools.lru_cache(maxsize=8)
def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """The catalog in `directory` (default: the shipped Beijing catalog), loaded once."""
    index, files = load_raw(directory)
    return build(directory, index, files)


REFORM_FIELDS = ("amount", "percent", "cap")


def _reform_rule(rule: RuleSpec, level: str | None, field: str, value: int, path: str) -> RuleSpec:
    def validated(model: type[_Strict], data: dict) -> _Strict:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            where, message, accepted = describe(exc, model)
            raise InputError(f"reform {path}={value}: {where} {message}", field="reform",
                             accepted=accepted) from exc

    def amount_with(amount: Amount) -> Amount:
        if field == "percent":
            if amount.percent is None:
                raise InputError(f"rule {rule.id} pays no percentage", field="reform")
            return validated(Amount, {**amount.model_dump(), "percent": value})  # type: ignore[return-value]
        key = "fixed" if amount.fixed is not None else "up_to" if amount.up_to is not None else None
        if key is None:
            raise InputError(f"rule {rule.id} has no fixed or up-to amount to change", field="reform")
        return validated(Amount, {**amount.model_dump(), key: value})  # type: ignore[return-value]

    if field == "cap":
        if not rule.caps:
            raise InputError(f"rule {rule.id} has no cap", field="reform")
        cap = validated(Cap, {**rule.caps[0].model_dump(), "limit": value})
        return rule.model_copy(update={"caps": (cap,) + rule.caps[1:]})
    if rule.levels is not None:
        levels = [level] if level else list(rule.levels)
        missing = [lv for lv in levels if lv not in rule.levels]
        if missing:
            raise InputError(f"rule {rule.id} has no {missing[0]} level", field="reform",
                             accepted=", ".join(rule.levels))
        return rule.model_copy(update={"levels": {lv: amount_with(a) if lv in levels else a
                                                  for lv, a in rule.levels.items()}})
    assert rule.amount is not None
    return rule.model_copy(update={"amount": amount_with(rule.amount)})


def reformed(catalog: Catalog, reforms: dict[str, int]) -> Catalog:
    """The catalog with reforms applied: `shunyi.tier.national.amount=800000` changes the
    amount of the national level of every rule of `shunyi.tier`; `m4.cap=20000000` a cap."""
    files = dict(catalog.files)
    for path, value in reforms.items():
        parts = path.split(".")
        field = parts[-1]
        if field not in REFORM_FIELDS or len(parts) < 2:
            raise InputError(f"reform {path!r} must end in .amount, .percent or .cap",
                             field="reform", accepted="e.g. shunyi.tier.national.amount=800000")
        level = parts[-2] if parts[-2] in ("municipal", "national") else None
        target = ".".join(parts[:-2] if level else parts[:-1])
        hits = 0
        for name, spec in files.items():
            measures = []
            for measure in spec.measures:
                rules = []
                for rule in measure.rules:
                    if target in (rule.id, rule.measure or rule.id, measure.id):
                        rule = _reform_rule(rule, level, field, value, path)
                        hits += 1
                    rules.append(rule)
                measures.append(measure.model_copy(update={"rules": tuple(rules)}))
            files[name] = spec.model_copy(update={"measures": tuple(measures)})
        if not hits:
            known = sorted({r.id for r in catalog.rules} | {r.measure for r in catalog.rules})
            near = difflib.get_close_matches(target, known, n=1)
            raise InputError(f"reform {path!r} names no rule" + (f"; did you mean {near[0]!r}?" if near else ""),
                             field="reform", accepted=", ".join(known))
    return build(catalog.directory, catalog.index, files)
