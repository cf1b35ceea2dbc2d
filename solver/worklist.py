"""The service centre's worklist: for each enterprise on a day, whom to call about what, before
which day.

Three kinds of action, one row each:
- `claim`: an award whose status on the day is `due` (claim year this year, or its event already
  happened) or `past` (claim year gone and not listed as received: check with the office whether
  it was paid), with its amount, claim year, paying office and telephone. Its date is the last day
  of the claim year (the brochure states no claim deadline: that is the year the claim belongs to).
- `apply`: the next recognition whose window is open on the day (brochure III.(III)): an
  enterprise with no recognition may apply as an innovative SME (this month's window); an
  innovative SME for the municipal tier (this quarter's window, in its district of registration);
  a municipal one for the national tier through the municipal bureau's recommendation (no
  calendar: no last day). The amount is what the recognition would add (a forward evaluation).
- `near_miss`: of the single changes `howto` tries for the measures that do not pay yet, the one
  worth a call: it must bring at least `min_gain` more *net of its outlay*, counted on the lower
  bound of what it brings (a forward evaluation of the whole changed record, so R1 and the caps
  are counted): an "up to" amount is worth 0 for sure, so spending 1,000,000 to get "up to
  1,000,000" is never one. Ranked by that net gain (then the upper gain, the least effort: a
  missing industry tag or legal form, a patent annuity, a qualification, an expense, a listing;
  then the change); none when no change qualifies. Moves and the next recognition are left out
  (the latter is the `apply` row).

Rows sort by date (none last), then the larger amount, then enterprise and kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypedDict

from models.catalog import Catalog, active_catalog
from models.errors import InputError
from models.money import Money
from models.record import EnterpriseRecord
from models.scenario import Change
from solver.evaluate import evaluate
from solver.explain import Evaluation
from solver.howto import single_changes
from solver.planner import apply_scenario, whatif, windows

DEFAULT_MIN_GAIN = 100_000
KINDS = ("claim", "apply", "near_miss")


def next_tier(held: str | None, catalog: Catalog) -> str | None:
    """The tier to apply for next: the lowest tier above `held` that has an application window
    (the catalog's tiers, lowest first; none above the highest with a window)."""
    tiers = catalog.vocabulary.tiers
    above = tiers if held is None else tiers[tiers.index(held) + 1:]
    return next((tier for tier in above if tier in catalog.index.windows), None)


@dataclass(frozen=True)
class ClaimDetail:
    """A claim to make: the award's claim year, measure and the tier it rewards."""

    year: int
    measure: str
    tier: str | None

    def as_dict(self) -> dict[str, object]:
        return {"year": self.year, "measure": self.measure, "tier": self.tier}


@dataclass(frozen=True)
class ApplyDetail:
    """An application to file: who may apply and, when the window has a calendar, its days."""

    who: str
    opens: dt.date | None = None
    last_day: dt.date | None = None

    def as_dict(self) -> dict[str, object]:
        days = {"opens": self.opens.isoformat(), "last_day": self.last_day.isoformat()} \
            if self.opens and self.last_day else {}
        return {"who": self.who, **days}


@dataclass(frozen=True)
class NearMissDetail:
    """One change that would bring at least the minimum gain, net of what it costs."""

    measures: tuple[str, ...]  # the measures it would make pay
    outlay: int
    net_min: int               # what the change surely brings, less its outlay
    change: str                # as `zjtx whatif` takes it
    change_kind: str
    facts: dict[str, str | int | None]  # what the change sets or adds (views put it into words)

    def as_dict(self) -> dict[str, object]:
        return {"measures": list(self.measures), "outlay": self.outlay, "net_min": self.net_min,
                "change": self.change, "change_kind": self.change_kind, "facts": dict(self.facts)}


# What an action is about, by its kind (claim, apply, near_miss): views.worklist renders each.
Detail = ClaimDetail | ApplyDetail | NearMissDetail


@dataclass(frozen=True)
class Action:
    enterprise: str
    name: str | None
    credit_code: str | None
    kind: str                 # claim | apply | near_miss
    subject: str              # a measure (claim), a tier (apply), the change (near_miss)
    status: str               # due | past (claim); open (apply); suggested (near_miss)
    amount: Money
    claim_year: int | None
    deadline: dt.date | None  # claim: end of the claim year; apply: the window's last day
    office: str
    tel: str
    detail: Detail = field(hash=False)  # what views.worklist renders

    def sort_key(self) -> tuple[object, ...]:
        return (self.deadline is None, self.deadline or dt.date.max, -self.amount.max,
                -self.amount.min, self.enterprise, KINDS.index(self.kind), self.subject)

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.enterprise, "name": self.name, "credit_code": self.credit_code,
                "kind": self.kind, "subject": self.subject, "status": self.status,
                "amount_min": self.amount.min, "amount_max": self.amount.max,
                "open_above": self.amount.open_above, "claim_year": self.claim_year,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "office": self.office, "tel": self.tel, "detail": self.detail.as_dict()}


# The worklist's columns in files: the data, and a note rendered from `detail` (views.worklist).
COLUMNS = ("enterprise", "name", "credit_code", "kind", "subject", "status", "amount_min",
           "amount_max", "open_above", "claim_year", "deadline", "office", "tel", "note")


# DOMAIN.md section 8: of the four statuses an award has on the day (the evaluation's own,
# `Award.status`, the record dated that day), these two are to claim; `received` and `projected`
# are not.
TO_CLAIM = ("due", "past")


class Identity(TypedDict):
    """Who an action is about, as every action of a record names it."""

    enterprise: str
    name: str | None
    credit_code: str | None


def _identity(record: EnterpriseRecord) -> Identity:
    return {"enterprise": record.id, "name": record.name, "credit_code": record.credit_code}


def _claims(record: EnterpriseRecord, result: Evaluation) -> list[Action]:
    """The awards to claim, with the status the evaluation gave them (`result` is of the record
    dated the working day)."""
    out = []
    for award in result.awards:
        if award.status not in TO_CLAIM or award.amount.max == 0 and not award.amount.open_above:
            continue
        out.append(Action(**_identity(record), kind="claim",
                          subject=award.measure + (f" ({award.tier})" if award.tier else ""),
                          status=award.status, amount=award.amount, claim_year=award.claim_year,
                          deadline=dt.date(award.claim_year, 12, 31), office=award.contact,
                          tel=award.tel, detail=ClaimDetail(award.claim_year, award.measure, award.tier)))
    return out


def _application(record: EnterpriseRecord, result: Evaluation, day: dt.date,
                 catalog: Catalog) -> list[Action]:
    tier = next_tier(record.tier_on(day), catalog)
    if tier is None:
        return []
    [window] = windows(day, tier, catalog=catalog)
    gain = whatif(record, Change.recognition(tier, day).scenario(), result.readings,
                  catalog=catalog, today=day)
    last = window.last_day
    detail = ApplyDetail(window.who, window.opens, last) if last and window.opens \
        else ApplyDetail(window.who)
    return [Action(**_identity(record), kind="apply", subject=tier, status="open",
                   amount=Money(max(gain.delta_min, 0), max(gain.delta_max, 0)), claim_year=None,
                   deadline=last, office=window.contact, tel=window.tel, detail=detail)]


# How much it takes to make a change true, least first: a tag or legal form that may only be
# missing from the record, a patent annuity, a qualification, an expense, a listing.
EFFORT = ("industry", "entity_type", "patent", "qualification", "expense", "listing")


def _cost(change: Change) -> tuple[int, int]:
    """Effort first, then what the change costs the enterprise in yuan."""
    rank = EFFORT.index(change.kind) if change.kind in EFFORT else len(EFFORT)
    return rank, change.outlay


def net_gain(before: Money, after: Money, outlay: int) -> int:
    """What a change surely brings net of what it costs: the lower bound of the total's gain
    less the outlay."""
    return after.min - before.min - outlay


def _near_miss(record: EnterpriseRecord, result: Evaluation, day: dt.date, min_gain: int,
               catalog: Catalog) -> list[Action]:
    """The single change (not a move, not the next recognition: that is `apply`) with the
    largest net gain, when that is at least `min_gain` (see the module docstring)."""
    levels = {"municipal", record.district}
    awarded = {award.measure for award in result.awards}
    measures = [measure for measure in dict.fromkeys(
        rule.measure for rule in catalog.active_rules(result.readings) if rule.payer in levels)
        if measure not in awarded]
    found = []
    for change in single_changes(record, measures, day, result.readings, catalog=catalog):
        if change.kind in ("move", "recognition"):
            continue
        try:
            changed, changed_catalog, readings = apply_scenario(
                record, change.scenario(), catalog, result.readings)
            after = evaluate(changed, readings, catalog=changed_catalog, today=day)
        except InputError:  # an impossible record (e.g. a duplicate entry)
            continue
        net = net_gain(result.total, after.total, change.outlay)
        if net >= min_gain:
            gain = (after.total.min - result.total.min, after.total.max - result.total.max)
            paying = sorted({a.measure for a in after.awards} - awarded)
            found.append((change, gain, net, paying))
    if not found:
        return []
    change, gain, net, paying = min(found, key=lambda item: (-item[2], -item[1][1], _cost(item[0]),
                                                             item[0].label))
    rule = next((r for r in catalog.rules if r.measure in paying), None)
    return [Action(**_identity(record), kind="near_miss", subject=change.label, status="suggested",
                   amount=Money(max(gain[0], 0), gain[1]), claim_year=None, deadline=None,
                   office=rule.contact if rule else "", tel=rule.tel if rule else "",
                   detail=NearMissDetail(tuple(paying), change.outlay, net, change.label,
                                         change.kind, change.facts()))]


def worklist(record: EnterpriseRecord, day: dt.date, *, min_gain: int = DEFAULT_MIN_GAIN,
             readings: dict[str, str] | None = None, catalog: Catalog | None = None,
             near_misses: bool = True) -> list[Action]:
    """The actions for one enterprise on `day`, sorted."""
    catalog = catalog or active_catalog()
    record = record.model_copy(update={"as_of": day})
    result = evaluate(record, readings, catalog=catalog, today=day)
    actions = _claims(record, result) + _application(record, result, day, catalog)
    if near_misses:
        actions += _near_miss(record, result, day, min_gain, catalog)
    return sorted(actions, key=Action.sort_key)
