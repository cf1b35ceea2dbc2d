"""Chinese in PNG charts with only `pip install`: the bundled subset of Noto Sans CJK SC (OFL)
holds every character zjtx prints, ships with its licence, and a chart in Chinese renders without
matplotlib's missing-glyph warning (its only fallback, DejaVu Sans, has no CJK)."""

from __future__ import annotations

import warnings
from pathlib import Path

from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from cli import app
from models.i18n import messages, names
from views.fonts.subset import FONT, characters

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ROOT = Path(__file__).resolve().parent.parent


def _cmap() -> set[int]:
    return set(TTFont(str(FONT)).getBestCmap())


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


def test_the_font_is_a_small_subset_holding_what_the_subsetter_was_asked_for() -> None:
    cmap = _cmap()
    assert all(ord(ch) in cmap for ch in characters() if not ch.isspace())
    assert FONT.stat().st_size < 1_500_000


def test_the_font_ships_with_its_licence_as_package_data() -> None:
    licence = (FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"views.fonts" = ["*.otf", "OFL.txt"]' in pyproject


def test_a_chinese_chart_renders_with_no_missing_glyph(tmp_path: Path) -> None:
    out = tmp_path / "zh.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done = CliRunner().invoke(app, ["best-district", str(EXAMPLES / "relocating-little-giant.yaml"),
                                        "--move-date", "2027-01-15", "-f", "png", "-o", str(out),
                                        "--lang", "zh"])
    assert done.exit_code == 0, done.output
    assert out.stat().st_size > 10_000
    glyphs = [str(w.message) for w in caught if "missing from" in str(w.message).lower()
              or "glyph" in str(w.message).lower()]
    assert glyphs == []


def test_without_the_bundled_font_the_same_chart_would_miss_glyphs(tmp_path: Path) -> None:
    """The check above can fail: DejaVu Sans alone cannot draw the Chinese labels."""
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught, plt.rc_context({"font.family": ["DejaVu Sans"]}):
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("东城区")
        fig.savefig(tmp_path / "x.png")
        plt.close(fig)
    assert any("missing from" in str(w.message).lower() for w in caught)
