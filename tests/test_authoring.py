"""Editions an officer can write without surprises (issue #19, section 4): lint reports every
problem in one run, a file never silently replaces its parent's, a new measure has names, and an
expense-year rule is judged on 31 December of the expense year (docs/authoring.md)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from models.catalog import open_catalog, using_catalog
from models.errors import CatalogError
from models.catalog import name
from models.lint import lint
from models.record import parse_record
from solver.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "models" / "catalog"
TODAY = dt.date(2026, 11, 24)


def _package(tmp_path: Path, files: dict[str, str], index: str | None = None) -> Path:
    """A package extending the shipped one (by an absolute path), with `files` beside it."""
    directory = tmp_path / "package"
    directory.mkdir()
    (directory / "index.yaml").write_text(index or f"extends: {SHIPPED}\n", encoding="utf-8")
    for file, text in files.items():
        (directory / file).write_text(text, encoding="utf-8")
    return directory


EDITION = """\
edition: {{in_force_from: {start}}}
text: source.txt
sources:
  - {{key: test, document: "Test document", contact: "Test office", tel: "000", image: none}}
brochure_section: "test"
brochure_items: [1]
payer: {payer}
measures:
  - id: {measure}
    title: Test measure
{names}    brochure_item: 1
    clause: "Up to 50% of the actual expenses."
    rules:
      - id: {measure}
        kind: expense
        quote: "Up to 50% of the actual expenses."
        categories: [exhibition]
        conditions: [{conditions}]
        amount: {{percent: 50}}
"""


def _edition(measure: str = "m9", names: bool = True, start: str = "2025-07-01",
             conditions: str = '"tier >= municipal"', payer: str = "municipal") -> str:
    return EDITION.format(measure=measure, start=start, conditions=conditions, payer=payer,
                          names="    names: {zh: 测试补贴, en: test subsidy}\n" if names else "")


def _lint_messages(directory: Path) -> list[str]:
    return [f"{f.file}: {f.message}" for f in lint(directory) if f.level == "error"]


def test_lint_reports_every_problem_of_a_package_in_one_run(tmp_path: Path) -> None:
    bad = _edition(conditions='"tier >>= municipal", "industry in [nonsense_tag]", "tier >== x"')
    schema = _edition(measure="m10").replace("brochure_item: 1", "brochure_item: one").replace(
        "payer: municipal", "payer: municipal\nnonsense_field: 1")
    directory = _package(tmp_path, {"a.yaml": bad, "b.yaml": schema, "source.txt": "Up to 50% of the actual expenses."})
    (directory / "source.txt").write_text("Up to 50% of the actual expenses.", encoding="utf-8")
    found = _lint_messages(directory)
    assert any("conditions[0]" in m and "tier >>= municipal" in m for m in found), found
    assert any("conditions[2]" in m for m in found), found       # the second bad condition too
    assert any("nonsense_tag" in m for m in found), found        # and the unrelated value error
    assert any("b.yaml" in m and "nonsense_field" in m for m in found), found
    assert any("b.yaml" in m and "brochure_item" in m for m in found), found  # both schema errors


def test_a_file_named_like_its_parents_is_an_error_unless_it_says_it_replaces_it(tmp_path: Path) -> None:
    text = (SHIPPED / "shunyi.yaml").read_text(encoding="utf-8").replace("RMB 500,000", "RMB 600,000")
    directory = _package(tmp_path, {"shunyi.yaml": text})
    with pytest.raises(CatalogError, match="replaces: shunyi.yaml"):
        open_catalog(directory)
    assert any("shunyi.yaml" in m and "replaces: shunyi.yaml" in m for m in _lint_messages(directory))
    (directory / "shunyi.yaml").write_text("replaces: shunyi.yaml\n" + text, encoding="utf-8")
    catalog = open_catalog(directory)
    assert [r.file for r in catalog.rules if r.measure == "shunyi.tier"] == ["shunyi.yaml"]
    (directory / "other.yaml").write_text("replaces: dongcheng.yaml\n" + text, encoding="utf-8")
    assert any("other.yaml" in m and "replaces 'dongcheng.yaml'" in m for m in _lint_messages(directory))


def test_a_new_measure_without_names_is_a_lint_error_and_with_them_is_named(tmp_path: Path) -> None:
    directory = _package(tmp_path, {"new.yaml": _edition(names=False)})
    (directory / "source.txt").write_text("Up to 50% of the actual expenses.", encoding="utf-8")
    assert any("measure 'm9' has no short names" in m for m in _lint_messages(directory))
    (directory / "new.yaml").write_text(_edition(), encoding="utf-8")
    assert not any("short names" in m for m in _lint_messages(directory))
    with using_catalog(open_catalog(directory)):
        assert (name("measure", "m9", "zh"), name("measure", "m9", "en")) == ("测试补贴", "test subsidy")


def test_an_expense_year_rule_is_judged_on_31_december_of_the_expense_year(tmp_path: Path) -> None:
    directory = _package(tmp_path, {"new.yaml": _edition(start="2025-07-01")})
    (directory / "source.txt").write_text("Up to 50% of the actual expenses.", encoding="utf-8")
    catalog = open_catalog(directory)
    with using_catalog(catalog):
        record = parse_record({"id": "A", "district": "haidian", "as_of": "2026-11-24",
                               "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                               "expenses": [{"id": "X1", "category": "exhibition", "amount": 100_000,
                                             "year": 2025},
                                            {"id": "X0", "category": "exhibition", "amount": 100_000,
                                             "year": 2024}]})
        result = evaluate(record, {}, catalog=catalog, today=TODAY)
    new = sorted(a.claim_year for a in result.awards if a.measure == "m9")
    assert new == [2025]  # in force from 2025-07-01: the 2025 expense (31 December) only


def test_the_fixture_packages_lint_clean() -> None:
    for fixture in ("beijing-later-edition", "beijing-lowered-and-ended", "riverland"):
        assert _lint_messages(ROOT / "tests" / "catalogs" / fixture) == [], fixture
