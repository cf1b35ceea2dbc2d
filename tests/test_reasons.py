"""Reasons a manager can read: every reason of every case renders in plain words without an
internal key, and every candidate that is not paid has a reason naming the rule that excluded it
(checked against the solver's own data)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.catalog import load_catalog, using_catalog
from models.packages import PACKAGES_DIR
from tests.test_cases import case_catalog
from models.record import parse_record
from solver import reasons as R
from solver.compile import compile_record, effective_amount
from solver.evaluate import checked_solution, evaluate
from solver.explain import explain
from tests.strategies import ladder_records, records
from views.reasons import codes, render_reason, with_text

CATALOG = load_catalog()
LATER = load_catalog(PACKAGES_DIR / "beijing-2025")  # the cases with `catalog: beijing-2025`
TODAY = dt.date(2026, 11, 24)
CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
RULE_KEYS = sorted({rule.id for rule in (*CATALOG.rules, *LATER.rules)}
                   | {rule.measure for rule in (*CATALOG.rules, *LATER.rules)})
RULE_KEY = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, RULE_KEYS)) + r")(?![\w-])")


def _case(path: Path) -> tuple[dict, dict[str, str]]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    return case["record"], case.get("readings") or {}


def _evaluated(path: Path):
    """A case evaluated in its package (`catalog:`, default the brochure), texts rendered inside."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalog = case_catalog(case) if case.get("catalog") else CATALOG  # a package or a fixture
    with using_catalog(catalog):
        result = evaluate(parse_record(case["record"]), case.get("readings") or {}, today=TODAY)
        return result, {lang: _texts(result, lang) for lang in ("en", "zh")}, catalog


def _texts(result, lang: str = "en") -> list[str]:
    return [render_reason(r, lang) for a in result.awards for r in a.reasons] + \
        [render_reason(r, lang) for item in result.not_awarded for r in item.reasons]


def test_every_code_has_a_sentence_in_the_message_catalogue() -> None:
    """Both languages: tests/test_i18n.py checks that every message has zh and en with the same
    fields."""
    solver_codes = {value for name, value in vars(R).items()
                    if name.isupper() and isinstance(value, str)}
    assert solver_codes <= codes()
    assert set(R.KINDS) == solver_codes  # one dataclass per kind of reason, and no more


def test_a_reason_is_built_as_its_kind_declares_it() -> None:
    """`reason(CODE, …)` is the dataclass of CODE with typed fields; anything else is a bug."""
    from models.errors import BugError

    item = R.reason(R.REGISTERED_ELSEWHERE, {"event": "qualification", "kind": "gazelle",
                                             "date": "2024-03-01"},
                    district="dongcheng", payer="xicheng", date="2024-03-01", at_claim=None)
    assert isinstance(item, R.RegisteredElsewhere) and item.payer == "xicheng"
    assert list(item.params) == ["event", "kind", "date", "district", "payer", "at_claim"]
    assert R.reason(item.code, item.params).as_dict() == item.as_dict()  # read back from JSON
    with pytest.raises(BugError, match="payee is not a parameter of registered_elsewhere"):
        R.reason(R.REGISTERED_ELSEWHERE, district="dongcheng", payee="xicheng", date="2024-03-01",
                 at_claim=None)
    with pytest.raises(BugError, match="registered_elsewhere lacks payer"):
        R.reason(R.REGISTERED_ELSEWHERE, district="dongcheng", date="2024-03-01", at_claim=None)
    with pytest.raises(BugError, match="at_claim is '2024', not int or NoneType"):
        R.reason(R.REGISTERED_ELSEWHERE, district="dongcheng", payer="xicheng", date="2024-03-01",
                 at_claim="2024")
    with pytest.raises(BugError, match="no kind of reason"):
        R.reason("no_such_reason")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_no_rendered_reason_holds_an_internal_key(path: Path) -> None:
    _result, rendered, _catalog = _evaluated(path)
    for lang in ("en", "zh"):
        texts = rendered[lang]
        assert texts
        for text in texts:
            assert "||" not in text and "cap 1" not in text, text
            assert not RULE_KEY.search(text), (RULE_KEY.search(text), text)
            assert "{" not in text and "None" not in text, text


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_reasons_in_chinese_name_measures_districts_and_tiers_in_chinese(path: Path) -> None:
    """The same codes in Chinese: no English sentence words, no district or tier id."""
    _result, rendered, catalog = _evaluated(path)
    ids = set(catalog.vocabulary.ids("district")) | set(catalog.vocabulary.ids("tier"))
    for text in rendered["zh"]:
        assert re.search(r"[\u4e00-\u9fff]", text), text
        for word in ("registered", "claimed", "recognition", "expense", " the ", "less"):
            assert word not in text, (word, text)
        assert not set(re.findall(r"[a-z_]+", text)) & ids, text


def test_the_rule_key_pattern_finds_keys() -> None:
    """The check above can fail: it finds a rule key where one is written."""
    assert RULE_KEY.search("R3: one-time, already paid by mentougou.relocation||2023|move")
    assert RULE_KEY.search("the cap m1.first-year cap 1: project P1")
    assert not RULE_KEY.search("Mentougou relocation reward claimed in 2023")


def test_json_carries_code_params_and_text() -> None:
    record, readings = _case(Path(__file__).parent / "cases" /
                             "m1_caps_two_items_of_one_project_at_2000000_in_project_year_1.yaml")
    data = with_text(evaluate(parse_record(record), readings, today=TODAY).as_dict())
    capped = [r for a in data["awards"] for r in a["reasons"] if r["code"] == R.CAP_BOUND]
    assert len(capped) == 1
    assert capped[0]["params"]["cap_limit"] == 2_000_000
    assert "project year 1 limit of 2,000,000" in capped[0]["text"]
    assert "2,000,000 less 1,500,000 taken by other awards leaves 500,000" in capped[0]["text"]
    assert all(a["why"] == "; ".join(r["text"] for r in a["reasons"]) for a in data["awards"])


def test_the_three_year_limit_is_named_not_the_yearly_cap() -> None:
    record, readings = _case(Path(__file__).parent / "cases" /
                             "belt_and_road_interest_subsidy_is_paid_for_at_most_three_years.yaml")
    result = evaluate(parse_record(record), {**readings, "interest-years": "any-three"}, today=TODAY)
    lost = [r for item in result.not_awarded if item.measure == "m6.interest" for r in item.reasons]
    assert [r.code for r in lost] == [R.YEAR_LIMIT_REACHED]
    assert "at most 3 years per project" in render_reason(lost[0])


def test_the_fourth_year_under_first_three_names_the_three_years_it_comes_after() -> None:
    record, readings = _case(Path(__file__).parent / "cases" /
                             "belt_and_road_interest_subsidy_is_paid_for_at_most_three_years.yaml")
    result = evaluate(parse_record(record), readings, today=TODAY)
    lost = [r for item in result.not_awarded if item.measure == "m6.interest" for r in item.reasons]
    assert [r.code for r in lost] == [R.FIRST_YEARS_USED]
    assert lost[0].get("expense") == "I4"
    text = render_reason(lost[0])
    assert "first 3 years in which project B1 is eligible (2022, 2023, 2024); 2025 comes after" in text
    assert "2022, 2023, 2024" in render_reason(lost[0], "zh")


def test_a_measure_that_pays_for_one_event_says_why_not_for_another() -> None:
    record = parse_record({
        "id": "W-1", "district": "haidian", "as_of": "2026-11-24",
        "recognitions": [{"tier": "municipal", "date": "2020-06-30"}],
        "patents": [{"id": "P10", "standard_annuity": 1000, "paid": 1000, "year": 2025, "patent_year": 10},
                    {"id": "P11", "standard_annuity": 1000, "paid": 1000, "year": 2025, "patent_year": 11}]})
    result = evaluate(record, today=TODAY)
    assert [a.measure for a in result.awards] == ["m7"]
    lost = [r for item in result.not_awarded if item.measure == "m7" for r in item.reasons]
    assert [(r.code, r.params.get("patent")) for r in lost] == [(R.CONDITION_FAILED, "P11")]


def test_an_r2_difference_floored_at_0_is_a_reason_not_a_due_award() -> None:
    record = parse_record({
        "id": "W-2", "district": "pinggu", "as_of": "2026-11-24",
        "recognitions": [{"tier": "municipal", "date": "2023-06-30"},
                         {"tier": "national", "date": "2025-06-30"}],
        "rewards_received": [{"measure": "pinggu.tier", "tier": "municipal", "amount": 600000,
                              "year": 2024}]})
    result = evaluate(record, today=TODAY)
    assert [(a.measure, a.status) for a in result.awards] == [("pinggu.tier", "received")]
    lost = [r for item in result.not_awarded for r in item.reasons if r.code == R.RECEIVED_COVERS]
    assert len(lost) == 1
    assert "500,000 less 600,000 already received for the Beijing specialized and sophisticated " \
        "SME tier in 2024 leaves nothing" in render_reason(lost[0])


def test_statuses_follow_as_of() -> None:
    record = parse_record({
        "id": "W-3", "district": "shijingshan", "as_of": "2025-03-01",
        "recognitions": [{"tier": "municipal", "date": "2022-09-30"},
                         {"tier": "national", "date": "2024-07-15"},
                         {"tier": "privileged", "date": "2025-06-30"}],
        "expenses": [{"id": "X1", "category": "rd_investment", "amount": 100, "year": 2026}]})
    result = evaluate(record, today=TODAY)
    status = {(a.measure, a.claim_year): a.status for a in result.awards}
    assert status == {("shijingshan.tier", 2023): "past", ("shijingshan.tier", 2025): "due",
                      ("m1", 2026): "projected"}
    assert result.by_status()["past"].max == 200_000


def _reason_is_true(candidate, item, compiled, solution) -> bool:
    """Does the reason name the rule that excluded the candidate, by the solver's own data?"""
    paid = {key: compiled.by_key()[key] for key in solution.paid}
    if item.code == R.R1_RIVAL:
        return any(c.r1_group == candidate.r1_group and solution.paid[k].max > 0
                   for k, c in paid.items() if k != candidate.key)
    if item.code == R.R3_ALREADY_PAID:
        return any(c.one_time == candidate.one_time for k, c in paid.items() if k != candidate.key)
    if item.code == R.R4_EXPENSE_TAKEN:
        return any(c.expense_item == candidate.expense_item for k, c in paid.items()
                   if k != candidate.key)
    if item.code == R.YEAR_LIMIT_REACHED:
        key, year = candidate.year_limit
        years = {c.year_limit[1] for c in paid.values() if c.year_limit and c.year_limit[0] == key}
        return len(years) >= compiled.year_limits[key] and year not in years
    if item.code == R.CAP_USED_UP:
        return any(sum(solution.paid[k].max for k, c in paid.items() if cap in c.caps)
                   >= compiled.caps[cap] for cap in candidate.caps)
    if item.code == R.DIFFERENCE_FLOORED:
        return bool(candidate.deduct_received or any(k in solution.paid for k in candidate.deduct))
    if item.code == R.MIRROR_ZERO:
        return candidate.mirror_of is not None and (
            candidate.mirror_of not in solution.paid or solution.paid[candidate.mirror_of].max == 0)
    if item.code == R.AMOUNT_ZERO:
        return effective_amount(candidate).max == 0
    if item.code == R.RECEIVED_COVERS:  # rewards already received take its whole amount
        return bool(candidate.received_cut) and effective_amount(candidate).max == 0
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(records(), ladder_records()), stacking=st.sampled_from(["cumulative", "difference-only"]))
def test_every_unpaid_candidate_has_a_true_reason(data: dict, stacking: str) -> None:
    record = parse_record(data)
    compiled = compile_record(record, CATALOG, CATALOG.resolve_readings({"stacking": stacking}),
                              today=TODAY)
    solution = checked_solution(compiled)
    result = explain(compiled, solution)
    by_measure = {item.measure: item.reasons for item in result.not_awarded}
    for candidate in compiled.candidates:
        if candidate.key in solution.paid and solution.paid[candidate.key].max > 0:
            continue
        about = candidate.about
        mine = [r for r in by_measure.get(candidate.measure, ())
                if r.code in R.WHY_NOT_CHOSEN and r.params.get("claim_year") == candidate.claim_year
                and r.about == about]
        paid_same_event = any(
            c.measure == candidate.measure and c.about == about and solution.paid[k].max > 0
            for k, c in compiled.by_key().items() if k in solution.paid)
        if paid_same_event:
            continue  # the measure pays this event through another of its rules
        assert mine, (candidate.key, by_measure.get(candidate.measure))
        assert all(r.code != R.NOT_CHOSEN for r in mine), (candidate.key, mine)
        assert any(_reason_is_true(candidate, r, compiled, solution) for r in mine), \
            (candidate.key, mine)


def test_howto_never_advises_a_re_examination_for_the_mentougou_relocation_reward() -> None:
    """The audit's engine bug: after a round trip Mentougou → Haidian → Mentougou, a municipal
    re-examination in Mentougou paid the relocation reward and howto advised adding one."""
    from solver.howto import howto

    record, _ = _case(Path(__file__).parent / "cases" /
                      "mentougou_pays_no_relocation_reward_for_a_re_examination_after_a_round_trip_through_haidian.yaml")
    answer = howto(parse_record(record), "mentougou.relocation", today=TODAY)
    assert answer.suggestions == ()
