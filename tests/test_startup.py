"""What a one-row `zjtx batch` imports: the libraries and modules of other roads (a progress bar
on a terminal, help pages, scenarios, best districts, explanations, CP-SAT, Arrow, spreadsheets,
charts, the service) are imported by the runs that use them, not by every start
(`benchmarks/startup.py` measures the time; this holds the import graph)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).resolve().parent.parent

NOT_AT_START = {
    "rich": "the progress bar and help pages (a terminal's)",
    "ortools": "CP-SAT (a component the exact fast path does not enumerate)",
    "pyarrow": "the columnar reader (more than a few rows)",
    "numpy": "the columnar reader's keys",
    "pandas": "nothing in a batch",
    "openpyxl": "XLSX files",
    "matplotlib": "charts",
    "fastapi": "the service",
    "uvicorn": "the service",
    "dask": "--engine dask",
    "constraint": "howto's oracle",
    "solver.planner": "--scenario and --best-district",
    "solver.impact": "zjtx impact",
    "solver.explain": "explanations (evaluate, not a batch's amounts)",
    "models.scenario": "--scenario",
    "models.lint": "zjtx measures lint",
}

SHOW_MODULES = ("import atexit, json, sys\n"
                "atexit.register(lambda: print(json.dumps(sorted(sys.modules))))\n"
                "from cli import app\n"
                "app()\n")


def test_a_one_row_batch_imports_only_its_own_road(tmp_path: Path) -> None:
    source, out = tmp_path / "one.jsonl", tmp_path / "out.csv"
    source.write_text(json.dumps({"id": "E1", "district": "haidian", "recognitions": [
        {"tier": "municipal", "date": "2023-03-31"}]}) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", SHOW_MODULES, "batch", str(source), "--out",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("E1,")
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    assert "solver.compile" in imported and "models.record" in imported  # the run's own road
    loaded = {name: why for name, why in NOT_AT_START.items()
              if name in imported or any(module.startswith(name + ".") for module in imported)}
    assert not loaded, f"a one-row batch imported what other roads need: {loaded}"


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("compatible", [None, "0", "1"])
@pytest.mark.parametrize("force", [None, "", "1"])
def test_the_progress_bar_is_shown_when_rich_would_show_it(
        monkeypatch: pytest.MonkeyPatch, tty: bool, compatible: str | None,
        force: str | None) -> None:
    """`cli._terminal` asks rich only when rich may say yes: its answer is rich's own
    (`Console(stderr=True).is_terminal`) for a tty or not, TTY_COMPATIBLE and FORCE_COLOR."""
    from rich.console import Console

    class Stderr:
        def isatty(self) -> bool:
            return tty

        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stderr", Stderr())
    for name, value in (("TTY_COMPATIBLE", compatible), ("FORCE_COLOR", force)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("TTY_INTERACTIVE", raising=False)
    assert (cli._terminal() is not None) == Console(stderr=True).is_terminal
