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
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata=_PNG)
    plt.close(fig)
    return out
