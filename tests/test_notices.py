"""Warnings are typed data the solver returns; views/ put them into words (views/notices.py), in
the language they are read in: every kind in both languages with no placeholder left and no
English word in Chinese, the JSON read back as itself, and the words made when the answer is
rendered, not when it was computed (an evidence bundle holds the answer in both languages)."""

from __future__ import annotations

import re
import typing

import pytest

from models.i18n import using_lang
from models.record import parse_record
from solver import notices as N
from solver.notices import Notice, notice_of, record_notices
from views.notices import notice_json, notice_text, notices_text
from views.reasons import with_text

SAMPLES: list[Notice] = [
    N.IndustryUnused("industries[0]", "software", ("commercial_aerospace", "hydrogen_energy")),
    N.IndustryUnknown("industries[1]", "hydrogen", "hydrogen_energy", (("daxing.tier", 500_000),), ()),
    N.IndustryUnknown("industries[0]", "aerospace", "commercial_aerospace", (), ("daxing.tier",)),
    N.IndustryUnknown("industries[0]", "aerospace", "commercial_aerospace", (), ()),
    N.ReceivedAboveClause("rewards_received[0]", 900_000, "daxing.tier", 500_000),
    N.MissingGlyphs("name", ("𠀀", "𠀁")),
]
HYDROGEN = {"id": "H", "district": "daxing", "industries": ["hydrogen"], "as_of": "2026-11-24",
            "recognitions": [{"tier": "municipal", "date": "2023-06-30"}]}


def test_every_kind_has_samples_and_reads_back_from_its_json() -> None:
    assert {type(n) for n in SAMPLES} == set(typing.get_args(Notice))
    for notice in SAMPLES:
        assert notice_of(notice.as_dict()) == notice


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_kind_renders_in_both_languages(lang: str) -> None:
    from tests.english_scan import Scanner

    # what the record says, and code points (U+20000) as the page names a character
    scanner = Scanner(extra_ids=("software", "hydrogen", "aerospace", "U+20000", "U+20001"))
    with using_lang(lang):
        for notice in SAMPLES:
            text = notice_text(notice)
            assert text.startswith(f"{notice.field}: ") and not re.search(r"[{}]|\bNone\b", text)
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", text) and scanner.words(text) == [], text
        assert notices_text(SAMPLES[:2]).count("industries[") == 2


def test_the_solver_gives_facts_and_views_the_words() -> None:
    """The near tag and what it brings are facts (ids, yuan); its name and the measures' names
    are words of the language the answer is read in."""
    with using_lang("en"):
        [notice] = record_notices(parse_record(HYDROGEN))
    assert notice == N.IndustryUnknown("industries[0]", "hydrogen", "hydrogen_energy",
                                       (("daxing.tier", 500_000),), ())
    as_json = {"warnings": [notice.as_dict()]}
    assert as_json["warnings"][0]["message"] is None  # words are views' to give
    for lang, name, measures in (("en", "hydrogen energy", "daxing.tier (Daxing tier reward) +500,000"),
                                 ("zh", "氢能", "daxing.tier (大兴区梯度奖励) +500,000")):
        with using_lang(lang):
            [shown] = with_text(as_json)["warnings"]
            assert shown == notice_json(notice)
        assert shown["params"] == {"tag": "hydrogen", "near": "hydrogen_energy", "name": name,
                                   "measures": measures}
        assert name in shown["message"] and measures in shown["message"]
