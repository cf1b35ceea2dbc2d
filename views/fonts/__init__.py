"""The bundled CJK font (a GB 2312 subset of Noto Sans CJK SC; see views.fonts.subset)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.record import EnterpriseRecord
    from solver.notices import MissingGlyphs


class MissingGlyph(UserWarning):
    """A chart's text holds characters no font of the chart draws: each is drawn as 〓 (the
    typesetter's sign for a missing character) and named in this warning, never an empty box."""


def glyph_notices(record: EnterpriseRecord) -> list[MissingGlyphs]:
    """The page draws what a record holds as typed — its id and name, industry tags, the ids of
    its expenses, projects and patents — with the bundled font: a character beyond it (say 𠀀,
    CJK extension B) falls back to the system's fonts, or a box where they lack it, so the page
    says so beside the answer, one warning per field naming each character (never a silent box)."""
    from solver.notices import MissingGlyphs

    covered = _covered()
    out = []
    for field, text in _texts(record.model_dump(mode="json", exclude_none=True)):
        beyond = dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in covered)
        if beyond:
            out.append(MissingGlyphs(field, tuple(beyond)))
    return out


def _texts(value: object, path: str = "") -> list[tuple[str, str]]:
    """Every text in a record's JSON, with its field path (`name`, `expenses[0].project`)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in _texts(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _texts(item, f"{path}[{index}]")]
    return []


@cache
def _covered() -> frozenset[int]:
    """The code points of the bundled font (read once)."""
    from fontTools.ttLib import TTFont

    from views.fonts.subset import FONT

    return frozenset(TTFont(str(FONT), lazy=True).getBestCmap())
