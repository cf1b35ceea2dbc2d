"""The vocabulary a catalog package declares: its jurisdiction, districts, the place outside it,
ordered tiers, entity types, industry tags, expense categories, listing boards and qualification
kinds — each with Chinese and English names and the aliases input may use.

The engine has no list of its own: a record, a condition and every view take these from the
loaded catalog (`load_catalog().vocabulary`). The API, for views and the bilingual input layer:

    vocabulary = load_catalog().vocabulary
    vocabulary.ids("district")              # every district id, in declared order
    vocabulary.ids("place")                 # the districts, then the place outside
    vocabulary.name("district", "dongcheng", "zh")          # '东城区'
    vocabulary.name("tier", "national", "zh", short=True)   # '小巨人'
    vocabulary.aliases("district", "dongcheng")             # ('东城', 'Dongcheng')
    vocabulary.nearest("district", "dongchen")              # 'dongcheng' (or None)
    vocabulary.tier_rank["municipal"], vocabulary.level_of("privileged")   # 1, 'national'
    vocabulary.programmes("leased_equipment")               # ('m1', 'm4')

Kinds (`KINDS`): district, place, outside, tier, level, entity_type, industry, expense_category,
board, qualification, jurisdiction. `name` falls back to English, then to the id; a short name
falls back to the full one. An unknown kind or id is a KeyError naming both (a programming error:
input is checked against `ids` first).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.errors import BugError
from models.i18n import t

V = TypeVar("V")


def worked_out(store: dict[tuple[object, ...], tuple[Any, ...]], key: tuple[object, ...],
               compute: Callable[[], V], bound: int = 4096) -> V:
    """`compute()` once per `key` in an object's own `store` (a catalog's, a vocabulary's), which
    is emptied when it holds more than `bound` views: what a run derives from the object lives and
    dies with it (no module-level cache keyed by id())."""
    found = store.get(key)
    if found is None:
        if len(store) > bound:
            store.clear()
        found = store[key] = (compute(),)
    value: V = found[0]
    return value

LANGUAGES = ("en", "zh")
KINDS = ("jurisdiction", "district", "outside", "place", "tier", "level", "entity_type",
         "industry", "expense_category", "board", "qualification")


class Strict(BaseModel):
    """Catalog data: unknown fields are errors, and loaded data never changes."""

    # defer_build: each schema is built when first used (start-up: nested models are built once,
    # inside the model that uses them, instead of once more each at import).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Term(Strict):
    """One entry of a closed list: its id (what records and conditions write) and its names."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    zh_short: str | None = None
    en_short: str | None = None
    aliases: tuple[str, ...] = ()


class TierTerm(Term):
    """A tier, lowest first; `level` is the rung of a district ladder it counts as (or none)."""

    level: str | None = None


class CategoryTerm(Term):
    """An expense category and the programmes (measure families) that may take an item of it."""

    programmes: tuple[str, ...] = Field(min_length=1)


class VocabularySpec(Strict):
    """The `vocabulary:` section of a catalog's index.yaml."""

    districts: tuple[Term, ...] = Field(min_length=1)
    outside: Term
    tiers: tuple[TierTerm, ...] = Field(min_length=1)
    entity_types: tuple[Term, ...] = Field(min_length=1)
    industries: tuple[Term, ...] = ()
    expense_categories: tuple[CategoryTerm, ...] = ()
    boards: tuple[Term, ...] = ()
    qualifications: tuple[Term, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> VocabularySpec:
        for name in ("districts", "tiers", "entity_types", "industries", "expense_categories",
                     "boards", "qualifications"):
            ids = [term.id for term in getattr(self, name)]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(t("vocabulary.twice", name=name, ids=", ".join(twice)))
        if self.outside.id in {d.id for d in self.districts}:
            raise ValueError(t("vocabulary.outside", id=self.outside.id))
        tiers = [tier.id for tier in self.tiers]
        bad = sorted({tier.level for tier in self.tiers if tier.level is not None and tier.level not in tiers})
        if bad:
            raise ValueError(t("vocabulary.level", level=bad[0])
                             + t("error.accepted", accepted=", ".join(tiers)))
        return self


@dataclass(frozen=True)
class Vocabulary:
    """The typed, read-only view of a catalog's vocabulary (see the module docstring)."""

    jurisdiction: Term
    spec: VocabularySpec
    _terms: dict[str, dict[str, Term]] = field(default_factory=dict, repr=False, compare=False)
    # Worked out once: every record asks for them (validation, canonical order, the compiler).
    _ids: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _rank: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _derived: dict[tuple[object, ...], tuple[Any, ...]] = field(default_factory=dict, repr=False,
                                                                compare=False)

    def __post_init__(self) -> None:
        spec = self.spec
        levels = tuple(dict.fromkeys(t.level for t in spec.tiers if t.level is not None))
        by_id = {t.id: t for t in spec.tiers}
        terms = {
            "jurisdiction": (self.jurisdiction,),
            "district": spec.districts,
            "outside": (spec.outside,),
            "place": spec.districts + (spec.outside,),
            "tier": spec.tiers,
            "level": tuple(by_id[level] for level in levels),
            "entity_type": spec.entity_types,
            "industry": spec.industries,
            "expense_category": spec.expense_categories,
            "board": spec.boards,
            "qualification": spec.qualifications,
        }
        self._terms.update({kind: {t.id: t for t in items} for kind, items in terms.items()})
        self._ids.update({kind: tuple(items) for kind, items in self._terms.items()})
        self._rank.update({tier: rank for rank, tier in enumerate(self._ids["tier"])})

    def worked_out(self, key: tuple[object, ...], compute: Callable[[], V]) -> V:
        """A view of this vocabulary worked out once (models.normalize's spellings)."""
        return worked_out(self._derived, key, compute, 64)

    # -- ordered ids -----------------------------------------------------------------------------
    def ids(self, kind: str) -> tuple[str, ...]:
        """Every id of a kind, in declared order (tiers lowest first)."""
        found = self._ids.get(kind)
        return found if found is not None else tuple(self._kind(kind))

    @property
    def districts(self) -> tuple[str, ...]:
        return self.ids("district")

    @property
    def outside(self) -> str:
        """The place outside the jurisdiction (`outside_beijing`)."""
        return self.spec.outside.id

    @property
    def places(self) -> tuple[str, ...]:
        return self.ids("place")

    @property
    def tiers(self) -> tuple[str, ...]:
        return self.ids("tier")

    @property
    def levels(self) -> tuple[str, ...]:
        """The rungs of a district ladder, lowest first (`municipal`, `national`)."""
        return self.ids("level")

    @property
    def tier_rank(self) -> Mapping[str, int]:
        return MappingProxyType(self._rank)  # read-only: no caller may change it, none pays a copy

    def level_of(self, tier: str) -> str | None:
        """The ladder rung a recognition at `tier` counts for (`privileged` counts as `national`)."""
        term = self._term("tier", tier)
        if not isinstance(term, TierTerm):  # the schema builds every tier as a TierTerm
            raise BugError(f"tier {tier!r} is a {type(term).__name__}, not a tier term")
        return term.level

    def programmes(self, category: str) -> tuple[str, ...]:
        """The programmes that may take an expense item of `category` (R4)."""
        term = self._term("expense_category", category)
        if not isinstance(term, CategoryTerm):  # the schema builds every category as a CategoryTerm
            raise BugError(f"expense category {category!r} is a {type(term).__name__}, not a "
                           "category term")
        return term.programmes

    # -- names ------------------------------------------------------------------------------------
    def name(self, kind: str, ident: str, lang: str = "en", *, short: bool = False) -> str:
        """The display name of an id in `lang` ("en" or "zh"); short names where declared."""
        if lang not in LANGUAGES:
            raise KeyError(f"unknown language {lang!r} (accepted: {', '.join(LANGUAGES)})")
        term = self._term(kind, ident)
        if short and getattr(term, f"{lang}_short"):
            return str(getattr(term, f"{lang}_short"))
        return str(getattr(term, lang) or term.en or term.id)

    def aliases(self, kind: str, ident: str) -> tuple[str, ...]:
        """The other spellings input may use for an id (beyond the id and the names)."""
        return self._term(kind, ident).aliases

    def term(self, kind: str, ident: str) -> Term:
        """The whole declared entry (id, names, aliases and the kind's own fields)."""
        return self._term(kind, ident)

    def nearest(self, kind: str, value: str) -> str | None:
        """The declared id closest to a misspelt `value`, for a did-you-mean hint."""
        near = difflib.get_close_matches(value, list(self._kind(kind)), n=1, cutoff=0.6)
        return near[0] if near else None

    # -- internals ----------------------------------------------------------------------------------
    def _kind(self, kind: str) -> dict[str, Term]:
        if kind not in self._terms:
            raise KeyError(f"unknown vocabulary kind {kind!r} (accepted: {', '.join(KINDS)})")
        return self._terms[kind]

    def _term(self, kind: str, ident: str) -> Term:
        terms = self._kind(kind)
        if ident not in terms:
            raise KeyError(f"unknown {kind} {ident!r} (accepted: {', '.join(terms)})")
        return terms[ident]
