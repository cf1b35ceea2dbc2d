"""Forgiving input (models/normalize.py): what a Beijing user types is read as the canonical value,
through every door (record file, batch cell, API), and every problem of a record is reported in
one run with its field path."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import app
from models.errors import RecordError
from models.normalize import Unreadable, normalize_value
from models.record import parse_record
from models.catalog import load_catalog
from solver.evaluate import evaluate

D = dt.date.fromisoformat
PLACES = load_catalog().vocabulary.places  # the catalog declares them
TIERS = load_catalog().vocabulary.tiers

# Worked example 2 (DOMAIN.md section 6) as a Beijing clerk types it.
TYPED_AS_IN_BEIJING = {"id": "EX-2", "district": "东城区", "as_of": "2026-11-24",
                       "recognitions": [{"tier": "专精特新", "date": "2022/09/30"},
                                        {"tier": "小巨人", "date": "2024年7月15日"}]}
CANONICAL = {"id": "EX-2", "district": "dongcheng", "as_of": "2026-11-24",
             "recognitions": [{"tier": "municipal", "date": "2022-09-30"},
                              {"tier": "national", "date": "2024-07-15"}]}


@pytest.mark.parametrize("typed", ["dongcheng", "Dongcheng", " DONGCHENG ", "东城区", "东城", " 东城区 ",
                                   "Dongcheng District"])
def test_a_district_by_id_any_case_or_chinese_name_with_or_without_qu(typed: str) -> None:
    assert normalize_value("district", typed) == "dongcheng"


def test_every_place_reads_back_from_its_chinese_name_and_its_id() -> None:
    from models.catalog import name

    for place in PLACES:
        assert normalize_value("district", name("district", place, lang="zh")) == place
        assert normalize_value("district", place.upper()) == place
    assert normalize_value("district", "京外") == "outside_beijing"


@pytest.mark.parametrize(("typed", "tier"), [
    ("创新型", "innovative"), ("创新型中小企业", "innovative"), ("专精特新", "municipal"),
    ("北京市专精特新中小企业", "municipal"), ("小巨人", "national"),
    ("国家级专精特新“小巨人”企业", "national"), ('国家级专精特新"小巨人"企业', "national"),
    ("重点小巨人", "privileged"), ("National", "national"), (" municipal ", "municipal"),
])
def test_a_tier_by_id_short_or_full_chinese_name(typed: str, tier: str) -> None:
    assert normalize_value("tier", typed) == tier


def test_every_tier_reads_back_from_its_names() -> None:
    from models.catalog import name

    for tier in TIERS:
        for lang in ("zh", "en"):
            assert normalize_value("tier", name("tier", tier, lang=lang)) == tier
            assert normalize_value("tier", name("tier", tier, lang=lang, short=True)) == tier


@pytest.mark.parametrize(("kind", "typed", "canonical"), [
    ("entity_type", "民办非企业单位", "private_non_enterprise"), ("entity_type", "企业", "enterprise"),
    ("category", "国际展会", "exhibition"), ("category", "Leased-Equipment", "leased_equipment"),
    ("board", "新三板", "neeq"), ("board", "A股", "a_share"),
    ("qualification", "企业技术中心", "tech_center"),
])
def test_other_vocabularies_by_name(kind: str, typed: str, canonical: str) -> None:
    assert normalize_value(kind, typed) == canonical


@pytest.mark.parametrize("typed", ["2023-06-30", "2023/06/30", "2023.06.30", "2023年6月30日",
                                   "2023年06月30日", "2023/6/30", "２０２３－０６－３０", "20230630",
                                   " 2023-06-30 ", "2023-06-30 00:00:00",
                                   dt.datetime(2023, 6, 30), D("2023-06-30")])
def test_dates_as_people_write_them_and_spreadsheet_cells(typed) -> None:
    assert normalize_value("date", typed) == D("2023-06-30")


@pytest.mark.parametrize(("typed", "yuan"), [
    (1000000, 1000000), ("1000000", 1000000), ("1,000,000", 1000000), ("１０００，０００", 1000000),
    ("100万", 1000000), ("1.5万", 15000), ("0.0001万", 1), ("1.2345万", 12345), ("3亿", 300000000),
    ("1,000,000元", 1000000), ("¥200,000", 200000), ("1000000.00", 1000000), ("２０万", 200000),
])
def test_amounts_in_whole_yuan_exactly(typed, yuan: int) -> None:
    value = normalize_value("amount", typed)
    assert value == yuan and type(value) is int


@pytest.mark.parametrize("typed", ["1.23456万", "12.5", "lots", "-5", "1e6", "1,5万万"])
def test_amounts_that_are_not_whole_yuan_are_problems(typed: str) -> None:
    with pytest.raises(Unreadable):
        normalize_value("amount", typed)


def test_a_large_wan_amount_has_no_float_rounding() -> None:
    assert normalize_value("amount", "123456789012345.6789万") == 1234567890123456789


@pytest.mark.parametrize(("kind", "typed"), [("date", "2022-02-30"), ("date", "yesterday"),
                                             ("date", dt.datetime(2023, 6, 30, 12, 5)),
                                             ("district", "gotham"), ("tier", "gold")])
def test_unreadable_values_raise(kind: str, typed) -> None:
    with pytest.raises(Unreadable):
        normalize_value(kind, typed)


def test_did_you_mean_for_values() -> None:
    with pytest.raises(RecordError) as caught:
        parse_record({"id": "E", "district": "dongchen"})
    assert "did you mean 'dongcheng'" in str(caught.value)
    with pytest.raises(RecordError) as caught:
        parse_record({"id": "E", "district": "haidian", "recognitions": [{"tier": "nationl", "date": "2022-01-01"}]})
    assert "did you mean 'national'" in str(caught.value)
    assert caught.value.field == "recognitions[0].tier"


def test_the_typed_record_is_the_canonical_record() -> None:
    assert parse_record(TYPED_AS_IN_BEIJING) == parse_record(CANONICAL)


def test_the_typed_record_evaluates_like_worked_example_2() -> None:
    result = evaluate(parse_record(TYPED_AS_IN_BEIJING))
    assert (result.total.min, result.total.max) == (900_000, 900_000)
    assert [(a.claim_year, a.amount.max) for a in result.awards] == [(2023, 100_000), (2025, 800_000)]


def test_industry_tags_by_catalog_name_and_free_tags_kept() -> None:
    record = parse_record({"id": "E", "district": "daxing",
                           "industries": ["氢能", "Hydrogen Energy", "商业航天", "Software"]})
    assert record.industries == ["commercial_aerospace", "hydrogen_energy", "software"]


THREE_BAD = {"id": "E", "district": "gotham", "entity_type": "charity",
             "recognitions": [{"tier": "municipal", "date": "2022-13-45"}],
             "expenses": [{"id": "X", "category": "exhibition", "amount": "lots", "year": 2025}]}
THREE_BAD_FIELDS = ["district", "entity_type", "recognitions[0].date", "expenses[0].amount"]


def test_every_problem_of_a_record_in_one_run() -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(THREE_BAD, source="r.yaml")
    assert [p.field for p in caught.value.problems] == THREE_BAD_FIELDS
    lines = str(caught.value).splitlines()
    assert len(lines) == 4
    assert all(line.startswith(f"r.yaml, field {f}: ") for line, f in zip(lines, THREE_BAD_FIELDS))


def test_normalizer_problems_and_validator_problems_together() -> None:
    data = {"id": "E", "district": "gotham", "recognitons": [], "as_of": "2026-01-01",
            "patents": [{"id": "P", "standard_annuity": 1, "paid": 1, "year": 2025, "patent_year": 0}]}
    with pytest.raises(RecordError) as caught:
        parse_record(data)
    fields = [p.field for p in caught.value.problems]
    assert sorted(fields) == sorted(["district", "recognitons", "patents[0].patent_year"])


runner = CliRunner()


def test_cli_evaluates_the_typed_record_and_reports_every_problem(tmp_path: Path) -> None:
    good = tmp_path / "typed.yaml"
    good.write_text("id: EX-2\ndistrict: 东城区\nas_of: 2026-11-24\nrecognitions:\n"
                    "  - {tier: 专精特新, date: 2022/09/30}\n  - {tier: 小巨人, date: 2024年7月15日}\n",
                    encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(good), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["total"] == {"min": 900000, "max": 900000, "open_above": False}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(THREE_BAD), encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(bad)])
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 4 and all(line.startswith("zjtx: error: ") for line in lines)
    assert all(f"field {field}:" in line for line, field in zip(lines, THREE_BAD_FIELDS))


def test_batch_reads_typed_cells(tmp_path: Path) -> None:
    rows = tmp_path / "in.csv"
    with rows.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "district", "as_of", "recognitions"])
        writer.writerow(["EX-2", " 东城 ", "2026/11/24", json.dumps(TYPED_AS_IN_BEIJING["recognitions"],
                                                                   ensure_ascii=False)])
        writer.writerow(["BAD", "gotham", "2026-11-24", json.dumps(THREE_BAD["recognitions"])])
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["batch", str(rows), "--out", str(out)])
    assert done.exit_code == 1, done.output
    result = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["total_min"], r["total_max"]) for r in result] == [("EX-2", "900000", "900000")]
    errors = list(csv.DictReader((tmp_path / "out.errors.csv").open(encoding="utf-8")))
    assert errors[0]["field"] == "district; recognitions[0].date"
    assert "gotham" in errors[0]["message"] and "2022-13-45" in errors[0]["message"]


def test_api_evaluates_the_typed_record_and_lists_every_problem() -> None:
    from service.app import create_app

    with TestClient(create_app()) as client:
        response = client.post("/v1/evaluate", json=TYPED_AS_IN_BEIJING)
        assert response.status_code == 200
        assert response.json()["total"]["max"] == 900000
        response = client.post("/v1/evaluate", json=THREE_BAD)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == THREE_BAD_FIELDS


def test_a_spelling_read_for_one_kind_is_not_an_id_of_another():
    """Spellings read are kept per kind: a district read as written (东城区 → dongcheng) does not
    make 东城区 a tier afterwards; the tier is refused as before."""
    from models.normalize import Unreadable, normalize_value

    assert normalize_value("district", "东城区") == "dongcheng"
    with pytest.raises(Unreadable) as refused:
        normalize_value("tier", "东城区")
    assert "东城区" in str(refused.value) and "tier" in str(refused.value)
