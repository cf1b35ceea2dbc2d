"""Reasons in plain words: one template per reason code (`solver/reasons.py`), filled from the
reason's parameters. A language is a set of three tables — TEMPLATES (code → sentence), FRAGMENTS
(optional parts of sentences) and WORDS (ids → words) — so a translation adds tables, never code.

>>> from solver.reasons import reason
>>> render_reason(reason("no_recognition", level="national"))
'National level: no national little giant recognition in the record'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from solver.reasons import Param, Reason

Lang = str

WORDS: dict[Lang, dict[str, str]] = {"en": {
    # tiers and ladder levels
    "innovative": "innovative SME", "municipal": "municipal specialized and sophisticated SME",
    "national": "national little giant", "privileged": "privileged little giant",
    "level.municipal": "Municipal level", "level.national": "National level",
    # places and payers
    "outside_beijing": "outside Beijing", "municipal.payer": "the municipality",
    "dongcheng": "Dongcheng", "xicheng": "Xicheng", "chaoyang": "Chaoyang", "haidian": "Haidian",
    "fengtai": "Fengtai", "shijingshan": "Shijingshan", "mentougou": "Mentougou",
    "fangshan": "Fangshan", "tongzhou": "Tongzhou", "shunyi": "Shunyi", "changping": "Changping",
    "daxing": "Daxing", "huairou": "Huairou", "pinggu": "Pinggu", "miyun": "Miyun",
    "yanqing": "Yanqing",
    # qualifications (Fengtai)
    "key_lab_national": "national key laboratory", "key_lab_municipal": "municipal key laboratory",
    "tech_center": "enterprise technology center", "innovation_platform": "innovation platform",
    "st_progress_award": "S&T progress award", "little_giant": "little giant recognition",
    # boards, categories, entity types, industries
    "a_share": "A-share", "overseas_major": "major overseas exchange", "neeq": "NEEQ",
    "device_purchase": "device purchase", "equipment_rent": "equipment rent",
    "rd_investment": "R&D investment", "leased_equipment": "leased equipment",
    "transformation": "transformation", "supply_chain_prototype": "supply-chain prototype",
    "belt_road_investment": "Belt and Road investment", "belt_road_interest": "Belt and Road interest",
    "exhibition": "exhibition", "enterprise": "enterprise",
    "private_non_enterprise": "private non-enterprise entity",
    "hydrogen_energy": "hydrogen energy", "commercial_aerospace": "commercial aerospace",
    "foreign_trade": "foreign trade",
    # condition fields and operators
    "field.tier": "the tier", "field.industry": "the industry tags", "field.entity_type": "the entity type",
    "field.origin": "the place moved from", "field.move_date": "the move date",
    "field.patent_year": "the patent year", "field.project_year": "the project year",
    "field.qualification": "the qualification",
    "op.>=": "at least", "op.<=": "at most", "op.>": "above", "op.<": "below", "op.==": "equal to",
    "op.!=": "not", "op.in": "one of", "op.not in": "none of",
    "none": "none", "unknown": "none", "outside_beijing.in": "outside Beijing", "in": "in {place}",
}}

FRAGMENTS: dict[Lang, dict[str, str]] = {"en": {
    "event.level": "{level_title}",
    "event.move": "Move from {origin_words} on {move_date}",
    "event.qualification": "{kind_words} on {date}",
    "event.expense": "Expense {expense} ({category_words}, {year})",
    "event.listing": "{board_words} listing in {year}",
    "event.patent": "Patent {patent} annuity paid in {year} (patent year {patent_year})",
    "claim": ", claimed in {claim_year}",
    "as_tier": " (as {tier_words})",
    "year_after": " (the year after)",
    "at_claim": "when the {at_claim} claim opens",
    "on_date": "on {date}",
    "cap.enterprise": "the {cap_title}'s {cap_limit} in total",
    "cap.project": "the {cap_title}'s {cap_limit} per project (project {cap_project})",
    "cap.project_years": "the {cap_title}'s project year {cap_project_years} limit of {cap_limit} "
                         "(project {cap_project})",
    "cap.year": "the {cap_title}'s {cap_limit} a year ({cap_year})",
    "cap.project,year": "the {cap_title}'s {cap_limit} a year per project (project {cap_project}, "
                        "{cap_year})",
    "cap.received": " less {received} already received",
    "limit.project_years": "the project year {project_years} limit of {limit}",
    "limit.year": "the limit of {limit} a year",
    "limit.plain": "the limit of {limit}",
    "rival_tier": " {rival_tier_words}",
    "deducted.received": "already received",
    "deducted.paid": "paid",
    "condition": "{field_words} {op_words}{value_words}",
}}

TEMPLATES: dict[Lang, dict[str, str]] = {"en": {
    # why an award pays
    "first_recognition": "first {level_words} recognition on {date}{as_tier}",
    "registered_in": "registered {in_district} {when}",
    "claimed_in": "claimed in {claim_year}{year_after}",
    "condition_met": "{condition}: met",
    "moved_into": "moved from {origin_words} into {district_words} on {date}",
    "tier_qualifies": "{tier_words} {how}",
    "qualification": "{kind_words} obtained on {date} while registered in {district_words}",
    "expense_item": "expense {expense}: {category_words} of {amount} yuan in {year}, project "
                    "{project}, project year {project_year}",
    "tier_at_year_end": "recognized {tier_words} on 31 December {year}",
    "listing": "{board_words} listing in {year}",
    "district_matches": "the district of registration ({district_words}) pays not less than the "
                        "{counterpart_title} for the same listing",
    "patent_annuity": "patent {patent}, annuity paid in {year} (patent year {patent_year}): "
                      "{percent}% of the standard annuity {standard} is {share}; paid {paid}",
    "limit_bound": "{limit_words} binds: the expense of {base} yuan is paid up to {limit}",
    "r2_received": "difference between tiers: {full} less {received} already received for the "
                   "lower tier",
    "r2_paid": "difference between tiers: {full} less {lower} paid for the {lower_tier_words} "
               "tier in {lower_year}",
    "cap_bound": "{cap_words} binds: {cap_limit}{cap_received} less {others} taken by other "
                 "awards leaves {paid} of the {full} this award could pay",
    "r1_preferred": "most favorable policy: preferred to the {rival_title}{rival_tier_part} "
                    "({rival_amount})",
    "received": "already received in {year} (listed in the record): counts for the difference "
                "between tiers and for one-time rewards, not in the total",
    # why nothing is paid
    "no_recognition": "{level_title}: no {level_words} recognition in the record",
    "renewal_below_held": "{level_title}: the {level_words} recognition on {date} came after "
                          "the {held_words} recognition on {held_date}; a recognition below a "
                          "tier already held is a renewal, never a first recognition",
    "registered_elsewhere": "{event}: registered {in_district} {when}, not in {payer_words}",
    "condition_failed": "{event}: requires {condition}, but it is {fact_words}",
    "entity_not_named": "the clause speaks of enterprises; a {entity_words} is paid only by "
                        "clauses that name it (reading {reading})",
    "no_move_into": "no move into {district_words} in the record",
    "not_continuous": "{event}: the first {first_tier_words} recognition, on {first_date}, came "
                      "while registered {in_where}, not in {district_words} continuously "
                      "since the move; the relocation reward needs that recognition held on the "
                      "move date or obtained in {district_words} without leaving",
    "no_qualification": "no qualification or little giant recognition in the record",
    "same_qualification": "{event}: the same qualification again is paid once",
    "not_in_beijing": "{event}: not registered in {jurisdiction} on {date}",
    "no_expense": "no expense of category {categories_words}",
    "one_time_received": "{event}: the one-time subsidy was already received",
    "no_listing": "no listing on {boards_words}",
    "no_counterpart": "nothing from the {counterpart_title} to match",
    "no_patent": "no patent annuity in the record",
    "outside_effective_dates": "{event}: {date} is outside the measure's effective dates "
                               "({effective_from_words} to {effective_to_words})",
    "no_trigger": "no triggering event in the record",
    # why a candidate was not chosen
    "r1_rival": "{event}: only the most favorable policy applies: the {rival_title}"
                "{rival_tier_part} pays {rival_amount} in the same claim year instead",
    "r3_already_paid": "{event}: a one-time reward, already paid by the {rival_title} claimed "
                       "in {rival_year}",
    "r4_expense_taken": "{event}: expense {expense} is claimed by the {rival_title} instead (an "
                        "expense item funds one programme)",
    "cap_used_up": "{event}: {cap_words} is used up: {cap_limit}{cap_received} less {others} "
                   "taken by other awards leaves 0",
    "year_limit_reached": "{event}: paid for at most {limit} years per project; project "
                          "{project} already takes {years}",
    "difference_floored": "{event}: difference between tiers: {full} less {deducted} "
                          "{deducted_words} for the {lower_tier_words} tier leaves nothing (the "
                          "difference is never below 0)",
    "mirror_zero": "{event}: paid only beside the {counterpart_title}, which pays nothing here",
    "not_chosen": "{event}: not part of the best combination",
    "amount_zero": "{event}: the amount comes to 0",
}}

REGISTERED_ELSEWHERE_ONE_LINE: dict[Lang, str] = {
    "en": "Registered elsewhere: {titles} pay only enterprises registered in their district on "
          "the dates that count.",
}
NOTHING_TO_TRIGGER_ONE_LINE: dict[Lang, str] = {
    "en": "Nothing in the record triggers them: {items}.",
}
# Reasons that only say the record has no event of the kind a measure pays for.
NO_EVENT_CODES = frozenset({"no_expense", "no_listing", "no_patent", "no_qualification",
                            "no_move_into", "no_counterpart", "no_trigger"})
PAST_NOTE: dict[Lang, str] = {
    "en": "claimed in an earlier year: check with the office whether it was paid",
}

# Parameters that hold yuan (shown with thousands separators); other ints are years or counts.
_YUAN = frozenset({"amount", "full", "received", "lower", "paid", "others", "cap_limit", "limit",
                   "base", "deducted", "standard", "share", "rival_min", "rival_max"})


def _word(lang: Lang, value: Param) -> str:
    words = WORDS[lang]
    if value is None:
        return words["unknown"]
    text = str(value)
    if text in words:
        return words[text]
    return text.replace("_", " ")


def _list_words(lang: Lang, value: Param) -> str:
    if not value:
        return WORDS[lang]["none"]
    return ", ".join(_word(lang, item.strip()) for item in str(value).split(","))


def _yuan(value: int) -> str:
    return f"{value:,}"


def _prepare(lang: Lang, params: Mapping[str, Param]) -> dict[str, Any]:
    """Every placeholder a template may use, computed from the parameters."""
    words, parts = WORDS[lang], FRAGMENTS[lang]
    out: dict[str, Any] = {k: (_yuan(v) if k in _YUAN and isinstance(v, int) else v)
                           for k, v in params.items()}
    for key in ("level", "tier", "held", "first_tier", "lower_tier", "rival_tier", "kind",
                "category", "board", "origin", "district", "where", "entity", "payer"):
        if key in params:
            out[f"{key}_words"] = _word(lang, params[key])
    for key in ("district", "where"):
        if key in params:
            out[f"in_{key}"] = (words["outside_beijing.in"] if params[key] == "outside_beijing"
                                else words["in"].format(place=_word(lang, params[key])))
    if "entity_type" in params:
        out["entity_words"] = _word(lang, params["entity_type"])
    if params.get("payer") == "municipal":
        out["payer_words"] = words["municipal.payer"]
    for key in ("categories", "boards"):
        if key in params:
            out[f"{key}_words"] = _list_words(lang, params[key])
    for key in ("effective_from", "effective_to"):
        if key in params:
            out[f"{key}_words"] = params[key] or "…"
    if "level" in params:
        out["level_title"] = words.get(f"level.{params['level']}", str(params["level"]))
    tier, level = params.get("tier"), params.get("level")
    out["as_tier"] = parts["as_tier"].format(tier_words=_word(lang, tier)) \
        if tier and level and tier != level else ""
    if "claim_year" in params and "event_year" in params:
        out["year_after"] = parts["year_after"] if params["claim_year"] != params["event_year"] else ""
    if "at_claim" in params or params.get("code_needs_when"):
        out["when"] = (parts["at_claim"].format(at_claim=params["at_claim"]) if params.get("at_claim")
                       else parts["on_date"].format(date=params.get("date")))
    if "at_move" in params:
        out["how"] = ("held on the move date" if params["at_move"] else
                      f"first recognized on {params.get('date')}, while registered in "
                      f"{_word(lang, params.get('district'))} continuously since the move")
    if "field" in params:
        field, op = str(params["field"]), str(params.get("op"))
        value = params.get("value")
        value_words = _list_words(lang, value) if op in ("in", "not in") else _word(lang, value)
        op_words = words.get(f"op.{op}", op)
        out["field_words"] = words.get(f"field.{field}", field.replace("_", " "))
        out["op_words"] = op_words + " " if op_words else ""
        out["value_words"] = value_words
        out["condition"] = parts["condition"].format(**out)
        fact = params.get("fact")
        out["fact_words"] = (_list_words(lang, fact) if field == "industry" else _word(lang, fact)) \
            if fact else words["unknown"]
    if "cap_per" in params:
        scope = str(params["cap_per"])
        if scope == "project" and params.get("cap_project_years"):
            scope = "project_years"
        out["cap_words"] = parts[f"cap.{scope}"].format(**out)
        out["cap_received"] = parts["cap.received"].format(**out) if params.get("received") else ""
    if "limit" in params and "base" in params:
        scope = "project_years" if params.get("project_years") else \
            "year" if "year" in str(params.get("per") or "") else "plain"
        out["limit_words"] = parts[f"limit.{scope}"].format(**out)
    if "rival_min" in params:
        low, high = params["rival_min"], params["rival_max"]
        out["rival_amount"] = _yuan(int(high or 0)) if low == high else \
            f"{_yuan(int(low or 0))} – {_yuan(int(high or 0))}"
        out["rival_tier_part"] = parts["rival_tier"].format(
            rival_tier_words=_word(lang, params.get("rival_tier"))) \
            if params.get("rival_tier") else ""
    if "deducted" in params:
        out["deducted_words"] = parts["deducted.received" if params.get("received")
                                      else "deducted.paid"]
    event = params.get("event")
    if event:
        text = parts[f"event.{event}"].format(**out)
        if params.get("claim_year") and event in ("level", "move", "qualification"):
            text += parts["claim"].format(**out)
        out["event"] = text
    return out


def render_reason(item: Reason, lang: Lang = "en") -> str:
    """One reason in words."""
    params = dict(item.params)
    if item.code in ("registered_elsewhere", "registered_in"):
        params.setdefault("at_claim", None)
    return TEMPLATES[lang][item.code].format(**_prepare(lang, params))


def reason_text(code: str, params: Mapping[str, Param], lang: Lang = "en") -> str:
    return render_reason(Reason(code=code, params=dict(params)), lang)


def elsewhere_line(titles: list[str], lang: Lang = "en") -> str:
    """The one line that stands for every district measure of a district never registered in."""
    return REGISTERED_ELSEWHERE_ONE_LINE[lang].format(titles=", ".join(titles))


def nothing_to_trigger_line(items: list[tuple[str, str]], lang: Lang = "en") -> str:
    """The one line for the measures that nothing in the record triggers: (title, reason)."""
    return NOTHING_TO_TRIGGER_ONE_LINE[lang].format(
        items="; ".join(f"{title} ({text})" for title, text in items))


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
        out["why"] = "; ".join(r["text"] for r in out["reasons"])
    return out
