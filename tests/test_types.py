"""Typed data end to end: mypy passes with the project's configuration (pyproject.toml: strict
for `models/` and `solver/`, the default checks for views, formats, service and the CLI)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def _mypy(*args: str) -> tuple[str, int]:
    cache = Path(tempfile.gettempdir()) / "zjtx-mypy-cache"
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                "--cache-dir", str(cache), *args])
    return out + err, status


def test_mypy_passes_strict_for_models_and_solver() -> None:
    report, status = _mypy()  # the files of pyproject.toml's [tool.mypy]
    assert status == 0, report
    assert "Success: no issues found" in report


def test_the_check_can_fail(tmp_path: Path) -> None:
    """The same configuration rejects an untyped function in the solver and a wrong type."""
    bad = tmp_path / "solver" / "bad.py"
    bad.parent.mkdir()
    (bad.parent / "__init__.py").write_text("", encoding="utf-8")
    bad.write_text("def total(awards):\n    return sum(awards)\n\n\nx: int = 'yuan'\n",
                   encoding="utf-8")
    report, status = _mypy(str(bad))
    assert status == 1, report
    assert "missing a type annotation" in report and "Incompatible types in assignment" in report
