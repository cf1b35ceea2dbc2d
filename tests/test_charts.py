"""The charts a Chinese office prints (best district, what-if sweep, population sweep, fiscal
summary): under zh every word is Chinese (ids aside), amounts are in 万元 on the axis and on every
label alike, no "×1e6" offset, and every label lies inside the picture; under en the same charts
count in yuan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.i18n import using_lang
from models.money import Money
from models.record import load_record
from solver.planner import Sweep, best_district
from views import charts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
KEY = "dongcheng.tier.national.amount"


def _ranking():
    record = load_record(EXAMPLES / "relocating-little-giant.yaml")
    import datetime as dt

    return best_district(record, dt.date(2027, 1, 15), 2, {})


def _sweep() -> Sweep:
    return Sweep("EX-2", KEY, tuple((value, Money(100_000 + value, 100_000 + value))
                                    for value in range(0, 4_000_001, 1_000_000)))


def _cost_table() -> list[dict]:
    rows = []
    for value in (3_000_000, 5_500_000, 8_000_000):
        rows.append({"value": value, "paying_district": "all", "claim_year": "all",
                     "cost_min": value * 3 - 12_000_000, "cost_max": value * 4 - 12_000_000})
        rows.append({"value": value, "paying_district": "shunyi", "claim_year": "all",
                     "cost_min": 0, "cost_max": value * 4 - 12_000_000})
    return rows


def _summary() -> dict:
    cross = {"municipal": {"2025": {"min": 68_000_000, "max": 68_485_296, "open_above": False}},
             "daxing": {"2025": {"min": 0, "max": 2_000_000, "open_above": True},
                        "2026": {"min": 500_000, "max": 3_500_000, "open_above": False}},
             "dongcheng": {"2026": {"min": 0, "max": 0, "open_above": False}}}
    return {"baseline": {"by_paying_district_and_claim_year": cross}}


FIGURES = {
    "ranking": (lambda: charts.ranking_figure(_ranking()), ("EX-RELOCATE",)),
    "sweep": (lambda: charts.sweep_figure(_sweep()), ("EX-2", KEY)),
    "cost": (lambda: charts.sweep_cost_figure("shunyi.tier.national.amount", _cost_table()),
             ("shunyi.tier.national.amount",)),
    "summary": (lambda: charts.summary_figure(_summary()), ()),
}


def _texts(fig) -> list:
    """Every visible text of a drawn figure (titles, axis and tick labels, legends, bar labels)."""
    fig.canvas.draw()
    return [text for text in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
            if text.get_visible() and text.get_text().strip()]


def _drawn(name: str, lang: str):
    build, ids = FIGURES[name]
    with using_lang(lang), charts._bundled_font():
        fig = build()
        texts = _texts(fig)
        return fig, texts, ids


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_chart_under_zh_has_no_english_word_and_counts_in_wan(name: str) -> None:
    fig, texts, ids = _drawn(name, "zh")
    words = [text.get_text() for text in texts]
    for word in words:
        rest = word
        for ident in ids:
            rest = rest.replace(ident, "")
        assert not re.search(r"[A-Za-z]", rest), (name, word)  # ids aside, no Latin letter
    joined = "\n".join(words)
    assert "万元" in joined
    assert not re.search(r"\d[eE][+-]?\d|×\s*10", joined), joined  # no 1e6, no ×10^6
    for ax in fig.axes:
        assert ax.xaxis.get_offset_text().get_text() == "" and ax.yaxis.get_offset_text().get_text() == ""
    charts.plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(FIGURES))
def test_every_label_lies_inside_the_picture(name: str, lang: str) -> None:
    """What matplotlib draws (titles, tick labels within the axes' range, legends, bar labels)
    fits in the figure: nothing is cut at the edge of the PNG."""
    fig, _, _ = _drawn(name, lang)
    drawn, frame = fig.get_tightbbox(fig.canvas.get_renderer()), fig.bbox_inches
    assert drawn.x0 >= frame.x0 - 0.01 and drawn.y0 >= frame.y0 - 0.01, (name, drawn.bounds, frame.bounds)
    assert drawn.x1 <= frame.x1 + 0.01 and drawn.y1 <= frame.y1 + 0.01, (name, drawn.bounds, frame.bounds)
    charts.plt.close(fig)


def test_the_ranking_labels_are_in_the_axis_unit() -> None:
    """Fengtai pays 0 – 3,000,000 yuan: the bar says 0 – 300 under an axis in 万元, and
    0 – 3,000,000 under an axis in yuan."""
    for lang, label, unit in (("zh", "0 – 300", "（万元）"), ("en", "0 – 3,000,000", "(yuan)")):
        fig, texts, _ = _drawn("ranking", lang)
        words = [text.get_text().strip() for text in texts]
        assert label in words, (lang, words)
        assert fig.axes[0].get_xlabel().endswith(unit)
        ticks = [tick.get_text() for tick in fig.axes[0].get_xticklabels()]
        assert ("300" if lang == "zh" else "3,000,000") in ticks, ticks
        charts.plt.close(fig)


def test_summary_labels_are_the_years_totals_in_wan_rounded_in_integers() -> None:
    fig, texts, _ = _drawn("summary", "zh")
    words = [text.get_text() for text in texts]
    assert "7,048.53+" in words  # 70,485,296 yuan, open above (Daxing's "not less than")
    assert "350" in words  # 2026: 3,500,000 yuan
    assert "申领年度" in words and "市级" in words and "大兴区" in words
    charts.plt.close(fig)


def test_amount_labels_are_exact_integer_arithmetic() -> None:
    with using_lang("zh"):
        assert [charts._amount(v) for v in (0, 12_345, 3_000_000, 70_485_296, 49, 50, -1_250_000)] == \
            ["0", "1.23", "300", "7,048.53", "0", "0.01", "-125"]
    with using_lang("en"):
        assert charts._amount(70_485_296) == "70,485,296"


def test_a_sweep_of_an_amount_reads_its_axis_in_the_same_unit() -> None:
    fig, texts, _ = _drawn("sweep", "zh")
    ax = fig.axes[0]
    assert ax.get_xlabel() == f"{KEY}（万元）"
    assert [tick.get_text() for tick in ax.get_xticklabels() if tick.get_text()][-2:] == ["400", "500"] or \
        "400" in [tick.get_text() for tick in ax.get_xticklabels()]
    charts.plt.close(fig)
