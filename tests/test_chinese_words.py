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
LATER_TEST = ROOT / "tests" / "catalogs" / "beijing-later-edition"
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
    """The scanner for the Done-when runs: the bundled examples' own ids and names, and the ids
    and quotes of every catalog a run reads (the later package, the later-edition test data)."""
    from models.catalog import open_catalog
    from models.packages import locate
    from tests.english_scan import _catalog_ids, quoted_as_printed

    ids, names = example_data()
    quotes: set[str] = set(names)
    for other in (locate("beijing-2025"), ROOT / "tests" / "catalogs" / "beijing-later-edition"):
        catalog = open_catalog(other)
        ids |= _catalog_ids(catalog)
        quotes.update(quoted_as_printed(catalog))
    return Scanner(extra_ids=ids, extra_quotes=quotes)


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
        ("measures diff", ["measures", "diff", "beijing-2022", "beijing-2025"]),
        ("measures diff --at", ["measures", "diff", "--catalog", "beijing-2025", "--at", "2024-06-01",
                                "--at", "2025-06-01"]),
        ("measures diff a later edition", ["measures", "diff", "beijing-2022",
                                           str(LATER_TEST)]),
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
        ("batch errors xlsx", ["batch", str(_workbook(bad)), "--out", str(directory / f"xout-{lang}.xlsx")]),
        ("measures lint", ["measures", "lint"]),
        ("measures packages", ["measures", "packages"]),
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
        if label.startswith("batch errors"):  # the files it wrote: results and errors
            for written in sorted(directory.glob(f"{'x' if 'xlsx' in label else ''}out-{lang}.*")):
                seen += "\n" + _sheet_text(written)
        yield label, seen


def _workbook(sheet: Path) -> Path:
    """The rows of a CSV sheet as a workbook beside it."""
    from openpyxl import Workbook

    book = Workbook()
    with sheet.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            book.active.append(row)
    path = sheet.with_suffix(".xlsx")
    book.save(path)
    return path


def _sheet_text(path: Path) -> str:
    """What a person sees in a CSV or XLSX file: every cell as Excel shows it (a truth value as
    TRUE or FALSE), sheet names too."""
    if path.suffix != ".xlsx":
        return path.read_text(encoding="utf-8-sig", errors="replace")
    from openpyxl import load_workbook

    book = load_workbook(path)
    return "\n".join([sheet.title for sheet in book] + [
        "\t".join("" if cell is None else str(cell).upper() if isinstance(cell, bool) else str(cell)
                  for cell in row)
        for sheet in book for row in sheet.iter_rows(values_only=True)])


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
    # Plain words in a row are prose, even when each alone is an id (year, total); a metavar is not.
    assert scanner.words("年度合计 year total") == ["year", "total"]
    assert scanner.words("--format table|json table 供人阅读") == []


def test_under_zh_no_english_word_but_ids_acronyms_urls_and_clauses_as_printed(
        chinese_runs: list[tuple[str, str]]) -> None:
    scan = scanner()
    found = {label: scan.words(output) for label, output in chinese_runs}
    assert {label: words for label, words in found.items() if words} == {}


def test_the_same_runs_in_english_print_no_chinese(tmp_path: Path) -> None:
    cjk = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
    for label, output in done_when_runs(tmp_path, "en"):
        if label.endswith("--help") or label.startswith(("batch errors", "measures diff")):
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


def test_options_refused_under_zh_say_so_in_chinese_with_the_accepted_names(tmp_path: Path) -> None:
    """Each option a clerk may mistype is refused in Chinese (exit 2), the accepted values with
    their Chinese names where the ids are English words; and `windows --tier` takes a tier as a
    notice spells it."""
    record = str(EXAMPLES / "exhibition-expenses.json")
    runs = [
        ["windows", "--tier", "省级"],
        ["howto", record, "--measure", "m99"],
        ["template", str(tmp_path / "名单.docx")],
        ["worklist", str(EXAMPLES / "enterprises.csv"), "--out", str(tmp_path / "清单.docx")],
        ["batch", str(EXAMPLES / "enterprises.csv"), "--out", str(tmp_path / "o.csv"), "--summary",
         str(tmp_path / "s.txt")],
        ["evaluate", record, "--reading", "stacking=x1"],
        ["best-district", record, "--rank-by", "x1"],
    ]
    scan = scanner()
    runner = _runner()
    for argv in runs:
        done = runner.invoke(app, argv, env={**WIDE, "ZJTX_LANG": "zh"})
        assert done.exit_code == 2, (argv, done.output)
        assert scan.words(done.stderr) == [], (argv, done.stderr)
    told = runner.invoke(app, ["windows", "--tier", "省级", "--lang", "zh"]).stderr
    assert "national（小巨人）" in told and "梯度 '省级' 没有申报窗口" in told
    told = runner.invoke(app, ["howto", record, "--measure", "m99", "--lang", "zh"]).stderr
    assert "m6.exhibition（国际展会补贴）" in told
    for spelling in ("小巨人企业", "国家级专精特新“小巨人”企业", "national"):
        done = runner.invoke(app, ["windows", "--tier", spelling, "--date", "2026-11-25", "--format", "json"])
        assert done.exit_code == 0, done.output
        assert [w["tier"] for w in json.loads(done.stdout)["windows"]] == ["national"]


# -- a catalog author's errors: `measures lint --lang zh` over broken packages ----------------------

def _broken_packages(root: Path) -> Iterator[tuple[str, Path]]:
    """(what is broken, a package directory): copies of the shipped catalog, each broken in one
    way a catalog author breaks one (tests/test_lint.py and tests/test_authoring.py show each)."""
    import shutil

    import yaml

    from models.catalog import CATALOG_DIR

    def copy(name: str) -> Path:
        directory = root / name
        shutil.copytree(CATALOG_DIR, directory, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        return directory

    def edit(path: Path, change) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (old, path.name)
        path.write_text(text.replace(old, new), encoding="utf-8")

    # Problems a file's loading reports (the whole-catalog checks wait until each file loads).
    directory = copy("load")
    edit(directory / "shijingshan.yaml", lambda d: d["measures"][0]["rules"][0].update(amout=1))
    edit(directory / "miyun.yaml", lambda d: d["measures"][0]["rules"][0].update(
        conditions=["tier >= gold", "district in [dongcheng", "industry == nowhere",
                    "as_of >= 2023-02-30"]))
    edit(directory / "daxing.yaml", lambda d: d["measures"][0]["rules"][0].update(
        source="no-such-source"))
    edit(directory / "mentougou.yaml", lambda d: d.update(replaces="nothing"))
    edit(directory / "shunyi.yaml", lambda d: d["measures"][0]["rules"][0]["levels"].update(
        gold={"fixed": 1}))
    edit(directory / "dongcheng.yaml", lambda d: d.update(payer="gotham"))
    yield "load", directory
    # Problems of the whole catalog.
    directory = copy("whole")
    replace(directory / "shijingshan.yaml", "municipal: {fixed: 200000}", "municipal: {fixed: 250000}")
    replace(directory / "shijingshan.yaml", "non-repetitive incentive for a single enterprise",
            "non-repetitive incentive for one enterprise")
    edit(directory / "shunyi.yaml", lambda d: d["measures"][0]["rules"][0].update(
        quote="A one-time incentive of RMB 100,000 and RMB 900,000 will be granted"))
    edit(directory / "municipal-gradient-cultivation.yaml",
         lambda d: d["measures"][0]["benefits"][1].update(quote="A hotline will be opened"))
    edit(directory / "mentougou.yaml", lambda d: d["measures"][0]["rules"][0].pop("r1_group"))
    edit(directory / "daxing.yaml", lambda d: d["measures"][0]["rules"][1].update(
        r1_group="daxing.tier.second-sentence"))
    edit(directory / "miyun.yaml", lambda d: d["measures"][0]["rules"][0].update(
        conditions=["employees >= 10", "patent_year <= 10"]))
    edit(directory / "index.yaml", lambda d: (
        d["conditions"].update(employees={"type": "int", "about": "head count"}),
        d["districts_without_measures"].remove("haidian"),
        d["districts_without_measures"].append("pinggu")))
    (directory / "source" / "beijing-sme-support-brochure.txt").unlink()
    edit(directory / "fengtai.yaml", lambda d: d["measures"][0]["rules"][0].update(
        only_when={"audience": "everyone"}))
    yield "whole", directory
    # The index itself is broken: nothing else can be checked.
    directory = copy("index")
    edit(directory / "index.yaml", lambda d: d.update(extends="no-such-package"))
    yield "index", directory
    directory = copy("circle")
    edit(directory / "index.yaml", lambda d: d.update(extends="."))
    yield "circle", directory
    directory = root / "empty"
    directory.mkdir()
    yield "empty", directory
    yield "missing", root / "no-such-directory"


# What the broken packages above name as written: their misspelt key, values, source and package.
TYPED = ("amout", "gold", "nowhere", "dongcheng", "no-such-source", "nothing", "no-such-package",
         "employees", "gotham", "everyone", "in")  # `in`: an operator in a condition as written


def scanner_of_catalog_keys() -> Scanner:
    """The Done-when scanner, plus the ids a catalog author types: every key of the package
    schema (a field path names them: measures[0].rules[0].amout), the rule kinds, and the values
    the broken packages wrote."""
    from pydantic import BaseModel

    from models.catalog import IndexSpec, SourceFileSpec
    from models.catalog.kinds import TRIGGERS

    keys: set[str] = set()
    models: list[type[BaseModel]] = [IndexSpec, SourceFileSpec]
    while models:
        model = models.pop()
        for name, info in model.model_fields.items():
            keys.add(name)
            for inner in _model_types(info.annotation):
                if inner.__name__ not in keys:
                    keys.add(inner.__name__)
                    models.append(inner)
    base = scanner()
    return Scanner(extra_ids=base.ids | keys | set(TRIGGERS) | set(TYPED), extra_quotes=base.quotes)


def _model_types(annotation: object) -> list[type]:
    """The pydantic models inside a field's type (list[RuleSpec], dict[str, Amount] | None, …)."""
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [inner for arg in get_args(annotation) for inner in _model_types(arg)]


def test_a_catalog_authors_errors_under_zh_are_chinese(tmp_path: Path) -> None:
    """`measures lint --lang zh` over broken packages: every error names its file and field path
    in Chinese words (the ids, paths and quoted values stay as written)."""
    runner = _runner()
    seen = []
    for label, directory in _broken_packages(tmp_path):
        done = runner.invoke(app, ["measures", "lint", "--catalog", str(directory), "--lang", "zh"])
        assert done.exit_code != 0 and "错误" in done.output, (label, done.output)
        seen.append((label, done.stdout + "\n" + done.stderr))
    scan = scanner_of_catalog_keys()
    words = {label: scan.words(text) for label, text in seen}
    assert all(not found for found in words.values()), (words, seen)


# -- a clerk's broken files: scenario files and YAML records ---------------------------------------

BROKEN_SCENARIOS = {  # file text → what the English says (as before the catalogue had it)
    "set:\n  名称: 1\n": "cannot set '名称' (accepted: district, entity_type, as_of, name)",
    "add:\n  奖励: [1]\n": "cannot add to '奖励'",
    "move:\n  to: 大兴区\n": "a move needs exactly `to` and `date`",
}
BROKEN_ITEMS = {"expense=国际展会@2026": "an expense is CATEGORY:AMOUNT@YEAR",
                "patent=1200@2027": "a patent annuity is STANDARD:PAID@YEAR/PATENT_YEAR"}
# YAML records a clerk may break → PyYAML's words (libyaml's; the pure-Python parser's differ).
BROKEN_YAML = {
    "id: E\ndistrict: 大兴区: 北京\n": "第 2 行",
    "id: E\nrecognitions:\n\t- {tier: 小巨人, date: 2024-01-01}\n": "制表符",
    "id: E\nindustries: [氢能, 外贸\n": "方括号",
    "id: E\nname: \"京西氢能\n": "引号",
    "id: E\nrecognitions:\n  - tier: 小巨人\n date: 2024-01-01\n": "缩进",
    "id: E\ndistrict: !zjtx daxing\n": "不接受标签 '!zjtx'",
    "id: E\nname: @京西\n": "'@'",
}


def test_a_broken_scenario_file_or_yaml_record_is_told_in_chinese(tmp_path: Path) -> None:
    """Under zh, every problem of a scenario file, a what-if item and a YAML record is Chinese but
    ids and the file's own text (PyYAML's problems by a table of its words); the English of the
    scenario's problems is as it was, byte for byte."""
    runner = _runner()
    record = str(EXAMPLES / "dongcheng-municipal-then-national.yaml")
    runs: list[tuple[list[str], str, str]] = []
    for number, (text, english) in enumerate(BROKEN_SCENARIOS.items()):
        path = tmp_path / f"情景{number}.yaml"
        path.write_text(text, encoding="utf-8")
        runs.append((["whatif", record, str(path)], english, "情景"))
    runs += [(["whatif", record, item], english, "写法") for item, english in BROKEN_ITEMS.items()]
    for number, (text, chinese) in enumerate(BROKEN_YAML.items()):
        path = tmp_path / f"企业{number}.yaml"
        path.write_text(text, encoding="utf-8")
        runs.append((["evaluate", str(path)], "not valid YAML or JSON at line", chinese))
    scan = scanner()
    for argv, english, chinese in runs:
        done = runner.invoke(app, [*argv, "--lang", "zh"], env=WIDE)
        assert done.exit_code == 2 and chinese in done.stderr, (argv, done.output)
        assert scan.words(done.stderr) == [], (argv, done.stderr)
        assert "第" in done.stderr or "YAML" not in argv[-1]
        done = runner.invoke(app, [*argv, "--lang", "en"], env=WIDE)
        assert done.exit_code == 2 and english in done.stderr, (argv, done.stderr)


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_pyyaml_s_common_problems_have_chinese_words_from_either_parser(loader: str) -> None:
    """The table knows libyaml's words and the pure-Python parser's; a problem it does not know is
    shown as printed, labelled."""
    import yaml

    from models.i18n import using_lang
    from models.yamlio import yaml_problem

    if not hasattr(yaml, loader):
        pytest.skip("PyYAML built without libyaml")
    for text in BROKEN_YAML:
        with pytest.raises(yaml.YAMLError) as refused:
            yaml.load(text, Loader=getattr(yaml, loader))  # noqa: S506 (safe loaders)
        problem, mark = refused.value.problem, refused.value.problem_mark  # type: ignore[attr-defined]
        with using_lang("zh"):
            said = yaml_problem(problem, text, mark.index)
        assert "英文原文" not in said and re.search(r"[\u4e00-\u9fff]", said), (problem, said)
        with using_lang("en"):  # what to fix, whichever parser's words
            assert yaml_problem(problem, text, mark.index) not in (problem, said)
    with using_lang("zh"):
        assert yaml_problem("something new", "", None) == "something new（YAML 解析器的英文原文）"
