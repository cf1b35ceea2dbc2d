"""Reasons in plain words, in the current language: one sentence per kind of reason
(`solver/reasons.py`), its fields worked out by the kind's own case of `_fields` (a `match` over
the closed union `Reason` that ends in `assert_never`, so mypy proves every kind has its words).
The sentences live in the message catalogue (`models/i18n/messages.yaml`: `reason.<code>`, the
optional parts `reason.part.*` and the words `reason.word.*`), the names of districts, tiers,
categories, boards and qualifications in the catalog's vocabulary, and a measure is named by its
title (English) or its Chinese name: a translation adds messages, never code.

What a reason is about is typed too (`about`: the event; a cap kind's `cap`; `received_covers`'
`cut`, the reward received that binds; the JSON flattens them into the parameters):
`_event`, `_cap` and `_covers` put them into words.

>>> from solver.reasons import NoRecognition
>>> render_reason(NoRecognition(level="national"), "en")
'National level: no national "little giant" recognition in the record'
>>> render_reason(NoRecognition(level="national"), "zh")
'国家级：记录中没有国家级专精特新“小巨人”企业认定'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, assert_never

from models.conditions import Condition
from models.catalog import name
from models.i18n import current_lang, messages, t
from solver import reasons as R
from solver.notices import notice_of
from solver.reasons import Param, Reason, reason
from views.notices import notice_json

# Reasons that only say the record has no event of the kind a measure pays for.
NO_EVENT = (R.NoExpense, R.NoListing, R.NoPatent, R.NoQualification, R.NoMoveInto,
            R.NoCounterpart, R.NoTrigger)
# A condition's field → the vocabulary kind of its values.
_FIELD_KIND = {"tier": "tier", "industry": "industry", "entity_type": "entity_type",
               "origin": "district", "qualification": "qualification"}

Fields = dict[str, object]  # a sentence's placeholders
# The kinds of reason that name the year an award is claimed in.
CLAIMED = (R.ClaimedIn, R.R1Rival, R.R3AlreadyPaid, R.R4ExpenseTaken, R.CapUsedUp,
           R.YearLimitReached, R.ReceivedCovers, R.DifferenceFloored, R.MirrorZero, R.NotChosen,
           R.AmountZero)
# The kinds of reason that carry the reading behind them (a cap's and a cut's carry theirs).
READ = (R.ClaimedIn, R.R2Received, R.LadderClosed, R.StackedInFull, R.R2Paid, R.ConditionFailed,
        R.EntityNotNamed, R.YearLimitReached, R.FirstYearsUsed, R.DifferenceFloored)


def codes() -> set[str]:
    """Every reason code the message catalogue has a sentence for."""
    prefix = "reason."
    return {key[len(prefix):] for key in messages()
            if key.startswith(prefix) and not key.startswith(("reason.part.", "reason.word.",
                                                              "reason.line."))}


def _part(lang: str, key: str, **fields: object) -> str:
    return t(f"reason.part.{key}", lang, **fields)


def _w(lang: str, key: str) -> str:
    return t(f"reason.word.{key}", lang)


def _named(lang: str, kind: str | None, value: Param) -> str:
    """The name of an id in `lang` (an id no list declares: as written, `_` read as a space)."""
    if value is None or value == "":
        return _w(lang, "none")
    text = str(value)
    if kind is None:
        return text.replace("_", " ")
    shown = name(kind, text, lang)
    return shown.replace("_", " ") if shown == text else shown


def _list(lang: str, kind: str | None, value: Param) -> str:
    if not value:
        return _w(lang, "none")
    return _w(lang, "list_sep").join(_named(lang, kind, item.strip())
                                    for item in str(value).split(","))


def measure_words(ident: str | None, title: str | None, lang: str | None = None) -> str:
    """A measure as a person reads it: its title (English), its Chinese name (Chinese)."""
    lang = lang or current_lang()
    if lang != "en" and ident:
        shown = name("measure", ident, lang)
        if shown != ident:
            return shown
    return title or (ident or "")


def day_words(text: str, lang: str) -> str:
    """A day as the contract writes it (2025-07-01) in `lang`: 2025年7月1日 in Chinese."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return t("date.day", lang, year=day.year, month=day.month, day=day.day)


def _yuan(value: Param) -> Param:
    """Yuan with thousands separators (what is not a whole number stays as it is)."""
    return f"{value:,}" if isinstance(value, int) else value


def _day(lang: str, value: Param) -> Param:
    """A day (YYYY-MM-DD) in words: 2025年7月1日 in Chinese, as written in English."""
    return day_words(str(value), lang) if value else value


def _title(lang: str, ident: Param, title: Param) -> str:
    return measure_words(str(ident or "") or None, str(title), lang)


def _in(lang: str, district: Param) -> str:
    """Where: in a district, or outside Beijing."""
    return _w(lang, "outside") if district == "outside_beijing" else \
        _part(lang, "in", place=_named(lang, "district", district))


def _level_title(lang: str, level: Param) -> str:
    """The catalogue's word for a Beijing level, else "<short name> level"."""
    if f"reason.word.level.{level}" in messages():
        return _w(lang, f"level.{level}")
    return _part(lang, "level_title", level=name("level", str(level), lang, short=True))


def _as_tier(lang: str, tier: str | None, level: str) -> str:
    return _part(lang, "as_tier", tier_words=_named(lang, "tier", tier)) \
        if tier and level and tier != level else ""


def _when(lang: str, at_claim: int | None, date: str) -> str:
    return _part(lang, "at_claim", at_claim=at_claim) if at_claim else \
        _part(lang, "on_date", date=_day(lang, date))


def _condition(lang: str, field: str, op: str, value: Param) -> str:
    """A condition in words: `tier >= municipal` → the tier at least Beijing SME…"""
    value_kind = _FIELD_KIND.get(field)
    field_words = _w(lang, f"field.{field}") \
        if f"reason.word.field.{field}" in messages() else field.replace("_", " ")
    op_words = _w(lang, f"op.{op}") if f"reason.word.op.{op}" in messages() else op
    value_words = _list(lang, value_kind, value) if op in ("in", "not in") \
        else _named(lang, value_kind, value)
    return _part(lang, "condition", field_words=field_words, op_words=op_words,
                 value_words=value_words)


def _rival(lang: str, tier: str | None, low: int, high: int) -> Fields:
    return {"rival_amount": _yuan(high) if low == high else f"{_yuan(low)} – {_yuan(high)}",
            "rival_tier_part": _part(lang, "rival_tier",
                                     rival_tier_words=_named(lang, "tier", tier)) if tier else ""}


def _project(lang: str, item: R.ExpenseItem | R.FirstYearsUsed) -> str:
    """A project, or an item that is its own project."""
    return _part(lang, "own_project") if item.own_project \
        else _part(lang, "project", project=item.project)


def _event(lang: str, item: Reason) -> str:
    """The event a reason is about (a level, a move, a qualification, an expense, a listing, a
    patent annuity), with its claim year where the event does not fix it."""
    about = item.about
    fields: Fields
    match about:
        case None:
            return ""
        case R.LevelEvent():
            fields = {"level_title": _level_title(lang, about.level)}
        case R.MoveEvent():
            fields = {"origin_words": _named(lang, "district", about.origin),
                      "move_date": _day(lang, about.move_date)}
        case R.QualificationEvent():
            fields = {"kind_words": _named(lang, "qualification", about.kind),
                      "date": _day(lang, about.date)}
        case R.ExpenseEvent():
            fields = {"expense": about.expense, "year": about.year,
                      "category_words": _named(lang, "category", about.category)}
        case R.ListingEvent():
            fields = {"board_words": _named(lang, "board", about.board), "year": about.year}
        case R.PatentEvent():
            fields = {"patent": about.patent, "year": about.year, "patent_year": about.patent_year}
        case _:
            assert_never(about)
    text = _part(lang, f"event.{about.event}", **fields)
    claim_year = item.claim_year if isinstance(item, CLAIMED) else None
    if claim_year and isinstance(about, (R.LevelEvent, R.MoveEvent, R.QualificationEvent)):
        text += _part(lang, "claim", claim_year=claim_year)
    return text


def _cap(lang: str, cap: R.Cap) -> Fields:
    """The cap a reason is about in words."""
    scope = "project_years" if cap.per == "project" and cap.project_years else cap.per
    return {"cap_words": _part(lang, f"cap.{scope}",
                               cap_title=_title(lang, cap.measure, cap.title),
                               cap_limit=_yuan(cap.limit), cap_project=cap.project,
                               cap_project_years=cap.project_years, cap_year=cap.year),
            "cap_limit": _yuan(cap.limit),
            "cap_received": _part(lang, "cap.received", received=_yuan(cap.received))
            if cap.received else ""}


def _received_cut(lang: str, item: R.R2Received) -> Fields:
    """The words of a reward received that takes off (R1, R2; `received_covers` too)."""
    return {"full": _yuan(item.full), "received": _yuan(item.received),
            "received_title": _title(lang, item.received_measure, item.received_title),
            "received_tier_words": _named(lang, "tier", item.received_tier),
            "received_tier_part": _part(lang, "received_tier",
                                        received_tier_words=_named(lang, "tier",
                                                                   item.received_tier))
            if item.received_tier else "",
            "received_year": item.received_year}


def _ladder(lang: str, item: R.LadderClosed) -> Fields:
    return {"full": _yuan(item.full), "top": _yuan(item.top), "room": _yuan(item.room),
            "received": _yuan(item.received),
            "ladder_title": _title(lang, item.ladder_measure, item.ladder_title)}


def _covers(lang: str, item: R.ReceivedCovers) -> str:
    """What was received leaves an award nothing: the cut that binds."""
    cut = item.cut
    match cut:
        case R.R2Received():  # (and R1Received)
            return _part(lang, f"covers.{item.rule}", **_received_cut(lang, cut))
        case R.LadderClosed():
            return _part(lang, f"covers.{item.rule}", **_ladder(lang, cut))
        case _:
            assert_never(cut)


def _fields(item: Reason, lang: str) -> Fields:
    """The placeholders of a kind's sentence, worked out from its typed fields: why an award
    pays here, the other families below (each match hands what it leaves to the next)."""
    match item:
        case R.FirstRecognition() | R.ReviewPassed():
            first = item.first_date if isinstance(item, R.ReviewPassed) else None
            return {"level_words": _named(lang, "level", item.level), "date": _day(lang, item.date),
                    "as_tier": _as_tier(lang, item.tier, item.level),
                    "first_date": _day(lang, first)}
        case R.RegisteredIn():
            return {"in_district": _in(lang, item.district),
                    "when": _when(lang, item.at_claim, item.date)}
        case R.ClaimedIn():
            return {"claim_year": item.claim_year,
                    "year_after": _part(lang, "year_after")
                    if item.claim_year != item.event_year else ""}
        case R.ConditionMet():
            return {"condition": _condition(lang, item.field, item.op, item.value)}
        case R.MovedInto():
            return {"origin_words": _named(lang, "district", item.origin),
                    "district_words": _named(lang, "district", item.district),
                    "date": _day(lang, item.date)}
        case R.TierQualifies():
            return {"tier_words": _named(lang, "tier", item.tier),
                    "how": _part(lang, "held_at_move") if item.at_move else
                    _part(lang, "since_move", date=_day(lang, item.date),
                          district_words=_named(lang, "district", item.district))}
        case R.Qualification():
            return {"kind_words": _named(lang, "qualification", item.kind),
                    "date": _day(lang, item.date),
                    "district_words": _named(lang, "district", item.district)}
        case R.ExpenseItem():
            return {"expense": item.expense, "category_words": _named(lang, "category",
                                                                     item.category),
                    "amount": _yuan(item.amount), "year": item.year,
                    "project_words": _project(lang, item),
                    "project_year_words": _part(lang, "subsidy_year", year_number=item.year_number,
                                                years_limit=item.years_limit)
                    if item.year_number else
                    _part(lang, "project_year", project_year=item.project_year)}
        case R.Listing():
            return {"board_words": _named(lang, "board", item.board), "year": item.year}
        case R.TierAtYearEnd():
            return {"tier_words": _named(lang, "tier", item.tier), "year": item.year,
                    "since_part": _part(lang, "since", since=_day(lang, item.since))
                    if item.since else ""}
        case R.DistrictMatches():
            return {"district_words": _named(lang, "district", item.district),
                    "counterpart_title": _title(lang, item.counterpart_measure,
                                                item.counterpart_title)}
        case R.PatentAnnuity():
            return {"patent": item.patent, "year": item.year, "patent_year": item.patent_year,
                    "percent": item.percent, "standard": _yuan(item.standard),
                    "share": _yuan(item.share), "paid": _yuan(item.paid),
                    "subsidy": _yuan(item.subsidy)}
        case R.LimitBound():
            limit = _yuan(item.limit)
            scope = "project_years" if item.project_years else \
                "year" if "year" in (item.per or "") else "plain"
            return {"limit": limit, "base": _yuan(item.base),
                    "limit_words": _part(lang, f"limit.{scope}", limit=limit,
                                         project_years=item.project_years)}
        case R.R1Received() | R.R2Received():
            return _received_cut(lang, item)
        case R.LadderClosed():
            return _ladder(lang, item)
        case R.StackedInFull():
            return {"full": _yuan(item.full)}
        case R.R2Paid():
            return {"full": _yuan(item.full), "lower": _yuan(item.lower),
                    "lower_tier_words": _named(lang, "tier", item.lower_tier),
                    "lower_year": item.lower_year}
        case R.CapBound():
            return {**_cap(lang, item.cap), "full": _yuan(item.full), "paid": _yuan(item.paid),
                    "others": _yuan(item.others)}
        case R.R1Preferred():
            return {"rival_title": _title(lang, item.rival_measure, item.rival_title),
                    **_rival(lang, item.rival_tier, item.rival_min, item.rival_max)}
        case R.Received():
            counts = item.counts
            return {"year": item.year,
                    "counts_words": _part(lang, "counts.cap", cap_limit=_yuan(counts.limit))
                    if isinstance(counts, R.InCap) else _part(lang, f"counts.{counts}")}
        case _:
            return _nothing_fields(item, lang)


def _nothing_fields(item: R.WhyNothing | R.WhyNotChosen, lang: str) -> Fields:
    """Why nothing is paid (facts of the record)."""
    match item:
        case R.NoRecognition():
            return {"level_title": _level_title(lang, item.level),
                    "level_words": _named(lang, "level", item.level)}
        case R.RenewalBelowHeld():
            return {"level_title": _level_title(lang, item.level),
                    "level_words": _named(lang, "level", item.level),
                    "date": _day(lang, item.date), "held_words": _named(lang, "tier", item.held),
                    "held_date": _day(lang, item.held_date)}
        case R.RegisteredElsewhere():
            return {"in_district": _in(lang, item.district),
                    "when": _when(lang, item.at_claim, item.date),
                    "payer_words": _w(lang, "municipal_payer") if item.payer == "municipal"
                    else _named(lang, "district", item.payer)}
        case R.ConditionFailed():
            value_kind = _FIELD_KIND.get(item.field)
            fact = item.fact
            return {"condition": _condition(lang, item.field, item.op, item.value),
                    "tier_on": _part(lang, "tier_on", year=item.on_date[:4])
                    if item.on_date is not None else "",
                    "fact_words": (_list(lang, value_kind, fact) if item.field == "industry"
                                   else _named(lang, value_kind, fact))
                    if fact else _w(lang, "none")}
        case R.EntityNotNamed():
            return {"entity_words": _named(lang, "entity_type", item.entity_type),
                    "reading": item.reading}
        case R.NoMoveInto():
            return {"district_words": _named(lang, "district", item.district)}
        case R.NotContinuous():
            return {"first_tier_words": _named(lang, "tier", item.first_tier),
                    "first_date": _day(lang, item.first_date), "in_where": _in(lang, item.where),
                    "district_words": _named(lang, "district", item.district)}
        case R.ReturnNotRelocation():
            return {"left": item.left, "district_words": _named(lang, "district", item.district)}
        case R.LadderLevelReceived():
            return {"received_title": _title(lang, item.received_measure, item.received_title),
                    "received": _yuan(item.received), "received_year": item.received_year}
        case (R.NoQualification() | R.NoPatent() | R.NoTrigger() | R.SameQualification()
              | R.OneTimeReceived()):
            return {}  # (the event, if any, only)
        case R.NotInBeijing():
            return {"date": _day(lang, item.date),
                    "jurisdiction": _named(lang, "jurisdiction", item.jurisdiction)}
        case R.NoExpense():
            return {"categories_words": _list(lang, "category", item.categories)}
        case R.NoListing():
            return {"boards_words": _list(lang, "board", item.boards)}
        case R.NoCounterpart():
            return {"counterpart_title": _title(lang, item.counterpart_measure,
                                                item.counterpart_title)}
        case R.OutsideEffectiveDates():
            return {"date": _day(lang, item.date),
                    "effective_from_words": _day(lang, item.effective_from) or "…",
                    "effective_to_words": _day(lang, item.effective_to) or "…"}
        case _:
            return _not_chosen_fields(item, lang)


def _not_chosen_fields(item: R.WhyNotChosen, lang: str) -> Fields:
    """Why a candidate that could pay was not paid (the optimizer's choice under R1–R5)."""
    match item:
        case R.R1Rival():
            return {"rival_title": _title(lang, item.rival_measure, item.rival_title),
                    **_rival(lang, item.rival_tier, item.rival_min, item.rival_max)}
        case R.R3AlreadyPaid():
            return {"rival_year": item.rival_year,
                    "rival_title": _title(lang, item.rival_measure, item.rival_title)}
        case R.R4ExpenseTaken():
            return {"expense": item.expense,
                    "rival_title": _title(lang, item.rival_measure, item.rival_title)}
        case R.CapUsedUp():
            return {**_cap(lang, item.cap), "others": _yuan(item.others)}
        case R.YearLimitReached():
            return {"limit": _yuan(item.limit), "project": item.project, "years": item.years}
        case R.FirstYearsUsed():
            return {"limit": _yuan(item.limit),
                    "project_words": _project(lang, item), "years": item.years,
                    "year": item.about.year if isinstance(item.about, R.ExpenseEvent) else None}
        case R.ReceivedCovers():
            return {"covers": _covers(lang, item)}
        case R.DifferenceFloored():
            return {"full": _yuan(item.full), "deducted": _yuan(item.deducted),
                    "deducted_words": _part(lang, "deducted.received" if item.received
                                            else "deducted.paid"),
                    "lower_tier_words": _named(lang, "tier", item.lower_tier)}
        case R.MirrorZero():
            return {"counterpart_title": _title(lang, item.counterpart_measure,
                                                item.counterpart_title)}
        case R.NotChosen() | R.AmountZero():
            return {}
        case _:
            assert_never(item)


def render_reason(item: Reason, lang: str | None = None) -> str:
    """One reason in words (default: the current language)."""
    lang = lang or current_lang()
    text = t(f"reason.{item.code}", lang, event=_event(lang, item), **_fields(item, lang))
    reading = _reading(item)
    if reading and "{reading}" not in messages()[f"reason.{item.code}"][lang]:
        text += _part(lang, "reading", reading=reading_words(str(reading), lang))
    return text


def _reading(item: Reason) -> str | None:
    """The reading behind a reason: its own, its cap's or the cut's that binds."""
    match item:
        case R.CapBound() | R.CapUsedUp():
            return item.cap.reading
        case R.ReceivedCovers():
            return item.cut.reading
    return item.reading if isinstance(item, READ) else None


def reading_words(readings: str, lang: str) -> str:
    """The readings behind an answer (`key=value, …`): as written in English, in plain words of the
    interpretation register in Chinese (`reading.<key>.<value>`)."""
    if lang == "en":
        return readings
    words = []
    for one in readings.split(", "):
        key, _, value = one.partition("=")
        found = messages().get(f"reading.{key}.{value}")
        words.append(found[lang] if found else one)
    return _w(lang, "list_sep").join(words)


def condition_words(condition: Condition, lang: str | None = None) -> str:
    """A catalog condition as a person reads it: in Chinese in words (`tier >= municipal` →
    认定层级不低于北京市专精特新中小企业), in English as the catalog writes it."""
    lang = lang or current_lang()
    if lang == "en":
        return condition.text
    value = condition.value
    shown = ",".join(sorted(str(v) for v in value)) if isinstance(value, frozenset) else str(value)
    return _condition(lang, condition.field, condition.op, shown)


def elsewhere_line(titles: list[str], lang: str | None = None) -> str:
    """The one line that stands for every district measure of a district never registered in."""
    lang = lang or current_lang()
    return t("reason.line.elsewhere", lang, titles=_w(lang, "list_sep").join(titles))


def nothing_to_trigger_line(items: list[tuple[str, str]], lang: str | None = None) -> str:
    """The one line for the measures that nothing in the record triggers: (title, reason)."""
    lang = lang or current_lang()
    return t("reason.line.nothing", lang, items=_w(lang, "item_sep").join(
        t("reason.line.item", lang, title=title, text=text) for title, text in items))


def only_no_event(reasons: tuple[Reason, ...]) -> bool:
    """Does a measure bring nothing only because the record has no event of its kind?"""
    return bool(reasons) and all(isinstance(r, NO_EVENT) for r in reasons)


def with_text(data: Any, render: Callable[[Reason], str] = render_reason) -> Any:
    """The JSON contract with words: every reason `{code, params}` gains its `text`, every
    award's `why` becomes its reasons' texts joined by "; ", and every warning `{code, field,
    message: null, params}` gains its message and the parameters a person reads."""
    if isinstance(data, list):
        return [with_text(item, render) for item in data]
    if not isinstance(data, dict):
        return data
    if data.keys() == {"code", "field", "message", "params"} and data["message"] is None:
        return notice_json(notice_of(data))
    out = {key: with_text(value, render) for key, value in data.items()}
    if set(data) == {"code", "params"}:
        out["text"] = render(reason(data["code"], data["params"]))
    if "why" in out and isinstance(out.get("reasons"), list):
        out["why"] = t("reason.word.item_sep").join(r["text"] for r in out["reasons"])
    return out
