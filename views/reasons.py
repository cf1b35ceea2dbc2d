"""Reasons in plain words, in the current language: one sentence per reason code
(`solver/reasons.py`), filled from the reason's parameters. The sentences live in the message
catalogue (`models/i18n/messages.yaml`: `reason.<code>`, the optional parts `reason.part.*` and
the words `reason.word.*`), the names of districts, tiers, categories, boards and qualifications
in the catalog's vocabulary, and a measure is named by its title (English) or its Chinese name:
a translation adds messages, never code.

>>> from solver.reasons import reason
>>> render_reason(reason("no_recognition", level="national"), "en")
'National level: no national "little giant" recognition in the record'
>>> render_reason(reason("no_recognition", level="national"), "zh")
'国家级：记录中没有国家级专精特新“小巨人”企业认定'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from models.conditions import Condition
from models.catalog import name
from models.i18n import current_lang, messages, t
from solver.reasons import Param, Reason

# Reasons that only say the record has no event of the kind a measure pays for.
NO_EVENT_CODES = frozenset({"no_expense", "no_listing", "no_patent", "no_qualification",
                            "no_move_into", "no_counterpart", "no_trigger"})

# Parameters that hold yuan (shown with thousands separators); other ints are years or counts.
_YUAN = frozenset({"amount", "full", "received", "lower", "paid", "others", "cap_limit", "limit",
                   "base", "deducted", "standard", "share", "rival_min", "rival_max", "top", "room",
                   "subsidy"})

# Parameter → the vocabulary kind that names its id(s).
_KIND = {"level": "level", "tier": "tier", "held": "tier", "first_tier": "tier",
         "lower_tier": "tier", "rival_tier": "tier", "received_tier": "tier", "kind": "qualification",
         "category": "category", "categories": "category", "board": "board", "boards": "board",
         "origin": "district", "district": "district", "where": "district", "payer": "district",
         "entity_type": "entity_type", "jurisdiction": "jurisdiction"}
# A condition's field → the kind of its values.
_FIELD_KIND = {"tier": "tier", "industry": "industry", "entity_type": "entity_type",
               "origin": "district", "qualification": "qualification"}
# Parameters that hold a day (YYYY-MM-DD): written 2025年7月1日 in Chinese.
_DATES = ("date", "held_date", "first_date", "move_date", "since", "effective_from",
          "effective_to")
# A measure title parameter → the parameter holding that measure's id.
_TITLES = {"rival_title": "rival_measure", "counterpart_title": "counterpart_measure",
           "cap_title": "cap_measure", "received_title": "received_measure",
           "ladder_title": "ladder_measure"}


def codes() -> set[str]:
    """Every reason code the message catalogue has a sentence for."""
    prefix = "reason."
    return {key[len(prefix):] for key in messages()
            if key.startswith(prefix) and not key.startswith(("reason.part.", "reason.word.",
                                                              "reason.line."))}


def _part(lang: str, key: str, **fields: Any) -> str:
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


def _yuan(value: int) -> str:
    return f"{value:,}"


def _prepare(lang: str, params: Mapping[str, Param]) -> dict[str, Any]:
    """Every placeholder a sentence may use, computed from the parameters."""
    out: dict[str, Any] = {k: (_yuan(v) if k in _YUAN and isinstance(v, int) else v)
                           for k, v in params.items()}
    for key, ident in _TITLES.items():
        if key in params:
            out[key] = measure_words(str(params.get(ident) or "") or None, str(params[key]), lang)
    for key, kind in _KIND.items():
        if key in params:
            words = _list(lang, kind, params[key]) if key in ("categories", "boards") \
                else _named(lang, kind, params[key])
            out["entity_words" if key == "entity_type" else f"{key}_words"] = words
    if "jurisdiction" in params:
        out["jurisdiction"] = out.pop("jurisdiction_words")
    for key in ("district", "where"):
        if key in params:
            out[f"in_{key}"] = (_w(lang, "outside") if params[key] == "outside_beijing"
                                else _part(lang, "in", place=out[f"{key}_words"]))
    if params.get("payer") == "municipal":
        out["payer_words"] = _w(lang, "municipal_payer")
    for key in _DATES:  # Chinese: 2025年7月1日; English: as the contract writes it
        if params.get(key):
            out[key] = day_words(str(params[key]), lang)
    for key in ("effective_from", "effective_to"):
        if key in params:
            out[f"{key}_words"] = out[key] or "…"
    if "year" in params and "tier" in params:
        out["since_part"] = _part(lang, "since", since=out["since"]) if params.get("since") else ""
    if "level" in params:  # the catalogue's word for a Beijing level, else "<short name> level"
        out["level_title"] = _w(lang, f"level.{params['level']}") \
            if f"reason.word.level.{params['level']}" in messages() else \
            _part(lang, "level_title", level=name("level", str(params["level"]), lang, short=True))
    tier, level = params.get("tier"), params.get("level")
    out["as_tier"] = _part(lang, "as_tier", tier_words=_named(lang, "tier", tier)) \
        if tier and level and tier != level else ""
    if "claim_year" in params and "event_year" in params:
        out["year_after"] = _part(lang, "year_after") \
            if params["claim_year"] != params["event_year"] else ""
    if "at_claim" in params:
        out["when"] = (_part(lang, "at_claim", at_claim=params["at_claim"]) if params["at_claim"]
                       else _part(lang, "on_date", date=out.get("date")))
    if "at_move" in params:
        out["how"] = _part(lang, "held_at_move") if params["at_move"] else \
            _part(lang, "since_move", date=out.get("date"),
                  district_words=_named(lang, "district", params.get("district")))
    if "field" in params:
        field, op = str(params["field"]), str(params.get("op"))
        value_kind = _FIELD_KIND.get(field)
        value = params.get("value")
        out["field_words"] = _w(lang, f"field.{field}") \
            if f"reason.word.field.{field}" in messages() else field.replace("_", " ")
        out["op_words"] = _w(lang, f"op.{op}") if f"reason.word.op.{op}" in messages() else op
        out["value_words"] = _list(lang, value_kind, value) if op in ("in", "not in") \
            else _named(lang, value_kind, value)
        out["condition"] = _part(lang, "condition", **out)
        fact = params.get("fact")
        out["fact_words"] = (_list(lang, value_kind, fact) if field == "industry"
                             else _named(lang, value_kind, fact)) if fact else _w(lang, "none")
    if "cap_per" in params:
        scope = str(params["cap_per"])
        if scope == "project" and params.get("cap_project_years"):
            scope = "project_years"
        out["cap_words"] = _part(lang, f"cap.{scope}", **out)
        out["cap_received"] = _part(lang, "cap.received", **out) if params.get("received") else ""
    if "limit" in params and "base" in params:
        scope = "project_years" if params.get("project_years") else \
            "year" if "year" in str(params.get("per") or "") else "plain"
        out["limit_words"] = _part(lang, f"limit.{scope}", **out)
    if "rival_min" in params:
        low, high = params["rival_min"], params["rival_max"]
        out["rival_amount"] = _yuan(int(high or 0)) if low == high else \
            f"{_yuan(int(low or 0))} – {_yuan(int(high or 0))}"
        out["rival_tier_part"] = _part(lang, "rival_tier", rival_tier_words=out["rival_tier_words"]) \
            if params.get("rival_tier") else ""
    if "project" in params:  # a project, or an item that is its own project
        out["project_words"] = _part(lang, "own_project") if params.get("own_project") \
            else _part(lang, "project", project=params["project"])
    if "project_year" in params:  # Belt and Road interest: which subsidized year it is
        out["project_year_words"] = _part(lang, "subsidy_year", **out) if params.get("year_number") \
            else _part(lang, "project_year", project_year=params["project_year"])
    if "counts" in params:
        out["counts_words"] = _part(lang, f"counts.{params['counts']}", **out)
    on_date = params.get("on_date")
    out["tier_on"] = _part(lang, "tier_on", year=on_date[:4]) if isinstance(on_date, str) else ""
    if "received_tier" in params:
        out["received_tier_part"] = _part(lang, "received_tier", **out) \
            if params["received_tier"] else ""
    if "rule" in params and "full" in params:  # what was received leaves an award nothing
        out["covers"] = _part(lang, f"covers.{params['rule']}", **out)
    if "deducted" in params:
        out["deducted_words"] = _part(lang, "deducted.received" if params.get("received")
                                      else "deducted.paid")
    event = params.get("event")
    if event:
        text = _part(lang, f"event.{event}", **out)
        if params.get("claim_year") and event in ("level", "move", "qualification"):
            text += _part(lang, "claim", **out)
        out["event"] = text
    return out


def render_reason(item: Reason, lang: str | None = None) -> str:
    """One reason in words (default: the current language)."""
    lang = lang or current_lang()
    params = dict(item.params)
    if item.code in ("registered_elsewhere", "registered_in"):
        params.setdefault("at_claim", None)
    text = t(f"reason.{item.code}", lang, **_prepare(lang, params))
    reading = params.get("reading")
    if reading and "{reading}" not in messages()[f"reason.{item.code}"][lang]:
        text += _part(lang, "reading", reading=reading_words(str(reading), lang))
    return text


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
    return str(_prepare(lang, {"field": condition.field, "op": condition.op, "value": shown})["condition"])


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
    return bool(reasons) and all(r.code in NO_EVENT_CODES for r in reasons)


def with_text(data: Any, render: Callable[[Reason], str] = render_reason) -> Any:
    """The JSON contract with words: every reason `{code, params}` gains its `text`, and every
    award's `why` becomes its reasons' texts joined by "; "."""
    if isinstance(data, list):
        return [with_text(item, render) for item in data]
    if not isinstance(data, dict):
        return data
    out = {key: with_text(value, render) for key, value in data.items()}
    if set(data) == {"code", "params"}:
        out["text"] = render(Reason(code=data["code"], params=dict(data["params"])))
    if "why" in out and isinstance(out.get("reasons"), list):
        out["why"] = t("reason.word.item_sep").join(r["text"] for r in out["reasons"])
    return out
