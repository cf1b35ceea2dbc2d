"""The words views print, in the current language: amounts, measure, tier and district names,
statuses. Ids stay visible in Chinese output (`东城区梯度奖励 dongcheng.tier`) so that a reader can
pass them back to the command line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from models.catalog import active_catalog, name
from models.i18n import current_lang, messages, t
from models.money import Money


def money(amount: Money) -> str:
    """`800,000`, `0 – 700,000`, `0 – 3,000,000 or more` (或更多)."""
    body = f"{amount.min:,}" if amount.min == amount.max else f"{amount.min:,} – {amount.max:,}"
    return body + (t("money.or_more") if amount.open_above else "")


def delta(low: int, high: int) -> str:
    return f"{high:+,}" if low == high else f"{low:+,} … {high:+,}"


def yuan(amount: Money) -> str:
    return t("money.yuan", amount=money(amount))


def measure(ident: str) -> str:
    """A measure id with its short title in Chinese; the id alone in English (it is the name)."""
    if current_lang() == "en":
        return ident
    title = name("measure", ident)
    return ident if title == ident else f"{title} {ident}"


def tier(ident: str | None) -> str:
    return name("tier", ident, short=True) if current_lang() == "zh" else (ident or "")


def place(ident: str | None) -> str:
    return name("district", ident, short=True) if current_lang() == "zh" else (ident or "")


def status(received: bool, projected: bool, past: bool = False) -> str:
    key = "received" if received else "projected" if projected else "past" if past else "due"
    return t(f"status.{key}")


def printed(text: str | None) -> str:
    """A document title, a contact office or a window's words as the catalog prints them in
    English, in the current language (`Catalog.printed`)."""
    return active_catalog().printed(text, current_lang())


def call(contact: str, tel: str) -> str:
    """Whom to call: the office (its Chinese name in Chinese) and its telephone."""
    return t("label.tel", contact=printed(contact), tel=printed(tel))


def month(text: str) -> str:
    """A month as the catalog writes it (`October 2022`, `2022-10`) in the current language:
    `October 2022`, `2022年10月`; anything else as written."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if match:
        year, number = int(match[1]), int(match[2])
    else:
        match = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", text.strip())
        if not match or match[1].capitalize() not in MONTHS:
            return text
        year, number = int(match[2]), MONTHS.index(match[1].capitalize()) + 1
    return t("date.month", year=year, month_name=t("date.month_names").split(",")[number - 1])


MONTHS = tuple(t("date.month_names", "en").split(","))  # as the catalog may write them


def day(value: str | dt.date | None) -> str:
    """A day in the current language: `2025-07-01` (English, ISO as the contract writes it),
    `2025年7月1日` (Chinese)."""
    if value is None:
        return ""
    from views.reasons import day_words

    return day_words(value.isoformat() if isinstance(value, dt.date) else str(value),
                     current_lang())


# A change's facts → the vocabulary kind that names them.
_CHANGE_NAMES = {"tier": "tier", "district": "district", "category": "category", "board": "board",
                 "kind": "qualification", "tag": "industry"}


def change(kind: str, facts: Mapping[str, object]) -> str:
    """A record change (`models.scenario.Change.facts()`) in words: `2026年11月24日获得国家级专精
    特新“小巨人”企业认定`, `2026年“一带一路”投资支出 1,000,000 元`."""
    shown: dict[str, object] = dict(facts)  # the message's fields
    for key, named in _CHANGE_NAMES.items():
        if key in facts:
            shown[f"{key}_words"] = name(named, str(facts[key]))
    for key in ("date", "value"):
        text = facts.get(key)
        if isinstance(text, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            shown[key] = day(text)
    for key in ("amount", "paid", "standard_annuity"):
        number = facts.get(key)
        if isinstance(number, int):
            shown[key] = f"{number:,}"
    if "field" in facts:
        field = str(facts["field"])
        value = facts.get("value")
        shown["field_words"] = t(f"change.field.{field}") if f"change.field.{field}" in messages() else field
        shown["value_words"] = name(_FIELD_NAMES.get(field, field), str(value)) \
            if field in _FIELD_NAMES else shown.get("value", value)
        return t("change.set", None, **shown)
    message = f"change.{kind}"
    return t(message, None, **shown) if message in messages() else str(facts)


_FIELD_NAMES = {"district": "district", "entity_type": "entity_type"}


# Keys whose value is a vocabulary id → the kind that names it (`"paid_by_name": "东城区"`).
NAMED = {"measure": "measure", "tier": "tier", "paid_by": "district", "district": "district",
          "current_district": "district", "best_district": "district", "winner": "district"}


# Texts the catalog prints in English (offices, documents, a window's words) → shown in the
# current language beside them (`"contact_name": "北京市经济和信息化局"`).
PRINTED = frozenset({"contact", "source", "office", "who", "tel"})


def with_names(data: Any) -> Any:
    """JSON with a display name beside each vocabulary id, in the current language: ids stay the
    contract (`"paid_by": "dongcheng"`), names are added (`"paid_by_name": "东城区"`); so are the
    official Chinese names of offices and documents (`"contact_name"`, `"source_name"`)."""
    if isinstance(data, list):
        return [with_names(item) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, object] = {}
    for key, value in data.items():
        out[key] = with_names(value)
        kind = NAMED.get(key)
        if kind and (value is None or isinstance(value, str)) and f"{key}_name" not in data:
            out[f"{key}_name"] = name(kind, value) if value is not None else None
        elif key in PRINTED and isinstance(value, str) and f"{key}_name" not in data:
            out[f"{key}_name"] = printed(value)
    return out
