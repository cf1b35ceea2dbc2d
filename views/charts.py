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
from solver.planner import Ranking  # noqa: E402
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
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata=_PNG)
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


def sweep_chart(result: dict, out: Path) -> Path:
    """The total (lower and upper) against the swept value."""
    xs = [p["value"] for p in result["points"]]
    with _bundled_font():
        fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
        ax.plot(xs, [_wan(p["total"]["max"]) for p in result["points"]], marker="o", label=t("chart.up_to"))
        ax.plot(xs, [_wan(p["total"]["min"]) for p in result["points"]], marker=".", label=t("chart.certain"))
        ax.set_xlabel(result["key"])
        ax.set_ylabel(t("chart.sweep.axis"))
        ax.set_title(t("sweep.title", enterprise=result["enterprise"], key=result["key"]))
        ax.legend()
        return _save(fig, out)
