"""Make the bundled CJK font: a subset of Noto Sans CJK SC (SIL Open Font License 1.1) holding
every character of GB 2312 (6,763 hanzi and 682 symbols: any name a Beijing company registers in
the national standard set draws), every character zjtx prints (the message catalogue, the Chinese
in the catalog, the page), ASCII, full-width forms and the punctuation around them. Two files of
the same glyphs: an OpenType file for charts (matplotlib reads no compressed font) and a WOFF2
file for the page (@font-face; brotli-compressed, a quarter smaller). Horizontal text only: the
vertical forms and the Japanese, Korean and traditional variants (`vert`, `locl`) are left out,
which halves the file.

Re-make both after adding a message with a character outside GB 2312 (a test fails until then):

    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb /tmp/noto   # Debian's package of the OFL font
    pip install brotli                                                           # to write WOFF2
    python -m views.fonts.subset /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

(`apt-get install fonts-noto-cjk` and the .ttc under /usr/share/fonts works as well, but leaves a
CJK system font on the machine, which hides a missing glyph from the page tests.) The same source
makes the same bytes: no time stamp is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
FONT = HERE / "NotoSansSC-zjtx-subset.otf"
WEB_FONT = HERE / "NotoSansSC-zjtx-subset.woff2"
FAMILY = "Noto Sans SC zjtx subset"
# What a chart draws in place of a character the fonts lack (GB 2312's GETA MARK, the typesetter's
# sign for a missing character; in the font itself).
MISSING = "〓"
_ROOT = HERE.parent.parent
# The catalogue, the catalog files (Chinese names and aliases declared there), and the page.
SOURCES = [_ROOT / "models" / "i18n" / "messages.yaml", *sorted((_ROOT / "models" / "catalog").glob("*.yaml")),
           *sorted((_ROOT / "models" / "packages").glob("*/*.yaml")),  # the shipped later editions
           *sorted((_ROOT / "service" / "static").glob("*.html"))]
EXTRA = ("".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xFF01, 0xFF5F))
         + "“”‘’–—…·•→←×÷±≤≥≈％，。：；、（）《》「」『』【】？！￥¥—～ 万亿元年月日区号" + MISSING)
# Horizontal shaping only: composition, ligatures, kerning and marks.
FEATURES = ["ccmp", "liga", "calt", "kern", "mark", "mkmk"]
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def gb2312() -> str:
    """Every character of GB 2312, decoded from its code points (rows 0xA1–0xF7, cells
    0xA1–0xFE; the unassigned ones do not decode): 7,445 characters, 6,763 of them hanzi."""
    out = []
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                out.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(out)


def characters() -> str:
    """Every character the bundled font must hold, sorted."""
    text = EXTRA + "".join(path.read_text(encoding="utf-8") for path in SOURCES)
    # All of GB 2312 (its ideographic space U+3000 included) and what zjtx prints.
    return "".join(sorted({*gb2312(), *(ch for ch in text if ch.isprintable() or ch == " ")}))


def make(source: Path, out: Path = FONT, web: Path = WEB_FONT) -> tuple[Path, Path]:
    """Subset `source` (a Noto Sans CJK .ttc or Noto Sans SC .otf) to `characters()`: `out`
    (OpenType, for charts) and `web` (WOFF2, for the page)."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() == ".ttc":
        fonts = TTCollection(str(source)).fonts
        font = next(f for f in fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    else:
        font = TTFont(str(source))
    font.recalcTimestamp = False  # the same source makes the same bytes
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    # A modified font gets its own name (the OFL asks that a modified version be told apart).
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID in (4,):
            record.string = FAMILY + " Regular"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
    font.save(str(out))
    font.flavor = "woff2"
    font.save(str(web))
    return out, web


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE):
        print(f"{path} {path.stat().st_size:,} bytes")
