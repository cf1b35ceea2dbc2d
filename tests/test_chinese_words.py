"""Chinese first: a run under `--lang zh` of the commands a clerk uses prints no English word but
ids, acronyms, URLs and texts quoted as printed (issue #21, "Done when"); the same runs in English
print no Chinese. `tests/english_scan.py` is the scanner (`python -m tests.english_scan` prints
the count per command)."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.english_scan import Scanner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# Wide enough that no table cell wraps: a clause quoted as printed stays on one line.
WIDE = {"COLUMNS": "3000"}

# Rows a clerk's sheet may hold: good ones, and one bad row of each kind the errors file names.
BAD_ROWS = [
    ["编号", "企业名称", "统一社会信用代码", "注册区", "行业", "创新型中小企业认定日期",
     "专精特新中小企业认定日期", "费用支出"],
    ["A-1", "京西氢能有限公司", "", "大兴区", "氢能", "2022/1/31", "2023年6月30日", ""],
    ["A-2", "某甲科技有限公司", "91110000ABCDEFGHIJ", "哥谭", "", "2022-13-45", "", ""],
    ["A-3", "某乙科技有限公司", "", "东城", "", "", "", "[{\"category\": \"国际展会\"}"],
    ["A-1", "重复编号", "", "西城区", "", "", "", ""],
    ["", "", "", "", "", "", "", ""],
    ["A-5", "某丙科技有限公司", "", "海淀区", "外贸", "", "2023-03-31", "[1, 2]"],
]


def example_data() -> tuple[set[str], set[str]]:
    """The ids (records, expenses, projects, patents) and names the bundled examples hold: input
    data, shown as given."""
    from models.yamlio import load_data

    ids: set[str] = set()
    names: set[str] = set()
    for example in sorted(EXAMPLES.glob("*.y*ml")) + sorted(EXAMPLES.glob("*.json")):
        data = load_data(example.read_text(encoding="utf-8"))
        ids.add(str(data["id"]))
        if data.get("name"):
            names.add(str(data["name"]))
        for key in ("expenses", "patents"):
            for item in data.get(key) or []:
                ids.update(str(item[k]) for k in ("id", "project") if item.get(k))
    return ids, names


def scanner() -> Scanner:
    ids, names = example_data()
    return Scanner(extra_ids=ids, extra_quotes=names)


def _runner() -> CliRunner:
    return CliRunner(env={**WIDE, "ZJTX_LANG": ""})


def _enterprises(directory: Path) -> Path:
    """A JSON Lines sheet of the bundled examples (their own names and ids)."""
    path = directory / "enterprises.jsonl"
    lines = []
    for example in sorted(EXAMPLES.glob("*.y*ml")) + sorted(EXAMPLES.glob("*.json")):
        from models.yamlio import load_data
        data = load_data(example.read_text(encoding="utf-8"))
        lines.append(json.dumps(data, ensure_ascii=False, default=str))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _commands(directory: Path, lang: str) -> list[tuple[str, list[str]]]:
    sheet = _enterprises(directory)
    bad = directory / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(BAD_ROWS)
    runs = [("evaluate " + name, ["evaluate", str(EXAMPLES / name)]) for name in (
        "daxing-hydrogen-full.yaml", "shijingshan-municipal-then-national.yaml",
        "mentougou-relocation-from-outside-beijing.yaml", "exhibition-expenses.json",
        "daxing-hydrogen-private-non-enterprise.yaml")]
    runs += [
        ("evaluate --all-readings", ["evaluate", str(EXAMPLES / "dongcheng-municipal-then-national.yaml"),
                                     "--all-readings"]),
        ("measures list", ["measures", "list"]),
        ("measures readings", ["measures", "readings"]),
        ("measures show m6", ["measures", "show", "m6"]),
        ("windows", ["windows", "--date", "2026-11-25"]),
        ("timeline", ["timeline", str(EXAMPLES / "daxing-hydrogen-full.yaml")]),
        ("best-district", ["best-district", str(EXAMPLES / "relocating-little-giant.yaml"),
                           "--move-date", "2027-01-15"]),
        ("howto", ["howto", str(EXAMPLES / "exhibition-expenses.json"), "--measure", "daxing.tier",
                   "--target", "1000000"]),
        ("whatif", ["whatif", str(EXAMPLES / "shijingshan-municipal-then-national.yaml"),
                    "move=dongcheng@2024-01-01"]),
        ("worklist", ["worklist", str(sheet), "--date", "2026-12-01"]),
        ("batch errors", ["batch", str(bad), "--out", str(directory / f"out-{lang}.csv")]),
        ("zjtx --help", ["--help"]),
    ]
    from cli import app as cli_app
    import typer.main

    group = typer.main.get_command(cli_app)
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            runs.append((f"{name} --help", [name, "--help"]))
            for sub in sorted(command.commands):
                runs.append((f"{name} {sub} --help", [name, sub, "--help"]))
        else:
            runs.append((f"{name} --help", [name, "--help"]))
    return runs


def done_when_runs(directory: Path | None = None, lang: str = "zh") -> Iterator[tuple[str, str]]:
    """(label, everything a person sees) for each run of the Done-when list under `lang`: stdout,
    stderr, and for batch the errors file."""
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="zjtx-scan-"))
    runner = _runner()
    for label, argv in _commands(directory, lang):
        env = {**WIDE, "ZJTX_LANG": lang}
        done = runner.invoke(app, argv, env=env)
        assert done.exception is None or isinstance(done.exception, SystemExit), \
            (label, done.exception, done.output)
        seen = done.stdout + "\n" + done.stderr
        if label == "batch errors":
            for errors in sorted(directory.glob(f"out-{lang}.errors.*")):
                seen += "\n" + errors.read_text(encoding="utf-8-sig", errors="replace")
        yield label, seen


@pytest.fixture(scope="module")
def chinese_runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    return list(done_when_runs(tmp_path_factory.mktemp("zh"), "zh"))


def test_the_scanner_counts_english_and_spares_ids_acronyms_urls_and_clauses() -> None:
    scanner = Scanner()
    assert scanner.words("大兴区梯度奖励 daxing.tier，电话 010-89292028") == []
    assert scanner.words("stacking=difference-only --move-date examples/x.yaml E-0001 CSV") == []
    assert scanner.words("见 https://zjtx.miit.gov.cn") == []
    assert scanner.words("“by up to RMB2 million in the first year”") == []
    assert scanner.words("Usage: zjtx [OPTIONS] RECORD") == ["Usage:", "[OPTIONS]", "RECORD"]
    # Labelled as printed, but not a text the catalog prints: every word counts.
    assert scanner.words("Measures of Xicheng District（英文原文）") == ["Measures", "of", "Xicheng",
                                                                      "District"]
    assert scanner.words("Administrative Commission of Xicheng Park, Zhongguancun Science Park（英文原文）") == []
    assert scanner.words("支付方: municipal (default)") == ["default"]


def test_under_zh_no_english_word_but_ids_acronyms_urls_and_clauses_as_printed(
        chinese_runs: list[tuple[str, str]]) -> None:
    scan = scanner()
    found = {label: scan.words(output) for label, output in chinese_runs}
    assert {label: words for label, words in found.items() if words} == {}


def test_the_same_runs_in_english_print_no_chinese(tmp_path: Path) -> None:
    cjk = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
    for label, output in done_when_runs(tmp_path, "en"):
        if label.endswith("--help") or label == "batch errors":
            continue  # help shows Chinese examples of input; the bad sheet is Chinese data
        assert not cjk.findall(output), (label, cjk.findall(output)[:10])


# -- the catalog's Chinese names, reason dates, the page's payer --------------------------------------

def test_offices_and_documents_carry_their_official_chinese_names_as_catalog_data() -> None:
    from models.catalog import load_catalog

    catalog = load_catalog()
    sources = [source for spec in catalog.files.values() for source in spec.sources]
    assert sources and all(source.zh is not None for source in sources)
    for source in sources:
        for official in (source.zh.document, source.zh.contact):
            # A name carries where it was published; a name not confirmed says so.
            assert (official.name is not None and official.source) or official.note
    # One office, one Chinese name, whichever file names it.
    seen: dict[str, set[str | None]] = {}
    for source in sources:
        seen.setdefault(source.contact, set()).add(source.zh.contact.name)
    assert all(len(names) == 1 for names in seen.values()), seen
    names = catalog.chinese_names()
    assert names["Beijing Municipal Bureau of Economy and Information Technology"] == "北京市经济和信息化局"
    assert names["Shijingshan District Bureau of Economy and Information Technology"] is None


def test_a_confirmed_name_is_shown_in_chinese_and_an_unconfirmed_one_as_printed_labelled() -> None:
    runner = _runner()
    daxing = runner.invoke(app, ["timeline", str(EXAMPLES / "daxing-hydrogen-full.yaml"), "--lang", "zh"])
    assert "北京市大兴区经济和信息化局，电话 010-89292028" in daxing.stdout
    shijingshan = runner.invoke(app, ["evaluate", str(EXAMPLES / "shijingshan-municipal-then-national.yaml"),
                                      "--lang", "zh", "--format", "json"])
    award = json.loads(shijingshan.stdout)["awards"][0]
    assert award["contact"] == "Shijingshan District Bureau of Economy and Information Technology"
    assert award["contact_name"] == award["contact"] + "（英文原文）"
    english = runner.invoke(app, ["timeline", str(EXAMPLES / "daxing-hydrogen-full.yaml"), "--lang", "en"])
    assert "Daxing District Bureau of Economy and Information Technology, tel 010-89292028" in english.stdout


def test_reasons_write_days_in_chinese_and_a_mid_year_recognition_as_it_is() -> None:
    runner = _runner()
    path = str(EXAMPLES / "daxing-hydrogen-full.yaml")  # national "little giant" on 2025-07-01
    chinese = runner.invoke(app, ["evaluate", path, "--lang", "zh"]).stdout
    assert "2025年12月31日持有国家级专精特新“小巨人”企业认定（2025年7月1日认定）" in chinese
    assert "2025年12月31日认定为" not in chinese
    assert "(own project)" not in chinese and "自成一个项目" in chinese
    assert not re.search(r"\d{4}-\d\d-\d\d", chinese.split("条款原文")[0])  # the head: 年月日
    english = runner.invoke(app, ["evaluate", path, "--lang", "en"]).stdout
    assert 'held national "little giant" on 31 December 2025 (recognized on 2025-07-01)' in english
    # Every reason of every example, in Chinese: days as 年月日, reasons joined by "；".
    for example in sorted(EXAMPLES.glob("*.y*ml")) + sorted(EXAMPLES.glob("*.json")):
        data = json.loads(runner.invoke(app, ["evaluate", str(example), "--lang", "zh",
                                              "--format", "json"]).stdout)
        texts = [award["why"] for award in data["awards"]] + [
            reason["text"] for item in data["not_awarded"] for reason in item["reasons"]]
        assert not [text for text in texts if re.search(r"\d{4}-\d\d-\d\d|; ", text)], example.name


def test_the_page_names_the_municipal_payer_and_reads_the_register_in_its_language() -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app

    client = TestClient(create_app())
    names = client.get("/v1/messages?lang=zh").json()["names"]
    assert names["district"]["municipal"] == "市级" and names["district"]["dongcheng"] == "东城区"
    register = client.get("/v1/readings?lang=zh").json()
    assert register["stacking"]["about"].startswith("东城区、顺义区、密云区")
    assert client.get("/v1/readings?lang=en").json()["stacking"]["about"].startswith("Dongcheng")


def test_the_chinese_readme_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `zjtx` line of README.zh-CN.md (but `serve`) runs as written, from a clean folder."""
    import shlex

    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()
             if line.startswith("zjtx ") and not line.startswith("zjtx serve")]
    assert len(lines) >= 10
    monkeypatch.chdir(tmp_path)
    runner = _runner()
    for line in lines:
        argv = [word.replace("examples/", str(EXAMPLES) + "/") for word in shlex.split(line)[1:]]
        done = runner.invoke(app, argv)
        assert done.exit_code == 0, (line, done.output)
    assert (tmp_path / "企业名单.xlsx").exists() and (tmp_path / "工作清单.xlsx").exists()
