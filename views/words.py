"""The words views print, in the current language: amounts, measure, tier and district names,
statuses. Ids stay visible in Chinese output (`东城区梯度奖励 dongcheng.tier`) so that a reader can
pass them back to the command line."""

from __future__ import annotations

from typing import Any

from models.i18n import current_lang, name, t
from models.money import Money


def money(amount: Money | dict[str, Any]) -> str:
    """`800,000`, `0 – 700,000`, `0 – 3,000,000 or more` (或更多)."""
    if isinstance(amount, dict):
        amount = Money(amount["min"], amount["max"], amount.get("open_above", False))
    body = f"{amount.min:,}" if amount.min == amount.max else f"{amount.min:,} – {amount.max:,}"
    return body + (t("money.or_more") if amount.open_above else "")


def delta(low: int, high: int) -> str:
    return f"{high:+,}" if low == high else f"{low:+,} … {high:+,}"


def yuan(amount: Money | dict[str, Any]) -> str:
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


def call(contact: str, tel: str) -> str:
    """Whom to call: the office as printed in the brochure, and its telephone."""
    return t("label.tel", contact=contact, tel=tel)


_NAMED = {"measure": "measure", "tier": "tier", "paid_by": "district", "district": "district",
          "current_district": "district", "best_district": "district", "winner": "district"}


def with_names(data: Any) -> Any:
    """JSON with a display name beside each vocabulary id, in the current language: ids stay the
    contract (`"paid_by": "dongcheng"`), names are added (`"paid_by_name": "东城区"`)."""
    if isinstance(data, list):
        return [with_names(item) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = with_names(value)
        kind = _NAMED.get(key)
        if kind and (value is None or isinstance(value, str)) and f"{key}_name" not in data:
            out[f"{key}_name"] = name(kind, value) if value is not None else None
    return out
