"""Charts as PNG files (matplotlib, no screen): the best-district ranking and a what-if sweep, in
the current language, drawn with the bundled CJK font (views/fonts) so that Chinese shows on any
machine."""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from models.i18n import t  # noqa: E402
from solver.planner import Ranking, Sweep  # noqa: E402
from views import words  # noqa: E402
from views.fonts.subset import FONT  # noqa: E402

_PNG = {"Software": None}  # no version stamp: the same data draws the same file


@cache
def font_family() -> str:
    """Register the bundled font with matplotlib once; its family name."""
    font_manager.fontManager.addfont(str(FONT))
    return font_manager.FontProperties(fname=str(FONT)).get_name()


@contextmanager
def _bundled_font() -> Iterator[None]:
    with plt.rc_context({"font.family": [font_family(), "DejaVu Sans"]}):
        yield


def _wan(yuan: int) -> float:
    """Yuan to units of 10,000 yuan (万元) for the axis only; amounts stay integers elsewhere."""
    return yuan / 10_000


def _save(fig, out: Path) -> Path:
    """Write a PNG to exactly `out` (the command checked the path: formats.safety)."""
    from formats.safety import writing

    fig.tight_layout()
    try:
        with writing(out, "--out"):
            out.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(out, metadata=_PNG, format="png")
    finally:
        plt.close(fig)
    return out


def ranking_chart(ranking: Ranking, out: Path) -> Path:
    """Interval bars per district: solid up to the lower (certain) total, light up to the upper."""
    rows = list(ranking.ranking)
    with _bundled_font():
        fig, ax = plt.subplots(figsize=(8, 0.42 * len(rows) + 1.9), dpi=110)
        for y, outcome in enumerate(reversed(rows)):
            colour = "#c0392b" if outcome.current else "#2c6fbb"
            low, high = outcome.total.min, outcome.total.max
            ax.barh(y, _wan(high), color=colour, alpha=0.3, height=0.6)
            ax.barh(y, _wan(low), color=colour, alpha=0.9, height=0.6)
            ax.text(_wan(high), y, "  " + words.money(outcome.total), va="center", fontsize=8)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([words.place(o.district) + (t("label.current") if o.current else "")
                            for o in reversed(rows)])
        first, last = ranking.horizon
        ax.set_xlabel(t("chart.ranking.axis"))
        ax.set_title(t("chart.ranking.title", enterprise=ranking.enterprise,
                       date=ranking.move_date, first=first, last=last))
        ax.legend(handles=[Patch(color="#2c6fbb", alpha=0.9, label=t("chart.certain")),
                           Patch(color="#2c6fbb", alpha=0.3, label=t("chart.up_to"))],
                  loc="lower right", fontsize=8)
        ax.margins(x=0.35)
        return _save(fig, out)


def sweep_chart(result: Sweep, out: Path) -> Path:
    """The total (lower and upper) against the swept value."""
    xs = [value for value, _ in result.points]
    with _bundled_font():
        fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
        ax.plot(xs, [_wan(total.max) for _, total in result.points], marker="o", label=t("chart.up_to"))
        ax.plot(xs, [_wan(total.min) for _, total in result.points], marker=".", label=t("chart.certain"))
        ax.set_xlabel(result.key)
        ax.set_ylabel(t("chart.sweep.axis"))
        ax.set_title(t("sweep.title", enterprise=result.enterprise, key=result.key))
        ax.legend()
        return _save(fig, out)


def sweep_cost_chart(key: str, table: list[dict], out: Path) -> Path:
    """A population sweep: the cost of the reform (lower and upper) against the swept value, in
    all and for each paying district that pays something."""
    totals = [r for r in table if r["paying_district"] == r["claim_year"] == "all"]
    xs = [r["value"] for r in totals]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    ax.plot(xs, [_wan(r["cost_max"]) for r in totals], marker="o", color="black", label="all, up to")
    ax.plot(xs, [_wan(r["cost_min"]) for r in totals], marker=".", color="gray", label="all, at least")
    districts = sorted({r["paying_district"] for r in table if r["paying_district"] != "all"
                        and r["claim_year"] == "all" and r["cost_max"]})
    for district in districts:
        ax.plot(xs, [_wan(next((r["cost_max"] for r in table if r["value"] == x
                                and r["paying_district"] == district), 0)) for x in xs],
                linestyle="--", label=f"{district}, up to")
    ax.axhline(0, color="lightgray", linewidth=0.8)
    ax.set_xlabel(key)
    ax.set_ylabel("cost of the reform, 10,000 yuan")
    ax.set_title(f"Cost of {key} over the population")
    ax.legend(fontsize="small")
    return _save(fig, out)


def summary_chart(report: dict, out: Path, view: str = "baseline") -> Path:
    """The fiscal cost by paying district and claim year: one stacked bar per claim year, a
    segment per paying district (its upper total), a tick at the year's lower total, and the
    segments where a district may pay more ("not less than the municipal subsidy") hatched and
    marked "+"."""
    cross = report.get(view, {}).get("by_paying_district_and_claim_year", {})
    with _bundled_font():
        return _summary_chart(cross, out, view)


def _summary_chart(cross: dict, out: Path, view: str) -> Path:
    years = sorted({year for cells in cross.values() for year in cells})
    districts = sorted(cross, key=lambda d: (-sum(c["max"] for c in cross[d].values()), d))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(years) + 3), 4.8), dpi=110)
    colours = plt.get_cmap("tab20")
    bottom = [0.0] * len(years)
    for index, district in enumerate(districts):
        cells = [cross[district].get(year, {"min": 0, "max": 0, "open_above": False}) for year in years]
        heights = [_wan(c["max"]) for c in cells]
        bars = ax.bar(range(len(years)), heights, bottom=bottom, color=colours(index % 20),
                      label=words.place(district), edgecolor="white", linewidth=0.5)
        for bar, cell in zip(bars, cells):
            if cell["open_above"]:
                bar.set_hatch("//")
        bottom = [b + h for b, h in zip(bottom, heights)]
    for x, year in enumerate(years):
        low = sum(cross[d].get(year, {"min": 0})["min"] for d in districts)
        high = sum(cross[d].get(year, {"max": 0})["max"] for d in districts)
        more = any(cross[d].get(year, {}).get("open_above") for d in districts)
        ax.plot([x - 0.4, x + 0.4], [_wan(low)] * 2, color="black", linewidth=1.5)
        ax.text(x, _wan(high), f"{high:,}" + ("+" if more else ""), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels(years)
    ax.set_xlabel("claim year")
    ax.set_ylabel("10,000 yuan (bars: up to; black tick: at least)")
    ax.set_title(f"Fiscal cost by paying district and claim year ({view}); hatched, +: may pay more")
    if districts:
        ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, out)
