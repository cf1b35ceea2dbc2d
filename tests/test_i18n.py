"""Two languages, one switch: the message catalogue is complete in both languages, `--lang`,
ZJTX_LANG, the locale, `?lang=` and Accept-Language choose the language, JSON keeps ids and adds
names; and never silent: warnings for near-miss industry tags and rewards above their clause."""

from __future__ import annotations

import csv
import json
import re
import string
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import app
import models.i18n as i18n
from models.catalog import load_catalog, name
from models.i18n import LANGS, lang_from_accept, lang_from_environment, messages, names, t, using_lang
from models.record import parse_record

from solver.notices import catalog_tags, record_notices
from views.notices import notice_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# Wide, whatever the terminal (a pytest-xdist worker has none): a phrase the tests look for is
# never wrapped inside a table cell.
runner = CliRunner(env={"COLUMNS": "200"})


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("message_id", sorted(messages()))
def test_every_message_exists_in_both_languages_with_the_same_fields(message_id: str) -> None:
    entry = messages()[message_id]
    assert set(entry) == set(LANGS), message_id
    assert all(isinstance(entry[lang], str) for lang in LANGS)
    assert _fields(entry["zh"]) == _fields(entry["en"]), message_id


def test_every_vocabulary_id_and_measure_has_a_name_in_both_languages() -> None:
    """The catalog's vocabulary names districts, tiers and the other closed lists; the message
    catalogue names the measures."""
    catalog = load_catalog()
    vocabulary = catalog.vocabulary
    wanted = {"district": vocabulary.places, "tier": vocabulary.tiers,
              "entity_type": vocabulary.ids("entity_type"),
              "category": vocabulary.ids("expense_category"), "board": vocabulary.ids("board"),
              "qualification": vocabulary.ids("qualification"),
              "industry": catalog_tags(catalog),
              "measure": (*catalog.measure_ids(), *catalog.families)}
    for kind, ids in wanted.items():
        for ident in ids:
            english, chinese = name(kind, ident, "en"), name(kind, ident, "zh")
            assert english, (kind, ident)
            assert re.search(r"[\u4e00-\u9fff]", chinese), (kind, ident)


def test_the_chinese_names_of_domain_section_1() -> None:
    assert name("district", "dongcheng", "zh") == "东城区"
    assert name("district", "shijingshan", "zh") == "石景山区"
    assert name("district", "outside_beijing", "zh") == "京外（北京市以外）"
    assert name("tier", "municipal", "zh") == "北京市专精特新中小企业"
    assert name("tier", "national", "zh", short=True) == "小巨人"
    assert name("tier", "privileged", "zh", short=True) == "重点小巨人"
    assert name("entity_type", "private_non_enterprise", "zh") == "民办非企业单位"
    assert name("industry", "hydrogen_energy", "zh") == "氢能"


@pytest.mark.parametrize(("environ", "lang"), [
    ({}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"), ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US"}, "zh"),
    ({"ZJTX_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"), ({"ZJTX_LANG": "zh"}, "zh"),
])
def test_language_from_the_environment(environ: dict[str, str], lang: str) -> None:
    assert lang_from_environment(environ) == lang


@pytest.mark.parametrize(("header", "lang"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("fr-FR,zh;q=0.5", "zh"), ("fr-FR", None), ("", None), (None, None), ("en;q=0.2,zh;q=0.7", "zh"),
])
def test_language_from_accept_language(header: str | None, lang: str | None) -> None:
    assert lang_from_accept(header) == lang


def test_using_lang_restores_the_previous_language() -> None:
    with using_lang("zh"):
        assert t("evaluate.awards") == "奖励与补贴"
        with using_lang("en"):
            assert t("evaluate.awards") == "Awards"
        assert t("evaluate.awards") == "奖励与补贴"
    assert t("evaluate.awards") == "Awards"


def test_evaluate_in_chinese_prints_chinese_headings_names_and_the_clause_as_printed() -> None:
    done = runner.invoke(app, ["evaluate", str(EXAMPLES / "dongcheng-municipal-then-national.yaml"),
                               "--lang", "zh"])
    assert done.exit_code == 0, done.output
    out = done.stdout
    for words in ("合计", "900,000 元", "奖励与补贴", "申领年度", "东城区", "小巨人", "专精特新",
                  "东城区梯度奖励", "可申领", "条款原文，英文版", "未获得的措施"):
        assert words in out, words
    assert "A one-time incentive of RMB 100,000 and RMB 800,000" in out  # never translated
    english = runner.invoke(app, ["evaluate", str(EXAMPLES / "dongcheng-municipal-then-national.yaml"),
                                  "--lang", "en"]).stdout
    assert "Awards" in english and "奖励" not in english


def test_every_command_takes_lang() -> None:
    commands = [["evaluate"], ["best-district"], ["timeline"], ["windows"], ["whatif"], ["howto"],
                ["batch"], ["serve"], ["measures", "list"], ["measures", "show"],
                ["measures", "readings"], ["measures", "lint"]]
    for command in commands:
        done = runner.invoke(app, [*command, "--help"])
        assert "--lang" in done.stdout, command


def test_errors_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: E\ndistrict: 东成\nrecognitions: [{tier: 小巨人, date: 2024-13-01}]\n",
                   encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(bad), "--lang", "zh"])
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("zjtx：错误：") for line in lines)
    assert "字段 district" in lines[0] and "您是否要填 'dongcheng'（东城区）" in lines[0]
    assert "字段 recognitions[0].date" in lines[1]


def test_windows_and_timeline_in_chinese() -> None:
    done = runner.invoke(app, ["windows", "--date", "2026-11-25", "--lang", "zh"])
    assert done.exit_code == 0 and "开放的申报期" in done.stdout and "创新型" in done.stdout
    done = runner.invoke(app, ["timeline", str(EXAMPLES / "dongcheng-municipal-then-national.yaml"),
                               "--lang", "zh"])
    # Both claims (2023, 2025) are in years before as_of (2026) and not listed as received: they
    # are shown apart, under the past-claims heading, not as money to come.
    assert done.exit_code == 0 and "申领时间表" in done.stdout and "往年申领" in done.stdout
    assert "年度合计" not in done.stdout
    done = runner.invoke(app, ["timeline", str(EXAMPLES / "daxing-hydrogen-full.yaml"), "--lang", "zh"])
    assert done.exit_code == 0 and "年度合计" in done.stdout


def test_measures_in_chinese_keep_the_clause_as_printed() -> None:
    listed = runner.invoke(app, ["measures", "list", "--lang", "zh"])
    assert listed.exit_code == 0 and "类支持措施" in listed.stdout and "技术创新" in listed.stdout
    shown = runner.invoke(app, ["measures", "show", "m6", "--lang", "zh"])
    assert "条款原文，英文版" in shown.stdout and "Market expansion" in shown.stdout
    # The encoding speaks Chinese too: headings, amounts in words, the rules that shape them.
    for words in ("条款编码", "最高 5,000,000 元", "支出的 70%", "R5 上限", "联系部门", "国际展会"):
        assert words in shown.stdout, words
    assert "{'up_to'" not in shown.stdout and "Encoding" not in shown.stdout


def test_json_keeps_ids_and_adds_names_in_the_chosen_language() -> None:
    path = str(EXAMPLES / "dongcheng-municipal-then-national.yaml")
    chinese = json.loads(runner.invoke(app, ["evaluate", path, "-f", "json", "--lang", "zh"]).stdout)
    english = json.loads(runner.invoke(app, ["evaluate", path, "-f", "json", "--lang", "en"]).stdout)
    award = chinese["awards"][0]
    assert (award["measure"], award["paid_by"], award["tier"]) == ("dongcheng.tier", "dongcheng", "municipal")
    assert (award["measure_name"], award["paid_by_name"], award["tier_name"]) == (
        "东城区梯度奖励", "东城区", "北京市专精特新中小企业")
    assert english["awards"][0]["paid_by_name"] == "Dongcheng"
    assert chinese["total"] == english["total"]
    assert [a["amount"] for a in chinese["awards"]] == [a["amount"] for a in english["awards"]]


def test_api_language_from_query_and_accept_language() -> None:
    from service.app import create_app

    record = {"id": "E", "district": "东城", "as_of": "2026-11-24",
              "recognitions": [{"tier": "专精特新", "date": "2022/09/30"}]}
    with TestClient(create_app()) as client:
        zh = client.post("/v1/evaluate?lang=zh", json=record).json()
        assert zh["awards"][0]["paid_by_name"] == "东城区"
        en = client.post("/v1/evaluate", json=record, headers={"Accept-Language": "en-US"}).json()
        assert en["awards"][0]["paid_by_name"] == "Dongcheng"
        browser = client.post("/v1/evaluate", json=record,
                              headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()
        assert browser["awards"][0]["paid_by_name"] == "东城区"
        bad = client.post("/v1/evaluate", json={**record, "district": "gotham"},
                          headers={"Accept-Language": "zh-CN"})
        assert bad.status_code == 422 and "不是已知的区" in bad.json()["detail"]
        wrong = client.post("/v1/evaluate?lang=fr", json=record)
        assert wrong.status_code == 400 and wrong.json()["field"] == "lang"


# -- never silent ------------------------------------------------------------------------------------

HYDROGEN = {"id": "H", "district": "daxing", "industries": ["hydrogen"], "as_of": "2026-11-24",
            "recognitions": [{"tier": "municipal", "date": "2023-06-30"}]}


def test_a_near_miss_industry_tag_warns_with_the_nearest_tag_and_the_award_it_brings() -> None:
    notices = record_notices(parse_record(HYDROGEN))
    assert [n.code for n in notices] == ["industry_unknown"]
    text = notice_text(notices[0])
    assert "'hydrogen_energy'" in text and "daxing.tier" in text and "+500,000" in text


def test_an_unused_tag_far_from_every_catalog_tag_says_it_changes_nothing() -> None:
    notices = record_notices(parse_record({**HYDROGEN, "industries": ["software"]}))
    assert [n.code for n in notices] == ["industry_unused"]


def test_a_catalog_tag_by_chinese_name_is_no_warning() -> None:
    record = parse_record({**HYDROGEN, "industries": ["氢能"]})
    assert record.industries == ["hydrogen_energy"] and record_notices(record) == []


def test_a_received_reward_above_its_clause_warns() -> None:
    record = parse_record({**HYDROGEN, "industries": ["hydrogen_energy"], "rewards_received": [
        {"measure": "daxing.tier", "tier": "municipal", "amount": 900000, "year": 2024}]})
    notices = record_notices(record)
    assert [(n.code, n.field) for n in notices] == [("received_above_clause", "rewards_received[0]")]
    assert "500,000" in notice_text(notices[0])
    fine = parse_record({**HYDROGEN, "industries": ["hydrogen_energy"], "rewards_received": [
        {"measure": "daxing.tier", "tier": "municipal", "amount": 500000, "year": 2024}]})
    assert record_notices(fine) == []


def test_warnings_reach_every_door(tmp_path: Path) -> None:
    from service.app import create_app

    path = tmp_path / "h.json"
    path.write_text(json.dumps(HYDROGEN), encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(path), "-f", "json"])
    assert done.exit_code == 0
    assert "zjtx: warning: industries[0]" in done.stderr and "hydrogen_energy" in done.stderr
    assert json.loads(done.stdout)["warnings"][0]["params"]["near"] == "hydrogen_energy"
    with TestClient(create_app()) as client:
        body = client.post("/v1/evaluate", json=HYDROGEN).json()
        assert body["warnings"][0]["code"] == "industry_unknown"
    rows = tmp_path / "in.jsonl"
    rows.write_text(json.dumps(HYDROGEN) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["batch", str(rows), "--out", str(out)]).exit_code == 0
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert "hydrogen_energy" in row["warnings"] and row["total_max"] == "0"


# -- /docs offline ---------------------------------------------------------------------------------

def test_docs_load_nothing_from_another_host() -> None:
    from service.app import create_app

    with TestClient(create_app()) as client:
        html = client.get("/docs").text
        assert "SwaggerUIBundle" in html
        external = re.findall(r"""(?:src|href)=["']?(https?:)?//""", html)
        assert not external, html
        for asset in re.findall(r"""(?:src|href)=["']?(/[^"' >]+)""", html):
            assert client.get(asset).status_code == 200, asset
        assert client.get("/favicon.ico").headers["content-type"] == "image/png"
        assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN
        page = client.get("/").text
        assert not re.findall(r"""(?:src|href)=["']?(https?:)?//""", page)


def test_serve_says_where_it_listens_and_logs_requests_with_access_log(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    import httpx

    from benchmarks.load_test import free_port

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", "from cli import app; app()", "serve",
                                    "--port", str(port), "--access-log", "--lang", "en"],
                                   stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            time.sleep(0.5)
        finally:
            process.terminate()
            process.wait(timeout=20)
    text = log.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}/" in text and f"http://127.0.0.1:{port}/docs" in text
    assert re.search(r'"GET /healthz HTTP/1.1" 200', text), text


def test_the_claim_calendar_in_chinese(tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "claims.ics"
    done = runner.invoke(app, ["timeline", str(EXAMPLES / "daxing-hydrogen-full.yaml"), "--format",
                               "ics", "--out", str(out), "--lang", "zh"])
    assert done.exit_code == 0, done.output
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert events
    for event in events:
        summary, description = str(event.get("summary")), str(event.get("description"))
        assert "年申领" in summary and "元" in summary and "claim year" not in summary
        assert "联系部门" in description and "电话" in description


# -- outside the record's own fields: files, bounds, options, batch, lint, the worklist (issue 10) --

def _chinese_error(done, status: int, *fragments: str) -> str:
    """One `zjtx：错误：` line in Chinese holding every fragment, the exit status, no traceback."""
    assert done.exit_code == status, (done.exit_code, done.output)
    assert "Traceback" not in done.output and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("zjtx：错误："), line
    assert re.search(r"[\u4e00-\u9fff]", line.removeprefix("zjtx：错误："))
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def test_file_errors_in_chinese(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"id: caf\xe9\n")
    many = tmp_path / "many.json"
    many.write_text(json.dumps({"id": "A", "district": "dongcheng", "expenses": [
        {"id": str(n), "category": "exhibition", "amount": 1, "year": 2024} for n in range(10_001)]}),
        encoding="utf-8")
    cases = [(tmp_path / "nowhere.yaml", "文件不存在"), (tmp_path, "这是一个目录，不是企业记录文件"),
             (broken, "不是有效的 YAML 或 JSON：第 2 行"), (latin, "不是 UTF-8 文本"),
             (many, "共 10,001 项；一条记录最多 10,000 项")]
    for path, words in cases:
        _chinese_error(runner.invoke(app, ["evaluate", str(path), "--lang", "zh"]), 2, words)
    # Chinese punctuation between the place and the problem, as a Beijing reader writes it.
    line = _chinese_error(runner.invoke(app, ["evaluate", str(many), "--lang", "zh"]), 2)
    assert line == f"zjtx：错误：{many}，字段 expenses：共 10,001 项；一条记录最多 10,000 项"
    # The same file in English: the English words, unchanged.
    done = runner.invoke(app, ["evaluate", str(many), "--lang", "en"])
    assert "10,001 items; a record may have at most 10,000" in done.stderr


def test_option_errors_in_chinese(tmp_path: Path) -> None:
    record = str(EXAMPLES / "dongcheng-municipal-then-national.yaml")
    rows = tmp_path / "in.csv"
    rows.write_text("id,district\nA,dongcheng\n", encoding="utf-8")
    odd = tmp_path / "odd.csv"
    odd.write_text("id,gotham\nA,1\n", encoding="utf-8")
    cases = [(["evaluate", record, "--reading", "stacking"], "'stacking' 不是 键=值 的形式"),
             (["evaluate", record, "--reading", "stacking=both"], "解读项 'stacking' 没有取值 'both'"),
             (["evaluate", record, "--reading", "stackin=cumulative"], "未知的解读项 'stackin'"),
             (["best-district", record, "--move-date", "2027-13-01"], "不是 1949-01-01 至 2200-12-31 之间的日期"),
             (["whatif", record, "foo=bar"], "未知的变更 'foo'"),
             (["whatif", record, "expense=oops"], "支出的写法是 类别:金额@年份"),
             (["batch", str(rows), "--out", str(tmp_path / "o.csv"), "--encoding", "klingon"], "未知的编码 'klingon'"),
             (["batch", str(tmp_path / "in.txt"), "--out", str(tmp_path / "o.csv")], "未知的文件格式 '.txt'"),
             (["measures", "show", "m9"], "未知的措施 'm9'"),
             (["batch", str(odd), "--out", str(tmp_path / "o.csv")], "未知的列 'gotham'"),
             (["batch", str(rows), "--out", str(tmp_path / "o.csv"), "--columns", str(odd)],
              "应为 表头 → 字段 的映射")]
    for args, words in cases:
        _chinese_error(runner.invoke(app, [*args, "--lang", "zh"]), 2, words)
    # A missing catalog package: a configuration error (exit 4), in Chinese too.
    _chinese_error(runner.invoke(app, ["windows", "--catalog", str(tmp_path / "none"), "--lang", "zh"]),
                   4, "政策目录包的目录不存在")


def test_batch_progress_counts_and_interrupt_hint_in_chinese(tmp_path: Path, monkeypatch) -> None:
    from formats.progress import ProgressLines

    now = [0.0]
    lines: list[str] = []
    with using_lang("zh"):
        progress = ProgressLines(lines.append, total=100_000, every=3, clock=lambda: now[0])
        now[0] = 100
        progress(40_000, 2)
    assert lines == ["zjtx batch：已处理 40,000 行，共约 100,000 行（40%），2 行有错误，每秒 400 行，约剩 2 分 30 秒"]
    rows = tmp_path / "in.jsonl"
    rows.write_text('{"id": "A", "district": "dongcheng"}\n{"id": "A", "district": "dongcheng"}\n',
                    encoding="utf-8")
    done = runner.invoke(app, ["batch", str(rows), "--out", str(tmp_path / "o.csv"), "--lang", "zh"])
    assert done.exit_code == 1
    assert "输入 2 行 = 已评估 1 行 + 错误 1 行；结果在" in done.stderr and "错误行在" in done.stderr

    import formats.batch
    from formats.signals import Interrupted

    def interrupted(*args, **kwargs):
        stop = Interrupted(2)  # SIGINT
        stop.rows = 1_234
        raise stop

    monkeypatch.setattr(formats.batch, "run_batch", interrupted)
    done = runner.invoke(app, ["batch", str(rows), "--out", str(tmp_path / "o2.csv"), "--lang", "zh"])
    assert done.exit_code == 130
    assert done.stderr.strip() == "zjtx：处理 1,234 行后中断；用同一命令加 --resume 再运行即可接着处理"


def test_lint_frame_in_chinese() -> None:
    done = runner.invoke(app, ["measures", "lint", "--lang", "zh"])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[-1].endswith("：0 个错误，3 个警告"), lines[-1]
    assert all(line.startswith("警告：") for line in lines[:-1]), lines
    # The brochure's defects in Chinese, a document by its official Chinese name where confirmed.
    assert "警告：mentougou.yaml：宣传册把第 5 项（门头沟区）印了 2 次；只编码一次" in lines
    assert "警告：index.yaml：宣传册的区级措施没有第 6 项" in lines
    assert any(line.startswith("警告：daxing.yaml：同一节引用了 2 份来源文件：大兴区支持商业航天产业发展暂行办法；")
               for line in lines)


def test_worklist_actions_in_chinese(tmp_path: Path) -> None:
    record = tmp_path / "m.yaml"
    record.write_text("id: M-1\ndistrict: dongcheng\nrecognitions:\n"
                      "  - {tier: innovative, date: 2024-06-30}\n  - {tier: municipal, date: 2025-06-30}\n",
                      encoding="utf-8")
    done = runner.invoke(app, ["worklist", str(record), "--date", "2026-12-01", "--format", "json",
                               "--lang", "zh"])
    assert done.exit_code == 0, done.output
    actions = {a["kind"]: a["action"] for a in json.loads(done.stdout)["actions"]}
    assert actions["claim"] == "申领奖励：东城区梯度奖励（专精特新）（可申领）"  # by name, no id
    assert actions["apply"] == "申报认定：小巨人（窗口开放）"
    english = runner.invoke(app, ["worklist", str(record), "--date", "2026-12-01", "--format", "json",
                                  "--lang", "en"])
    actions = {a["kind"]: a["action"] for a in json.loads(english.stdout)["actions"]}
    assert actions["claim"] == "claim Dongcheng tier reward (municipal S&S SME) (due)"


def test_record_bounds_in_chinese(tmp_path: Path) -> None:
    """The bounds of models.limits (text length, date range, amount) in words of the language."""
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"id": "A" * 300, "district": "dongcheng",
                                "recognitions": [{"tier": "municipal", "date": "1900-01-01"}],
                                "expenses": [{"id": "x", "category": "exhibition", "amount": 10**14,
                                              "year": 2024}]}), encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(path), "--lang", "zh"])
    assert done.exit_code == 2 and "Traceback" not in done.output
    lines = done.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("zjtx：错误：") for line in lines), lines
    assert "字段 id" in lines[0] and "最多 200 个字符" in lines[0]
    assert "1900-01-01 不在 1949-01-01 至 2200-12-31 之间" in lines[1]
    assert "应不大于 10000000000000" in lines[2]
    english = runner.invoke(app, ["evaluate", str(path), "--lang", "en"]).stderr
    assert "string should have at most 200 characters" in english
    assert "1900-01-01 is outside 1949-01-01 .. 2200-12-31" in english


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_error_rows_in_chinese(tmp_path: Path, jobs: int) -> None:
    """A district service centre's errors file speaks its language: lines that cannot be read,
    a duplicate id, and records whose parts contradict one another (read by the parent, or by
    the pool workers from their own byte ranges)."""
    good = {"id": "A", "district": "dongcheng", "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}
    lines = [json.dumps(good).encode(),
             b'{"id": "B", "name": "caf\xe9", "district": "dongcheng"}',   # not UTF-8
             b'["not", "an", "object"]',
             json.dumps(good).encode(),                                    # id A again
             json.dumps({"id": "C", "district": "haidian", "moves": [
                 {"from": "xicheng", "to": "haidian", "date": "2024-01-01"},
                 {"from": "dongcheng", "to": "haidian", "date": "2024-01-01"}]}).encode(),
             json.dumps({"id": "D", "district": "dongcheng", "recognitions": [
                 {"tier": "municipal", "date": "2023-03-31"}] * 2}).encode(),
             b'{"id": "E", "district": "dongcheng"']                          # not closed
    rows = tmp_path / "in.jsonl"
    rows.write_bytes(b"\n".join(lines) + b"\n")
    said = {}
    for lang in ("zh", "en"):
        errors = tmp_path / f"errors-{lang}.csv"
        done = runner.invoke(app, ["batch", str(rows), "--out", str(tmp_path / f"o-{lang}.csv"),
                                   "--errors", str(errors), "--jobs", str(jobs), "--lang", lang])
        assert done.exit_code == 1, done.stderr
        with errors.open(encoding="utf-8-sig", newline="") as handle:
            said[lang] = {int(row[0]): row[-1] for row in list(csv.reader(handle))[1:]}
    assert sorted(said["zh"]) == sorted(said["en"]) == [2, 3, 4, 5, 6, 7]
    assert "不是 UTF-8 文本" in said["zh"][2] and "not UTF-8 text" in said["en"][2]
    assert "应为 JSON 对象" in said["zh"][3]
    assert said["zh"][4] == "id 'A' 重复：第 1 行已使用"
    assert "两次迁移" in said["zh"][5] and "two moves" in said["en"][5]
    assert "的 municipal 出现了两次" in said["zh"][6] and "appears twice" in said["en"][6]
    assert said["zh"][7] == "不是有效的 JSON：第 36 列，这里应有逗号 ,"
    assert said["en"][7] == "not valid JSON: Expecting ',' delimiter at column 36"


@pytest.mark.parametrize("text", ['{"a" 1}', '{"a":1', '{a:1}', '{"a":}', '{"a":"x', '{"a":"\x01"}',
                                  '{"a":1} x', '{"a":"\\q"}'])
def test_the_json_parsers_words_are_the_catalogues(text: str) -> None:
    """Every way a line of JSON goes wrong that the catalogue words is the json module's own
    wording (in English), and is said in Chinese."""
    from models.yamlio import _JSON_PROBLEMS, loads_json, parse_document

    with pytest.raises(json.JSONDecodeError) as caught:
        loads_json(text)
    assert caught.value.msg in _JSON_PROBLEMS
    assert t(_JSON_PROBLEMS[caught.value.msg], lang="en") == caught.value.msg
    with using_lang("zh"), pytest.raises(ValueError) as said:
        parse_document(text, as_json=True, one_line=True)
    assert str(said.value).startswith("不是有效的 JSON：第 ") and "Expect" not in str(said.value)


def _pydantic_error(kind: str) -> dict:
    """The first error pydantic raises for an input of the given error type."""
    import datetime as dt
    from typing import Annotated

    from pydantic import BaseModel, Field, TypeAdapter, ValidationError

    class Item(BaseModel):
        a: int

    cases = {"string_type": (str, 5, False), "string_too_short": (Annotated[str, Field(min_length=1)], "", False),
             "int_type": (int, "x", True), "int_from_float": (int, 1.5, False), "int_parsing": (int, "x", False),
             "list_type": (list, 5, False), "dict_type": (dict, 5, False), "model_type": (Item, 5, False),
             "date_type": (dt.date, 5, True), "bool_type": (bool, 5, True), "bool_parsing": (bool, "x", False)}
    kind_of, value, strict = cases[kind]
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind_of).validate_python(value, strict=strict)
    return caught.value.errors()[0]


@pytest.mark.parametrize("kind", sorted(__import__("models.validation", fromlist=["_WHY"])._WHY))
def test_pydantic_words_the_catalogue_holds_are_pydantics_own_in_english(kind: str) -> None:
    """The catalogue speaks for pydantic only where its English is pydantic's, word for word (a
    pydantic upgrade that rewords a message fails here, not in front of a user)."""
    error = _pydantic_error(kind)
    assert error["type"] == kind
    own = error["msg"][:1].lower() + error["msg"][1:]
    assert t(f"validation.why.{kind}", lang="en", **(error.get("ctx") or {})) == own


def test_a_record_of_the_wrong_types_is_refused_in_chinese() -> None:
    from models.errors import RecordError

    with using_lang("zh"), pytest.raises(RecordError) as refused:
        parse_record({"id": 5, "district": "dongcheng", "recognitions": 3})
    said = " ".join(problem.text() for problem in refused.value.problems)
    assert "应为文本" in said and "应为列表" in said, said
    assert "input should" not in said


def test_the_service_refuses_in_the_requests_language() -> None:
    """Under ?lang=zh every refusal of a request a person may make speaks Chinese: a body that
    does not match its model (pydantic's own words replaced), an unknown query parameter,
    measure, path or method, a body of the wrong type; in English pydantic's words stay."""
    from service.app import create_app
    from tests.english_scan import Scanner

    client = TestClient(create_app())
    record = {"id": "E", "district": "东城"}
    asked = [
        ("post", "/v1/best-district", {"json": {"record": record, "move_date": "2027年2月30日"}}, "move_date"),
        ("post", "/v1/best-district", {"json": {"record": record, "horizon_years": 99}}, "horizon_years"),
        ("post", "/v1/whatif", {"json": {"record": record}}, "changes"),
        ("post", "/v1/whatif", {"json": {"record": record, "changes": ["x=1"], "extra": 1}}, "extra"),
        ("post", "/v1/worklist", {"json": {"records": [], "min_gain": True}}, "min_gain"),
        ("post", "/v1/evaluate", {"content": b"{not json", "headers": {"content-type": "application/json"}}, None),
        ("post", "/v1/batch", {"content": b"x", "headers": {"content-type": "text/html"}}, None),
        ("get", "/v1/measures/m99", {}, "measure_id"),
        ("get", "/v1/nowhere", {}, None),
        ("get", "/v1/evaluate", {}, None),
        ("post", "/v1/evaluate?x1=1", {"json": record}, "x1"),
    ]
    scanner = Scanner()
    for method, path, kwargs, field in asked:
        joined = "&" if "?" in path else "?"
        answer = getattr(client, method)(path + joined + "lang=zh", **kwargs)
        body = answer.json()
        assert 400 <= answer.status_code < 500 and body.get("field") == field, (path, body)
        assert re.search(r"[\u4e00-\u9fff]", body["detail"]) and scanner.words(body["detail"]) == [], \
            (path, body["detail"])
    english = client.post("/v1/whatif?lang=en", json={"record": record}).json()
    assert english["detail"] == "Field required"


def test_a_benefit_quoted_as_printed_is_labelled_so() -> None:
    """The non-monetary benefits are the brochure's English words as printed: in Chinese their
    column says so, as every clause shown as printed does."""
    done = runner.invoke(app, ["evaluate", str(EXAMPLES / "exhibition-expenses.json"), "--lang", "zh"])
    assert done.exit_code == 0, done.output
    assert "支持内容（条款原文，英文版）" in done.stdout and "will be enhanced" in done.stdout


@pytest.mark.parametrize("path", [i18n.MESSAGES_FILE, i18n.HELP_FILE], ids=["messages", "help"])
def test_the_shipped_catalogues_read_the_same_through_the_strict_reader(path):
    """models.i18n reads its own files with PyYAML's safe loader (it is the floor of models/);
    the project's reader (models.yamlio: duplicate keys refused) reads them the same."""
    from models.yamlio import load_data

    text = path.read_text(encoding="utf-8")
    shape = i18n.Catalogue if path == i18n.MESSAGES_FILE else i18n.HelpTexts
    assert load_data(text) == i18n._shipped(path, shape)
