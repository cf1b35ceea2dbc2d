"""Charts as PNG files (matplotlib, no screen): the best-district ranking, a what-if sweep, a
population sweep's cost and the fiscal summary, every word in the current language, drawn with the
bundled CJK font (views/fonts) so that Chinese shows on any machine. Amounts are in 万元 in
Chinese and in yuan in English, on the axis and on every label alike (plain numbers: never a
"×1e6" offset); the layout keeps every label inside the picture (a test checks it).

Each chart is a `*_figure` (the figure, for tests to read) and a `*_chart` (the PNG file)."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from models.i18n import current_lang, t  # noqa: E402
from solver.fiscal import FiscalReport, Interval  # noqa: E402
from solver.planner import Ranking, Sweep  # noqa: E402
from views import words  # noqa: E402
from views.fonts import MissingGlyph  # noqa: E402
from views.fonts.subset import FONT, MISSING  # noqa: E402

if TYPE_CHECKING:
    from formats.sweep import SweepRow

_PNG = {"Software": None}  # no version stamp: the same data draws the same file


@cache
def font_family() -> str:
    """Register the bundled font with matplotlib once; its family name."""
    font_manager.fontManager.addfont(str(FONT))
    return font_manager.FontProperties(fname=str(FONT)).get_name()


@cache
def drawable() -> frozenset[int]:
    """The code points a chart draws: the bundled font's (all of GB 2312 and every character
    zjtx prints) and DejaVu Sans's (matplotlib's own, second in the family list)."""
    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    return frozenset(FT2Font(str(FONT)).get_charmap()) | frozenset(FT2Font(dejavu).get_charmap())


def _mark_missing(fig: Figure) -> None:
    """Draw every character no chart font holds as 〓 and warn once, naming each (U+XXXX)."""
    codes = drawable()
    missing: dict[str, None] = {}
    for text in fig.findobj(Text):
        content = text.get_text()
        gone = {ch for ch in content if not ch.isspace() and ord(ch) not in codes}
        if gone:
            missing.update(dict.fromkeys(ch for ch in content if ch in gone))
            text.set_text("".join(MISSING if ch in gone else ch for ch in content))
    if missing:
        chars = t("reason.word.list_sep").join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
        warnings.warn(t("chart.missing_glyph", chars=chars, mark=MISSING), MissingGlyph, stacklevel=3)


@contextmanager
def _bundled_font() -> Iterator[None]:
    # Text is text: a "$" in a company name starts no formula.
    with plt.rc_context({"font.family": [font_family(), "DejaVu Sans"], "text.parse_math": False}):
        yield


def _in_wan() -> bool:
    """Chinese charts count in 万元 (10,000 yuan), English ones in yuan."""
    return current_lang() == "zh"


def _unit(yuan: int) -> float:
    """An amount in the chart's unit, as a position on an axis only (labels use `_amount`)."""
    return yuan / 10_000 if _in_wan() else float(yuan)


def _amount(yuan: int) -> str:
    """An amount as a label in the chart's unit, computed in integers: 3,000,000 → "300" (万元)
    or "3,000,000" (yuan); in 万元 to two decimals, rounded half up (12,345 → "1.23"; the exact
    yuan are in the JSON and the tables)."""
    if not _in_wan():
        return f"{yuan:,}"
    hundreds = (abs(yuan) + 50) // 100  # whole hundreds of yuan: 0.01 万元
    whole, part = divmod(hundreds, 100)
    text = f"{whole:,}" + (f".{part:02d}".rstrip("0") if part else "")
    return ("-" if yuan < 0 and hundreds else "") + text


def _range(low: int, high: int, open_above: bool = False) -> str:
    body = _amount(high) if low == high else f"{_amount(low)} – {_amount(high)}"
    return body + (t("money.or_more") if open_above else "")


def _plain_axis(axis: Axis) -> None:
    """Tick labels as plain numbers with thousands separators (never "1e6" or an offset)."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}" if abs(value) < 1e15 else ""))


def _money_key(key: str) -> bool:
    """A swept value in yuan (`….amount`, `….cap`), not a percentage."""
    return key.rsplit(".", 1)[-1] in ("amount", "cap")


def _swept_axis(ax: Axes, key: str) -> None:
    """The x axis of a sweep: the key, in the chart's unit when it is an amount."""
    if _money_key(key):
        ax.set_xlabel(t("chart.swept_money", key=key, unit=t("chart.unit")))
    else:
        ax.set_xlabel(key)
    _plain_axis(ax.xaxis)


def _figure(width: float, height: float) -> Figure:
    # Constrained layout makes room for every label, legend and title inside the picture.
    return plt.figure(figsize=(width, height), dpi=110, layout="constrained")


def _save(fig: Figure, out: Path) -> Path:
    """Write a PNG to exactly `out` (the command checked the path: formats.safety)."""
    from formats.safety import writing

    try:
        _mark_missing(fig)
        with writing(out, "--out"):
            out.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(out, metadata=_PNG, format="png")
    finally:
        plt.close(fig)
    return out


def ranking_chart(ranking: Ranking, out: Path) -> Path:
    """Interval bars per district: solid up to the lower (certain) total, light up to the upper."""
    with _bundled_font():
        return _save(ranking_figure(ranking), out)


def ranking_figure(ranking: Ranking) -> Figure:
    rows = list(ranking.ranking)
    fig = _figure(8, 0.42 * len(rows) + 1.9)
    ax = fig.add_subplot()
    for y, outcome in enumerate(reversed(rows)):
        colour = "#c0392b" if outcome.current else "#2c6fbb"
        low, high = outcome.total.min, outcome.total.max
        ax.barh(y, _unit(high), color=colour, alpha=0.3, height=0.6)
        ax.barh(y, _unit(low), color=colour, alpha=0.9, height=0.6)
        ax.text(_unit(high), y, "  " + _range(low, high, outcome.total.open_above), va="center", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([words.place(o.district) + (t("label.current") if o.current else "")
                        for o in reversed(rows)])
    first, last = ranking.horizon
    ax.set_xlabel(t("chart.ranking.axis", unit=t("chart.unit")))
    _plain_axis(ax.xaxis)
    ax.set_title(t("chart.ranking.title", enterprise=ranking.enterprise,
                   date=ranking.move_date, first=first, last=last))
    ax.legend(handles=[Patch(color="#2c6fbb", alpha=0.9, label=t("chart.certain")),
                       Patch(color="#2c6fbb", alpha=0.3, label=t("chart.up_to"))],
              loc="lower right", fontsize=8)
    ax.margins(x=0.35)
    return fig


def sweep_chart(result: Sweep, out: Path) -> Path:
    """The total (lower and upper) against the swept value."""
    with _bundled_font():
        return _save(sweep_figure(result), out)


def sweep_figure(result: Sweep) -> Figure:
    xs = [_unit(value) if _money_key(result.key) else value for value, _ in result.points]
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    ax.plot(xs, [_unit(total.max) for _, total in result.points], marker="o", label=t("chart.up_to"))
    ax.plot(xs, [_unit(total.min) for _, total in result.points], marker=".", label=t("chart.certain"))
    _swept_axis(ax, result.key)
    ax.set_ylabel(t("chart.sweep.axis", unit=t("chart.unit")))
    _plain_axis(ax.yaxis)
    ax.set_title(t("sweep.title", enterprise=result.enterprise, key=result.key))
    ax.legend()
    return fig


def sweep_cost_chart(key: str, table: list[SweepRow], out: Path) -> Path:
    """A population sweep: the cost of the reform (lower and upper) against the swept value, in
    all and for each paying district that pays something."""
    with _bundled_font():
        return _save(sweep_cost_figure(key, table), out)


def sweep_cost_figure(key: str, table: list[SweepRow]) -> Figure:
    totals = [r for r in table if r["paying_district"] == r["claim_year"] == "all"]
    values = [r["value"] for r in totals]
    xs = [_unit(value) if _money_key(key) else value for value in values]
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    ax.plot(xs, [_unit(r["cost_max"]) for r in totals], marker="o", color="black", label=t("chart.cost.all_up_to"))
    ax.plot(xs, [_unit(r["cost_min"]) for r in totals], marker=".", color="gray", label=t("chart.cost.all_at_least"))
    districts = sorted({r["paying_district"] for r in table if r["paying_district"] != "all"
                        and r["claim_year"] == "all" and r["cost_max"]})
    for district in districts:
        ax.plot(xs, [_unit(next((r["cost_max"] for r in table if r["value"] == value
                                 and r["paying_district"] == district), 0)) for value in values],
                linestyle="--", label=t("chart.cost.district_up_to", district=words.place(district) or district))
    ax.axhline(0, color="lightgray", linewidth=0.8)
    _swept_axis(ax, key)
    ax.set_ylabel(t("chart.cost.axis", unit=t("chart.unit")))
    _plain_axis(ax.yaxis)
    ax.set_title(t("chart.cost.title", key=key))
    ax.legend(fontsize="small")
    return fig


View = Literal["baseline", "scenario"]  # a view of the fiscal summary
NOTHING: Interval = {"min": 0, "max": 0, "open_above": False}  # a district paying nothing in a year


def summary_chart(report: FiscalReport, out: Path, view: View = "baseline") -> Path:
    """The fiscal cost by paying district and claim year: one stacked bar per claim year, a
    segment per paying district (its upper total), a tick at the year's lower total, and the
    segments where a district may pay more ("not less than the municipal subsidy") hatched and
    marked "+"."""
    with _bundled_font():
        return _save(summary_figure(report, view), out)


def summary_figure(report: FiscalReport, view: View = "baseline") -> Figure:
    shown = report.get(view)
    cross = shown.get("by_paying_district_and_claim_year", {}) if shown else {}
    years = sorted({year for cells in cross.values() for year in cells})
    districts = sorted(cross, key=lambda d: (-sum(c["max"] for c in cross[d].values()), d))
    fig = _figure(max(6, 1.1 * len(years) + 3), 4.8)
    ax = fig.add_subplot()
    colours = plt.get_cmap("tab20")
    bottom = [0.0] * len(years)
    for index, district in enumerate(districts):
        cells = [cross[district].get(year, NOTHING) for year in years]
        heights = [_unit(c["max"]) for c in cells]
        bars = ax.bar(range(len(years)), heights, bottom=bottom, color=colours(index % 20),
                      label=words.place(district) or district, edgecolor="white", linewidth=0.5)
        for bar, cell in zip(bars, cells):
            if cell["open_above"]:
                bar.set_hatch("//")
        bottom = [b + h for b, h in zip(bottom, heights)]
    for x, year in enumerate(years):
        low = sum(cross[d].get(year, NOTHING)["min"] for d in districts)
        high = sum(cross[d].get(year, NOTHING)["max"] for d in districts)
        more = any(cross[d].get(year, NOTHING)["open_above"] for d in districts)
        ax.plot([x - 0.4, x + 0.4], [_unit(low)] * 2, color="black", linewidth=1.5)
        ax.text(x, _unit(high), _amount(high) + ("+" if more else ""), ha="center", va="bottom", fontsize=7)
    # Room for the year totals under the title (a zero-height top segment pins autoscaling).
    ax.set_ylim(0, 1.1 * max(bottom, default=0) or 1)
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels(years)
    ax.set_xlabel(t("chart.summary.year"))
    ax.set_ylabel(t("chart.summary.axis", unit=t("chart.unit")))
    _plain_axis(ax.yaxis)
    ax.set_title(t("chart.summary.title", view=t(f"chart.view.{view}")))
    if districts:
        ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
