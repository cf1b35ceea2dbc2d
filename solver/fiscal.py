"""The fiscal summary as JSON (`solver.batch.Summary.report`, what `zjtx batch --summary` writes):
its shape, for the code that reads it back (impact, sweep, the summary chart)."""

from __future__ import annotations

from typing import TypedDict


class Interval(TypedDict):
    """A sum in whole yuan (`Money.as_dict`): at least `min`, at most `max`, or more when a
    "not less than" amount is in it (`open_above`)."""

    min: int
    max: int
    open_above: bool


class MeasureCell(Interval):
    """A measure's sum, and how many enterprises it pays."""

    enterprises: int


class FiscalView(TypedDict):
    """What one view (the baseline, or the scenario) pays: in all, per paying district, measure,
    claim year, and paying district then claim year."""

    total: Interval
    by_paying_district: dict[str, Interval]
    by_measure: dict[str, MeasureCell]
    by_claim_year: dict[str, Interval]
    by_paying_district_and_claim_year: dict[str, dict[str, Interval]]


class FiscalReport(TypedDict, total=False):
    """The views a run summed (`baseline`; `scenario` too under a scenario), and the cost of the
    scenario (its total less the baseline's) when there are both."""

    baseline: FiscalView
    scenario: FiscalView
    cost_of_scenario: Interval
