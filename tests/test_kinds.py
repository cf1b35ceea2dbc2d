"""The registry of rule kinds (models/catalog/kinds.py): every kind has a trigger that builds
exactly the facts it declares, lint reads the same declaration, and docs/authoring.md lists the
kinds as the registry says."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import get_args

import pytest
import yaml

import solver.compile
from models.catalog import CATALOG_DIR, load_catalog, open_catalog, using_catalog
from models.catalog.kinds import BENEFIT_FACTS, TRIGGERS, RuleKind, markdown, with_kinds
from models.errors import BugError
from models.lint import lint
from models.record import parse_record
from solver.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)
LISTED = {"id": "L", "district": "haidian", "as_of": "2026-11-24",
          "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
          "listings": [{"board": "a_share", "year": 2024}]}


def test_every_kind_has_one_trigger_whose_facts_the_catalog_declares() -> None:
    assert set(TRIGGERS) == set(get_args(RuleKind))
    declared = set(load_catalog().index.conditions)
    for kind, trigger in TRIGGERS.items():
        assert trigger.kind == kind
        assert trigger.offers <= declared, (kind, trigger.offers - declared)
    assert BENEFIT_FACTS <= declared


def test_docs_list_the_kinds_from_the_registry() -> None:
    """Edit models/catalog/kinds.py, then `python models/catalog/kinds.py docs/authoring.md`."""
    page = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert with_kinds(page) == page, "docs/authoring.md lists other rule kinds than the registry"
    for kind in TRIGGERS:
        assert f"| `{kind}` |" in markdown()


def test_a_trigger_offering_facts_its_kind_does_not_declare_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The declaration is the compiler's too: drop `project_year` from the expense kind and the
    expense trigger, which offers it, is refused on the first item it judges."""
    record = parse_record({"id": "X", "district": "haidian", "as_of": "2026-11-24",
                           "recognitions": [{"tier": "municipal", "date": "2021-06-30"}],
                           "expenses": [{"id": "X1", "category": "rd_investment",
                                         "amount": 100_000, "year": 2025}]})
    assert evaluate(record, {}, today=TODAY).awards
    monkeypatch.setitem(solver.compile._DECLARED, "expense", frozenset({"tier"}))
    with pytest.raises(BugError, match="a expense trigger offers the facts"):
        evaluate(record, {}, today=TODAY)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    directory = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, directory, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return directory


def _edit_rule(directory: Path, rule_id: str, **changes: object) -> None:
    path = directory / "municipal-several-measures.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = [rule for measure in data["measures"] for rule in measure.get("rules", ())
             if rule["id"] == rule_id]
    rules[0].update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_lint_refuses_a_field_the_rule_kind_never_reads(catalog: Path) -> None:
    _edit_rule(catalog, "m4", boards=["a_share"])
    messages = [f.message for f in lint(catalog) if f.level == "error"]
    assert messages == ["m4: a expense rule does not read 'boards' (it reads amount, categories, "
                        "caps, max_years, one_time)"]


def test_a_listing_district_rule_tests_its_own_conditions(catalog: Path) -> None:
    """The district listing subsidy declares the facts of the listing year: a condition of its own
    (here: foreign trade only) is tested, never silently ignored."""
    _edit_rule(catalog, "m5.district", conditions=["tier >= municipal", "industry in [foreign_trade]"])
    assert [f for f in lint(catalog) if f.level == "error"] == []
    edited = open_catalog(catalog)
    with using_catalog(edited):
        plain = evaluate(parse_record(LISTED), {}, catalog=edited, today=TODAY)
        software = evaluate(parse_record({**LISTED, "industries": ["foreign_trade"]}), {},
                            catalog=edited, today=TODAY)
    assert {a.measure for a in plain.awards} == {"m5.listing"}
    (why,) = [r for item in plain.not_awarded if item.measure == "m5.district" for r in item.reasons]
    assert why.code == "condition_failed" and why.get("field") == "industry"
    assert {(a.measure, a.paid_by) for a in software.awards} == {("m5.listing", "municipal"),
                                                                  ("m5.district", "haidian")}
