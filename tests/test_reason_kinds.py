"""Every kind of reason has its words in both languages: each kind, built with every shape of
what it may be about (each event, each cap scope, each cut received) and with its optional
parameters given and left out, renders in English and Chinese with no placeholder left and, in
Chinese, no English word (tests/english_scan.py's scanner). mypy proves the same at the type level
(views/reasons.py's match over the closed union ends in assert_never; tests/test_types.py)."""

from __future__ import annotations

import itertools
import json
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import fields

import pytest

from models.errors import BugError

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
    "project_years": "2-3", "jurisdiction": "beijing",
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
    "field": ("industry",), "op": ("in",), "at_move": (0,), "per": ("enterprise",), "fact": ("",),
    "own_project": (1,),
}
# What a kind is always given with its optional parameters left out (a received cap reward has
# its cap's limit), and parameters the solver always gives.
# The only event a kind is about (the first years of a project are years of its expenses).
EVENT_OF: dict[type[R.ReasonBase], type[R.EventBase]] = {R.FirstYearsUsed: R.ExpenseEvent}

EVENTS: tuple[R.Event, ...] = (
    R.LevelEvent(level="municipal"),
    R.MoveEvent(origin="outside_beijing", move_date=DAY),
    R.QualificationEvent(kind="tech_center", date=DAY),
    R.ExpenseEvent(expense="E1", category="device_purchase", year=2024),
    R.ListingEvent(board="a_share", year=2024),
    R.PatentEvent(patent="P1", year=2024, patent_year=3),
)
CAPS: tuple[R.Cap, ...] = tuple(
    R.Cap(title="International exhibitions", measure="m6.exhibition", per=per,
          limit=R.Yuan(1_000_000), project="PRJ1" if "project" in per else None,
          year=2024 if "year" in per else None, project_years=years, reading=None,
          received=R.Yuan(received))
    for per, years, received in (("enterprise", None, 200_000), ("project", None, 0),
                                 ("project", "2-3", 0), ("year", None, 0),
                                 ("project,year", None, 100_000)))
CUTS: tuple[R.ReceivedCut, ...] = (
    R.R1Received(full=500_000, received=600_000, received_title="Dongcheng tier reward",
                 received_measure="dongcheng.tier", received_tier="municipal",
                 received_year=2024, reading=None),
    R.R2Received(full=500_000, received=500_000, received_title="Dongcheng tier reward",
                 received_measure="dongcheng.tier", received_tier="municipal",
                 received_year=2023, reading="stacking=difference-only"),
    R.LadderClosed(full=500_000, top=800_000, room=0, received=800_000,
                   ladder_title="Dongcheng tier reward", ladder_measure="dongcheng.tier",
                   reading="stacking=difference-only"),
)


def _template(kind: type[R.ReasonBase]) -> str:
    from models.i18n import messages

    return messages()[f"reason.{kind.code}"]["en"]


def _abouts(kind: type[R.ReasonBase]) -> Iterator[dict[str, object]]:
    """Every shape of what a reason of this kind may be about: its event, and the cap or the cut
    received of a kind that has one."""
    events: tuple[R.Event | None, ...] = EVENTS if "{event}" in _template(kind) else (None,)
    if kind in EVENT_OF:
        events = tuple(event for event in events if isinstance(event, EVENT_OF[kind]))
    for event in events:
        if kind is R.ReceivedCovers:
            yield from ({"about": event, "cut": cut} for cut in CUTS)
        elif kind is R.CapBound:
            yield from ({"about": event, "cap": cap} for cap in CAPS)
        elif kind is R.CapUsedUp:
            yield from ({"about": event, "cap": cap, "taken": taken}
                        for cap in CAPS for taken in (True, False))
        elif kind is R.Received:  # along its ladder, once, or against a cap
            yield from ({"about": event, "counts": counts}
                        for counts in ("ladder", "one_time", R.InCap(R.Yuan(3_000_000))))
        else:
            yield {"about": event}


def _values(kind: type[R.ReasonBase]) -> Iterator[dict[str, Param]]:
    """The kind's own parameters: each with its sample value, then each optional one left None,
    then each other value that changes the words."""
    hints = typing.get_type_hints(kind)
    names = [f.name for f in fields(kind) if f.name not in R._PARTS]

    def sample(name: str) -> Param:
        hint = hints[name]
        allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        if str in allowed:
            return TEXT[name]
        return INTS.get(name, 2024 if "year" in name else 500_000)

    base = {name: sample(name) for name in names}
    yield base
    optional = [name for name in names if isinstance(hints[name], types.UnionType)
                and type(None) in typing.get_args(hints[name])]
    if optional:
        yield {**base, **dict.fromkeys(optional)}
    for name in names:
        for other in MORE.get(name, ()):
            yield {**base, name: other}


def samples() -> Iterator[Reason]:
    for kind in R.KINDS.values():
        for about, values in itertools.product(_abouts(kind), _values(kind)):
            yield typing.cast(Reason, kind(**about, **values))


SAMPLES = list(samples())


def test_the_union_is_every_kind_and_every_kind_has_samples() -> None:
    assert set(typing.get_args(Reason)) == set(R.KINDS.values())
    assert {type(item) for item in SAMPLES} == set(R.KINDS.values())


def test_a_sample_reads_back_from_its_json_as_itself() -> None:
    """Read back from its JSON, a reason is the same typed value (what it is about parsed into
    its event, cap or cut), and writes the same JSON, key for key in the same order."""
    for item in SAMPLES:
        again = R.reason(item.code, json.loads(json.dumps(item.params)))
        assert again == item, item
        assert json.dumps(again.as_dict()) == json.dumps(item.as_dict()), item
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


def test_what_a_reason_is_about_is_typed_and_flattened_as_before() -> None:
    """The JSON flattens what a reason is about ahead of its own parameters: the event (`event`
    its kind), a cap's description (`cap_…`, `reading`, `received`), the cut received that binds
    (then `received_covers`' rule, worked out from the cut's kind); a cap used up puts the claim
    year after the cap when the optimizer took the award, before it when it was left out."""
    event, cap = EVENTS[0], CAPS[4]
    taken = R.CapUsedUp(about=event, claim_year=2025, cap=cap, others=9, taken=True)
    left = R.CapUsedUp(about=event, claim_year=2025, cap=cap, others=9, taken=False)
    cap_keys = ["cap_title", "cap_measure", "cap_per", "cap_limit", "cap_project", "cap_year",
                "cap_project_years", "reading", "received"]
    assert list(taken.params) == ["event", "level", *cap_keys, "claim_year", "others"]
    assert list(left.params) == ["event", "level", "claim_year", *cap_keys, "others"]
    assert R.reason(left.code, left.params) == left != taken == R.reason(taken.code, taken.params)
    covers = R.ReceivedCovers(about=EVENTS[3], claim_year=2025, cut=CUTS[2])
    assert covers.rule == "closed" and list(covers.params)[-2:] == ["claim_year", "rule"]
    assert covers.params["event"] == "expense" and covers.params["top"] == 800_000
    with pytest.raises(BugError, match="not one of"):  # a rule no cut has
        R.reason(covers.code, {**covers.params, "rule": "r9"})
    with pytest.raises(BugError, match="colour is not a parameter of cap_bound"):
        R.reason(R.CAP_BOUND, cap.params(), full=1, paid=1, others=0, colour="red")
    with pytest.raises(BugError, match="cap_bound lacks cap_limit"):
        R.reason(R.CAP_BOUND, {k: v for k, v in cap.params().items() if k != "cap_limit"},
                 full=1, paid=1, others=0)
    for counts, cap_limit in (("cap", None), ("ladder", 100), ("one_time", "100"), ("twice", None)):
        with pytest.raises(BugError, match="a cap and its limit, or ladder or one_time and null"):
            R.reason(R.RECEIVED, year=2024, amount=1, counts=counts, cap_limit=cap_limit)
    assert R.reason(R.RECEIVED, year=2024, amount=1, counts="cap", cap_limit=9).counts == \
        R.InCap(R.Yuan(9))
    with pytest.raises(BugError, match="event is 'merger'"):
        R.reason(R.NO_TRIGGER, event="merger")


def test_the_kinds_the_words_read_a_claim_year_or_a_reading_of_are_the_ones_that_have_it() -> None:
    from views.reasons import CLAIMED, READ

    for kinds, name in ((CLAIMED, "claim_year"), (READ, "reading")):
        assert set(kinds) == {kind for kind in R.KINDS.values()
                              if name in {f.name for f in fields(kind)}} - {R.R1Received}, name
