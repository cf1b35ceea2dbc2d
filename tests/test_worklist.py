"""The worklist: awards to claim (due, past) with office and telephone, the recognition whose
window is open with its last day, the near miss worth --min-gain net of its outlay; sorted by date then
amount; as XLSX/CSV with Chinese headers, as an RFC 5545 calendar that parses back to the same
dates, on the API; and `zjtx timeline --format ics`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from cli import app
from formats.columns import CHINESE
from models.i18n import t
from models.money import Money
from models.record import load_record, parse_record
from models.scenario import parse_inline
from solver.evaluate import evaluate
from solver.planner import whatif
from solver.worklist import COLUMNS, worklist
from tests.support import assert_input_error
from views.worklist import note

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 12, 1)
runner = CliRunner()

INNOVATIVE = {"id": "I-1", "name": "创新企业", "district": "shijingshan",
              "recognitions": [{"tier": "innovative", "date": "2026-03-31"}]}
MUNICIPAL = {"id": "M-1", "name": "专精特新企业", "district": "dongcheng",
             "recognitions": [{"tier": "innovative", "date": "2024-06-30"},
                              {"tier": "municipal", "date": "2025-06-30"}]}
OLD = {"id": "P-1", "district": "dongcheng",
       "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_innovative_sme_may_apply_for_municipal_until_the_quarter_ends():
    [action] = [a for a in worklist(parse_record(INNOVATIVE), DAY) if a.kind == "apply"]
    assert action.subject == "municipal"
    assert action.deadline == dt.date(2026, 12, 31)  # the quarter's last day
    # What the recognition would add, by a forward evaluation: Shijingshan's municipal reward.
    assert action.amount == Money.fixed(200_000)
    assert "publicly announced innovative SMEs" in note(action)
    assert action.as_dict()["detail"]["last_day"] == "2026-12-31"


def test_due_claim_names_office_and_telephone():
    record = parse_record(MUNICIPAL)
    actions = worklist(record, DAY)
    [claim] = [a for a in actions if a.kind == "claim"]
    award = next(a for a in evaluate(record.model_copy(update={"as_of": DAY})).awards
                 if a.measure == "dongcheng.tier")
    assert (claim.status, claim.claim_year, claim.amount) == ("due", 2026, Money.fixed(100_000))
    assert (claim.office, claim.tel) == (award.contact, award.tel)
    assert claim.office and claim.tel
    assert claim.deadline == dt.date(2026, 12, 31)
    # A municipal SME: national through the bureau's recommendation, no calendar (no last day).
    [apply] = [a for a in actions if a.kind == "apply"]
    assert (apply.subject, apply.deadline) == ("national", None)
    assert "no calendar" in note(apply)


def test_past_received_and_projected_claims():
    past = [a for a in worklist(parse_record(OLD), DAY) if a.kind == "claim"]
    assert [(a.status, a.claim_year) for a in past] == [("past", 2024)]
    assert "check with the office" in note(past[0])
    received = dict(OLD, rewards_received=[{"measure": "dongcheng.tier", "tier": "municipal",
                                            "amount": 100000, "year": 2024}])
    assert [a for a in worklist(parse_record(received), DAY) if a.kind == "claim"] == []
    future = dict(OLD, recognitions=[{"tier": "municipal", "date": "2027-03-31"}])
    assert [a for a in worklist(parse_record(future), DAY) if a.kind == "claim"] == []


MIXED = {"id": "X-1", "district": "dongcheng", "industries": ["foreign_trade"],
         "recognitions": [{"tier": "municipal", "date": "2022-03-31"},
                          {"tier": "national", "date": "2025-05-01"}],
         "rewards_received": [{"measure": "dongcheng.tier", "tier": "municipal",
                               "amount": 100000, "year": 2023}],
         "expenses": [{"id": "E24", "category": "exhibition", "amount": 200000, "year": 2024},
                      {"id": "E26", "category": "exhibition", "amount": 100000, "year": 2026},
                      {"id": "E27", "category": "exhibition", "amount": 300000, "year": 2027}]}


def test_worklist_claim_status_is_the_evaluations_award_status():
    """One status per award (DOMAIN.md section 8), decided once: the worklist claims exactly the
    awards the evaluation of the record dated that day calls due or past, with that status, and
    none it calls received or projected."""
    record = parse_record(MIXED)
    awards = evaluate(record.model_copy(update={"as_of": DAY}), today=DAY).awards
    statuses = {(a.measure + (f" ({a.tier})" if a.tier else ""), a.claim_year): a.status for a in awards}
    assert set(statuses.values()) == {"received", "past", "due", "projected"}  # all four met here
    claims = {(a.subject, a.claim_year): a.status for a in worklist(record, DAY) if a.kind == "claim"}
    assert claims == {key: status for key, status in statuses.items() if status in ("due", "past")}


DAXING_MUNICIPAL = {"id": "D-1", "district": "daxing",
                    "recognitions": [{"tier": "innovative", "date": "2024-06-30"},
                                     {"tier": "municipal", "date": "2025-06-30"}]}


def _net(record, change_label: str) -> tuple[int, int]:
    """(the sure gain less the outlay, the outlay) of one change, by a forward evaluation."""
    scenario = parse_inline([change_label], [])
    delta = whatif(record.model_copy(update={"as_of": DAY}), scenario, today=DAY)
    outlay = sum(item.get("amount", 0) for item in scenario.adds.get("expenses", []))
    outlay += sum(item.get("paid", 0) for item in scenario.adds.get("patents", []))
    return delta.delta_min - outlay, outlay


def test_a_near_miss_brings_min_gain_net_of_its_outlay_on_the_lower_bound():
    # A Daxing municipal SME without the hydrogen or aerospace tag: the tag brings a fixed
    # 500,000 (sentence 2), for nothing spent.
    record = parse_record(DAXING_MUNICIPAL)
    [miss] = [a for a in worklist(record, DAY) if a.kind == "near_miss"]
    net, outlay = _net(record, miss.subject)
    assert (miss.detail.net_min, miss.detail.outlay) == (net, outlay) == (500_000, 0)
    assert miss.subject.startswith("industry=")
    assert miss.detail.measures == ("daxing.tier",)
    # The largest net gain of every single change the worklist may suggest.
    from models.catalog import load_catalog
    from solver.howto import single_changes

    measures = list(load_catalog().measure_ids())
    others = [c for c in single_changes(record.model_copy(update={"as_of": DAY}), measures, DAY)
              if c.kind not in ("move", "recognition")]
    assert others and all(_net(record, c.label)[0] <= net for c in others)
    # Asked for more than it surely brings, net: none.
    assert not [a for a in worklist(record, DAY, min_gain=net + 1) if a.kind == "near_miss"]


def test_no_near_miss_spends_a_million_to_get_up_to_a_million():
    # A Dongcheng municipal SME: every change open to it is an expense, listing, patent or
    # qualification paid "up to" an amount — nothing for sure, so nothing is worth a call.
    record = parse_record(MUNICIPAL)
    assert [a for a in worklist(record, DAY) if a.kind == "near_miss"] == []
    net, outlay = _net(record, "expense=belt_road_investment:1000000@2026")
    assert (net, outlay) == (-1_000_000, 1_000_000)


def test_a_near_miss_that_pays_back_only_its_outlay_is_none(tmp_path: Path):
    # Riverland with its tooling subsidy made a fixed 300,000 (test data): the expense the
    # worklist would suggest (300,000 of tooling) surely brings 300,000 more — and costs 300,000.
    # Net of its outlay it brings nothing, so it is not worth a call; counted gross it would be.
    from models.catalog import open_catalog, using_catalog
    from tests.hostile import riverland_copy

    package = riverland_copy(tmp_path)
    city = package / "city.yaml"
    text = city.read_text(encoding="utf-8")
    old = "        amount: {percent: 40}\n        caps: [{per: [year], limit: 400000}]"
    assert old in text
    city.write_text(text.replace(old, "        amount: {fixed: 300000}"), encoding="utf-8")
    catalog = open_catalog(package)
    with using_catalog(catalog):
        record = parse_record({"id": "R-1", "district": "north", "as_of": DAY.isoformat(),
                               "recognitions": [{"tier": "sapling", "date": "2025-06-30"}]})
        change = "expense=tooling:300000@2026"
        gross = whatif(record, parse_inline([change], []), catalog=catalog, today=DAY)
        assert (gross.delta_min, gross.delta_max) == (300_000, 300_000)
        assert [a for a in worklist(record, DAY, catalog=catalog, min_gain=1) if a.kind == "near_miss"] == []


def test_rows_sort_by_date_then_amount():
    actions = [a for r in (INNOVATIVE, MUNICIPAL, OLD) for a in worklist(parse_record(r), DAY)]
    actions.sort(key=lambda a: a.sort_key())
    dated = [a for a in actions if a.deadline]
    assert dated == sorted(dated, key=lambda a: (a.deadline, -a.amount.max))
    assert all(a.deadline is None for a in actions[len(dated):])
    assert actions[0].status == "past"


def _flat_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    columns = ["id", "name", "district", "innovative", "municipal"]
    sheet.append([CHINESE[c] for c in columns])
    sheet.append(["I-1", "创新企业", "石景山区", "2026-03-31", None])
    sheet.append(["M-1", "专精特新企业", "东城", "2024/6/30", "2025年6月30日"])
    sheet.append(["B-1", "错误企业", "哥谭", None, None])
    book.save(path)
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_worklist_xlsx_and_calendar(tmp_path: Path, lang: str):
    from openpyxl import load_workbook

    source = _flat_xlsx(tmp_path / "in.xlsx")
    out, ics = tmp_path / "work.xlsx", tmp_path / "work.ics"
    result = invoke("worklist", source, "--date", DAY, "--out", out, "--ics", ics, "--lang", lang)
    assert result.exit_code == 1, (result.stderr, result.exception)  # one bad row
    assert ("row 4" if lang == "en" else "第 4 行（B-1）") in result.stderr
    assert "Traceback" not in result.output
    book = load_workbook(out)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == [t(f"header.{c}", lang) for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    rows = [dict(zip(COLUMNS, v)) for v in values[1:]]
    assert {r["enterprise"] for r in rows} == {"I-1", "M-1"}
    apply = next(r for r in rows if r["enterprise"] == "I-1")
    # A date cell, an amount cell with a thousands separator, a sheet named in the language.
    assert apply["deadline"] == dt.datetime(2026, 12, 31) and apply["amount_max"] == 200_000
    cells = {c: cell for c, cell in zip(COLUMNS, list(sheet.iter_rows(min_row=2, max_row=2))[0])}
    assert cells["amount_max"].number_format == "#,##0" and cells["deadline"].is_date
    assert cells["claim_year"].number_format == "General"  # a year is no amount
    assert sheet.title == t("sheet.worklist", lang) == ("工作清单" if lang == "zh" else "worklist")
    assert sheet.column_dimensions["L"].width >= 30  # the office
    # A truth value in words in Chinese (Excel would show FALSE); a boolean cell in English.
    assert apply["open_above"] == "否" if lang == "zh" else apply["open_above"] is False
    assert apply["kind"] == ("申报认定" if lang == "zh" else "apply")
    assert ("申报窗口" if lang == "zh" else "window 2026-10-01 to 2026-12-31") in apply["note"]

    calendar = Calendar.from_ical(ics.read_bytes())
    events = sorted((e.decoded("dtstart"), str(e.get("summary"))) for e in calendar.walk("VEVENT"))
    dated = sorted((r["deadline"].date(), r["enterprise"]) for r in rows if r["deadline"])
    assert [d for d, _ in events] == [d for d, _ in dated]
    assert any("创新企业" in s and ("专精特新" if lang == "zh" else "municipal") in s for _, s in events)
    again = tmp_path / "again.ics"
    invoke("worklist", source, "--date", DAY, "--out", tmp_path / "w2.xlsx", "--ics", again, "--lang", lang)
    assert again.read_bytes() == ics.read_bytes()  # no clock in the calendar
    assert (tmp_path / "w2.xlsx").read_bytes() == out.read_bytes()


def test_cli_worklist_csv_for_excel_and_json(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in (INNOVATIVE, MUNICIPAL)), encoding="utf-8")
    out = tmp_path / "w.csv"
    assert invoke("worklist", source, "--date", DAY, "--out", out, "--excel").exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["enterprise"] for r in rows][:2] == ["I-1", "M-1"]  # both due 2026-12-31, larger first
    assert_input_error(invoke("worklist", source, "--date", DAY, "--out", tmp_path / "w.parquet"),
                       ".xlsx, .csv, .jsonl", "--out")
    assert_input_error(invoke("worklist", source, "--date", "2026-13-01"), "--date")
    shown = invoke("worklist", source, "--date", DAY, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert [r for r in data["actions"] if r["kind"] == "claim"][0]["tel"]


def test_timeline_ics_parses_back_to_the_claim_years(tmp_path: Path):
    example = ROOT / "examples" / "daxing-hydrogen-full.yaml"
    out = tmp_path / "t.ics"
    result = invoke("timeline", example, "--format", "ics", "--out", out)
    assert result.exit_code == 0, result.stderr
    calendar = Calendar.from_ical(out.read_bytes())
    years = sorted(e.decoded("dtstart") for e in calendar.walk("VEVENT"))
    record = load_record(example)
    awards = [a for a in evaluate(record).awards if not a.received]
    assert years == sorted(dt.date(a.claim_year, 1, 1) for a in awards)
    assert all(str(e.get("uid")).endswith("@zjtx") for e in calendar.walk("VEVENT"))
    again = invoke("timeline", example, "--format", "ics")
    assert again.stdout_bytes == out.read_bytes()  # to stdout, the same bytes


def test_api_worklist():
    from fastapi.testclient import TestClient

    from service.app import create_app

    client = TestClient(create_app())
    response = client.post("/v1/worklist", json={"date": "2026-12-01",
                                                 "records": [INNOVATIVE, MUNICIPAL, {"id": "X"}]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"] == "2026-12-01"
    apply = next(a for a in body["actions"] if a["enterprise"] == "I-1")
    assert (apply["kind"], apply["deadline"]) == ("apply", "2026-12-31")
    [error] = body["errors"]
    assert (error["row"], error["id"], error["field"]) == (3, "X", "district")
    bad = client.post("/v1/worklist", json={"date": "2026-13-01", "records": []})
    assert bad.status_code == 422 and bad.json()["field"] == "date"


def test_worklist_of_one_record_file():
    example = ROOT / "examples" / "dongcheng-municipal-then-national.yaml"
    result = invoke("worklist", example, "--date", DAY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    record = load_record(example)
    expected = worklist(record, DAY)
    assert [(a["kind"], a["subject"], a["deadline"]) for a in data["actions"]] == \
        [(a.kind, a.subject, a.deadline.isoformat() if a.deadline else None) for a in expected]
    assert all(a["note"] for a in data["actions"])
