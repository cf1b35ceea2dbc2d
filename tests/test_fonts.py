"""Chinese in PNG charts and on the page with only `pip install`: the bundled subset of Noto Sans
CJK SC (OFL) holds every character of GB 2312 and every character zjtx prints, in two files of
the same glyphs (OpenType for matplotlib, WOFF2 for the page), ships with its licence, and a chart
in Chinese renders without matplotlib's missing-glyph warning (its only fallback, DejaVu Sans, has
no CJK). A character beyond the fonts is drawn as 〓 with a warning naming it, never an empty box."""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from matplotlib.ft2font import FT2Font
from typer.testing import CliRunner

from cli import app
from models.i18n import messages, names
from views.fonts import MissingGlyph
from views.fonts.subset import FONT, WEB_FONT, characters, gb2312

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ROOT = Path(__file__).resolve().parent.parent
NAMES = ("京西氢能有限公司", "雄安某甲乙科技有限公司", "司 雄 安 某 甲 乙")


@cache
def _cmap() -> frozenset[int]:
    """The code points of the chart font as matplotlib reads them (FreeType)."""
    return frozenset(FT2Font(str(FONT)).get_charmap())


def test_every_character_of_gb2312_is_in_the_chart_font_and_the_page_font() -> None:
    chars = gb2312()  # every code point of GB 2312, decoded (the unassigned ones do not decode)
    assert len(chars) == 7445  # 682 symbols and 6,763 hanzi: the whole standard decoded
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in chars) == 6763
    missing = [ch for ch in chars if ord(ch) not in _cmap()]
    assert not missing, f"{len(missing)} GB 2312 characters missing from the chart font: {''.join(missing[:40])}"
    web = set(TTFont(str(WEB_FONT)).getBestCmap())  # WOFF2: fontTools reads it with brotli
    missing = [ch for ch in chars if ord(ch) not in web]
    assert not missing, f"{len(missing)} GB 2312 characters missing from the page font: {''.join(missing[:40])}"


def test_the_page_font_holds_exactly_the_chart_fonts_glyphs() -> None:
    web, chart = TTFont(str(WEB_FONT)), TTFont(str(FONT))
    assert web.flavor == "woff2"
    assert web.getBestCmap() == chart.getBestCmap()
    assert web.getGlyphOrder() == chart.getGlyphOrder()


def test_every_character_of_every_message_and_name_is_in_the_bundled_font() -> None:
    texts = [text for entry in messages().values() for text in entry.values()]
    texts += [text for kind in names().values() for entry in kind.values() for text in entry.values()]
    cmap = _cmap()
    missing = sorted({ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in cmap})
    assert not missing, f"re-make the font (python -m views.fonts.subset): {''.join(missing)}"


def test_every_character_of_the_page_is_in_the_bundled_font() -> None:
    cmap = _cmap()
    for path in (ROOT / "service" / "static").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        missing = sorted({ch for ch in text if ord(ch) > 0x2E7F and ord(ch) not in cmap})
        assert not missing, (path.name, "".join(missing))


def test_the_font_is_a_light_subset_holding_what_the_subsetter_was_asked_for() -> None:
    cmap = _cmap()
    assert all(ord(ch) in cmap for ch in characters() if not ch.isspace())
    # Horizontal forms only: about one glyph per character (the full font has 65,535).
    assert len(TTFont(str(FONT)).getGlyphOrder()) < 1.05 * len(characters())
    assert FONT.stat().st_size < 2_000_000
    assert WEB_FONT.stat().st_size < 1_500_000


def test_the_font_ships_with_its_licence_as_package_data() -> None:
    licence = (FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"views.fonts" = ["*.otf", "*.woff2", "OFL.txt"]' in pyproject
    family = TTFont(str(FONT))["name"].getDebugName(1)
    assert family != "Noto Sans CJK SC"  # a modified version is told apart by its name (OFL)


def _draw(title: str, tmp_path: Path) -> list[warnings.WarningMessage]:
    """A ranking chart titled `title` through the CLI; the warnings it raised."""
    record = tmp_path / "r.yaml"
    source = (EXAMPLES / "relocating-little-giant.yaml").read_text(encoding="utf-8")
    record.write_text(source.replace("id: EX-RELOCATE", f"id: '{title}'"), encoding="utf-8")
    assert f"id: '{title}'" in record.read_text(encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = CliRunner().invoke(app, ["best-district", str(record), "--move-date", "2027-01-15",
                                        "-f", "png", "-o", str(tmp_path / "zh.png"), "--lang", "zh"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "zh.png").stat().st_size > 10_000
    caught.append(done)  # type: ignore[arg-type]  # the CLI's own output, last
    return caught


@pytest.mark.parametrize("title", NAMES)
def test_a_chinese_chart_of_a_company_name_renders_with_no_missing_glyph(title: str, tmp_path: Path) -> None:
    *caught, done = _draw(title, tmp_path)
    glyphs = [str(w.message) for w in caught if "missing from" in str(w.message).lower()
              or "glyph" in str(w.message).lower()]
    assert glyphs == []
    assert "〓" not in done.output and "提示" not in done.output


def test_a_character_beyond_the_fonts_is_drawn_visibly_and_named_in_a_warning(tmp_path: Path) -> None:
    """𠀀 (CJK extension B) and 䶮 (extension A, in a well-known name) are beyond GB 2312: each is
    drawn as 〓 and named (with its code point) in one warning line, and matplotlib's own
    missing-glyph warning (an empty box) never fires."""
    *caught, done = _draw("京西𠀀䶮有限公司", tmp_path)
    assert not [w for w in caught if "missing from" in str(w.message).lower()]
    assert "图表字体中没有 𠀀 (U+20000)、䶮 (U+4DAE)，图中以 〓 代替" in done.output


def test_the_chart_module_warns_with_its_own_category(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from views import charts

    with warnings.catch_warnings(record=True) as caught, charts._bundled_font():
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("东城区 𠀀 $x$")
        charts._save(fig, tmp_path / "x.png")
    assert [w.category for w in caught] == [MissingGlyph]
    assert "U+20000" in str(caught[0].message)


def test_without_the_bundled_font_the_same_chart_would_miss_glyphs(tmp_path: Path) -> None:
    """The checks above can fail: DejaVu Sans alone cannot draw the Chinese labels."""
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught, plt.rc_context({"font.family": ["DejaVu Sans"]}):
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("东城区")
        fig.savefig(tmp_path / "x.png")
        plt.close(fig)
    assert any("missing from" in str(w.message).lower() for w in caught)


def test_the_page_is_told_of_a_name_beyond_its_font() -> None:
    """The page draws a record's id and name with the bundled font: a character beyond it comes
    back as a warning naming it (the page lists warnings beside the answer), none for GB 2312."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    client = TestClient(create_app())
    answer = client.post("/v1/evaluate?lang=zh", json={"id": "E-1", "name": "京西𠀀䶮有限公司", "district": "dongcheng"})
    warnings = [w for w in answer.json()["warnings"] if w["code"] == "missing_glyph"]
    assert [w["field"] for w in warnings] == ["name"]
    assert "𠀀 (U+20000)、䶮 (U+4DAE)" in warnings[0]["message"] and "方框" in warnings[0]["message"]
    answer = client.post("/v1/evaluate", json={"id": "E-1", "name": "京西氢能有限公司 司雄安某甲乙", "district": "dongcheng"})
    assert answer.json()["warnings"] == []


def test_the_page_is_told_of_any_text_of_the_record_beyond_its_font() -> None:
    """Not only the id and name: an industry tag, an expense's id and project, a patent's id —
    whatever the record holds as typed is drawn by the page, so each field beyond the font is
    named (one warning per field, by its path)."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    client = TestClient(create_app())
    record = {"id": "E-1", "name": "京西氢能有限公司", "district": "dongcheng",
              "industries": ["𠀀能"],
              "expenses": [{"id": "X-𠀁", "category": "exhibition", "amount": 1000, "year": 2025,
                            "project": "项目䶮"}],
              "patents": [{"id": "ZL-𠀂", "standard_annuity": 1200, "paid": 1020, "year": 2025,
                           "patent_year": 4}]}
    answer = client.post("/v1/evaluate?lang=zh", json=record)
    assert answer.status_code == 200, answer.text
    warnings = {w["field"]: w["message"] for w in answer.json()["warnings"] if w["code"] == "missing_glyph"}
    assert set(warnings) == {"industries[0]", "expenses[0].id", "expenses[0].project", "patents[0].id"}
    assert "𠀁 (U+20001)" in warnings["expenses[0].id"] and "䶮 (U+4DAE)" in warnings["expenses[0].project"]
