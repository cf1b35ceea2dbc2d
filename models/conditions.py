"""The conditions grammar: `field op value`, parsed by this module and never evaluated as code.

    condition := FIELD OP VALUE
    OP        := == | != | >= | <= | > | < | in | not in
    VALUE     := NAME | DATE (YYYY-MM-DD) | INT | "[" NAME ("," NAME)* "]"

A field with a declared order (the catalog's tiers, lowest first) compares by that order:

>>> from models.catalog import load_catalog
>>> tiers = load_catalog().vocabulary.tiers
>>> c = parse_condition("tier >= municipal", {"tier": tiers})
>>> c.holds({"tier": "national"}), c.holds({"tier": "innovative"})
(True, False)
>>> parse_condition("industry in [hydrogen_energy, commercial_aerospace]").holds(
...     {"industry": frozenset({"commercial_aerospace", "software"})})
True
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.errors import CatalogError
from models.i18n import t
from models.limits import FIRST_DAY, LAST_DAY, MAX_DIGITS, MAX_YUAN, shown

_OPS = ("not in", "==", "!=", ">=", "<=", ">", "<", "in")
_COMPARE = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le,
            ">": operator.gt, "<": operator.lt}
_NAME = re.compile(r"^[a-z][a-z0-9_\-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^-?\d+$")
_CONDITION = re.compile(r"^\s*([a-z_]+)\s+(not in|==|!=|>=|<=|>|<|in)\s+(.+?)\s*$")

Value = str | int | dt.date | frozenset[str]
# The facts a condition reads: field → value (a set of tags for `industry`); a missing or None
# fact never satisfies a condition.
Facts = Mapping[str, object]


def _parse_atom(text: str, source: str) -> str | int | dt.date:
    text = text.strip()
    if _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise CatalogError(t("condition.bad_date", text=text, source=shown(source))) from exc
        if not FIRST_DAY <= day <= LAST_DAY:
            raise CatalogError(t("condition.date_bounds", text=text, source=shown(source),
                                 first=FIRST_DAY, last=LAST_DAY))
        return day
    if _INT.match(text):
        if len(text.lstrip("-0")) > MAX_DIGITS or abs(int(text)) > MAX_YUAN:  # (never int() 5,000 digits)
            raise CatalogError(t("condition.number_bounds", text=shown(text), source=shown(source),
                                 max=f"{MAX_YUAN:,}"))
        return int(text)
    if _NAME.match(text):
        return text
    raise CatalogError(t("condition.bad_value", text=shown(text), source=shown(source)),
                       accepted=t("accepted.condition_value"))


@dataclass(frozen=True)
class Condition:
    """One parsed condition; `text` is what the catalog wrote."""

    field: str
    op: str
    value: Value
    text: str
    order: tuple[str, ...] = ()  # the declared order of an ordered field (tiers), else empty

    def holds(self, context: Facts) -> bool:
        """Does the condition hold for these facts? A missing fact never satisfies a condition."""
        if self.field not in context or context[self.field] is None:
            return False
        fact = context[self.field]
        if isinstance(fact, frozenset):  # tags: `in` = shares a tag, `==` = has the tag
            wanted = self.value if isinstance(self.value, frozenset) else frozenset([self.value])
            shared = bool(fact & wanted)
            if self.op in ("in", "=="):
                return shared
            if self.op in ("not in", "!="):
                return not shared
            raise CatalogError(t("condition.tags_operator", op=self.op, text=self.text))
        if self.op == "in":
            return fact in self.value  # type: ignore[operator]
        if self.op == "not in":
            return fact not in self.value  # type: ignore[operator]
        left, right = self._ordered(fact)
        return bool(_COMPARE[self.op](left, right))

    def _ordered(self, fact: Any) -> tuple[Any, Any]:
        if self.order:  # tiers compare by their declared rank, not alphabetically
            return self.order.index(fact), self.order.index(str(self.value))
        return fact, self.value

    def explain_failure(self, context: Facts) -> str:
        """`tier >= municipal failed: tier is innovative`."""
        fact = context.get(self.field)
        if isinstance(fact, frozenset):
            fact = "[" + ", ".join(sorted(fact)) + "]" if fact else "none"
        return f"{self.text} failed: {self.field} is {fact if fact is not None else 'unknown'}"


def parse_condition(text: str, order: dict[str, tuple[str, ...]] | None = None) -> Condition:
    """Parse one condition string; a CatalogError says what is wrong and what is accepted.
    `order` gives the ordered fields (field → values, lowest first): their values must be
    declared ones, and `<`/`>=`… compare by rank."""
    match = _CONDITION.match(text)
    if not match:
        raise CatalogError(t("condition.unparsed", text=shown(text)),
                           accepted=t("accepted.condition", ops=", ".join(_OPS)))
    field, op, raw = match.groups()
    value: Value
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise CatalogError(t("condition.unclosed", text=shown(text)))
        items = [item for item in raw[1:-1].split(",") if item.strip()]
        parsed = [_parse_atom(item, text) for item in items]
        if not parsed or not all(isinstance(item, str) for item in parsed):
            raise CatalogError(t("condition.list_names", text=shown(text)))
        value = frozenset(str(item) for item in parsed)
        if op not in ("in", "not in"):
            raise CatalogError(t("condition.list_op", text=shown(text)))
    else:
        value = _parse_atom(raw, text)
        if op in ("in", "not in"):
            raise CatalogError(t("condition.needs_list", op=op, text=shown(text)))
    ranked = (order or {}).get(field, ())
    values = value if isinstance(value, frozenset) else {value}
    unknown = sorted(str(item) for item in values if item not in ranked)
    if ranked and unknown:
        raise CatalogError(t("condition.unknown", field=field, value=shown(unknown[0]), text=shown(text)),
                           accepted=", ".join(ranked))
    return Condition(field=field, op=op, value=value, text=text.strip(), order=ranked)


def first_failure(conditions: tuple[Condition, ...], context: Facts) -> str | None:
    """The explanation of the first condition that fails, or None when all hold."""
    for condition in conditions:
        if not condition.holds(context):
            return condition.explain_failure(context)
    return None
