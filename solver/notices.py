"""Never silent: what in a valid record is probably a mistake, as warnings beside the answer.

- an industry tag the catalog does not use, with the nearest tag it does use and the awards that
  tag would bring (`industries: [hydrogen]` in Daxing: hydrogen_energy brings daxing.tier);
- a reward listed as received that is larger than its clause ever pays.

Warnings are typed data (a code, the field and parameters); views render them in either language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
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


def tag_notices(tags: list[str], catalog: Catalog,
                gains: Callable[[str, str], str] | None = None) -> list[Notice] | None:
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
            notices.append(Notice("industry_unused", f"industries[{index}]",
                                  {"tag": tag, "known": ", ".join(catalog.facts.tags)}))
        elif gains is None:
            return None
        else:
            notices.append(Notice("industry_unknown", f"industries[{index}]",
                                  {"tag": tag, "near": near, "name": name("industry", near),
                                   "measures": gains(tag, near)}))
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
            notices.append(Notice("received_above_clause", f"rewards_received[{index}]",
                                  {"amount": f"{item.amount:,}",
                                   "measure": item.measure, "limit": f"{limit:,}"}))
    return notices
