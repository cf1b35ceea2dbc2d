"""Make the bundled CJK font: a subset of Noto Sans CJK SC (SIL Open Font License 1.1) holding
every character zjtx prints: the message catalogue (words and vocabulary names), the Chinese in
the catalog, ASCII and the punctuation around them. Charts (matplotlib) and the page (@font-face)
use it, so Chinese shows on a machine with no CJK font installed.

Re-make it after adding a message with new characters (a test fails until then):

    apt-get install -y fonts-noto-cjk      # Debian's package of the upstream OFL font
    python -m views.fonts.subset /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

(or, to keep the machine free of CJK system fonts: `apt-get download fonts-noto-cjk`,
`dpkg -x fonts-noto-cjk_*.deb /tmp/noto`, and pass the .ttc under /tmp/noto.)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
FONT = HERE / "NotoSansSC-zjtx-subset.otf"
FAMILY = "Noto Sans SC zjtx subset"
_ROOT = HERE.parent.parent
# The catalogue, the catalog files (Chinese names and aliases declared there), and the page.
SOURCES = [_ROOT / "models" / "i18n" / "messages.yaml", *sorted((_ROOT / "models" / "catalog").glob("*.yaml")),
           *sorted((_ROOT / "models" / "packages").glob("*/*.yaml")),  # the shipped later editions
           *sorted((_ROOT / "service" / "static").glob("*.html"))]
EXTRA = ("".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xFF01, 0xFF5F))
         + "“”‘’–—…·•→←×÷±≤≥≈％，。：；、（）《》「」『』【】？！￥¥—～ 万亿元年月日区号")


def characters() -> str:
    """Every character the bundled font must hold, sorted."""
    text = EXTRA + "".join(path.read_text(encoding="utf-8") for path in SOURCES)
    return "".join(sorted({ch for ch in text if ch.isprintable() or ch == " "}))


def make(source: Path, out: Path = FONT) -> Path:
    """Subset `source` (a Noto Sans CJK .ttc or Noto Sans SC .otf) to `characters()`."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() == ".ttc":
        fonts = TTCollection(str(source)).fonts
        font = next(f for f in fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    else:
        font = TTFont(str(source))
    options = subset.Options()
    options.layout_features = ["*"]
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
    return out


if __name__ == "__main__":
    print(make(Path(sys.argv[1]) if len(sys.argv) > 1 else
               Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")))
