"""Typed data end to end: `mypy --strict` over the whole product passes with the project's
configuration (pyproject.toml), and that configuration is strict everywhere: no module relaxed."""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = {"models", "solver", "views", "formats", "service", "cli.py"}


def _mypy(*args: str) -> tuple[str, int]:
    cache = Path(tempfile.gettempdir()) / "zjtx-mypy-cache"
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                "--cache-dir", str(cache), *args])
    return out + err, status


def test_mypy_passes_strict_on_the_whole_product() -> None:
    report, status = _mypy()  # the files of pyproject.toml's [tool.mypy]
    assert status == 0, report
    assert "Success: no issues found" in report


def test_the_configuration_is_strict_on_the_whole_product() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    assert set(config["files"]) == PRODUCT
    shipped = {path.name for path in ROOT.iterdir()
               if (path / "__init__.py").exists() and path.name not in ("tests", "benchmarks")}
    assert shipped | {"cli.py"} == PRODUCT  # a new package is checked too
    relaxed = [override for override in config.get("overrides", [])
               if any(value is False for key, value in override.items() if key != "module")]
    modules = {module for override in relaxed for module in override["module"]}
    assert not modules, modules


@pytest.mark.parametrize("floor", ["solver", "views", "service"])
def test_the_check_can_fail(tmp_path: Path, floor: str) -> None:
    """The same configuration rejects an untyped function and a wrong type on every floor."""
    bad = tmp_path / floor / "bad.py"
    bad.parent.mkdir()
    (bad.parent / "__init__.py").write_text("", encoding="utf-8")
    bad.write_text("def total(awards):\n    return sum(awards)\n\n\nx: int = 'yuan'\n",
                   encoding="utf-8")
    report, status = _mypy(str(bad))
    assert status == 1, report
    assert "missing a type annotation" in report and "Incompatible types in assignment" in report
