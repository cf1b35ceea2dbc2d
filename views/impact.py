"""The impact of a change of policies as a chart (PNG, in the current language, with the bundled
CJK font): for each claim year, what each paying district pays more (above the axis) or less
(below) under the new policies, at most (bars) and at least (a tick per year)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from models.catalog import name  # noqa: E402
from models.i18n import t  # noqa: E402
from views.charts import font_family  # noqa: E402

if TYPE_CHECKING:
    from formats.impact import ImpactCell, ImpactSummary, SideJSON


def impact_chart(summary: ImpactSummary, out: Path) -> Path:
    """Stacked bars per claim year, one segment per paying district: the change of its upper
    total (gains up, losses down); a black tick at the year's change of the lower total."""
    cross = summary["by_paying_district_and_claim_year"]
    years = sorted({year for cells in cross.values() for year in cells})
    districts = sorted(cross, key=lambda d: (-sum(abs(c["change"]["max"]) for c in cross[d].values()), d))
    with plt.rc_context({"font.family": [font_family(), "DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(max(6.5, 1.1 * len(years) + 3.5), 4.8), dpi=110)
        colours = plt.get_cmap("tab20")
        up, down = [0.0] * len(years), [0.0] * len(years)
        for index, district in enumerate(districts):
            changes = [_change(cross[district], year, "max") for year in years]
            heights = [change / 10_000 for change in changes]  # 万元, for the axis only
            bottoms = [up[i] if h >= 0 else down[i] for i, h in enumerate(heights)]
            ax.bar(range(len(years)), heights, bottom=bottoms, color=colours(index % 20),
                   label=name("district", district, short=True), edgecolor="white", linewidth=0.5)
            for i, h in enumerate(heights):
                if h >= 0:
                    up[i] += h
                else:
                    down[i] += h
        for x, year in enumerate(years):
            low = sum(_change(cross[d], year, "min") for d in districts)
            high = sum(_change(cross[d], year, "max") for d in districts)
            ax.plot([x - 0.4, x + 0.4], [low / 10_000] * 2, color="black", linewidth=1.5)
            ax.text(x, max(up[x], 0), f"{high:+,}", ha="center", va="bottom", fontsize=7)
        ax.axhline(0, color="gray", linewidth=0.8)
        ax.set_xticks(range(len(years)))
        ax.set_xticklabels(years)
        ax.set_xlabel(t("chart.impact.x"))
        ax.set_ylabel(t("chart.impact.y"))
        ax.set_title(t("chart.impact.title", old=_side(summary["from"]),
                       new=_side(summary["to"]), changed=summary["changed"]),
                     fontsize=10)
        if districts:
            ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if not years:
            ax.text(0.5, 0.5, t("chart.impact.none"), ha="center", va="center", transform=ax.transAxes)
        fig.tight_layout()
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, metadata={"Software": None})
        plt.close(fig)
    return out


def _change(cells: dict[str, ImpactCell], year: str, bound: Literal["min", "max"]) -> int:
    """The change of a district's lower or upper sum in a claim year (0: none)."""
    cell = cells.get(year)
    return cell["change"][bound] if cell else 0


def _side(side: SideJSON) -> str:
    return side["package"] + (t("chart.impact.on", day=side["in_force"]) if side["in_force"] else "")
