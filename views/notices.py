"""Warnings in plain words, in the current language: one sentence per kind of warning
(`solver/notices.py`; `warning.<code>` in the message catalogue), prefixed by the field it is
about. A warning's JSON carries the same words (`message`) and its parameters as a person reads
them (`params`: amounts with thousands separators, the near tag's name, what it would bring).

>>> from solver.notices import ReceivedAboveClause
>>> notice_text(ReceivedAboveClause("rewards_received[0]", 900000, "daxing.tier", 500000))
'rewards_received[0]: 900,000 yuan received from daxing.tier is more than its clause pays (500,000 yuan)'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from models.catalog import name
from models.i18n import t
from models.normalize import accepted_values
from solver.notices import (IndustryUnknown, IndustryUnused, MissingGlyphs, Notice,
                            ReceivedAboveClause)


def _measures(notice: IndustryUnknown) -> str:
    """What the near tag brings (`daxing.tier (大兴区梯度奖励) +500,000`), else the measures
    whose conditions name it, else "-"."""
    if notice.gains:
        return ", ".join(f"{measure} ({name('measure', measure)}) +{gain:,}"
                         for measure, gain in notice.gains)
    return ", ".join(f"{m} ({name('measure', m)})" for m in notice.testing) or "-"


def notice_params(notice: Notice) -> dict[str, str]:
    """A warning's parameters as its JSON gives them (`params`)."""
    match notice:
        case IndustryUnused():
            return {"tag": notice.tag, "known": ", ".join(notice.known)}
        case IndustryUnknown():
            return {"tag": notice.tag, "near": notice.near, "name": name("industry", notice.near),
                    "measures": _measures(notice)}
        case ReceivedAboveClause():
            return {"amount": f"{notice.amount:,}", "measure": notice.measure,
                    "limit": f"{notice.limit:,}"}
        case MissingGlyphs():
            return {"chars": "、".join(f"{ch} (U+{ord(ch):04X})" for ch in notice.chars)}
        case _:
            assert_never(notice)


def notice_text(notice: Notice) -> str:
    """One warning in words: `field: sentence` (the tags a catalog uses each with its name)."""
    params = notice_params(notice)
    if isinstance(notice, IndustryUnused):
        params["known"] = accepted_values("industry", ids=notice.known)
    return f"{notice.field}: " + t(f"warning.{notice.code}", **params)


def notices_text(notices: Sequence[Notice]) -> str:
    """A row's warnings in one cell (a batch's `warnings` column)."""
    return t("reason.word.item_sep").join(notice_text(notice) for notice in notices)


def notice_json(notice: Notice) -> dict[str, object]:
    """A warning's JSON with its words: code, field, message and params."""
    return {"code": notice.code, "field": notice.field, "message": notice_text(notice),
            "params": notice_params(notice)}
