"""Who qualifies without applying (#25, part 2): `zjtx recognitions import LIST --registry
ENTERPRISES --out UPDATED` matches a published list to the registry by credit code, else by the
normalized company name, adds each recognition with the list's date, and reports every row that
is not added (unmatched, ambiguous, a wrong check character, a conflict, listed twice) with its
nearest candidates; nothing is matched on a guess. `zjtx worklist UPDATED --new-since ENTERPRISES`
names who newly qualifies."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from typer.testing import CliRunner

from cli import app
from formats.tables import read_rows
from formats.worklist import read_enterprises
from models.companies import ADDED, Listed, Registered, Registry, company_key, match_list
from models.creditcode import check_character
from tests.support import assert_input_error

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(arg) for arg in args])


def code(seed: str) -> str:
    """A valid credit code (Beijing, enterprise) from nine characters of the code's set."""
    body = "91110105" + seed
    return body + check_character(body)


def wrong_check(valid: str) -> str:
    return valid[:-1] + ("1" if valid[-1] != "1" else "2")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# -- the name -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("one, other", [
    ("北京星箭航天技术有限责任公司", "北京星箭航天技术有限公司"),
    ("北京（中关村）软件有限公司", "北京(中关村)软件有限公司"),
    ("北京【中关村】软件有限公司", "北京(中关村)软件有限公司"),
    ("北京 中关村 软件 有限公司", "北京中关村软件有限公司"),
    ("ＡＢＣ科技有限公司", "abc科技有限公司"),          # full-width letters, any case
    ("北京三一二科技有限公司\u3000", "北京三一二科技有限公司"),  # an ideographic space
])
def test_writings_of_one_name_share_a_key(one: str, other: str) -> None:
    assert company_key(one) == company_key(other)


@pytest.mark.parametrize("one, other", [
    ("北京中关村软件有限公司", "北京(中关村)软件有限公司"),  # brackets are kept, not dropped
    ("北京石景智造股份有限公司", "北京石景智造有限公司"),    # another legal form
    ("北京星箭航天技术有限公司", "北京星箭航天科技有限公司"),  # a near duplicate is another company
])
def test_other_names_keep_other_keys(one: str, other: str) -> None:
    assert company_key(one) != company_key(other)


# -- matching, as data --------------------------------------------------------------------------------

DAY = dt.date(2026, 6, 30)
ALPHABET = "北京星箭航天科技有限责任公司（）() 中"


@given(names=st.lists(st.text(ALPHABET, min_size=1, max_size=8), min_size=1, max_size=12),
       listed=st.lists(st.tuples(st.text(ALPHABET, min_size=1, max_size=8),
                                 st.integers(0, 14), st.booleans()), max_size=12))
def test_no_listed_row_names_two_enterprises_and_no_enterprise_is_added_twice(
        names: list[str], listed: list[tuple[str, int, bool]]) -> None:
    """Names from a tiny alphabet collide often: near duplicates, the same name twice, codes
    shared or missing. Whatever the lists, each added row matched exactly one registry row by an
    equal code or an equal name key that no other row shares, and no registry row gets two."""
    codes = [code(f"{n:09d}") if n % 3 else "" for n in range(len(names))]
    registry = Registry([Registered(row=n + 2, ident=f"E{n}", name=name, credit_code=codes[n])
                         for n, name in enumerate(names)])
    items = [Listed(row=n + 2, name=name, tier="municipal", date=DAY,
                    credit_code=(code(f"{pick:09d}") if with_code else ""))
             for n, (name, pick, with_code) in enumerate(listed)]
    matches = match_list(items, registry)
    assert [m.listed for m in matches] == items
    added = [m for m in matches if m.adds]
    assert len({m.registered.row for m in added}) == len(added)
    for match in added:
        entry = match.registered
        same_code = [e for e in registry.entries if match.listed.credit_code
                     and e.credit_code == match.listed.credit_code]
        same_name = [e for e in registry.entries if e.key == company_key(match.listed.name)]
        if match.status == "matched_by_code":
            assert same_code == [entry]
        else:
            assert same_name == [entry] and not same_code
            assert not (match.listed.credit_code and entry.credit_code
                        and entry.credit_code != match.listed.credit_code)
    for match in matches:
        if match.status == "ambiguous":
            assert match.registered is None and len(match.candidates) >= 2


def test_a_wrong_check_character_is_never_matched_and_names_what_it_meant() -> None:
    right = code("ABCDE1234")
    registry = Registry([Registered(2, "E1", "北京甲科技有限公司", right),
                         Registered(3, "E2", "北京乙科技有限公司", code("ABCDE1235"))])
    [match] = match_list([Listed(2, "北京甲科技有限责任公司", wrong_check(right), "national", DAY)],
                         registry)
    assert match.status == "bad_code" and match.registered is None
    assert "check character" in match.code_problem
    assert match.candidates[0].ident == "E1"


# -- the command --------------------------------------------------------------------------------------

REGISTRY_HEADER = "编号,企业名称,统一社会信用代码,注册区,创新型认定日期,专精特新认定日期,评估基准日\n"
CODES = {name: code(seed) for name, seed in [("star", "TAR000001"), ("moon", "MUN000002"),
                                            ("sun", "HUN000003"), ("twin", "TWN000004"),
                                            ("renamed", "RENAME005"), ("held", "HELD00006"),
                                            ("other", "QTHER0007"), ("dup", "DUPE00008")]}


def registry_csv(tmp_path: Path) -> Path:
    rows = [
        f"E-STAR,北京星箭航天技术有限公司,{CODES['star']},大兴区,2021-06-30,,2026-12-01",
        f"E-NEAR,北京星箭航天科技有限公司,{CODES['moon']},大兴区,2022-03-31,,2026-12-01",  # near duplicate
        f"E-SUN,北京旭日精密仪器有限公司,{CODES['sun']},东城区,2024-06-30,,2026-12-01",
        "E-TWIN-1,北京双子软件有限公司,,海淀区,2024-03-31,,2026-12-01",                    # the same name
        "E-TWIN-2,北京双子软件有限公司,,朝阳区,2024-03-31,,2026-12-01",                    # twice, no codes
        f"E-OLD,北京旧名称科技有限公司,{CODES['renamed']},石景山区,2021-05-31,,2026-12-01",  # renamed since
        f"E-HELD,北京已认定科技有限公司,{CODES['held']},东城区,2021-05-31,2023-06-30,2026-12-01",
        f"E-BAD,北京坏行科技有限公司,{CODES['other']},gotham,2021-05-31,,2026-12-01",       # not a valid record
        "E-NOCODE,北京无码科技有限公司,,顺义区,2024-06-30,,2026-12-01",
    ]
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


LIST_ROWS = [  # (name, code, tier, date) and the status each must get
    (("北京星箭航天技术有限责任公司", CODES["star"], "国家级专精特新“小巨人”企业", "2026年7月15日"), "matched_by_code"),
    (("北京旭日精密仪器有限公司", "", "北京市专精特新中小企业", "2026/6/30"), "matched_by_name"),
    (("北京新名称科技有限公司", CODES["renamed"], "专精特新", "2026-06-30"), "matched_by_code"),
    (("北京星箭航天有限公司", "", "专精特新", "2026-06-30"), "unmatched"),
    (("北京双子软件有限公司", "", "专精特新", "2026-06-30"), "ambiguous"),
    (("北京旭日精密仪器有限公司", wrong_check(CODES["sun"]), "专精特新", "2026-06-30"), "bad_code"),
    (("北京无码科技有限公司", CODES["dup"], "专精特新", "2026-06-30"), "matched_by_name"),
    (("北京星箭航天科技有限公司", CODES["star"], "专精特新", "2026-06-30"), "listed_twice"),
    (("北京已认定科技有限公司", CODES["held"], "专精特新", "2023-06-30"), "already_recorded"),
    (("北京坏行科技有限公司", CODES["other"], "专精特新", "2026-06-30"), "registry_row_invalid"),
    (("北京星箭航天科技有限公司", code("CQNFL0009"), "专精特新", "2026-06-30"), "code_conflict"),
    (("北京某某有限公司", "", "金牌企业", "2026-06-30"), "invalid_row"),
]


def list_file(tmp_path: Path, kind: str) -> Path:
    header = ["序号", "企业名称", "统一社会信用代码", "认定等级", "认定日期"]
    rows = [[n, *cells] for n, (cells, _) in enumerate(LIST_ROWS, 1)]
    path = tmp_path / f"list.{kind}"
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
    elif kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        for row in [header, *rows]:
            book.active.append(row)
        book.save(path)
    else:
        path.write_text("".join(json.dumps(dict(zip(header, row)), ensure_ascii=False) + "\n"
                                for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx", "jsonl"])
def test_a_list_with_chinese_headers_is_matched_row_by_row(tmp_path: Path, kind: str) -> None:
    registry = registry_csv(tmp_path)
    out = tmp_path / "updated.csv"
    result = invoke("recognitions", "import", list_file(tmp_path, kind), "--registry", registry,
                    "--out", out)
    assert result.exit_code == 1, result.output  # some rows were not added
    report = read_csv(tmp_path / "updated.matches.csv")
    assert [row["status"] for row in report] == [status for _, status in LIST_ROWS]
    by_status = {row["status"]: row for row in report}
    assert "E-STAR" in by_status["listed_twice"]["message"] and f"list row {1 if kind == 'jsonl' else 2}" in by_status["listed_twice"]["message"]
    assert CODES["moon"] in by_status["code_conflict"]["message"]
    assert by_status["unmatched"]["candidates"].startswith("registry row 2: E-STAR 北京星箭航天技术有限公司")
    assert "E-NEAR" in by_status["unmatched"]["candidates"]  # both near duplicates shown
    assert "E-TWIN-1" in by_status["ambiguous"]["candidates"] and "E-TWIN-2" in by_status["ambiguous"]["candidates"]
    assert "wrong check character" in by_status["bad_code"]["message"]
    assert "E-SUN" in by_status["bad_code"]["candidates"]
    assert "金牌企业" in by_status["invalid_row"]["message"]
    renamed = report[2]
    assert renamed["id"] == "E-OLD" and "renamed" in renamed["message"]
    # The registry out: every valid row, the recognitions added with the list's dates.
    updated = {row["id"]: row for row in read_csv(out)}
    assert sorted(updated) == sorted(["E-STAR", "E-NEAR", "E-SUN", "E-TWIN-1", "E-TWIN-2", "E-OLD",
                                      "E-HELD", "E-NOCODE"])
    assert updated["E-STAR"]["national"] == "2026-07-15"
    assert updated["E-SUN"]["municipal"] == "2026-06-30"
    assert updated["E-OLD"]["municipal"] == "2026-06-30"
    assert updated["E-NOCODE"]["municipal"] == "2026-06-30" and updated["E-NOCODE"]["credit_code"] == ""
    assert updated["E-HELD"]["municipal"] == "2023-06-30"                  # not added twice
    assert updated["E-NEAR"]["municipal"] == ""  # a code conflict is not added
    assert updated["E-TWIN-1"]["municipal"] == updated["E-TWIN-2"]["municipal"] == ""
    errors = read_csv(tmp_path / "updated.errors.csv")
    assert [row["id"] for row in errors] == ["E-BAD"]
    assert "list rows 12 = added 4 + already recorded 1 + not added 7" in result.stderr
    assert "registry rows 9 = written 8 + errors 1" in result.stderr


def test_the_registry_out_reads_back_as_the_same_records(tmp_path: Path) -> None:
    registry = registry_csv(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("企业名称,认定等级,认定日期\n", encoding="utf-8")
    for suffix in ("csv", "xlsx", "jsonl"):
        out = tmp_path / f"same.{suffix}"
        result = invoke("recognitions", "import", empty, "--registry", registry, "--out", out)
        assert result.exit_code == 1, result.output  # the invalid registry row
        before, _ = read_enterprises(registry)
        after, problems = read_enterprises(out)
        assert after == before and not problems


def test_a_list_of_one_tier_and_one_date_takes_them_from_the_options(tmp_path: Path) -> None:
    registry = registry_csv(tmp_path)
    names = tmp_path / "names.csv"
    names.write_text("序号,企业名称,统一社会信用代码\n1,北京旭日精密仪器有限公司,\n"
                     f"2,北京星箭航天技术有限公司,{CODES['star']}\n", encoding="utf-8")
    out = tmp_path / "updated.jsonl"
    result = invoke("recognitions", "import", names, "--registry", registry, "--out", out,
                    "--tier", "小巨人", "--date", "2026-07-15", "--lang", "zh")
    assert result.exit_code == 1  # the invalid registry row only
    records = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert {"tier": "national", "date": "2026-07-15"} in records["E-SUN"]["recognitions"]
    assert {"tier": "national", "date": "2026-07-15"} in records["E-STAR"]["recognitions"]
    report = read_csv(tmp_path / "updated.matches.csv")
    assert list(report[0])[:6] == ["名单行号", "企业名称", "统一社会信用代码", "认定等级", "认定日期", "状态"]
    assert report[0]["说明"].startswith("已添加到登记表第 4 行")
    assert "名单 2 行 = 已添加 2" in result.stderr
    no_tier = invoke("recognitions", "import", names, "--registry", registry, "--out",
                     tmp_path / "u2.csv")
    rows = read_csv(tmp_path / "u2.matches.csv")
    assert {row["status"] for row in rows} == {"invalid_row"}
    assert "--tier" in rows[0]["message"] and "--date" in rows[0]["message"]
    assert no_tier.exit_code == 1


def test_the_registry_is_never_written_over(tmp_path: Path) -> None:
    registry = registry_csv(tmp_path)
    before = registry.read_bytes()
    result = invoke("recognitions", "import", list_file(tmp_path, "csv"), "--registry", registry,
                    "--out", registry)
    assert_input_error(result, "--out", "overwrite the input")
    assert registry.read_bytes() == before
    bad = invoke("recognitions", "import", list_file(tmp_path, "csv"), "--registry", registry,
                 "--out", tmp_path / "u.csv", "--tier", "gold")
    assert_input_error(bad, "--tier", "gold")


def test_an_unknown_list_header_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("企业名,认定等级\n北京甲有限公司,小巨人\n", encoding="utf-8")
    result = invoke("recognitions", "import", path, "--registry", registry_csv(tmp_path),
                    "--out", tmp_path / "u.csv")
    assert_input_error(result, "企业名", "企业名称")
    mapped = tmp_path / "map.yaml"
    mapped.write_text("企业名: name\n", encoding="utf-8")
    ok = invoke("recognitions", "import", path, "--registry", registry_csv(tmp_path),
                "--out", tmp_path / "u.csv", "--list-columns", mapped, "--date", "2026-07-15")
    assert "not in the registry" in ok.stderr


# -- the README's flow --------------------------------------------------------------------------------

def test_the_readme_flow_names_who_newly_qualifies(tmp_path: Path) -> None:
    out = tmp_path / "updated.csv"
    result = invoke("recognitions", "import", EXAMPLES / "recognitions-2026.csv", "--registry",
                    EXAMPLES / "enterprises.csv", "--out", out)
    assert result.exit_code == 1
    statuses = [row["status"] for row in read_csv(tmp_path / "updated.matches.csv")]
    assert statuses == ["matched_by_code", "matched_by_name", "matched_by_code", "bad_code",
                        "unmatched", "matched_by_code"]
    new = invoke("worklist", out, "--date", "2026-12-01", "--new-since", EXAMPLES / "enterprises.csv",
                 "--format", "json")
    assert new.exit_code == 0, new.output
    claims = [(a["enterprise"], a["detail"]["measure"], a["detail"]["tier"], a["amount_max"],
               a["detail"].get("year"), a["deadline"]) for a in json.loads(new.stdout)["actions"]]
    assert claims == [
        ("BJ-0001", "daxing.tier", "municipal", 500_000, 2027, "2027-12-31"),
        ("BJ-0002", "daxing.tier", "national", 500_000, 2027, "2027-12-31"),
        ("BJ-0003", "dongcheng.tier", "municipal", 100_000, 2027, "2027-12-31"),
    ]
    offices = {a["enterprise"]: a["office"] for a in json.loads(new.stdout)["actions"]}
    assert "Daxing" in offices["BJ-0001"] and "Dongcheng" in offices["BJ-0003"]
    whole = json.loads(invoke("worklist", out, "--date", "2026-12-01", "--format", "json").stdout)
    assert len(whole["actions"]) > len(claims)  # the whole worklist holds the old actions too


def test_the_readme_recognitions_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_evidence import readme_commands

    (tmp_path / "examples").symlink_to(EXAMPLES)
    monkeypatch.chdir(tmp_path)
    commands = readme_commands("Who qualifies without applying (免申即享)")
    assert len(commands) >= 4
    for command in commands:
        result = runner.invoke(app, command)
        assert result.exit_code in ((1,) if command[0] == "recognitions" else (0,)), (command, result.output)
    assert (tmp_path / "new-claims.xlsx").is_file() and (tmp_path / "matches.xlsx").is_file()


def test_the_service_matches_uploaded_files_and_offers_the_worklist(tmp_path: Path) -> None:
    import base64
    import io

    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from service.app import create_app

    def sent(path: Path) -> dict[str, str]:
        return {"name": path.name, "content": base64.b64encode(path.read_bytes()).decode()}

    client = TestClient(create_app())
    answer = client.post("/v1/recognitions/import?lang=zh", json={
        "list": sent(EXAMPLES / "recognitions-2026.csv"),
        "registry": sent(EXAMPLES / "enterprises.csv"), "day": "2026-12-01"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["counts"] == {"list_rows": 6, "added": 4, "already_recorded": 0, "not_added": 2,
                              "registry_rows": 6, "written": 6, "registry_errors": 0}
    assert [m["status"] for m in body["matches"]][3:5] == ["bad_code", "unmatched"]
    assert "校验码" in body["matches"][3]["message"]
    assert [(a["enterprise"], a["amount_max"]) for a in body["worklist"]["actions"]] == [
        ("BJ-0001", 500_000), ("BJ-0002", 500_000), ("BJ-0003", 100_000)]
    # The claims as /v1/worklist answers them: each office and telephone named in Chinese too.
    for action in body["worklist"]["actions"]:
        assert action["office_name"] and re.search("[\u4e00-\u9fff]", action["office_name"]), action
        assert action["detail"]["measure_name"] and action["tel_name"], action
    sheet = load_workbook(io.BytesIO(base64.b64decode(body["worklist_xlsx"]))).active
    assert sheet.max_row == 4  # the header and the three new claims
    updated = tmp_path / "updated.xlsx"
    updated.write_bytes(base64.b64decode(body["updated_xlsx"]))
    records, problems = read_enterprises(updated)
    assert not problems and {r.id: [x.tier for x in r.recognitions] for r in records}["BJ-0003"] == \
        ["innovative", "municipal"]
    broken = client.post("/v1/recognitions/import", json={
        "list": {"name": "list.csv", "content": "not base64!"}, "registry": sent(EXAMPLES / "enterprises.csv")})
    assert broken.status_code == 400 and broken.json()["field"] == "list.content"
    empty = client.post("/v1/recognitions/import", json={
        "list": {"name": "list.csv", "content": ""}, "registry": sent(EXAMPLES / "enterprises.csv")})
    assert empty.status_code == 400 and empty.json()["field"] == "list"
    assert "zjtx-recognitions" not in empty.text  # never the server's temporary path
