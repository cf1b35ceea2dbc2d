"""`zjtx impact` (issue 24, part 2): who is affected when policies change — on the seeded
population, impact's list is exactly the rows where `batch --catalog A` and `batch --catalog B`
differ (between two packages, and between two dates of one); its totals are the batch's; every
row is written, counted unchanged or in the errors file; the local, pool and Dask engines write
the same bytes; the causes name what the policies changed; the texts speak both languages."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.population import population
from cli import app
from formats.batch import run_batch
from views.notices import notices_text
from models.catalog import using_catalog
from models.money import Money
from models.packages import PACKAGES_DIR
from solver.batch import BatchOptions
from solver.impact import compare

runner = CliRunner()
LATER = PACKAGES_DIR / "beijing-2025"


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, default=str, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _answers(rows: list[dict]) -> dict[str, dict[str, int]]:
    """id → the batch row's amounts (totals and every measure column; a column the other
    package lacks reads 0)."""
    return {row["id"]: {k: v for k, v in row.items()
                        if (k.endswith((".min", ".max")) or k.startswith("total_")) and v}
            for row in rows}


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    """The seeded population, with a few rows the later districts reward and two bad rows."""
    folder = tmp_path_factory.mktemp("impact")
    records = list(population(400, seed=24))
    records += [
        {"id": "FS-PROMOTED", "district": "fangshan", "as_of": "2026-11-24",
         "recognitions": [{"tier": "municipal", "date": "2025-06-01"},
                          {"tier": "national", "date": "2026-07-01"}]},
        {"id": "HD-2024", "district": "haidian", "as_of": "2026-11-24",
         "recognitions": [{"tier": "national", "date": "2024-07-15"}]},
        {"id": "BAD-DISTRICT", "district": "nowhere"},
        {"id": "FS-PROMOTED", "district": "fangshan"},  # a duplicate id
    ]
    return write_jsonl(folder / "registry.jsonl", records)


def test_impact_names_exactly_the_enterprises_whose_batch_answers_differ(registry: Path, tmp_path: Path):
    for name, package in (("a", "beijing-2022"), ("b", "beijing-2025")):
        result = invoke("batch", registry, "--out", tmp_path / f"{name}.jsonl", "--catalog", package)
        assert result.exit_code == 1, result.output  # the two bad rows
    before, after = (_answers(read_jsonl(tmp_path / f"{n}.jsonl")) for n in ("a", "b"))
    differ = {ident for ident in before if before[ident] != after[ident]}
    result = invoke("impact", registry, "--from", "beijing-2022", "--to", "beijing-2025",
                    "--out", tmp_path / "impact.jsonl", "--summary", tmp_path / "impact.json")
    assert result.exit_code == 1, result.output
    rows = read_jsonl(tmp_path / "impact.jsonl")
    assert {row["id"] for row in rows} == differ
    assert {"FS-PROMOTED", "HD-2024"} <= differ and len(differ) >= 6  # the population is hit too
    a, b = ({row["id"]: row for row in read_jsonl(tmp_path / f"{n}.jsonl")} for n in ("a", "b"))
    for row in rows:  # the totals are the batch's, the difference theirs
        assert (row["from_total_min"], row["from_total_max"]) == (a[row["id"]]["total_min"], a[row["id"]]["total_max"])
        assert (row["to_total_min"], row["to_total_max"]) == (b[row["id"]]["total_min"], b[row["id"]]["total_max"])
        assert row["delta_max"] == row["to_total_max"] - row["from_total_max"]
        assert row["direction"] in ("gain", "loss", "mixed", "moved") and row["changes"]
    summary = json.loads((tmp_path / "impact.json").read_text(encoding="utf-8"))
    assert (summary["rows_in"], summary["changed"], summary["error_rows"]) == (404, len(differ), 2)
    assert summary["changed"] + summary["unchanged"] + summary["error_rows"] == summary["rows_in"]
    change = summary["total"]["change"]
    assert change["max"] == sum(r["delta_max"] for r in rows)
    assert change["min"] == sum(r["delta_min"] for r in rows)
    errors = (tmp_path / "impact.errors.csv").read_text(encoding="utf-8")
    assert "BAD-DISTRICT" in errors and "duplicate id" in errors


def test_impact_between_two_dates_of_one_package_equals_the_batch_on_each_date(registry: Path, tmp_path: Path):
    days = (dt.date(2024, 6, 1), dt.date(2025, 6, 1))
    answers = []
    for number, day in enumerate(days):
        with using_catalog(None):  # (the run makes its catalog active in this process)
            run_batch(registry, tmp_path / f"day{number}.jsonl", None,
                      BatchOptions(catalog=str(LATER), in_force=day), words=notices_text)
        answers.append(_answers(read_jsonl(tmp_path / f"day{number}.jsonl")))
    differ = {ident for ident in answers[0] if answers[0][ident] != answers[1][ident]}
    result = invoke("impact", registry, "--from", "beijing-2025", "--at", "2024-06-01",
                    "--at", "2025-06-01", "--out", tmp_path / "impact.jsonl")
    assert result.exit_code == 1, result.output
    rows = {row["id"]: row for row in read_jsonl(tmp_path / "impact.jsonl")}
    assert set(rows) == differ and "HD-2024" in rows and "FS-PROMOTED" in rows
    assert rows["HD-2024"]["direction"] == "loss"  # Haidian's 2024 rule is not in force in 2025
    assert "measure no longer in force" in rows["HD-2024"]["changes"]


def test_the_engines_write_the_same_bytes(registry: Path, tmp_path: Path):
    outputs = {}
    for name, extra in {"local": (), "pool": ("--jobs", 2)}.items():
        result = invoke("impact", registry, "--from", "beijing-2022", "--to", "beijing-2025",
                        "--out", tmp_path / f"{name}.csv", "--summary", tmp_path / f"{name}.json", *extra)
        assert result.exit_code == 1, result.output
        outputs[name] = tuple((tmp_path / f).read_bytes()
                              for f in (f"{name}.csv", f"{name}.errors.csv", f"{name}.json"))
    assert outputs["local"] == outputs["pool"]


@pytest.mark.slow  # (the session's Dask cluster)
@pytest.mark.xdist_group("dask")
def test_the_dask_engine_writes_the_same_bytes(registry: Path, tmp_path: Path, dask_scheduler: str):
    for name, extra in {"local": (), "dask": ("--engine", "dask", "--scheduler", dask_scheduler)}.items():
        result = invoke("impact", registry, "--from", "beijing-2022", "--to", "beijing-2025",
                        "--out", tmp_path / f"{name}.jsonl", *extra)
        assert result.exit_code == 1, result.output
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "dask.errors.csv").read_bytes() == (tmp_path / "local.errors.csv").read_bytes()


def test_impact_speaks_chinese_and_draws_its_chart(registry: Path, tmp_path: Path):
    result = invoke("impact", registry, "--from", "beijing-2022", "--to", "beijing-2025",
                    "--out", tmp_path / "impact.csv", "--summary", tmp_path / "impact.png", "--lang", "zh")
    assert result.exit_code == 1, result.output
    assert "家企业结果有变化" in result.stderr
    with (tmp_path / "impact.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert "增减上限" in rows[0] and "变化明细" in rows[0]
    promoted = next(row for row in rows if row["编号"] == "FS-PROMOTED")
    assert promoted["变化明细"] == ("新增：房山区梯度奖励（2025年）（fangshan.tier） 2026年，房山区支付 200,000 元（新增措施）；"
                                "新增：房山区梯度奖励（2025年）（fangshan.tier） 2027年，房山区支付 300,000 元（新增措施）")
    assert (tmp_path / "impact.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_impact_refuses_a_comparison_it_cannot_make(registry: Path, tmp_path: Path):
    no_new = invoke("impact", registry, "--from", "beijing-2025", "--out", tmp_path / "x.csv")
    assert no_new.exit_code == 2 and "--to" in no_new.stderr
    three = invoke("impact", registry, "--from", "beijing-2025", "--at", "2024-01-01",
                   "--at", "2025-01-01", "--at", "2026-01-01", "--out", tmp_path / "x.csv")
    assert three.exit_code == 2 and "--at" in three.stderr
    missing = invoke("impact", registry, "--from", "beijing-2030", "--to", "beijing-2025",
                     "--out", tmp_path / "x.csv")
    assert missing.exit_code == 4 and "beijing-2030" in missing.stderr
    over_input = invoke("impact", registry, "--to", "beijing-2025", "--out", registry)
    assert over_input.exit_code == 2 and registry.exists() and registry.stat().st_size > 0
    from models.catalog import CATALOG_DIR

    old_file = CATALOG_DIR / "dongcheng.yaml"  # a file of the old package is an input too
    kept = old_file.read_bytes()
    over_old = invoke("impact", registry, "--to", "beijing-2025", "--out", tmp_path / "x.csv",
                      "--errors", old_file)
    assert over_old.exit_code == 2 and "overwrite" in over_old.stderr and old_file.read_bytes() == kept


# -- the comparison itself -------------------------------------------------------------------------

def test_a_changed_amount_an_end_and_a_difference_that_follows_from_other_changes():
    before = [("dongcheng.tier", "dongcheng", 2026, Money.fixed(800_000)),
              ("shijingshan.tier", "shijingshan", 2025, Money.fixed(800_000)),
              ("m7", "municipal", 2025, Money(0, 300))]
    after = [("dongcheng.tier", "dongcheng", 2026, Money.fixed(1_000_000)),
             ("shijingshan.tier", "shijingshan", 2025, Money.fixed(600_000)),
             ("m7", "municipal", 2025, Money(0, 300))]
    found = compare(before, after, {"dongcheng.tier": (("changed", "amount"),),
                                    "m5.listing": (("removed", "measure"),)})
    assert [(c.kind, c.measure, c.policy) for c in found.causes] == [
        ("changed", "dongcheng.tier", (("changed", "amount"),)),
        ("changed", "shijingshan.tier", ())]  # unchanged m7 is no cause; R2 follows from others
    assert (found.delta_min, found.delta_max, found.direction) == (0, 0, "moved")  # same totals
    moved = compare([("m7", "municipal", 2025, Money(0, 300))],
                    [("m7", "municipal", 2026, Money(0, 300))], {})
    assert moved.direction == "moved" and [c.kind for c in moved.causes] == ["ended", "added"]
    assert compare(after, after, {}).direction == "unchanged"


def test_whatif_and_batch_take_other_policies_as_a_scenario(tmp_path: Path):
    """`catalog=NAME[@DATE]` is a scenario like any other: what the later rules would bring."""
    record = tmp_path / "fs.json"
    record.write_text(json.dumps({"id": "FS-1", "district": "fangshan", "as_of": "2026-11-24",
                                  "recognitions": [{"tier": "municipal", "date": "2025-06-01"}]}),
                      encoding="utf-8")
    result = invoke("whatif", record, "catalog=beijing-2025", "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [(a["measure"], a["claim_year"], a["amount"]["max"]) for a in answer["gained"]] == \
        [("fangshan.tier", 2026, 200_000)] and answer["lost"] == []
    on_a_day = invoke("whatif", record, "catalog=beijing-2025@2025-01-01", "--format", "json")
    assert json.loads(on_a_day.stdout)["gained"] == []  # Fangshan's rule is not in force then
    rows = write_jsonl(tmp_path / "rows.jsonl", [json.loads(record.read_text(encoding="utf-8"))])
    batch = invoke("batch", rows, "--out", tmp_path / "out.jsonl", "--scenario", "catalog=beijing-2025")
    assert batch.exit_code == 0, batch.output
    [row] = read_jsonl(tmp_path / "out.jsonl")
    assert (row["total_max"], row["scenario_total_max"], row["scenario_delta_max"]) == (0, 200_000, 200_000)


def test_a_row_out_of_the_changes_reach_has_the_same_answer_under_both_policies():
    """The shortcut that evaluates an unreachable row once is sound: on the seeded population,
    every row it skips has the same awards under both packages (and it skips most)."""
    from models.catalog import load_catalog, using_catalog
    from models.record import parse_record
    from solver.evaluate import compute_amounts
    from solver.impact import changed_payers, out_of_reach

    before, after = load_catalog(), load_catalog(LATER)
    assert changed_payers(before, after) == {"haidian", "fangshan", "yanqing"}
    skipped = 0
    with using_catalog(after):
        for data in population(150, seed=7):
            record = parse_record(data)
            if out_of_reach(record, before, after):
                skipped += 1
                assert compute_amounts(record, before.default_readings(), catalog=before) == \
                    compute_amounts(record, after.default_readings(), catalog=after), record.id
    assert skipped > 100
    assert changed_payers(before, before) == frozenset()
    assert changed_payers(before, before.in_force(dt.date(2020, 1, 1))) == frozenset()


def test_impact_of_rows_in_memory_equals_the_file_run(registry: Path, tmp_path: Path):
    """What the service answers (`impact_of_rows`) is what `zjtx impact` writes."""
    from formats.impact import impact_of_rows, side
    from formats.tables import jsonl_rows

    result = invoke("impact", registry, "--from", "beijing-2022", "--to", "beijing-2025",
                    "--out", tmp_path / "impact.jsonl", "--summary", tmp_path / "impact.json")
    assert result.exit_code == 1, result.output
    answer = impact_of_rows(jsonl_rows(registry.read_bytes().splitlines(keepends=True)), {},
                            side("beijing-2022", None), side("beijing-2025", None), "en", None,
                            notices_text)
    assert answer["rows"] == read_jsonl(tmp_path / "impact.jsonl")
    assert answer["summary"] == json.loads((tmp_path / "impact.json").read_text(encoding="utf-8"))
    with (tmp_path / "impact.errors.csv").open(encoding="utf-8") as handle:
        assert [str(e["row"]) for e in answer["errors"]] == [r["row"] for r in csv.DictReader(handle)]


# -- POST /v1/impact and GET /v1/packages -------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def test_the_service_answers_what_the_command_writes(client, registry: Path, tmp_path: Path):
    result = invoke("impact", registry, "--from", "beijing-2022", "--to", "beijing-2025",
                    "--out", tmp_path / "impact.jsonl", "--summary", tmp_path / "impact.json")
    assert result.exit_code == 1, result.output
    answer = client.post("/v1/impact?from=beijing-2022&to=beijing-2025", content=registry.read_bytes(),
                         headers={"content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["rows"] == read_jsonl(tmp_path / "impact.jsonl")
    summary = json.loads((tmp_path / "impact.json").read_text(encoding="utf-8"))
    for side in ("from", "to"):
        summary[side].pop("directory")  # the server's folders stay on the server
    assert data["summary"] == summary
    assert [e["id"] for e in data["errors"]] == ["BAD-DISTRICT", "FS-PROMOTED"]


def test_the_service_reads_a_sheet_and_two_dates_in_chinese(client, tmp_path: Path):
    from tests.test_batch import write_csv

    sheet = write_csv(tmp_path / "rows.csv", [
        {"id": "HD-2024", "district": "haidian", "as_of": "2026-11-24",
         "recognitions": [{"tier": "national", "date": "2024-07-15"}]},
        {"id": "DC-1", "district": "dongcheng", "as_of": "2026-11-24",
         "recognitions": [{"tier": "municipal", "date": "2024-03-01"}]}])
    answer = client.post("/v1/impact?from=beijing-2025&at=2024-06-01&at=2025-06-01&lang=zh",
                         content=sheet.read_bytes(), headers={"content-type": "text/csv"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert [(row["id"], row["direction"], row["delta_max"]) for row in data["rows"]] == \
        [("HD-2024", "loss", -500_000)]
    assert data["rows"][0]["changes"].startswith("取消：海淀区小巨人奖励（2024年新增）")
    assert (data["summary"]["rows_in"], data["summary"]["unchanged"]) == (2, 1)
    assert data["summary"]["from"] == {"package": "beijing-2025", "in_force": "2024-06-01"}


def test_the_service_refuses_what_it_cannot_compare(client):
    lines = b'{"id": "A", "district": "haidian"}\n'
    ndjson = {"content-type": "application/x-ndjson"}
    unknown = client.post("/v1/impact?from=beijing-2030&to=beijing-2025", content=lines, headers=ndjson)
    assert unknown.status_code == 400 and unknown.json()["field"] == "from"
    a_path = client.post("/v1/impact?from=/etc&to=beijing-2025", content=lines, headers=ndjson)
    assert a_path.status_code == 400  # packages by name only: no folder of the server is opened
    no_new = client.post("/v1/impact?from=beijing-2025", content=lines, headers=ndjson)
    assert no_new.status_code == 400 and no_new.json()["field"] == "to"
    text = client.post("/v1/impact?to=beijing-2025", content=lines, headers={"content-type": "text/plain"})
    assert text.status_code == 415
    many = client.post("/v1/impact?to=beijing-2025", content=b"{}\n" * 2001, headers=ndjson)
    assert many.status_code == 413


def test_the_service_lists_the_shipped_packages(client):
    listed = {item["name"]: item for item in client.get("/v1/packages").json()}
    assert set(listed) == {"beijing-2022", "beijing-2025"}
    assert listed["beijing-2022"]["default"] and not listed["beijing-2025"]["default"]
    assert listed["beijing-2025"]["own_grades"] == {"secondary": 5}
    assert "directory" not in listed["beijing-2025"]


def test_a_comparison_is_kept_per_pair_of_catalogs_not_per_new_one():
    """What is worked out once per pair of catalogs (kept by the new one) is keyed by the old one
    too: one package compared first with an older one, then with itself, changes nothing the
    second time (a key of the new catalog alone gave the first answer again)."""
    from models.catalog import load_catalog
    from solver.impact import cached_policy_changes, changed_payers, policy_changes

    before, after = load_catalog(), load_catalog(LATER)
    assert changed_payers(before, after) == {"haidian", "fangshan", "yanqing"}
    assert changed_payers(after, after) == frozenset()
    assert cached_policy_changes(before, after) == policy_changes(before, after) != {}
    assert cached_policy_changes(after, after) == policy_changes(after, after)
    assert cached_policy_changes(after, after) != cached_policy_changes(before, after)
