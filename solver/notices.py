"""Never silent: what in a valid record is probably a mistake, as warnings beside the answer.

- an industry tag the catalog does not use, with the nearest tag it does use and the awards that
  tag would bring (`industries: [hydrogen]` in Daxing: hydrogen_energy brings daxing.tier);
- a reward listed as received that is larger than its clause ever pays;
- (views.fonts) characters of the record beyond the page's font.

Warnings are typed data: one frozen dataclass per kind (`Notice` is their closed union), the field
they are about and their facts (ids, yuan as ints). `views/notices.py` puts them into words, in
either language; `as_dict` is their JSON before the words (`views.reasons.with_text` fills the
`message` and the `params` a person reads), `notice_of` reads it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias, Union

from models.catalog import Catalog, active_catalog
from models.errors import BugError
from models.normalize import lookup_key, spellings
from models.record import EnterpriseRecord


@dataclass(frozen=True)
class IndustryUnused:
    """An industry tag no condition of the catalog names, and none near it (it changes nothing)."""

    code: ClassVar[str] = "industry_unused"
    field: str
    tag: str
    known: tuple[str, ...]  # the tags the catalog's conditions name

    def as_dict(self) -> dict[str, object]:
        return _json(self, {"tag": self.tag, "known": list(self.known)})


@dataclass(frozen=True)
class IndustryUnknown:
    """An industry tag the catalog does not name, near one it does, and what that one brings."""

    code: ClassVar[str] = "industry_unknown"
    field: str
    tag: str
    near: str
    gains: tuple[tuple[str, int], ...]  # (measure, yuan more) with the near tag instead
    testing: tuple[str, ...]  # when it brings nothing more: the measures whose conditions name it

    def as_dict(self) -> dict[str, object]:
        return _json(self, {"tag": self.tag, "near": self.near,
                            "gains": [list(gain) for gain in self.gains],
                            "testing": list(self.testing)})


@dataclass(frozen=True)
class ReceivedAboveClause:
    """A reward listed as received above the most its clauses pay."""

    code: ClassVar[str] = "received_above_clause"
    field: str
    amount: int
    measure: str
    limit: int

    def as_dict(self) -> dict[str, object]:
        return _json(self, {"amount": self.amount, "measure": self.measure, "limit": self.limit})


@dataclass(frozen=True)
class MissingGlyphs:
    """Characters of a field beyond the page's font (views.fonts.glyph_notices)."""

    code: ClassVar[str] = "missing_glyph"
    field: str
    chars: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return _json(self, {"chars": list(self.chars)})


# Every kind of warning: `views/notices.py` renders each (its match ends in assert_never).
Notice: TypeAlias = Union[IndustryUnused, IndustryUnknown, ReceivedAboveClause, MissingGlyphs]


def _json(notice: Notice, params: dict[str, object]) -> dict[str, object]:
    """A warning's JSON before its words: `message` (and the words of `params`) come from views."""
    return {"code": notice.code, "field": notice.field, "message": None, "params": params}


def notice_of(data: Mapping[str, Any]) -> Notice:
    """A warning read back from its JSON (`as_dict`)."""
    field, params = str(data["field"]), data["params"]
    match data["code"]:
        case IndustryUnused.code:
            return IndustryUnused(field, params["tag"], tuple(params["known"]))
        case IndustryUnknown.code:
            return IndustryUnknown(field, params["tag"], params["near"],
                                   tuple((measure, gain) for measure, gain in params["gains"]),
                                   tuple(params["testing"]))
        case ReceivedAboveClause.code:
            return ReceivedAboveClause(field, params["amount"], params["measure"],
                                       params["limit"])
        case MissingGlyphs.code:
            return MissingGlyphs(field, tuple(params["chars"]))
    raise BugError(f"no kind of warning {data['code']!r}")


def catalog_tags(catalog: Catalog) -> tuple[str, ...]:
    """The industry tags some rule or benefit of the catalog tests (sorted)."""
    return catalog.facts.tags


def _nearest_tag(tag: str, catalog: Catalog) -> str | None:
    """The tag the catalog's conditions name nearest to `tag` (None: none), under the catalog's
    spellings (worked out once per catalog: a batch meets the same free tags row after row)."""
    return catalog.worked_out(("nearest tag", tag), lambda: _find_nearest_tag(tag, catalog))


def _find_nearest_tag(tag: str, catalog: Catalog) -> str | None:
    import difflib

    tags = catalog.facts.tags
    table = {spelling: ident for spelling, ident in spellings("industry", catalog.vocabulary).items()
             if ident in tags}
    table.update({lookup_key(ident): ident for ident in tags})
    key = lookup_key(tag)
    partial = sorted({ident for spelling, ident in table.items()
                      if key and (key in spelling or spelling in key)})
    if len(partial) == 1:
        return partial[0]
    close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.5)
    return table[close[0]] if close else None


Gains = tuple[tuple[tuple[str, int], ...], tuple[str, ...]]  # see IndustryUnknown


def _gains(record: EnterpriseRecord, tag: str, near: str, readings: dict[str, str],
           catalog: Catalog) -> Gains:
    """The awards the record would get with `near` instead of `tag` (`daxing.tier`, 500,000 more)
    and, when it gets none more, the measures whose conditions name `near`."""
    from solver.evaluate import evaluate_amounts

    changed = record.model_copy(update={"industries": sorted({*record.industries, near} - {tag})})
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for amounts, into in ((evaluate_amounts(record, readings, catalog=catalog), before),
                          (evaluate_amounts(changed, readings, catalog=catalog), after)):
        for measure, _payer, _year, amount in amounts:
            into[measure] = into.get(measure, 0) + amount.max
    gained = tuple((measure, after[measure] - before.get(measure, 0))
                   for measure in after if after[measure] > before.get(measure, 0))
    if gained:
        return gained, ()
    testing = sorted({rule.measure for rule in catalog.rules for c in rule.conditions
                      if c.field == "industry" and near in (c.value if isinstance(c.value, frozenset)
                                                            else {c.value})})
    return (), tuple(testing)


def _clause_limit(catalog: Catalog, measure: str, tier: str | None) -> int | None:
    """The most a measure's clauses ever pay at once (None when no fixed figure is stated)."""
    limits: list[int] = []
    for rule in catalog.rules:
        if rule.measure != measure:
            continue
        amounts = ([rule.spec.levels[tier]] if rule.spec.levels and tier in rule.spec.levels
                   else list(rule.spec.levels.values()) if rule.spec.levels
                   else [rule.spec.amount] if rule.spec.amount else [])
        for amount in amounts:
            figure = amount.fixed if amount.fixed is not None else amount.up_to
            if figure is None:
                return None  # a percent or "not less than": no fixed ceiling
            limits.append(figure)
    return max(limits) if limits else None


def tag_notices(tags: list[str], catalog: Catalog,
                gains: Callable[[str, str], Gains] | None = None) -> list[Notice] | None:
    """The warnings about a record's industry tags (sorted, as the record holds them) that no
    condition of the catalog names; `gains(tag, near)` says what the record would gain with the
    near tag instead. None when a tag has a near one and `gains` is not given (the warning needs
    the record)."""
    notices: list[Notice] = []
    for index, tag in enumerate(tags):
        if tag in catalog.facts.tags:
            continue
        near = _nearest_tag(tag, catalog)
        if near is None:
            notices.append(IndustryUnused(f"industries[{index}]", tag, catalog.facts.tags))
        elif gains is None:
            return None
        else:
            notices.append(IndustryUnknown(f"industries[{index}]", tag, near, *gains(tag, near)))
    return notices


def record_notices(record: EnterpriseRecord, readings: dict[str, str] | None = None, *,
                   catalog: Catalog | None = None) -> list[Notice]:
    """Every warning about a valid record, in a stable order."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    notices = tag_notices(record.industries, catalog,
                          lambda tag, near: _gains(record, tag, near, chosen, catalog)) or []
    for index, item in enumerate(record.rewards_received):
        limit = _clause_limit(catalog, item.measure, item.tier)
        if limit is not None and item.amount > limit:
            notices.append(ReceivedAboveClause(f"rewards_received[{index}]", item.amount,
                                               item.measure, limit))
    return notices
