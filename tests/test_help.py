"""`zjtx --help` and every command's help, in both languages (issue #21, section 1): a top-level
--lang, -h and --version; metavars a person understands; text printed as written (never eaten as
markup); examples that exist; usage errors in the command's language."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cli import app
from models.i18n import help_texts

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _commands() -> list[tuple[str, object]]:
    group = typer.main.get_command(app)
    found = [("", group)]
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        found.append((name, command))
        for sub, inner in sorted(getattr(command, "commands", {}).items()):
            found.append((f"{name} {sub}", inner))
    return found


def _help(path: str, *extra: str, env: dict[str, str] | None = None) -> str:
    done = runner.invoke(app, [*path.split(), *extra, "--help"], env={"COLUMNS": "200", **(env or {})})
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.mark.parametrize(("path", "command"), _commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_and_parameter_has_its_chinese_help(path: str, command) -> None:
    texts = help_texts()
    if path:
        assert texts["commands"].get(path, {}).get("help"), path
    for param in command.params:
        if param.name in ("lang", "help"):
            continue
        own = texts["commands"].get(path, {}).get(param.name) if path else None
        assert own or param.name in texts["params"], (path, param.name)


def test_help_speaks_the_top_level_lang_the_command_lang_and_the_environment() -> None:
    for chinese in (_help("", "--lang", "zh"), _help("evaluate", "--lang", "zh"),
                    _help("evaluate", env={"ZJTX_LANG": "zh"}),
                    runner.invoke(app, ["--lang", "zh", "evaluate", "--help"]).stdout):
        assert "用法：zjtx" in chinese and "Usage" not in chinese
    english = _help("evaluate", "--lang", "en")
    assert "Usage: zjtx evaluate [OPTIONS] RECORD" in english and "用法" not in english


def test_a_top_level_lang_makes_a_command_speak_it() -> None:
    done = runner.invoke(app, ["--lang", "zh", "measures", "list"])
    assert done.exit_code == 0 and "类支持措施" in done.stdout
    own = runner.invoke(app, ["--lang", "zh", "measures", "list", "--lang", "en"])
    assert "measure families" in own.stdout  # the command's own --lang wins


def test_short_help_and_version() -> None:
    assert runner.invoke(app, ["-h"]).stdout == runner.invoke(app, ["--help"]).stdout
    assert "Usage: zjtx evaluate" in runner.invoke(app, ["evaluate", "-h"]).stdout
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and re.fullmatch(r"zjtx \d+\.\d+\.\d+\S*\n", version.stdout)


@pytest.mark.parametrize("path", [p for p, _ in _commands()])
def test_metavars_say_what_to_type_never_a_python_type(path: str) -> None:
    for lang in ("en", "zh"):
        text = _help(path, "--lang", lang)
        assert not re.search(r"<(path|int|str|bool|list\[\w+\]|int range)>|\{\w+\}", text), (path, lang)
        assert "[x" not in text and "x>=" not in text


def test_markup_never_eats_text() -> None:
    assert "pip install -e '.[dask]'" in re.sub(r"\s+", " ", _help("batch", "--lang", "en"))
    assert "pip install -e '.[dask]'" in re.sub(r"\s+", " ", _help("batch", "--lang", "zh"))


def test_every_example_in_the_help_names_files_that_exist() -> None:
    named = {name.rstrip(".。，,") for path, _ in _commands() for lang in ("en", "zh")
             for name in re.findall(r"examples/[\w.\-]+", _help(path, "--lang", lang))}
    assert "examples/enterprises.csv" in named
    assert [name for name in sorted(named) if not (ROOT / name).exists()] == []


@pytest.mark.parametrize(("args", "english", "chinese"), [
    (["evaluate", "examples/x.yaml", "--format", "xml"], "'xml' is not accepted (accepted: table, json)",
     "'xml' 不被接受（可用：table, json）"),
    (["best-district", "examples/x.yaml", "--horizon-years", "99"], "(accepted: a whole number 0 to 50)",
     "（可用：整数 0 至 50）"),
    (["serve", "--head-seconds", "0"], "'0' is not accepted (accepted: a number at least 0.1)",
     "'0' 不被接受（可用：数值 不小于 0.1）"),
    (["serve", "--max-waiting", "-1"], "(accepted: a whole number at least 0)", "（可用：整数 不小于 0）"),
    (["howto", "examples/x.yaml"], "--measure, -m is required but missing", "缺少必填的 --measure, -m"),
    (["evaluate"], "RECORD is required but missing", "缺少必填的 企业记录文件"),
    (["evaluate", "x.yaml", "--formt", "json"], "no such option --formt; did you mean '--format'?",
     "没有选项 --formt；您是否要填 '--format'？"),
])
def test_usage_errors_in_the_command_language(args: list[str], english: str, chinese: str) -> None:
    done = runner.invoke(app, [*args, "--lang", "en"])
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert "Usage: zjtx" in done.stderr and "zjtx: error: " in done.stderr
    assert english in done.stderr, done.stderr
    done = runner.invoke(app, [*args, "--lang", "zh"])
    assert done.exit_code == 2 and "用法：zjtx" in done.stderr and "zjtx：错误：" in done.stderr
    assert chinese in done.stderr, done.stderr


def test_a_missing_or_unknown_command_in_the_command_language() -> None:
    done = runner.invoke(app, ["--lang", "zh", "measures", "lnt"])
    assert done.exit_code == 2 and "没有命令 'lnt'；您是否要填 'lint'？" in done.stderr
    done = runner.invoke(app, ["measures", "--lang", "zh"])
    assert done.exit_code == 2 and "请给出一个命令" in done.stderr
    done = runner.invoke(app, ["evalute", "x.yaml"])
    assert done.exit_code == 2 and "no such command 'evalute'; did you mean 'evaluate'?" in done.stderr


def test_help_is_the_same_bytes_whatever_the_hash_seed() -> None:
    """`-h, --help` in the order declared, in every process: typer's click keeps the help
    option's names in a set, and `zjtx evaluate --help` printed `--help, -h` under
    PYTHONHASHSEED=0 and `-h, --help` under 2."""
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("0", "2"):  # the two orders on 2026-12-07
        done = subprocess.run([sys.executable, "-c", "from cli import app; app()", "evaluate", "--help"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONHASHSEED": seed, "COLUMNS": "100"})
        assert done.returncode == 0, done.stderr
        assert "-h, --help" in done.stdout, done.stdout
        outputs.add(done.stdout)
    assert len(outputs) == 1
