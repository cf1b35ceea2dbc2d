"""The bundled CJK font (a GB 2312 subset of Noto Sans CJK SC; see views.fonts.subset)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.record import EnterpriseRecord
    from solver.notices import Notice


class MissingGlyph(UserWarning):
    """A chart's text holds characters no font of the chart draws: each is drawn as 〓 (the
    typesetter's sign for a missing character) and named in this warning, never an empty box."""


def glyph_notices(record: EnterpriseRecord) -> list[Notice]:
    """The page draws a record's id and name with the bundled font: a character beyond it (say
    𠀀, CJK extension B) falls back to the system's fonts, or a box where they lack it, so the
    page says so beside the answer, naming each character (never a silent box)."""
    from solver.notices import Notice

    covered = _covered()
    out = []
    for field in ("id", "name"):
        text = getattr(record, field) or ""
        beyond = dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in covered)
        if beyond:
            out.append(Notice("missing_glyph", field, {"chars": "、".join(f"{ch} (U+{ord(ch):04X})" for ch in beyond)}))
    return out


@cache
def _covered() -> frozenset[int]:
    """The code points of the bundled font (read once)."""
    from fontTools.ttLib import TTFont

    from views.fonts.subset import FONT

    return frozenset(TTFont(str(FONT), lazy=True).getBestCmap())
