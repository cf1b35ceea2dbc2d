"""Unit tests of the enterprise record (`models.record`) and the conditions grammar
(`models.conditions`)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from models.catalog import load_catalog
from models.conditions import first_failure
from models.conditions import parse_condition as parse_with_order
from models.errors import CatalogError, InputError, RecordError
from models.record import EnterpriseRecord, load_record, parse_record


def parse_condition(text: str):
    """Parse as the shipped catalog does: tiers ordered as its vocabulary declares them."""
    return parse_with_order(text, {"tier": load_catalog().vocabulary.tiers})

D = dt.date.fromisoformat

MOVER = {
    "id": "E-1",
    "district": "daxing",
    "moves": [
        {"from": "outside_beijing", "to": "haidian", "date": "2022-05-01"},
        {"from": "haidian", "to": "daxing", "date": "2024-01-01"},
    ],
    "recognitions": [
        {"tier": "innovative", "date": "2021-03-31"},
        {"tier": "municipal", "date": "2022-06-30"},
        {"tier": "national", "date": "2024-07-01"},
    ],
}

FULL = {
    "id": "E-2",
    "name": "Example Co.",
    "district": "daxing",
    "industries": ["hydrogen_energy", "foreign_trade", "commercial_aerospace"],
    "recognitions": [
        {"tier": "innovative", "date": "2022-01-31"},
        {"tier": "municipal", "date": "2023-06-30"},
        {"tier": "national", "date": "2025-07-01"},
    ],
    "moves": [
        {"from": "outside_beijing", "to": "haidian", "date": "2021-05-01"},
        {"from": "haidian", "to": "daxing", "date": "2022-05-01"},
    ],
    "rewards_received": [
        {"measure": "daxing.tier", "tier": "municipal", "amount": 500000, "year": 2024},
        {"measure": "m7", "amount": 300, "year": 2023},
    ],
    "qualifications": [
        {"kind": "tech_center", "date": "2023-01-01"},
        {"kind": "key_lab_municipal", "date": "2022-01-01"},
    ],
    "expenses": [
        {"id": "X3", "category": "exhibition", "amount": 300000, "year": 2025},
        {"id": "X1", "category": "rd_investment", "amount": 4000000, "year": 2025, "project": "P1"},
        {"id": "X2", "category": "leased_equipment", "amount": 12000000, "year": 2025},
    ],
    "listings": [{"board": "neeq", "year": 2024}, {"board": "a_share", "year": 2026}],
    "patents": [
        {"id": "ZL2", "standard_annuity": 1200, "paid": 1020, "year": 2025, "patent_year": 4},
        {"id": "ZL1", "standard_annuity": 900, "paid": 900, "year": 2024, "patent_year": 2},
    ],
    "as_of": "2026-11-24",
}


def record(**changes) -> dict:
    data = copy.deepcopy(MOVER)
    data.update(changes)
    return data


def field_error(data) -> RecordError:
    with pytest.raises(RecordError) as caught:
        parse_record(data, source="r.yaml")
    return caught.value


# -- facts: district_on, tier_on ---------------------------------------------------------------------

@pytest.mark.parametrize(("day", "district"), [
    ("2020-01-01", "outside_beijing"),  # before the first move: where the first move starts
    ("2022-04-30", "outside_beijing"),
    ("2022-05-01", "haidian"),          # a move counts from its own date
    ("2023-12-31", "haidian"),
    ("2024-01-01", "daxing"),
    ("2030-01-01", "daxing"),
])
def test_district_on(day: str, district: str):
    assert parse_record(MOVER).district_on(D(day)) == district


def test_in_jurisdiction_on():
    enterprise = parse_record(MOVER)
    assert not enterprise.in_jurisdiction_on(D("2022-04-30"))
    assert enterprise.in_jurisdiction_on(D("2022-05-01"))


def test_district_on_without_moves_is_the_district():
    enterprise = parse_record({"id": "E", "district": "pinggu"})
    assert enterprise.district_on(D("1990-01-01")) == "pinggu"
    assert enterprise.district_on(D("2100-01-01")) == "pinggu"


@pytest.mark.parametrize(("day", "tier"), [
    ("2021-03-30", None),
    ("2021-03-31", "innovative"),
    ("2022-06-29", "innovative"),
    ("2022-06-30", "municipal"),
    ("2024-06-30", "municipal"),
    ("2024-07-01", "national"),
    ("2030-01-01", "national"),
])
def test_tier_on(day: str, tier: str | None):
    assert parse_record(MOVER).tier_on(D(day)) == tier


def test_tier_on_keeps_the_highest_tier_not_the_latest():
    enterprise = parse_record(record(recognitions=[
        {"tier": "privileged", "date": "2022-01-01"},
        {"tier": "municipal", "date": "2023-01-01"},
    ]))
    assert enterprise.tier_on(D("2023-06-01")) == "privileged"
    assert enterprise.highest_tier() == "privileged"


def test_no_recognitions():
    enterprise = parse_record({"id": "E", "district": "haidian"})
    assert enterprise.tier_on(D("2030-01-01")) is None
    assert enterprise.highest_tier() is None


# -- canonical order -----------------------------------------------------------------------------------

def _reversed_lists(data: dict) -> dict:
    out = copy.deepcopy(data)
    for key, value in out.items():
        if isinstance(value, list):
            out[key] = list(reversed(value))
    return out


def test_list_order_does_not_change_the_model():
    forward = parse_record(FULL)
    backward = parse_record(_reversed_lists(FULL))
    assert forward == backward
    assert forward.model_dump() == backward.model_dump()


def test_canonical_order_is_sorted():
    enterprise = parse_record(_reversed_lists(FULL))
    assert enterprise.industries == ["commercial_aerospace", "foreign_trade", "hydrogen_energy"]
    assert [r.date for r in enterprise.recognitions] == sorted(r.date for r in enterprise.recognitions)
    assert [m.date for m in enterprise.moves] == [D("2021-05-01"), D("2022-05-01")]
    assert [e.id for e in enterprise.expenses] == ["X1", "X2", "X3"]
    assert [q.kind for q in enterprise.qualifications] == ["key_lab_municipal", "tech_center"]
    assert [(item.year, item.board) for item in enterprise.listings] == [(2024, "neeq"), (2026, "a_share")]
    assert [p.id for p in enterprise.patents] == ["ZL1", "ZL2"]
    assert [r.year for r in enterprise.rewards_received] == [2023, 2024]


def test_duplicate_industries_collapse():
    enterprise = parse_record(record(industries=["software", "foreign_trade", "software"]))
    assert enterprise.industries == ["foreign_trade", "software"]


def test_recognitions_on_one_day_are_ordered_by_tier_rank():
    one = parse_record(record(recognitions=[{"tier": "national", "date": "2022-01-01"},
                                            {"tier": "municipal", "date": "2022-01-01"}]))
    other = parse_record(record(recognitions=[{"tier": "municipal", "date": "2022-01-01"},
                                              {"tier": "national", "date": "2022-01-01"}]))
    assert one == other
    assert [r.tier for r in one.recognitions] == ["municipal", "national"]


# -- parse_record: errors with field paths ---------------------------------------------------------------

def test_not_a_mapping():
    error = field_error(["id", "E"])
    assert isinstance(error, InputError)
    assert error.file == "r.yaml"
    assert "expected a mapping of record fields, got list" in str(error)


def test_row_is_reported():
    with pytest.raises(RecordError) as caught:
        parse_record({"district": "haidian"}, source="batch.csv", row=7)
    assert str(caught.value).startswith("batch.csv, row 7, field id: is required but missing")


@pytest.mark.parametrize(("change", "field", "phrase"), [
    ({"id": None}, "id", "not valid"),
    ({"district": "gotham"}, "district", "'gotham' is not accepted"),
    ({"entity_type": "charity"}, "entity_type", "'charity' is not accepted"),
    ({"recognitions": [{"tier": "gold", "date": "2022-01-01"}]}, "recognitions[0].tier", "'gold'"),
    ({"recognitions": [{"tier": "municipal", "date": "2022-02-30"}]}, "recognitions[0].date", "'2022-02-30'"),
    ({"recognitions": [{"tier": "municipal"}]}, "recognitions[0].date", "is required but missing"),
    ({"moves": [{"from": "mars", "to": "daxing", "date": "2022-01-01"}]}, "moves[0].from", "'mars'"),
    ({"expenses": [{"id": "X1", "category": "exhibition", "amount": 1, "year": 2025},
                   {"id": "X2", "category": "exhibition", "amount": "a lot", "year": 2025}]},
     "expenses[1].amount", "'a lot' is not an amount in whole yuan"),
    ({"expenses": [{"id": "X1", "category": "exhibition", "amount": True, "year": 2025}]},
     "expenses[0].amount", "valid integer"),
    ({"expenses": [{"id": "X1", "category": "exhibition", "amount": 1.0, "year": 2025}]},
     "expenses[0].amount", "valid integer"),
    ({"expenses": [{"id": "X1", "category": "lunch", "amount": 1, "year": 2025}]},
     "expenses[0].category", "'lunch'"),
    ({"expenses": [{"id": "X1", "category": "exhibition", "amount": 1, "year": 1800}]},
     "expenses[0].year", "1949"),
    ({"patents": [{"id": "P", "standard_annuity": 1, "paid": 1, "year": 2025, "patent_year": 0}]},
     "patents[0].patent_year", "greater than or equal to 1"),
    ({"rewards_received": [{"measure": "m7", "tier": "privileged", "amount": 1, "year": 2025}]},
     "rewards_received[0].tier", "'privileged'"),
    ({"as_of": "yesterday"}, "as_of", "'yesterday'"),
])
def test_field_paths(change: dict, field: str, phrase: str):
    error = field_error(record(**change))
    assert error.field == field
    assert error.file == "r.yaml"
    assert phrase in str(error)
    assert f"r.yaml, field {field}: " in str(error)


def test_unknown_top_level_key_suggests_the_nearest():
    data = record()
    data["recognitons"] = data.pop("recognitions")
    error = field_error(data)
    assert error.field == "recognitons"
    assert "did you mean 'recognitions'?" in str(error)
    assert "recognitions" in (error.accepted or "")


def test_unknown_nested_key_suggests_from_the_nested_model():
    error = field_error(record(expenses=[{"id": "X1", "catgory": "exhibition", "category": "exhibition",
                                          "amount": 1, "year": 2025}]))
    assert error.field == "expenses[0].catgory"
    assert "did you mean 'category'?" in str(error)
    assert error.accepted and "project_year" in error.accepted and "recognitions" not in error.accepted


def test_unknown_key_on_a_move_lists_the_alias_from():
    error = field_error(record(moves=[{"from": "outside_beijing", "to": "daxing", "date": "2022-01-01",
                                       "form": "x"}]))
    assert error.field == "moves[0].form"
    assert "did you mean 'from'?" in str(error)


@pytest.mark.parametrize(("change", "phrase"), [
    ({"moves": [{"from": "daxing", "to": "daxing", "date": "2022-01-01"}]}, "from daxing to itself"),
    ({"moves": [{"from": "outside_beijing", "to": "haidian", "date": "2022-01-01"},
                {"from": "haidian", "to": "daxing", "date": "2022-01-01"}]}, "two moves on 2022-01-01"),
    ({"moves": [{"from": "shunyi", "to": "daxing", "date": "2023-01-01"},
                {"from": "outside_beijing", "to": "haidian", "date": "2022-01-01"}]},
     "the move on 2023-01-01 starts in shunyi but the move before it ended in haidian"),
    ({"moves": [{"from": "outside_beijing", "to": "haidian", "date": "2022-01-01"}]},
     "the last move ends in haidian but district is daxing"),
    ({"expenses": [{"id": "X1", "category": "exhibition", "amount": 1, "year": 2025},
                   {"id": "X1", "category": "rd_investment", "amount": 2, "year": 2024}]}, "appears twice"),
])
def test_inconsistent_records(change: dict, phrase: str):
    error = field_error(record(**change))
    assert phrase in str(error)
    assert "Value error" not in str(error)


def test_moves_in_any_written_order_chain():
    """Chaining is checked after sorting by date, so a reversed list is still a valid chain."""
    data = record(moves=list(reversed(MOVER["moves"])))
    assert parse_record(data) == parse_record(MOVER)


def test_parse_record_returns_the_model():
    enterprise = parse_record(FULL)
    assert isinstance(enterprise, EnterpriseRecord)
    assert enterprise.entity_type == "enterprise"
    assert enterprise.as_of == D("2026-11-24")
    assert enterprise.moves[0].from_ == "outside_beijing"
    assert enterprise.expenses[0].project_year == 1


# -- load_record -----------------------------------------------------------------------------------------

def test_load_record_json_and_yaml_agree(tmp_path: Path):
    as_json = tmp_path / "e.json"
    as_json.write_text(json.dumps(FULL), encoding="utf-8")
    as_yaml = tmp_path / "e.yaml"
    as_yaml.write_text(yaml.safe_dump(FULL, allow_unicode=True), encoding="utf-8")
    from_json, from_yaml = load_record(as_json), load_record(str(as_yaml))
    assert from_json == from_yaml == parse_record(FULL)


def test_load_record_yaml_with_native_dates(tmp_path: Path):
    path = tmp_path / "e.yml"
    path.write_text("id: E\ndistrict: haidian\nrecognitions: [{tier: national, date: 2023-03-31}]\n",
                    encoding="utf-8")
    assert load_record(path).recognitions[0].date == D("2023-03-31")


def test_load_record_uppercase_json_suffix_is_json(tmp_path: Path):
    path = tmp_path / "E.JSON"
    path.write_text('{"id": "E", "district": "haidian",}', encoding="utf-8")
    with pytest.raises(RecordError, match="not valid JSON"):
        load_record(path)


@pytest.mark.parametrize(("name", "content", "phrase"), [
    ("empty.yaml", "\n  \n", "the file is empty"),
    ("bad.yaml", "id: E\ndistrict: [haidian\n", "not valid YAML or JSON at line"),
    ("bad.json", '{"id": "E"\n "district": "haidian"}', "not valid JSON: Expecting ',' delimiter at line 2 column 2"),
    ("list.yaml", "- id: E\n", "expected a mapping"),
    ("scalar.json", "42", "expected a mapping of record fields, got int"),
])
def test_load_record_errors(tmp_path: Path, name: str, content: str, phrase: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_record(path)
    assert phrase in str(caught.value)
    assert caught.value.file == str(path)


def test_load_record_missing_and_directory(tmp_path: Path):
    with pytest.raises(RecordError, match="no such file"):
        load_record(tmp_path / "absent.yaml")
    with pytest.raises(RecordError, match="is a directory"):
        load_record(tmp_path)


def test_load_record_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: Caf\xe9\ndistrict: haidian\n".encode("latin-1"))
    with pytest.raises(RecordError, match="cannot read the file"):
        load_record(path)


def test_load_record_field_error_names_the_path(tmp_path: Path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(record(recognitions=[{"tier": "gold", "date": "2022-01-01"}])), encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        load_record(path)
    assert caught.value.field == "recognitions[0].tier"
    assert str(caught.value).startswith(f"{path}, field recognitions[0].tier:")


# -- conditions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "fact", "holds"), [
    ("patent_year == 4", 4, True), ("patent_year == 4", 5, False),
    ("patent_year != 4", 5, True), ("patent_year != 4", 4, False),
    ("patent_year >= 4", 4, True), ("patent_year >= 4", 3, False),
    ("patent_year <= 10", 10, True), ("patent_year <= 10", 11, False),
    ("patent_year > 4", 5, True), ("patent_year > 4", 4, False),
    ("patent_year < 4", 3, True), ("patent_year < 4", 4, False),
    ("project_year >= -1", 0, True),
])
def test_integer_operators(text: str, fact: int, holds: bool):
    field = text.split()[0]
    assert parse_condition(text).holds({field: fact}) is holds


def test_date_operators():
    condition = parse_condition("move_date >= 2022-01-01")
    assert condition.value == D("2022-01-01")
    assert condition.holds({"move_date": D("2022-01-01")})
    assert not condition.holds({"move_date": D("2021-12-31")})
    assert parse_condition("move_date < 2022-01-01").holds({"move_date": D("2021-12-31")})


@pytest.mark.parametrize(("text", "fact", "holds"), [
    ("origin == outside_beijing", "outside_beijing", True),
    ("origin == outside_beijing", "haidian", False),
    ("origin != outside_beijing", "haidian", True),
    ("entity_type in [enterprise, private_non_enterprise]", "private_non_enterprise", True),
    ("entity_type in [enterprise]", "private_non_enterprise", False),
    ("entity_type not in [enterprise]", "private_non_enterprise", True),
    ("entity_type not in [enterprise]", "enterprise", False),
])
def test_name_and_list_operators(text: str, fact: str, holds: bool):
    field = text.split()[0]
    assert parse_condition(text).holds({field: fact}) is holds


@pytest.mark.parametrize(("text", "tier", "holds"), [
    ("tier >= municipal", "innovative", False),
    ("tier >= municipal", "municipal", True),
    ("tier >= municipal", "national", True),
    ("tier >= municipal", "privileged", True),
    ("tier > national", "privileged", True),
    ("tier > national", "national", False),
    ("tier >= national", "privileged", True),
    ("tier < municipal", "innovative", True),
    ("tier <= national", "privileged", False),
    ("tier == national", "privileged", False),
    ("tier != national", "privileged", True),
])
def test_tier_ordering(text: str, tier: str, holds: bool):
    assert parse_condition(text).holds({"tier": tier}) is holds


@pytest.mark.parametrize(("text", "tags", "holds"), [
    ("industry in [hydrogen_energy, commercial_aerospace]", {"commercial_aerospace", "software"}, True),
    ("industry in [hydrogen_energy, commercial_aerospace]", {"software"}, False),
    ("industry in [hydrogen_energy]", set(), False),
    ("industry == foreign_trade", {"foreign_trade", "software"}, True),
    ("industry == foreign_trade", {"software"}, False),
    ("industry != foreign_trade", {"software"}, True),
    ("industry != foreign_trade", {"foreign_trade"}, False),
    ("industry not in [hydrogen_energy, commercial_aerospace]", {"software"}, True),
    ("industry not in [hydrogen_energy, commercial_aerospace]", {"software", "hydrogen_energy"}, False),
    ("industry not in [hydrogen_energy]", set(), True),
])
def test_tags_semantics(text: str, tags: set[str], holds: bool):
    assert parse_condition(text).holds({"industry": frozenset(tags)}) is holds


def test_ordering_operator_on_tags_is_a_catalog_error():
    condition = parse_condition("industry >= software")
    with pytest.raises(CatalogError, match="does not apply to tags"):
        condition.holds({"industry": frozenset({"software"})})


@pytest.mark.parametrize("text", ["tier >= municipal", "tier != municipal", "industry not in [a]",
                                  "origin != haidian"])
def test_a_missing_fact_never_satisfies(text: str):
    condition = parse_condition(text)
    field = text.split()[0]
    assert condition.holds({}) is False
    assert condition.holds({field: None}) is False


def test_parsed_values_and_text():
    assert parse_condition("  patent_year   <=   10 ").value == 10
    assert parse_condition("  patent_year   <=   10 ").text == "patent_year   <=   10"
    listed = parse_condition("industry in [a, b,c]")
    assert listed.value == frozenset({"a", "b", "c"}) and listed.op == "in" and listed.field == "industry"
    assert parse_condition("entity_type not in [enterprise]").op == "not in"
    assert parse_condition("origin == outside_beijing").value == "outside_beijing"


def test_explain_failure_and_first_failure():
    tier = parse_condition("tier >= municipal")
    industry = parse_condition("industry in [foreign_trade]")
    assert tier.explain_failure({"tier": "innovative"}) == "tier >= municipal failed: tier is innovative"
    assert tier.explain_failure({}) == "tier >= municipal failed: tier is unknown"
    assert (industry.explain_failure({"industry": frozenset({"software", "biotech"})})
            == "industry in [foreign_trade] failed: industry is [biotech, software]")
    assert industry.explain_failure({"industry": frozenset()}) == "industry in [foreign_trade] failed: industry is none"
    facts = {"tier": "national", "industry": frozenset({"software"})}
    assert first_failure((tier, industry), facts) == "industry in [foreign_trade] failed: industry is [software]"
    assert first_failure((tier,), facts) is None


@pytest.mark.parametrize(("text", "phrase"), [
    ("tier >>= municipal", "cannot parse condition"),
    ("industry in [a", "unclosed list"),
    ("tier >= gold", "unknown tier 'gold'"),
    ("tier", "cannot parse condition"),
    ("Tier >= municipal", "cannot parse condition"),
    ("tier => municipal", "cannot parse condition"),
    ("industry in []", "must hold names"),
    ("industry in [a, 3]", "must hold names"),
    ("industry == [a]", "a list needs 'in' or 'not in'"),
    ("industry in foreign_trade", "'in' needs a [list]"),
    ("origin == Haidian", "cannot read value 'Haidian'"),
    ("move_date >= 2022-02-30", "bad date '2022-02-30'"),
])
def test_malformed_conditions(text: str, phrase: str):
    with pytest.raises(CatalogError) as caught:
        parse_condition(text)
    assert phrase in str(caught.value)


def test_malformed_condition_messages_list_what_is_accepted():
    with pytest.raises(CatalogError) as caught:
        parse_condition("tier >>= municipal")
    assert "not in, ==, !=, >=, <=, >, <, in" in (caught.value.accepted or "")
    with pytest.raises(CatalogError) as caught:
        parse_condition("tier >= gold")
    assert caught.value.accepted == "innovative, municipal, national, privileged"


def test_tier_with_a_list_parses():
    """Regression (was a bug): the grammar allows `FIELD in [NAME, ...]`, but parse_condition checks a tier value
    with `value not in TIER_RANK`, which for a list is a frozenset never in TIER_RANK: every
    `tier in [...]` / `tier not in [...]` condition is rejected as `unknown tier frozenset(...)`."""
    condition = parse_condition("tier in [national, privileged]")
    assert condition.holds({"tier": "privileged"})
    assert not condition.holds({"tier": "municipal"})


def test_an_effective_date_in_the_catalog_limits_the_events_a_rule_pays_for():
    """DOMAIN.md section 4: the catalog keeps a field for effective dates; a rule in force from
    2023 pays nothing for a 2022 recognition, and says why."""
    import datetime as dt

    from models.catalog import build, load_catalog
    from solver.evaluate import evaluate

    catalog = load_catalog()
    files = dict(catalog.files)
    spec = files["shijingshan.yaml"]
    measure = spec.measures[0]
    rule = measure.rules[0].model_copy(update={"effective_from": dt.date(2023, 1, 1)})
    files["shijingshan.yaml"] = spec.model_copy(update={"measures": (
        measure.model_copy(update={"rules": (rule,)}),)})
    dated = build(catalog.directory, catalog.index, files)
    record = parse_record({"id": "E", "district": "shijingshan", "as_of": "2026-11-24",
                           "recognitions": [{"tier": "municipal", "date": "2022-09-30"},
                                            {"tier": "national", "date": "2024-07-15"}]})
    result = evaluate(record, catalog=dated, today=dt.date(2026, 11, 24))
    assert [(a.tier, a.amount.max) for a in result.awards] == [("national", 800_000)]
    alone = parse_record({"id": "E", "district": "shijingshan", "as_of": "2026-11-24",
                          "recognitions": [{"tier": "municipal", "date": "2022-09-30"}]})
    result = evaluate(alone, catalog=dated, today=dt.date(2026, 11, 24))
    assert result.awards == ()
    reasons = next(i.reasons for i in result.not_awarded if i.measure == "shijingshan.tier")
    assert any(r.code == "outside_effective_dates" and r.params["date"] == "2022-09-30"
               for r in reasons), reasons


def test_a_project_year_without_a_project_is_an_error():
    """DOMAIN.md section 7: an item without a project is a project of its own in project year 1."""
    with pytest.raises(RecordError) as caught:
        parse_record({"id": "E", "district": "haidian", "expenses": [
            {"id": "X1", "category": "rd_investment", "amount": 4_000_000, "year": 2025,
             "project_year": 2}]})
    assert "project year 1" in str(caught.value) and "X1" in str(caught.value)
