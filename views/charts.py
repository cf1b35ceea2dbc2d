"""Charts as PNG files (matplotlib, no screen): the best-district ranking and a what-if sweep."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from solver.planner import Ranking  # noqa: E402

_PNG = {"Software": None}  # no version stamp: the same data draws the same file


def _wan(yuan: int) -> float:
    """Yuan to units of 10,000 yuan (万元) for the axis only; amounts stay integers elsewhere."""
    return yuan / 10_000


def ranking_chart(ranking: Ranking, out: Path) -> Path:
    """Interval bars per district: solid up to the lower total, light up to the upper total."""
    rows = list(ranking.ranking)
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(rows) + 1.6), dpi=110)
    for y, outcome in enumerate(reversed(rows)):
        colour = "#c0392b" if outcome.current else "#2c6fbb"
        low, high = outcome.total.min, outcome.total.max
        ax.barh(y, _wan(high), color=colour, alpha=0.3, height=0.6)
        ax.barh(y, _wan(low), color=colour, alpha=0.9, height=0.6)
        label = f"{low:,} – {high:,}" if low != high else f"{high:,}"
        if outcome.total.open_above:
            label += " or more"
        ax.text(_wan(high), y, "  " + label, va="center", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([o.district + ("  (current)" if o.current else "") for o in reversed(rows)])
    first, last = ranking.horizon
    ax.set_xlabel("support within the horizon, 10,000 yuan (solid: at least; light: up to)")
    ax.set_title(f"{ranking.enterprise}: move on {ranking.move_date}, claims {first}–{last}")
    ax.margins(x=0.35)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata=_PNG)
    plt.close(fig)
    return out


def sweep_chart(result: dict, out: Path) -> Path:
    """The total (lower and upper) against the swept value."""
    xs = [p["value"] for p in result["points"]]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.plot(xs, [_wan(p["total"]["max"]) for p in result["points"]], marker="o", label="up to")
    ax.plot(xs, [_wan(p["total"]["min"]) for p in result["points"]], marker=".", label="at least")
    ax.set_xlabel(result["key"])
    ax.set_ylabel("total, 10,000 yuan")
    ax.set_title(f"{result['enterprise']}: total against {result['key']}")
    ax.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata=_PNG)
    plt.close(fig)
    return out


def summary_chart(report: dict, out: Path, view: str = "baseline") -> Path:
    """The fiscal cost by paying district and claim year: one stacked bar per claim year, a
    segment per paying district (its upper total), a tick at the year's lower total, and the
    segments where a district may pay more ("not less than the municipal subsidy") hatched and
    marked "+"."""
    cross = report.get(view, {}).get("by_paying_district_and_claim_year", {})
    years = sorted({year for cells in cross.values() for year in cells})
    districts = sorted(cross, key=lambda d: (-sum(c["max"] for c in cross[d].values()), d))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(years) + 3), 4.8), dpi=110)
    colours = plt.get_cmap("tab20")
    bottom = [0.0] * len(years)
    for index, district in enumerate(districts):
        cells = [cross[district].get(year, {"min": 0, "max": 0, "open_above": False}) for year in years]
        heights = [_wan(c["max"]) for c in cells]
        bars = ax.bar(range(len(years)), heights, bottom=bottom, color=colours(index % 20),
                      label=district, edgecolor="white", linewidth=0.5)
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
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata=_PNG)
    plt.close(fig)
    return out
