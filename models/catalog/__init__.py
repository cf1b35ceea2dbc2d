"""The catalog: the brochure's measures as literate data, one YAML file per source document.

Each measure quotes its clause verbatim beside its encoding: rules (what pays, on which trigger,
under which conditions, how much, within which caps, in which R1 group) and non-monetary
benefits. `load_catalog()` reads the YAML through a safe loader, validates it against the schema
below (unknown fields are errors) and parses every condition with `models.conditions`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import difflib
import functools
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from models.catalog.kinds import OCCASION_KINDS, TRIGGERS, RuleKind
from models.catalog.vocabulary import KINDS, Strict, Term, Vocabulary, VocabularySpec, worked_out
from models.conditions import Condition, parse_condition
from models.errors import BugError, CatalogError, InputError, ReadingError
from models.i18n import current_lang, label, t
from models.limits import FIRST_DAY, LAST_DAY, MAX_CATALOG_BYTES, MAX_EXTENDS, Day, Yuan
from models.validation import describe, describe_all
from models.yamlio import read_bytes as read_limited
from models.yamlio import read_document, read_text

V = TypeVar("V")
CATALOG_DIR = Path(__file__).parent
INDEX_FILE = "index.yaml"

MUNICIPAL_PAYER = "municipal"  # the payer of the jurisdiction's own measures

_Strict = Strict
# The bounds of a record hold for a catalog too (models.limits: Yuan within ten trillion yuan,
# Day within 1949–2200).


class Amount(_Strict):
    """Exactly one amount form: fixed, up to, percent of a base, not less than another award."""

    fixed: Yuan | None = None
    up_to: Yuan | None = None
    percent: int | None = Field(None, ge=0, le=100, strict=True)
    base: Literal["amount", "standard_annuity"] = "amount"
    at_most: Literal["paid"] | None = None
    not_less_than: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Amount:
        forms = [f for f in ("fixed", "up_to", "percent", "not_less_than") if getattr(self, f) is not None]
        if len(forms) != 1:
            raise ValueError(t("catalog.one_amount"))
        return self


class Cap(_Strict):
    """R5: the awards of a rule sharing the same `per` keys pay at most `limit` together; with
    `only_when`, only under those readings (m6's interest cap: per enterprise or per project)."""

    per: tuple[Literal["project", "year", "enterprise"], ...]
    limit: Yuan
    only_when: dict[str, str] = {}


class MaxYears(_Strict):
    """R5: at most `limit` distinct claim years per `per` key. `years: first` pays only the first
    `limit` years in which an item is eligible (consecutive or not); `any` lets the optimizer pick
    the years that pay most. With `only_when`, only under those readings."""

    per: tuple[Literal["project", "enterprise"], ...]
    limit: int = Field(ge=1, le=LAST_DAY.year - FIRST_DAY.year)
    years: Literal["any", "first"] = "any"
    only_when: dict[str, str] = {}


def _holds(only_when: dict[str, str], readings: dict[str, str]) -> bool:
    """Do all of these readings hold?"""
    return all(readings.get(k) == v for k, v in only_when.items())


# Which recognitions at a ladder level (or which qualifications of a kind) a rule pays for:
# `first` the first one (the brochure's rules), `first_review` also the first re-examination
# passed at that tier (Fangshan 2025: "首次认定、首次复审通过"), `review` every re-examination passed
# (Haidian 2025: "新增(含复核通过)"). A re-examination is a recognition at a tier the enterprise
# was recognized at before (a qualification of a kind it held before).
Occasion = Literal["first", "first_review", "review"]


class RuleSpec(_Strict):
    id: str
    measure: str | None = None
    title: str | None = None  # the measure's title when it differs from its family's
    names: Names | None = None  # the short names of the award id it pays, when that id is new
    kind: RuleKind
    quote: str
    source: str | None = None
    conditions: tuple[str, ...] = ()
    amount: Amount | None = None
    levels: dict[str, Amount] | None = None  # ladder rung (vocabulary level) → amount
    caps: tuple[Cap, ...] = ()
    # One limit, or several of which the readings pick at most one (`only_when`).
    max_years: tuple[MaxYears, ...] = ()
    one_time: bool = False
    categories: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    previous_year: bool = False
    difference: Literal["always", "never", "reading"] = "never"
    r1_group: str | None = None
    tier_held: Literal["at_move", "at_move_or_after"] | None = None
    # relocation_reward in an R1 group: the ladder level it stands for (DOMAIN 4: Pinggu's
    # relocation reward is the national rung of its tier ladder, one ladder for R1, R2 and R3).
    ladder_level: str | None = None
    # qualification_reward: a first recognition at a ladder level that counts as a qualification
    # of the given kind (Fengtai: a national little giant is the qualification `little_giant`).
    recognition_counts_as: dict[str, str] = {}
    only_when: dict[str, str] = {}
    # DOMAIN.md section 4: the brochure states no effective dates; a later edition can add them.
    effective_from: Day | None = None
    effective_to: Day | None = None
    pays_for: tuple[Occasion, ...] = ("first",)

    @model_validator(mode="after")
    def _occasions(self) -> RuleSpec:
        if not self.pays_for or len(set(self.pays_for)) != len(self.pays_for):
            raise ValueError(t("catalog.pays_for_once"))
        if {"first_review", "review"} <= set(self.pays_for):
            raise ValueError(t("catalog.pays_for_both"))
        if self.pays_for != ("first",) and self.kind not in OCCASION_KINDS:
            joined = (" and " if current_lang() == "en" else "、").join(OCCASION_KINDS)
            raise ValueError(t("catalog.pays_for_kinds", kinds=joined))
        return self

    @field_validator("max_years", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        return (value,) if isinstance(value, dict) else (() if value is None else value)

    @model_validator(mode="after")
    def _amount_present(self) -> RuleSpec:
        if TRIGGERS[self.kind].amount == "levels":
            if not self.levels or self.amount is not None:
                raise ValueError(t("catalog.levels_not_amount", kind=self.kind))
        elif self.amount is None or self.levels is not None:
            raise ValueError(t("catalog.amount_not_levels", kind=self.kind))
        if self.ladder_level is not None and (self.kind != "relocation_reward" or not self.r1_group):
            raise ValueError(t("catalog.ladder_level"))
        return self

    def under(self, readings: dict[str, str]) -> RuleSpec:
        """The rule as it applies under `readings`: the caps and year limits whose `only_when`
        holds (the spec itself when nothing depends on a reading)."""
        if not any(cap.only_when for cap in self.caps) and not any(
                limit.only_when for limit in self.max_years):
            return self
        caps = tuple(cap for cap in self.caps if _holds(cap.only_when, readings))
        years = tuple(limit for limit in self.max_years if _holds(limit.only_when, readings))
        return self.model_copy(update={"caps": caps, "max_years": years})

    @property
    def year_limit(self) -> MaxYears | None:
        """The year limit of a rule specialized to its readings (`under`): at most one."""
        if len(self.max_years) > 1:
            raise ValueError(t("catalog.year_limits", id=self.id))
        return self.max_years[0] if self.max_years else None


class BenefitSpec(_Strict):
    id: str
    quote: str
    conditions: tuple[str, ...] = ()
    amount: Literal["not_stated"] | None = None
    boards: tuple[str, ...] = ()


class Names(_Strict):
    """A measure's short names for people, in both languages (output never shows a raw id)."""

    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)


class MeasureSpec(_Strict):
    id: str
    title: str
    # Its short names; required (here or in the message catalogue) for a measure of a new edition.
    names: Names | None = None
    brochure_item: int
    clause: str
    rules: tuple[RuleSpec, ...] = ()
    benefits: tuple[BenefitSpec, ...] = ()


class OfficialName(_Strict):
    """The official Chinese name of an office or a document as published, and where it was
    found. A name that could not be confirmed is `name: null` with a `note` saying so: views
    then show the English as printed, labelled as such (never a translation of ours)."""

    name: str | None = None
    source: str | None = None   # where the name was published (a URL or a citation)
    note: str | None = None     # how it was confirmed, or why it was not

    @model_validator(mode="after")
    def _sourced(self) -> OfficialName:
        if self.name is not None and not self.source:
            raise ValueError(t("catalog.name_source"))
        if self.name is None and not self.note:
            raise ValueError(t("catalog.name_note"))
        return self


class SourceNamesZh(_Strict):
    """A source's document title and contact office in Chinese (see OfficialName)."""

    document: OfficialName
    contact: OfficialName


class ProvenanceSpec(_Strict):
    """Where a later edition's text was read and how near that is to the issuing body: `primary`
    when the page is the issuing body's own publication, `secondary` when it reproduces or
    summarizes it (a mirror, a policy portal, a third-party table), `test` for invented test data
    (never in a shipped package)."""

    grade: Literal["primary", "secondary", "test"]
    title: str = Field(min_length=1)       # the document's title as published
    issuer: str = Field(min_length=1)      # the issuing body
    date: dt.date                          # the document's date
    address: str = Field(min_length=1)     # the page read (its URL)
    read_on: dt.date | None = None         # when the page was read
    note: str | None = None                # what the page is, what it does not show


class SourceSpec(_Strict):
    key: str
    document: str
    contact: str
    tel: str
    image: str
    printed_again_as: str | None = None
    zh: SourceNamesZh | None = None  # the official Chinese names, where confirmed
    provenance: ProvenanceSpec | None = None  # required of a later edition's sources (lint)


class EditionSpec(_Strict):
    """An edition: its rules apply to events from `in_force_from`; the rules it `closes` (ids of
    rules of the package it extends, or of earlier files) apply only until the day before."""

    in_force_from: Day
    closes: tuple[str, ...] = ()
    title: str | None = None


class SourceFileSpec(_Strict):
    """One source document: its measures, who pays them, and the text their clauses quote."""

    edition: EditionSpec | None = None
    # A file of the extended package this file stands in for (its own name): without it, a file
    # named like one of the extended package's is an error, never a silent replacement.
    replaces: str | None = None
    text: str | None = None  # the source text (relative to this file); default: the index's brochure
    sources: tuple[SourceSpec, ...]
    brochure_section: str
    brochure_items: tuple[int, ...]
    payer: str  # "municipal" (the jurisdiction pays) or the district that pays every rule here
    measures: tuple[MeasureSpec, ...]


class ReadingZh(_Strict):
    """A reading's question and alternatives in Chinese (the project's own words)."""

    about: str
    alternatives: dict[str, str]


class ReadingSpec(_Strict):
    about: str
    default: str
    alternatives: dict[str, str]
    zh: ReadingZh | None = None

    @model_validator(mode="after")
    def _same_alternatives(self) -> ReadingSpec:
        if self.zh is not None and set(self.zh.alternatives) != set(self.alternatives):
            raise ValueError(t("catalog.zh_alternatives"))
        return self

    def about_in(self, lang: str) -> str:
        return self.zh.about if lang == "zh" and self.zh else self.about

    def alternative_in(self, value: str, lang: str) -> str:
        return self.zh.alternatives[value] if lang == "zh" and self.zh else self.alternatives[value]


class ConditionFieldSpec(_Strict):
    """A fact conditions may test. `values_from` names the vocabulary list its values come from
    (`tier` compares by the declared tier order); `values` adds values of its own."""

    type: Literal["tier", "tags", "enum", "date", "int"]
    about: str
    values_from: Literal[KINDS] | None = None  # type: ignore[valid-type]
    values: tuple[str, ...] = ()


class BrochureSpec(_Strict):
    title: str
    as_of: str
    file: str
    portal: str


class PackageSpec(_Strict):
    """What a package is, when it is more than the brochure it quotes (a later edition)."""

    title: str
    zh: str | None = None  # the title in Chinese
    as_of: str
    about: str | None = None


class WindowZh(_Strict):
    """Who may apply and whom to call, in Chinese: the project's words around official names."""

    who: str
    contact: str
    tel: str


class WindowSpec(_Strict):
    period: Literal["month", "quarter", "not_stated"]
    clause: str
    who: str
    contact: str
    tel: str
    zh: WindowZh | None = None


# The readings the engine itself consults, with the alternatives it understands. `stacking` is
# needed only by a ladder that says `difference: reading`.
ENGINE_READINGS: dict[str, tuple[str, ...]] = {
    "claim-lag": ("next-year", "as-written"),
    "paying-district": ("at-recognition", "at-claim"),
}
STACKING_READING = ("stacking", ("cumulative", "difference-only"))


def _check_reading(readings: dict[str, ReadingSpec], key: str, values: tuple[str, ...]) -> None:
    spec = readings.get(key)
    if spec is None:
        raise ValueError(t("catalog.reading_needed", key=key, values=", ".join(values)))
    if set(spec.alternatives) != set(values):
        raise ValueError(t("catalog.reading_exactly", key=key, values=", ".join(values)))
    if spec.default not in spec.alternatives:
        raise ValueError(t("catalog.reading_default", key=key, default=spec.default))


class IndexSpec(_Strict):
    """index.yaml: the package's front page."""

    jurisdiction: Term
    vocabulary: VocabularySpec
    brochure: BrochureSpec
    package: PackageSpec | None = None  # a later edition's own title (default: the brochure's)
    conditions: dict[str, ConditionFieldSpec]
    readings: dict[str, ReadingSpec] = Field(  # the schema says which readings the engine consults
        json_schema_extra={"required": list(ENGINE_READINGS)})
    districts_without_measures: tuple[str, ...]
    windows: dict[str, WindowSpec] = {}

    @field_validator("readings")
    @classmethod
    def _engine_readings(cls, readings: dict[str, ReadingSpec]) -> dict[str, ReadingSpec]:
        for key, values in ENGINE_READINGS.items():
            _check_reading(readings, key, values)
        for key, spec in readings.items():
            if spec.default not in spec.alternatives:
                raise ValueError(t("catalog.reading_default", key=key, default=spec.default))
        return readings


class _Cited:
    """Whom an award or benefit cites: its source documents, contact offices and telephones."""

    sources: tuple[SourceSpec, ...]

    @property
    def source_text(self) -> str:
        """The source documents; a later edition's with the grade and address of the page read."""
        return "; ".join(source.document + (t("provenance.cited", grade=t(
            f"provenance.grade.{source.provenance.grade}"), address=source.provenance.address)
            if source.provenance else "") for source in self.sources)

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
    payer: str  # "municipal" or the paying district
    conditions: tuple[Condition, ...]
    sources: tuple[SourceSpec, ...]
    file: str

    @property
    def id(self) -> str:
        return self.spec.id

    def in_force(self, day: dt.date) -> bool:
        """Does the rule apply to an event on `day` (its effective dates)?"""
        spec = self.spec
        return not ((spec.effective_from and day < spec.effective_from)
                    or (spec.effective_to and day > spec.effective_to))


def _specialized(rule: Rule, readings: dict[str, str]) -> Rule:
    """The rule with the caps and year limits its readings pick (itself when none depends)."""
    spec = rule.spec.under(readings)
    return rule if spec is rule.spec else replace(rule, spec=spec)


@dataclass(frozen=True)
class Ladder:
    """An R1 group of ladder rules under some readings (see `Catalog.ladders`)."""

    group: str
    differs: bool   # R2: a higher level pays the difference to what the ladder paid below it
    top: int | None  # its highest amount: the most it pays in all under R2 (None: it pays reviews)
    reading: str | None = None  # the reading that decides `differs` (`stacking=...`), if one does


@dataclass(frozen=True)
class Benefit(_Cited):
    spec: BenefitSpec
    family: str
    conditions: tuple[Condition, ...]
    sources: tuple[SourceSpec, ...]


@dataclass(frozen=True, eq=False)
class CatalogFacts:
    """What keys and warnings read of a catalog, worked out once when it is built: every date it
    holds (effective dates, dates in conditions, any dated field), sorted, and every industry tag
    its conditions name (the compiler tests industries only against those). Equal only to itself:
    in a memo key it stands for its catalog (one per catalog built, reformed or cut to a day)."""

    dates: tuple[dt.date, ...]
    tags: tuple[str, ...]


def dates_in(value: object, found: set[dt.date] | None = None) -> set[dt.date]:
    """Every date in plain data (dicts, lists and tuples of it), into `found`."""
    found = set() if found is None else found
    if isinstance(value, dt.date):
        found.add(value)
    for item in value.values() if isinstance(value, dict) else \
            value if isinstance(value, (list, tuple)) else ():
        dates_in(item, found)
    return found


def _facts(items: tuple[Rule | Benefit, ...]) -> CatalogFacts:
    found: set[dt.date] = set()
    tags: set[str] = set()
    for item in items:
        dates_in(item.spec.model_dump(), found)
        for condition in item.conditions:
            values = condition.value if isinstance(condition.value, frozenset) else (condition.value,)
            found.update(v for v in values if isinstance(v, dt.date))
            if condition.field == "industry":
                tags.update(str(v) for v in values)
    return CatalogFacts(tuple(sorted(found)), tuple(sorted(tags)))


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: the index page, every source file, and flat views the compiler uses."""

    directory: Path
    index: IndexSpec
    files: dict[str, SourceFileSpec]
    rules: tuple[Rule, ...]
    benefits: tuple[Benefit, ...]
    vocabulary: Vocabulary
    families: dict[str, tuple[str, MeasureSpec]] = field(default_factory=dict)  # id → (file, spec)
    package: Package | None = None  # where each file came from (None: built in memory)
    # Views worked out once (active rules per readings, measure ids, resolved readings).
    _active: dict[tuple[object, ...], tuple[Any, ...]] = field(default_factory=dict, repr=False, compare=False)
    facts: CatalogFacts = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", _facts((*self.rules, *self.benefits)))

    def chinese_names(self) -> dict[str, str | None]:
        """Every document title and contact office as printed (English) → its official Chinese
        name, or None when none was confirmed (views show the English as printed, labelled);
        and each window's words → their Chinese. Worked out once per catalog."""
        found = self._active.get(("chinese names",))
        if found is None:
            names: dict[str, str | None] = {}
            for spec in self.files.values():
                for source in spec.sources:
                    zh = source.zh
                    names.setdefault(source.document, zh.document.name if zh else None)
                    names.setdefault(source.contact, zh.contact.name if zh else None)
            for window in self.index.windows.values():
                for english, chinese in ((window.who, window.zh.who if window.zh else None),
                                         (window.contact, window.zh.contact if window.zh else None),
                                         (window.tel, window.zh.tel if window.zh else None)):
                    names.setdefault(english, chinese)
            found = self._active[("chinese names",)] = (names,)
        known: dict[str, str | None] = found[0]
        return known

    def printed(self, text: str | None, lang: str) -> str:
        """A document title, a contact office or a window's words as this catalog prints them in
        English (several joined by "; "): in Chinese, each by its official Chinese name, or —
        where none was confirmed — in English as printed, labelled (英文原文); in English as
        printed."""
        if not text or lang == "en":
            return text or ""
        names = self.chinese_names()
        if names.get(text) is not None:
            return str(names[text])
        shown = []
        for part in text.split("; "):
            chinese = names.get(part)
            shown.append(chinese if chinese is not None else
                         t("label.as_printed", lang, text=part) if any(c.isascii() and c.isalpha() for c in part)
                         else part)
        return t("reason.word.item_sep", lang).join(shown)

    def fingerprint(self) -> str:
        """What the catalog says, as a SHA-256 (`Package.content_digest` of its files and source
        texts; a catalog built in memory: of its rules' specs). Worked out once."""
        known = self._active.get(("fingerprint",))
        if known is not None:
            return str(known[0])
        if self.package is not None:
            texts = (self.index.brochure.file,
                     *(spec.text for spec in self.files.values() if spec.text))
            digest = self.package.content_digest(texts)
        else:
            digest = hashlib.sha256(repr([rule.spec for rule in self.rules]).encode()).hexdigest()
        self._active[("fingerprint",)] = (digest,)
        return digest

    def in_force(self, day: dt.date) -> Catalog:
        """The catalog as it stands on `day`: only the rules in force that day."""
        rules = tuple(rule for rule in self.rules if rule.in_force(day))
        return replace(self, rules=rules, _active={})

    def active_rules(self, readings: dict[str, str], part: str = "all") -> tuple[Rule, ...]:
        """The one place that decides which rules apply under `readings`: those whose
        `only_when` readings all hold, in catalog order; `part` keeps only the `municipal` or the
        `district` rules (they never share a constraint). Memoized: batch asks millions of times."""
        key = (tuple(sorted(readings.items())), part)
        rules = self._active.get(key)
        if rules is None:
            rules = tuple(_specialized(rule, readings) for rule in self.rules
                          if _holds(rule.spec.only_when, readings)
                          and (part == "all" or (rule.payer == MUNICIPAL_PAYER) == (part == "municipal")))
            if len(self._active) > 256:
                self._active.clear()
            self._active[key] = rules
        return rules

    def ladders(self, readings: dict[str, str]) -> dict[str, Ladder]:
        """Each R1 group of ladder rules (tier rewards and the relocation rewards that are a rung
        of them) under `readings`: whether it pays only the difference (R2) and the most it pays
        one enterprise in all (its highest amount). Worked out once per readings."""
        key = ("ladders", *sorted(readings.items()))
        found = self._active.get(key)
        if found is None:
            ladders: dict[str, Ladder] = {}
            for rule in self.active_rules(readings):
                group = rule.spec.r1_group
                if group is None or not (rule.spec.kind == "tier_reward" or rule.spec.ladder_level):
                    continue
                amounts = list((rule.spec.levels or {}).values()) + (
                    [rule.spec.amount] if rule.spec.amount is not None else [])
                top = max((a.fixed if a.fixed is not None else a.up_to or 0) for a in amounts)
                differs = rule.spec.kind == "tier_reward" and (
                    rule.spec.difference == "always" or (rule.spec.difference == "reading"
                                                         and readings.get("stacking") == "difference-only"))
                reading = f"stacking={readings.get('stacking')}" \
                    if rule.spec.kind == "tier_reward" and rule.spec.difference == "reading" else None
                known = ladders.get(group)
                # A ladder that pays re-examinations too pays one enterprise more than its top.
                reviews = rule.spec.pays_for != ("first",) or (known is not None and known.top is None)
                ladders[group] = Ladder(group, differs or (known is not None and known.differs),
                                        None if reviews else max(top, known.top or 0 if known else 0),
                                        reading or (known.reading if known else None))
            found = self._active[key] = (ladders,)
        result: dict[str, Ladder] = found[0]
        return result

    def parts_separable(self, readings: dict[str, str]) -> bool:
        """Do the `municipal` and `district` parts share no constraint under `readings`? (No
        district rule in a municipal R1 group, taking a municipal expense category (R4), or
        mirroring a municipal measure.) Only then may they be solved apart. Worked out once per
        readings."""
        return self.worked_out(("parts separable", *sorted(readings.items())),
                               lambda: self._parts_separable(readings))

    def _parts_separable(self, readings: dict[str, str]) -> bool:
        municipal = self.active_rules(readings, "municipal")
        groups = {rule.spec.r1_group for rule in municipal if rule.spec.r1_group}
        categories = {category for rule in municipal for category in rule.spec.categories}
        measures = {rule.measure for rule in municipal}
        return not any(
            (rule.spec.r1_group in groups) or bool(categories & set(rule.spec.categories))
            or (rule.spec.amount is not None and rule.spec.amount.not_less_than in measures)
            for rule in self.active_rules(readings, "district"))

    def measure_names(self) -> dict[str, Names]:
        """The short names the package declares for its measures (families and award ids)."""
        found = self._active.get(("measure names",))
        if found is None:
            declared: dict[str, Names] = {}
            for _file, measure in self.families.values():
                if measure.names is not None:
                    declared[measure.id] = measure.names
            for rule in self.rules:
                if rule.spec.names is not None:
                    declared.setdefault(rule.measure, rule.spec.names)
            found = self._active[("measure names",)] = (declared,)
        names: dict[str, Names] = found[0]
        return names

    def family_of(self, measure_id: str) -> MeasureSpec | None:
        """A family (`m6`) or a measure of it (`m6.exhibition`)."""
        if measure_id in self.families:
            return self.families[measure_id][1]
        for rule in self.rules:
            if measure_id in (rule.measure, rule.id):
                return self.families[rule.family][1]
        return None

    def worked_out(self, key: tuple[object, ...], compute: Callable[[], V]) -> V:
        """A view of this catalog worked out once (the store is bounded): the points of a run's
        dates (`solver.memo.points`), the catalog tag nearest a free tag (`solver.notices`)."""
        return worked_out(self._active, key, compute)

    def measure_ids(self) -> tuple[str, ...]:
        """Every award id the catalog can pay, in catalog order (worked out once)."""
        found = self._active.get(("measure ids",))
        if found is None:
            found = self._active[("measure ids",)] = tuple(dict.fromkeys(rule.measure for rule in self.rules))
        return found

    def default_readings(self) -> dict[str, str]:
        return {key: spec.default for key, spec in self.index.readings.items()}

    def resolve_readings(self, given: dict[str, str] | None = None) -> dict[str, str]:
        """The defaults with `given` applied; an unknown key or value is a ReadingError. (A new
        dict each time; the readings resolved before are remembered.)"""
        try:
            key = ("readings", *sorted((given or {}).items()))
            known = self._active.get(key)
        except TypeError:  # a value that is not text: the checks below name it
            return self._resolved(given)
        if known is not None:
            return dict(known)
        readings = self._resolved(given)
        if len(self._active) > 256:
            self._active.clear()
        self._active[key] = tuple(readings.items())
        return readings

    def _resolved(self, given: dict[str, str] | None) -> dict[str, str]:
        readings = self.default_readings()
        for key, value in (given or {}).items():
            spec = self.index.readings.get(key)
            if spec is None:
                near = difflib.get_close_matches(key, list(self.index.readings), n=1)
                hint = t("validation.did_you_mean_key", near=near[0]) if near else ""
                raise ReadingError(t("reading.unknown", key=key, hint=hint), field="readings",
                                   accepted=", ".join(self.index.readings))
            if value not in spec.alternatives:
                raise ReadingError(t("reading.no_value", key=key, value=value), field=f"readings.{key}",
                                   accepted=", ".join(f"{key}={v}" for v in spec.alternatives))
            readings[key] = value
        return readings


def _read_yaml(path: Path) -> object:
    """A catalog file as plain data, through the same door and bounds as a record (models.yamlio:
    a regular file of at most MAX_CATALOG_BYTES, UTF-8, data tags only, no aliases, no key given
    twice); dates stay text for the schema to read and bound."""
    return read_document(path, what="catalog", limit=MAX_CATALOG_BYTES, error=CatalogError)


M = TypeVar("M", bound=Strict)
Fail = Callable[[CatalogError], None]


def _every_problem(data: object, path: Path) -> list[CatalogError]:
    """Every schema error of a source file, one CatalogError each (lint reports them all)."""
    try:
        SourceFileSpec.model_validate(data)
    except ValidationError as exc:
        return [CatalogError(p.message, file=path.name, field=p.field or None, accepted=p.accepted)
                for p in describe_all(exc, SourceFileSpec)]
    return []


def _validate(model: type[M], data: object, path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where, message, accepted = describe(exc, model)
        raise CatalogError(message, file=path.name, field=where or None, accepted=accepted) from exc


@dataclass(frozen=True)
class Package:
    """Where a package's files are: its directory, the packages it extends (nearest first), each
    source file's path, and the index as merged from the chain (for `measures export`)."""

    directory: Path
    chain: tuple[Path, ...]
    paths: dict[str, Path]
    index_data: dict[str, Any]

    def content_digest(self, texts: tuple[str, ...] = ()) -> str:
        """A SHA-256 of what the package says: every index along the `extends` chain, every
        source file and the source `texts` (relative names) — the same files, the same digest,
        wherever they are (a batch's `--resume` refuses a package whose content changed)."""
        digest = hashlib.sha256()
        parts = [(f"index{n}", root / INDEX_FILE) for n, root in enumerate(self.chain)]
        parts += sorted(self.paths.items())
        parts += [(f"text:{text}", path) for text in sorted(set(texts))
                  if (path := self.text_path(text)) is not None]
        for name, path in parts:
            data = read_text(path, what="catalog", limit=MAX_CATALOG_BYTES, error=CatalogError)
            digest.update(f"{name}\0{len(data)}\0".encode() + data.encode("utf-8"))
        return digest.hexdigest()

    def text_path(self, relative: str, file: str | None = None) -> Path | None:
        """A source text named in `file` (relative to it) or in the index (first found along the
        chain of packages, nearest first)."""
        roots = [self.paths[file].parent] if file is not None else list(self.chain)
        for root in roots:
            if (root / relative).is_file():
                return root / relative
        return None


def _merge(base: object, over: object) -> object:
    """An extending index over its base: mappings merge key by key; lists of entries with an
    `id` merge by id (an entry replaces the base's entry of that id, or is appended); anything
    else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{key: _merge(base[key], value) if key in base else value
                           for key, value in over.items()}}
    if isinstance(base, list) and isinstance(over, list) and all(
            isinstance(item, dict) and "id" in item for item in [*base, *over]):
        merged = {item["id"]: item for item in base}
        for item in over:
            merged[item["id"]] = _merge(merged[item["id"]], item) if item["id"] in merged else item
        return list(merged.values())
    return over


def read_package(directory: Path, _seen: tuple[Path, ...] = (),
                 problems: list[CatalogError] | None = None) -> Package:
    """The files of the package in `directory`, following `extends:` (schema not yet checked). A
    file named like a file of the extended package replaces it only when it says so
    (`replaces: NAME`); otherwise that is an error (reported in `problems` when given)."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise CatalogError(t("catalog.no_directory"), file=str(directory),
                           accepted=t("accepted.catalog_directory"))
    if directory in _seen:
        raise CatalogError(t("catalog.extends_circle"), file=str(directory / INDEX_FILE),
                           field="extends")
    if len(_seen) >= MAX_EXTENDS:
        raise CatalogError(t("catalog.extends_long", max=MAX_EXTENDS),
                           file=str(directory / INDEX_FILE), field="extends",
                           accepted=t("accepted.extends_long", max=MAX_EXTENDS - 1))
    data = _read_yaml(directory / INDEX_FILE)
    if not isinstance(data, dict):
        raise CatalogError(t("catalog.index_not_mapping"), file=str(directory / INDEX_FILE))
    data = dict(data)
    chain: tuple[Path, ...] = (directory,)
    paths: dict[str, Path] = {}
    base = data.pop("extends", None)
    if base is not None:
        if not isinstance(base, str) or not (directory / base).is_dir():
            raise CatalogError(t("catalog.extends_missing", base=base),
                               file=str(directory / INDEX_FILE), field="extends",
                               accepted=t("accepted.extends"))
        inherited = read_package(directory / base, (*_seen, directory))
        merged = _merge(inherited.index_data, data)
        if not isinstance(merged, dict):  # two mappings merge into a mapping
            raise BugError("an extending index did not merge into a mapping")
        data = merged
        chain += inherited.chain
        paths.update(inherited.paths)
    inherited_paths = dict(paths)
    for path in sorted(directory.glob("*.yaml")):
        if path.name == INDEX_FILE:
            continue
        problem = _replacement_problem(path, inherited_paths)
        if problem is not None:
            if problems is None:
                raise problem
            problems.append(problem)
            continue
        paths[path.name] = path
    return Package(directory=directory, chain=chain, paths=paths, index_data=data)


def _replacement_problem(path: Path, inherited: dict[str, Path]) -> CatalogError | None:
    """Is a file's `replaces:` what its name does (None), or an error?"""
    if path.name not in inherited:  # (a `replaces:` of a new name is checked with its schema)
        return None
    data = _read_yaml(path)  # bounded, as every catalog file
    said = data.get("replaces") if isinstance(data, dict) else None
    if said != path.name:
        return CatalogError(t("catalog.same_name", base=inherited[path.name], name=path.name),
                            file=path.name, field="replaces")
    return None


def _replaces_nothing(name: str, spec: SourceFileSpec, package: Package) -> CatalogError | None:
    """A file that says it replaces a file the extended packages do not have."""
    if spec.replaces is None or (spec.replaces == name and any(
            (root / name).is_file() for root in package.chain[1:])):
        return None
    return CatalogError(t("catalog.replaces_nothing", name=spec.replaces)
                        + (t("catalog.replaces_own_name") if spec.replaces != name else ""),
                        file=name, field="replaces")


def load_raw(directory: Path, problems: list[CatalogError] | None = None
             ) -> tuple[IndexSpec, dict[str, SourceFileSpec], Package]:
    """Index and source files, schema-checked, with nothing cross-checked yet (lint does that).
    With `problems`, a file that does not validate is reported there and left out."""
    package = read_package(directory, problems=problems)
    index = _validate(IndexSpec, package.index_data, package.directory / INDEX_FILE)
    files: dict[str, SourceFileSpec] = {}
    for name, path in package.paths.items():
        try:
            data = _read_yaml(path)
        except CatalogError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        try:
            files[name] = _validate(SourceFileSpec, data, path)
        except CatalogError as exc:
            if problems is None:
                raise
            problems += _every_problem(data, path) or [exc]  # each schema error of the file
            continue
        wrong = _replaces_nothing(name, files[name], package)
        if wrong is not None:
            if problems is None:
                raise wrong
            problems.append(wrong)
    if not files and not problems:
        raise CatalogError(t("catalog.no_files"), file=str(directory))
    # Brochure order: the municipal items, then the districts by their item number; editions last.
    ordered = sorted(files.items(), key=lambda item: (item[1].edition is not None,
                                                      item[1].payer != MUNICIPAL_PAYER,
                                                      min(item[1].brochure_items, default=0),
                                                      item[0]))
    return index, dict(ordered), package


def build(directory: Path, index: IndexSpec, files: dict[str, SourceFileSpec],
          package: Package | None = None, problems: list[CatalogError] | None = None) -> Catalog:
    """Flatten source files into rules and benefits with parsed conditions and resolved sources,
    checked against the vocabulary; apply editions (the rules they close stop the day before).

    A problem is a CatalogError naming the file and the path inside it; with `problems` given,
    every problem is collected there (the offending rule left out) instead of the first raised."""
    def fail(problem: CatalogError) -> None:
        if problems is None:
            raise problem
        problems.append(problem)

    rules: list[Rule] = []
    benefits: list[Benefit] = []
    families: dict[str, tuple[str, MeasureSpec]] = {}
    vocabulary = Vocabulary(jurisdiction=index.jurisdiction, spec=index.vocabulary)
    order = {name: vocabulary.tiers for name, spec in index.conditions.items() if spec.type == "tier"}
    for tier in index.windows:
        if tier not in vocabulary.tiers:
            fail(CatalogError(t("catalog.window_tier", tier=tier), file=INDEX_FILE,
                              field=f"windows.{tier}", accepted=", ".join(vocabulary.tiers)))
    for name, spec in files.items():
        if spec.payer != MUNICIPAL_PAYER and spec.payer not in vocabulary.districts:
            fail(CatalogError(t("catalog.payer", payer=spec.payer, municipal=MUNICIPAL_PAYER),
                              file=name, field="payer", accepted=", ".join((MUNICIPAL_PAYER, *vocabulary.districts))))
            continue
        sources = {source.key: source for source in spec.sources}
        for m, measure in enumerate(spec.measures):
            if measure.id in families:
                fail(CatalogError(t("catalog.measure_twice", id=measure.id, other=families[measure.id][0]),
                                  file=name, field=f"measures[{m}].id"))
                continue
            families[measure.id] = (name, measure)
            for r, rule in enumerate(measure.rules):
                made = _rule(rule, f"measures[{m}].rules[{r}]", name, spec, measure, sources,
                             index, vocabulary, order, fail)
                if made is not None:
                    rules.append(made)
            for b, benefit in enumerate(measure.benefits):
                conditions = _parse_all(benefit.conditions, name, f"measures[{m}].benefits[{b}]",
                                        order, fail)
                if conditions is not None:
                    benefits.append(Benefit(spec=benefit, family=measure.id, sources=spec.sources,
                                            conditions=conditions))
    return Catalog(directory=directory, index=index, files=files,
                   rules=_editions(files, rules, fail), benefits=tuple(benefits),
                   vocabulary=vocabulary, families=families, package=package)


def _rule(rule: RuleSpec, where: str, name: str, spec: SourceFileSpec, measure: MeasureSpec,
          sources: dict[str, SourceSpec], index: IndexSpec, vocabulary: Vocabulary,
          order: dict[str, tuple[str, ...]], fail: Fail) -> Rule | None:
    """One rule ready for the compiler, or None (after `fail`) when it cannot be."""
    if rule.source is not None and rule.source not in sources:
        fail(CatalogError(t("catalog.unknown_source", id=rule.id, source=rule.source), file=name,
                          field=f"{where}.source", accepted=", ".join(sources)))
        return None
    for key, levels in (("levels", rule.levels or {}), ("recognition_counts_as", rule.recognition_counts_as),
                        ("ladder_level", [rule.ladder_level] if rule.ladder_level else [])):
        unknown = [level for level in levels if level not in vocabulary.levels]
        if unknown:
            fail(CatalogError(t("catalog.not_a_level", id=rule.id, level=unknown[0]), file=name,
                              field=f"{where}.{key}", accepted=", ".join(vocabulary.levels)))
            return None
    if rule.difference == "reading":
        try:
            _check_reading(index.readings, *STACKING_READING)
        except ValueError as exc:
            fail(CatalogError(t("catalog.difference_reading", id=rule.id, why=exc), file=name,
                              field=f"{where}.difference"))
            return None
    conditions = _parse_all(rule.conditions, name, where, order, fail)
    if conditions is None:
        return None
    if spec.edition is not None and rule.effective_from is None:  # an edition opens its rules
        rule = rule.model_copy(update={"effective_from": spec.edition.in_force_from})
    cited = (sources[rule.source],) if rule.source else spec.sources
    return Rule(spec=rule, measure=rule.measure or rule.id, family=measure.id, payer=spec.payer,
                file=name, sources=cited, conditions=conditions)


def _editions(files: dict[str, SourceFileSpec], rules: list[Rule], fail: Fail) -> tuple[Rule, ...]:
    """Close the rules each edition names: they apply until the day before it is in force."""
    for name, spec in files.items():
        if spec.edition is None:
            continue
        last_day = spec.edition.in_force_from - dt.timedelta(days=1)
        for number, closed in enumerate(spec.edition.closes):
            hits = [i for i, rule in enumerate(rules) if rule.id == closed and rule.file != name]
            if not hits:
                known = [rule.id for rule in rules]
                near = difflib.get_close_matches(closed, known, n=1)
                fail(CatalogError(t("catalog.closes_nothing", closed=closed)
                                  + (t("validation.did_you_mean_key", near=near[0]) if near else ""),
                                  file=name, field=f"edition.closes[{number}]"))
            for i in hits:
                spec_ = rules[i].spec
                end = min(spec_.effective_to, last_day) if spec_.effective_to else last_day
                rules[i] = replace(rules[i], spec=spec_.model_copy(update={"effective_to": end}))
    return tuple(rules)


def _parse_all(texts: tuple[str, ...], file: str, where: str, order: dict[str, tuple[str, ...]],
               fail: Fail) -> tuple[Condition, ...] | None:
    parsed: list[Condition] = []
    broken = False
    for number, text in enumerate(texts):  # every bad condition is reported, not only the first
        try:
            parsed.append(parse_condition(text, order))
        except CatalogError as exc:
            exc.file, exc.field = file, f"{where}.conditions[{number}]"
            fail(exc)
            broken = True
    # (Only lint collects problems instead of raising: it still checks the conditions that parse.)
    return tuple(parsed)


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """The catalog in `directory` (default: the shipped Beijing catalog), loaded once (however
    the directory is passed: `load_catalog()` and `open_catalog(None)` are one catalog)."""
    return _load_catalog(directory if isinstance(directory, Path) else Path(directory))


@functools.lru_cache(maxsize=8)
def _load_catalog(directory: Path) -> Catalog:
    with _no_collections():
        index, files, package = load_raw(directory)
        return build(directory, index, files, package)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """A catalog is built of objects that all live as long as it does: a collection while it is
    built only walks them again and again (half the load of 10,000 rules). The cyclic collector
    waits until it is built (the garbage it leaves is bounded by the package's size limits)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_ACTIVE_CATALOG: contextvars.ContextVar[Catalog | None] = contextvars.ContextVar(
    "zjtx_catalog", default=None)


def active_catalog() -> Catalog:
    """The catalog of this command or request (`--catalog DIR`), else the shipped one: what a
    record is validated against and what names things when no catalog is passed explicitly."""
    return _ACTIVE_CATALOG.get() or _load_catalog(CATALOG_DIR)  # (asked for on every row)


# The message catalogue's kinds → the catalog vocabulary's kinds (a "district" may be the place
# outside the jurisdiction; an expense "category").
VOCABULARY_KINDS = {"district": "place", "tier": "tier", "level": "level",
                    "entity_type": "entity_type", "industry": "industry",
                    "category": "expense_category", "board": "board",
                    "qualification": "qualification"}


def name(kind: str, ident: str | None, lang: str | None = None, *, short: bool = False) -> str:
    """The display name of an id (`district`, `dongcheng` → 东城区): the active catalog's own
    names for its measures first, then the message catalogue's (`models.i18n.label`), then the
    catalog's vocabulary for districts, tiers and the other closed lists; unknown ids as given."""
    if ident is None:
        return ""
    lang = lang or current_lang()
    if kind == "measure":  # a package's own names for its measures come first
        declared = active_catalog().measure_names().get(ident)
        if declared is not None:
            return declared.zh if lang == "zh" else declared.en
    found = label(kind, ident, lang, short=short)
    if found is not None:
        return found
    if kind in VOCABULARY_KINDS:
        vocabulary = active_catalog().vocabulary
        if ident in vocabulary.ids(VOCABULARY_KINDS[kind]):
            return vocabulary.name(VOCABULARY_KINDS[kind], ident, lang, short=short)
    return ident


def set_active_catalog(catalog: Catalog | None) -> None:
    """Use `catalog` from now on in this context (the CLI sets it once per command)."""
    _ACTIVE_CATALOG.set(catalog)


_Call = TypeVar("_Call", bound=Callable[..., Any])


def _catalog_scope(start: Callable[[], Catalog | None]) -> Callable[[_Call], _Call]:
    """A decorator: the call runs with `start()` as the active catalog (None: the shipped one; it
    may set another) and leaves the caller's active again when it returns or raises."""
    def decorate(call: _Call) -> _Call:
        @functools.wraps(call)
        def scoped(*args: Any, **kwargs: Any) -> Any:
            with using_catalog(start()):
                return call(*args, **kwargs)
        return scoped  # type: ignore[return-value]
    return decorate


# A command starts from the shipped catalog (its --catalog may change that).
own_catalog = _catalog_scope(lambda: None)
# A batch run keeps the caller's catalog while it runs (the parent of a --jobs run keys rows by it).
keeps_catalog = _catalog_scope(lambda: _ACTIVE_CATALOG.get())


@contextlib.contextmanager
def using_catalog(catalog: Catalog | None) -> Iterator[Catalog]:
    """Use `catalog` inside the block (None: the shipped one)."""
    token = _ACTIVE_CATALOG.set(catalog)
    try:
        yield active_catalog()
    finally:
        _ACTIVE_CATALOG.reset(token)


def open_catalog(directory: Path | str | None = None) -> Catalog:
    """The catalog package in `directory` (None: the shipped Beijing package), loaded once."""
    return load_catalog(Path(directory).resolve() if directory is not None else CATALOG_DIR)


def open_catalog_on(directory: Path | str | None, day: dt.date | None) -> Catalog:
    """The package in `directory` as in force on `day` (None: whole), one object per package and
    day for as long as the package itself is the one loaded (memoized answers know a catalog by
    its identity)."""
    catalog = open_catalog(directory)
    if day is None:
        return catalog
    hit = _DATED.get((catalog.directory, day))
    if hit is None or hit[0] is not catalog:
        if len(_DATED) >= 16:
            _DATED.clear()
        hit = _DATED[(catalog.directory, day)] = (catalog, catalog.in_force(day))
    return hit[1]


_DATED: dict[tuple[Path, dt.date], tuple[Catalog, Catalog]] = {}  # (package, day) → (it, dated)


def catalog_dates(catalog: Catalog) -> tuple[dt.date, ...]:
    """Every date a catalog's rules and benefits turn on (effective dates, dates in conditions,
    any dated field: `CatalogFacts.dates`), sorted."""
    return catalog.facts.dates


def package_schema(part: str | None = None) -> dict[str, Any]:
    """The JSON Schema of a package's files: `index` (index.yaml), `source` (a source document
    file), or both (the default)."""
    schemas = {"index": IndexSpec.model_json_schema(), "source": SourceFileSpec.model_json_schema()}
    if part is None:
        return {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "zjtx catalog package",
                "description": "index.yaml follows `index`; every other *.yaml file `source`.",
                "properties": schemas}
    if part not in schemas:
        raise InputError(f"no schema part {part!r}", field="--part", accepted="index, source")
    return schemas[part]


def package_files(catalog: Catalog) -> dict[str, bytes]:
    """Every file of `catalog`'s package as a standalone package holds it (relative path →
    bytes): each file as written (an `extends` chain flattened into one index) and every source
    text the files quote. What `measures export` writes and an evidence bundle carries."""
    package = catalog.package
    if package is None:
        raise InputError("this catalog was built in memory and has no files to export")
    files: dict[str, bytes] = {}
    if len(package.chain) == 1:  # the index as written, comments and all
        files[INDEX_FILE] = _bounded(package.directory / INDEX_FILE)
    else:
        files[INDEX_FILE] = ("# Exported by `zjtx measures export` from " + package.directory.name
                             + " (its `extends` chain flattened).\n"
                             + yaml.safe_dump(package.index_data, allow_unicode=True,
                                              sort_keys=False, width=100)).encode("utf-8")
    texts = {catalog.index.brochure.file: package.text_path(catalog.index.brochure.file)}
    for name, path in package.paths.items():
        files[name] = _bounded(path)
        text = catalog.files[name].text if name in catalog.files else None
        if text is not None:
            texts[text] = package.text_path(text, name)
    for relative, source in texts.items():
        if source is not None:
            files[relative] = _bounded(source)
    return files


def _bounded(path: Path) -> bytes:
    """A package file's bytes, within a catalog file's bounds (a regular file, at most
    MAX_CATALOG_BYTES: a source text that is /dev/zero is refused, not read)."""
    return read_limited(path, what="catalog", limit=MAX_CATALOG_BYTES, error=CatalogError)


def export_package(catalog: Catalog, target: Path) -> list[Path]:
    """Write `catalog` to `target` as a standalone package (`package_files`)."""
    files = package_files(catalog)
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError("exists and is not an empty directory", file=str(target), field="DIR",
                         accepted="a new or empty directory")
    try:
        target.mkdir(parents=True, exist_ok=True)
        return _export(files, target)
    except OSError as exc:  # a place that refuses files: one clear message, never a traceback
        raise InputError(f"cannot be written ({exc.strerror or exc})", file=str(target),
                         field="DIR") from None


def _export(files: dict[str, bytes], target: Path) -> list[Path]:
    written: list[Path] = []
    for relative, data in files.items():
        path = target / relative
        if not path.resolve().is_relative_to(target.resolve()):  # (a text named ../../x)
            raise InputError(f"{relative!r} would be written outside the package",
                             file=str(target), field="DIR")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


REFORM_FIELDS = ("amount", "percent", "cap")


def _reform_rule(rule: RuleSpec, level: str | None, field: str, value: int, path: str) -> RuleSpec:
    def validated(model: type[M], data: dict[str, object]) -> M:
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
            return validated(Amount, {**amount.model_dump(), "percent": value})
        key = "fixed" if amount.fixed is not None else "up_to" if amount.up_to is not None else None
        if key is None:
            raise InputError(f"rule {rule.id} has no fixed or up-to amount to change", field="reform")
        return validated(Amount, {**amount.model_dump(), key: value})

    if field == "cap":
        if not rule.caps:
            raise InputError(f"rule {rule.id} has no cap", field="reform")
        # Every cap of the rule (caps that readings pick between state one limit each way).
        return rule.model_copy(update={"caps": tuple(
            validated(Cap, {**cap.model_dump(), "limit": value}) for cap in rule.caps)})
    if rule.levels is not None:
        levels = [level] if level else list(rule.levels)
        missing = [lv for lv in levels if lv not in rule.levels]
        if missing:
            raise InputError(f"rule {rule.id} has no {missing[0]} level", field="reform",
                             accepted=", ".join(rule.levels))
        return rule.model_copy(update={"levels": {lv: amount_with(a) if lv in levels else a
                                                  for lv, a in rule.levels.items()}})
    if rule.amount is None:  # the schema gives every rule levels or an amount
        raise BugError(f"rule {rule.id} has neither levels nor an amount")
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
        level = parts[-2] if parts[-2] in catalog.vocabulary.levels else None
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
    return build(catalog.directory, catalog.index, files, catalog.package)
