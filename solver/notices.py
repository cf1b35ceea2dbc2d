"""Never silent: what in a valid record is probably a mistake, as warnings beside the answer.

- an industry tag the catalog does not use, with the nearest tag it does use and the awards that
  tag would bring (`industries: [hydrogen]` in Daxing: hydrogen_energy brings daxing.tier);
- a reward listed as received that is larger than its clause ever pays.

Warnings are typed data (a code, the field and parameters); views render them in either language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from models.catalog import Catalog, active_catalog, name
from models.i18n import t
from models.normalize import accepted_values, lookup_key, spellings
from models.record import EnterpriseRecord


@dataclass(frozen=True)
class Notice:
    """One warning: `code` names the message (warning.CODE in the message catalogue)."""

    code: str
    field: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def text(self) -> str:
        params = self.params
        if self.code == "industry_unused":  # the tags the catalog uses, each with its name
            params = {**params, "known": accepted_values("industry", ids=params["known"].split(", "))}
        return f"{self.field}: " + t(f"warning.{self.code}", **params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.text(), "params": self.params}


_TAGS: dict[int, tuple[Catalog, tuple[str, ...]]] = {}  # per catalog, kept alive (ids not reused)


def catalog_tags(catalog: Catalog) -> tuple[str, ...]:
    """The industry tags some rule or benefit of the catalog tests (worked out once per catalog)."""
    hit = _TAGS.get(id(catalog))
    if hit is not None and hit[0] is catalog:
        return hit[1]
    if len(_TAGS) >= 64:
        _TAGS.clear()
    found = _TAGS[id(catalog)] = (catalog, _catalog_tags(catalog))
    return found[1]


def _catalog_tags(catalog: Catalog) -> tuple[str, ...]:
    tags: set[str] = set()
    for conditions in (*(r.conditions for r in catalog.rules),
                       *(b.conditions for b in catalog.benefits)):
        for condition in conditions:
            if condition.field == "industry":
                value = condition.value
                tags.update(value if isinstance(value, frozenset) else [str(value)])
    return tuple(sorted(tags))


# (tag, id of the tags) → (the vocabulary and tags it was found with, the nearest tag): a batch
# meets the same unknown tags on row after row, and difflib is slow.
_NEAREST: dict[tuple[str, int], tuple[Any, tuple[str, ...], str | None]] = {}


def _nearest_tag(tag: str, tags: tuple[str, ...]) -> str | None:
    """The catalog tag nearest to `tag` under the active vocabulary's spellings (None: none)."""
    vocabulary = active_catalog().vocabulary
    hit = _NEAREST.get((tag, id(tags)))
    if hit is not None and hit[0] is vocabulary and hit[1] is tags:
        return hit[2]
    if len(_NEAREST) >= 10_000:
        _NEAREST.clear()
    near = _find_nearest_tag(tag, tags)
    _NEAREST[(tag, id(tags))] = (vocabulary, tags, near)
    return near


def _find_nearest_tag(tag: str, tags: tuple[str, ...]) -> str | None:
    import difflib

    table = {spelling: ident for spelling, ident in spellings("industry").items() if ident in tags}
    table.update({lookup_key(ident): ident for ident in tags})
    key = lookup_key(tag)
    partial = sorted({ident for spelling, ident in table.items()
                      if key and (key in spelling or spelling in key)})
    if len(partial) == 1:
        return partial[0]
    close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.5)
    return table[close[0]] if close else None


def _gains(record: EnterpriseRecord, tag: str, near: str, readings: dict[str, str],
           catalog: Catalog) -> str:
    """The awards the record would get with `near` instead of `tag`: `daxing.tier +500,000`."""
    from solver.evaluate import evaluate_amounts

    changed = record.model_copy(update={"industries": sorted({*record.industries, near} - {tag})})
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for amounts, into in ((evaluate_amounts(record, readings, catalog=catalog), before),
                          (evaluate_amounts(changed, readings, catalog=catalog), after)):
        for measure, _payer, _year, amount in amounts:
            into[measure] = into.get(measure, 0) + amount.max
    gained = [f"{measure} ({name('measure', measure)}) +{after[measure] - before.get(measure, 0):,}"
              for measure in after if after[measure] > before.get(measure, 0)]
    if gained:
        return ", ".join(gained)
    testing = sorted({rule.measure for rule in catalog.rules for c in rule.conditions
                      if c.field == "industry" and near in (c.value if isinstance(c.value, frozenset)
                                                            else {c.value})})
    return ", ".join(f"{m} ({name('measure', m)})" for m in testing) or "-"


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


def record_notices(record: EnterpriseRecord, readings: dict[str, str] | None = None, *,
                   catalog: Catalog | None = None) -> list[Notice]:
    """Every warning about a valid record, in a stable order."""
    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    tags = catalog_tags(catalog)
    notices: list[Notice] = []
    for index, tag in enumerate(record.industries):
        if tag in tags:
            continue
        near = _nearest_tag(tag, tags)
        if near is None:
            notices.append(Notice("industry_unused", f"industries[{index}]",
                                  {"tag": tag, "known": ", ".join(tags)}))
        else:
            notices.append(Notice("industry_unknown", f"industries[{index}]",
                                  {"tag": tag, "near": near, "name": name("industry", near),
                                   "measures": _gains(record, tag, near, chosen, catalog)}))
    for index, item in enumerate(record.rewards_received):
        limit = _clause_limit(catalog, item.measure, item.tier)
        if limit is not None and item.amount > limit:
            notices.append(Notice("received_above_clause", f"rewards_received[{index}]",
                                  {"amount": f"{item.amount:,}",
                                   "measure": item.measure, "limit": f"{limit:,}"}))
    return notices
