"""Reasons a finance manager can check, in both languages (issue #19, section 3): each test reads
the words a person reads for one record and checks the facts they state."""

from __future__ import annotations

import datetime as dt
import re

from models.record import parse_record
from solver import reasons as R
from solver.evaluate import evaluate
from views.reasons import render_reason

TODAY = dt.date(2026, 11, 24)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _result(data: dict, readings: dict[str, str] | None = None):
    return evaluate(parse_record({"id": "T", "as_of": "2026-11-24", **data}), readings or {},
                    today=TODAY)


def _texts(result, lang: str) -> list[str]:
    found = [render_reason(r, lang) for a in result.awards for r in a.reasons]
    return found + [render_reason(r, lang) for item in result.not_awarded for r in item.reasons]


def test_the_patent_subsidy_says_what_was_paid_and_what_is_subsidized() -> None:
    result = _result({"district": "haidian", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                      "patents": [{"id": "ZL1", "standard_annuity": 8500, "paid": 900, "year": 2025,
                                   "patent_year": 4}]})
    (award,) = result.awards
    assert award.amount.max == 900
    zh = render_reason(award.reasons[0], "zh")
    assert "企业实缴 900 元，补贴最多 900 元" in zh and "资助 900" not in zh
    assert "the enterprise paid 900, so the subsidy is at most 900" in render_reason(award.reasons[0], "en")


def test_each_interest_year_says_which_of_the_three_it_is_and_the_fourth_why_not() -> None:
    result = _result({"district": "fangshan", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                      "expenses": [{"id": f"I{n}", "category": "belt_road_interest", "amount": 1_000_000,
                                    "year": 2021 + n, "project": "B1"} for n in range(1, 5)]})
    texts = [render_reason(a.reasons[0], "en") for a in sorted(result.awards, key=lambda a: a.claim_year)]
    assert ["subsidized year 1 of at most 3" in texts[0], "subsidized year 2 of at most 3" in texts[1],
            "subsidized year 3 of at most 3" in texts[2]] == [True, True, True]
    assert not any("project year" in text for text in texts)
    (lost,) = [r for item in result.not_awarded for r in item.reasons if r.code == R.FIRST_YEARS_USED]
    assert "first 3 years in which project B1 is eligible (2022, 2023, 2024); 2025 comes after" \
        in render_reason(lost, "en")
    assert "interest-years=first-three" in render_reason(lost, "en")


def test_m1_says_why_a_year_1_item_that_went_to_m4_is_not_its_own() -> None:
    result = _result({"district": "haidian", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                      "expenses": [{"id": "L1", "category": "leased_equipment", "amount": 12_000_000,
                                    "year": 2025}]})
    m1 = [r for item in result.not_awarded if item.measure == "m1" for r in item.reasons]
    assert [r.code for r in m1] == [R.R4_EXPENSE_TAKEN]
    assert not any("project year" in render_reason(r, "en") for r in m1)


def test_an_item_that_is_its_own_project_is_said_so_in_chinese_without_english() -> None:
    result = _result({"district": "haidian", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                      "expenses": [{"id": "X5", "category": "rd_investment", "amount": 100_000, "year": 2025}]})
    zh = render_reason(result.awards[0].reasons[0], "zh")
    assert "自成一个项目" in zh
    assert ENGLISH_WORD.findall(zh.replace("X5", "")) == [], zh
    assert "its own project" in render_reason(result.awards[0].reasons[0], "en")


def test_a_received_fengtai_subsidy_counts_against_its_3000000_total() -> None:
    result = _result({"district": "fengtai", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                      "rewards_received": [{"measure": "fengtai.qualification", "amount": 2_000_000,
                                            "year": 2023}]})
    (received,) = [a for a in result.awards if a.received]
    assert "counts against the 3,000,000 in total" in render_reason(received.reasons[0], "en")
    assert "计入合计 3,000,000 元的上限" in render_reason(received.reasons[0], "zh")
    ladder = _result({"district": "shijingshan", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                      "rewards_received": [{"measure": "shijingshan.tier", "tier": "municipal",
                                            "amount": 200_000, "year": 2022}]})
    assert "difference between tiers" in render_reason(ladder.awards[0].reasons[0], "en")


def test_the_reading_behind_an_answer_is_named() -> None:
    data = {"district": "dongcheng", "recognitions": [{"tier": "municipal", "date": "2022-03-31"},
                                                      {"tier": "national", "date": "2024-03-31"}]}
    differ = _result(data, {"stacking": "difference-only"})
    national = next(a for a in differ.awards if a.tier == "national")
    assert any("reading stacking=difference-only" in render_reason(r, "en") for r in national.reasons)
    full = _result(data)
    national = next(a for a in full.awards if a.tier == "national")
    assert any("reading stacking=cumulative" in render_reason(r, "en") for r in national.reasons)
    assert any("claim-lag=next-year" in text for text in _texts(_result(
        {"district": "shunyi", "recognitions": [{"tier": "municipal", "date": "2022-03-31"}]}), "en"))
    interest = _result({"district": "fangshan", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                        "expenses": [{"id": "I1", "category": "belt_road_interest", "amount": 4_000_000,
                                      "year": 2025, "project": "B1"},
                                     {"id": "I2", "category": "belt_road_interest", "amount": 3_000_000,
                                      "year": 2025, "project": "B2"}]})
    assert any("interest-cap=per-enterprise" in text for text in _texts(interest, "en"))
    assert any("解读：企业所有项目合计" in text for text in _texts(interest, "zh"))


def test_a_year_only_tier_failure_names_31_december() -> None:
    result = _result({"district": "haidian", "recognitions": [{"tier": "municipal", "date": "2026-01-01"}],
                      "expenses": [{"id": "X1", "category": "rd_investment", "amount": 100_000, "year": 2025}]})
    (failed,) = [r for item in result.not_awarded if item.measure == "m1" for r in item.reasons
                 if r.code == R.CONDITION_FAILED and r.get("field") == "tier"]
    assert "on 31 December 2025" in render_reason(failed, "en")
    assert "2025年12月31日" in render_reason(failed, "zh")


def test_the_district_listing_why_not_speaks_of_a_match_only_when_there_is_a_listing() -> None:
    plain = _result({"district": "haidian", "recognitions": [{"tier": "municipal", "date": "2021-06-30"}]})
    codes = {r.code for item in plain.not_awarded if item.measure == "m5.district" for r in item.reasons}
    assert codes == {R.NO_LISTING}
    listed = _result({"district": "haidian", "recognitions": [{"tier": "innovative", "date": "2021-06-30"}],
                      "listings": [{"board": "a_share", "year": 2025}]})
    codes = {r.code for item in listed.not_awarded if item.measure == "m5.district" for r in item.reasons}
    assert codes == {R.NO_COUNTERPART}
