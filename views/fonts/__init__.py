"""The bundled CJK font (a GB 2312 subset of Noto Sans CJK SC; see views.fonts.subset)."""


class MissingGlyph(UserWarning):
    """A chart's text holds characters no font of the chart draws: each is drawn as 〓 (the
    typesetter's sign for a missing character) and named in this warning, never an empty box."""
