"""Every kind of reason has its words in both languages: each kind, built with every shape of
what it may be about (each event, each cap scope, each cut received) and with its optional
parameters given and left out, renders in English and Chinese with no placeholder left and, in
Chinese, no English word (tests/english_scan.py's scanner). mypy proves the same at the type level
(views/reasons.py's match over the closed union ends in assert_never; tests/test_types.py)."""

from __future__ import annotations

import itertools
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import fields

import pytest

from solver import reasons as R
from solver.reasons import Param, Reason
from views.reasons import render_reason

DAY = "2024-03-01"
# A value for each parameter name (the ids of the shipped catalog), and one for each int.
TEXT: dict[str, str] = {
    "level": "national", "date": DAY, "first_date": DAY, "held_date": DAY, "since": DAY,
    "effective_from": DAY, "effective_to": "2025-12-31", "left": DAY, "on_date": "2024-12-31",
    "tier": "municipal", "held": "national", "first_tier": "municipal", "lower_tier": "innovative",
    "rival_tier": "national", "received_tier": "innovative",
    "district": "dongcheng", "origin": "outside_beijing", "where": "xicheng", "payer": "municipal",
    "field": "tier", "op": ">=", "value": "municipal", "fact": "innovative",
    "reading": "stacking=difference-only", "entity_type": "private_non_enterprise",
    "kind": "tech_center", "expense": "E1", "category": "device_purchase",
    "categories": "device_purchase, rd_investment", "board": "a_share", "boards": "a_share, neeq",
    "patent": "P1", "project": "PRJ1", "years": "2022, 2023", "per": "project,year",
    "project_years": "2-3", "jurisdiction": "beijing", "counts": "cap", "rule": "r1",
    "rival_title": "Technological innovation", "rival_measure": "m1",
    "received_title": "Dongcheng tier reward", "received_measure": "dongcheng.tier",
    "counterpart_title": "Listing reward", "counterpart_measure": "m5.listing",
    "ladder_title": "Dongcheng tier reward", "ladder_measure": "dongcheng.tier",
}
INTS: dict[str, int] = {"percent": 50, "own_project": 0, "at_move": 1, "patent_year": 3,
                        "project_year": 2,
                        "year_number": 2, "years_limit": 3, "limit": 300_000}
# Other values a parameter takes that change its words.
MORE: dict[str, tuple[Param, ...]] = {
    "tier": ("national",), "payer": ("xicheng",), "where": ("outside_beijing",),
    "field": ("industry",), "op": ("in",), "counts": ("ladder", "one_time"),
    "rule": ("r2", "closed"), "at_move": (0,), "per": ("enterprise",), "fact": ("",),
    "own_project": (1,),
}
# What a kind is always given with its optional parameters left out (a received cap reward has
# its cap's limit), and parameters the solver always gives.
NONE_WITH: dict[type[R.ReasonBase], dict[str, Param]] = {R.Received: {"counts": "ladder"}}
ALWAYS_GIVEN = frozenset({"project"})
# The only event a kind is about (the first years of a project are years of its expenses).
EVENT_OF: dict[type[R.ReasonBase], str] = {R.FirstYearsUsed: "expense"}

EVENTS: tuple[dict[str, Param], ...] = (
    {"event": "level", "level": "municipal"},
    {"event": "move", "origin": "outside_beijing", "move_date": DAY},
    {"event": "qualification", "kind": "tech_center", "date": DAY},
    {"event": "expense", "expense": "E1", "category": "device_purchase", "year": 2024},
    {"event": "listing", "board": "a_share", "year": 2024},
    {"event": "patent", "patent": "P1", "year": 2024, "patent_year": 3},
)
CAPS: tuple[dict[str, Param], ...] = tuple(
    {"cap_title": "International exhibitions", "cap_measure": "m6.exhibition", "cap_per": per,
     "cap_limit": 1_000_000, "cap_project": "PRJ1" if "project" in per else None,
     "cap_year": 2024 if "year" in per else None, "cap_project_years": years,
     "reading": None, "received": received}
    for per, years, received in (("enterprise", None, 200_000), ("project", None, 0),
                                 ("project", "2-3", 0), ("year", None, 0),
                                 ("project,year", None, 100_000)))
CUTS: dict[str, dict[str, Param]] = {
    "r1": {"full": 500_000, "received": 600_000, "received_title": "Dongcheng tier reward",
           "received_measure": "dongcheng.tier", "received_tier": "municipal",
           "received_year": 2024, "reading": None},
    "r2": {"full": 500_000, "received": 500_000, "received_title": "Dongcheng tier reward",
           "received_measure": "dongcheng.tier", "received_tier": "municipal",
           "received_year": 2023, "reading": "stacking=difference-only"},
    "closed": {"full": 500_000, "top": 800_000, "room": 0, "received": 800_000,
               "ladder_title": "Dongcheng tier reward", "ladder_measure": "dongcheng.tier",
               "reading": "stacking=difference-only"},
}


def _template(kind: type[R.ReasonBase]) -> str:
    from models.i18n import messages

    return messages()[f"reason.{kind.code}"]["en"]


def _abouts(kind: type[R.ReasonBase]) -> Iterator[dict[str, Param]]:
    """Every shape of what a reason of this kind may be about."""
    events = EVENTS if "{event}" in _template(kind) else ({},)
    if kind in EVENT_OF:
        events = tuple(event for event in events if event["event"] == EVENT_OF[kind])
    if kind is R.ReceivedCovers:
        for rule, cut in CUTS.items():
            for event in events:
                yield {**event, **cut, "rule": rule}
        return
    for event in events:
        if kind in (R.CapBound, R.CapUsedUp):
            yield from ({**event, **cap} for cap in CAPS)
        else:
            yield event


def _values(kind: type[R.ReasonBase]) -> Iterator[dict[str, Param]]:
    """The kind's own parameters: each with its sample value, then each optional one left None,
    then each other value that changes the words."""
    hints = typing.get_type_hints(kind)
    names = [f.name for f in fields(kind) if f.name != "about"]

    def sample(name: str) -> Param:
        hint = hints[name]
        allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        if str in allowed:
            return TEXT[name]
        return INTS.get(name, 2024 if "year" in name else 500_000)

    base = {name: sample(name) for name in names}
    yield base
    optional = [name for name in names if name not in ALWAYS_GIVEN
                and isinstance(hints[name], types.UnionType)
                and type(None) in typing.get_args(hints[name])]
    if optional:
        yield {**base, **dict.fromkeys(optional), **NONE_WITH.get(kind, {})}
    for name in names:
        for other in MORE.get(name, ()):
            yield {**base, name: other}


def samples() -> Iterator[Reason]:
    for kind in R.KINDS.values():
        for about, values in itertools.product(_abouts(kind), _values(kind)):
            if kind is R.ReceivedCovers:
                values = {**values, "rule": about["rule"]}
            yield typing.cast(Reason, kind(about=about, **values))


SAMPLES = list(samples())


def test_the_union_is_every_kind_and_every_kind_has_samples() -> None:
    assert set(typing.get_args(Reason)) == set(R.KINDS.values())
    assert {type(item) for item in SAMPLES} == set(R.KINDS.values())


def test_a_sample_reads_back_from_its_json_as_itself() -> None:
    for item in SAMPLES:
        again = R.reason(item.code, item.params)
        assert type(again) is type(item) and again.as_dict() == item.as_dict(), item
        for lang in ("en", "zh"):  # the words of a reason read back are its own
            assert render_reason(again, lang) == render_reason(item, lang), item


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_kind_renders_with_no_placeholder_left(lang: str) -> None:
    from tests.english_scan import Scanner

    scanner = Scanner(extra_ids=("E1", "P1", "PRJ1"))
    for item in SAMPLES:
        text = render_reason(item, lang)
        assert text and not re.search(r"[{}]|\bNone\b", text), (item, text)
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", text), (item, text)
            assert scanner.words(text) == [], (item, text, scanner.words(text))


def test_the_words_follow_the_parameters() -> None:
    """The renderer reads each kind's own fields: change one, the words change."""
    first = R.FirstRecognition(level="national", date=DAY, tier="municipal")
    assert render_reason(first, "en") != render_reason(
        R.FirstRecognition(level="national", date=DAY, tier="national"), "en")
    assert "2024年3月1日" in render_reason(first, "zh")
    rival = R.R1Rival(about=EVENTS[0], claim_year=2025, rival_title="Technological innovation",
                      rival_measure="m1", rival_tier=None, rival_min=100_000, rival_max=200_000)
    assert "100,000 – 200,000" in render_reason(rival, "en")
    assert "Municipal level, claimed in 2025" in render_reason(rival, "en")
