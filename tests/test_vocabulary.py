"""The catalog declares its vocabulary (DOMAIN.md section 1): ordered ids, Chinese and English
names, aliases; records are checked against it with a did-you-mean; no Python module outside
tests/ and benchmarks/ lists districts, tiers or categories."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from models.catalog import load_catalog
from models.errors import RecordError
from models.record import parse_record

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = load_catalog().vocabulary


def test_the_sixteen_districts_in_order_with_their_chinese_names():
    assert len(VOCABULARY.districts) == 16
    assert VOCABULARY.districts[:3] == ("dongcheng", "xicheng", "chaoyang")
    assert VOCABULARY.name("district", "dongcheng", "zh") == "东城区"
    assert VOCABULARY.name("district", "shijingshan", "zh") == "石景山区"
    assert VOCABULARY.name("district", "dongcheng") == "Dongcheng"
    assert VOCABULARY.aliases("district", "dongcheng") == ("东城", "Dongcheng District")
    assert VOCABULARY.places == VOCABULARY.districts + ("outside_beijing",)
    assert VOCABULARY.outside == "outside_beijing"
    assert VOCABULARY.name("outside", "outside_beijing", "zh") == "京外（北京市以外）"
    assert VOCABULARY.name("jurisdiction", "beijing", "zh") == "北京市"


def test_tiers_are_ordered_with_full_and_short_chinese_names_and_levels():
    assert VOCABULARY.tiers == ("innovative", "municipal", "national", "privileged")
    assert VOCABULARY.tier_rank["national"] == 2
    assert VOCABULARY.name("tier", "municipal", "zh") == "北京市专精特新中小企业"
    assert VOCABULARY.name("tier", "municipal", "zh", short=True) == "专精特新"
    assert VOCABULARY.name("tier", "national", "zh") == "国家级专精特新“小巨人”企业"
    assert VOCABULARY.name("tier", "privileged", "zh", short=True) == "重点小巨人"
    assert VOCABULARY.name("tier", "innovative", "zh", short=True) == "创新型"
    assert VOCABULARY.levels == ("municipal", "national")
    assert [VOCABULARY.level_of(t) for t in VOCABULARY.tiers] == [None, "municipal", "national", "national"]


def test_entity_types_industries_categories_boards_qualifications():
    assert VOCABULARY.ids("entity_type") == ("enterprise", "private_non_enterprise")
    assert VOCABULARY.name("entity_type", "private_non_enterprise", "zh") == "民办非企业单位"
    assert VOCABULARY.name("industry", "hydrogen_energy", "zh") == "氢能"
    assert VOCABULARY.name("industry", "commercial_aerospace", "zh") == "商业航天"
    assert VOCABULARY.name("industry", "foreign_trade", "zh") == "外贸"
    assert VOCABULARY.programmes("leased_equipment") == ("m1", "m4")
    assert VOCABULARY.programmes("exhibition") == ("m6",)
    assert len(VOCABULARY.ids("expense_category")) == 9
    assert VOCABULARY.ids("board") == ("a_share", "overseas_major", "neeq")
    assert "tech_center" in VOCABULARY.ids("qualification")


def test_names_fall_back_and_unknown_ids_name_the_kind():
    assert VOCABULARY.name("board", "neeq", "zh", short=True) == "新三板"  # no short name: the full one
    with pytest.raises(KeyError, match="unknown district 'gotham'"):
        VOCABULARY.name("district", "gotham")
    with pytest.raises(KeyError, match="unknown vocabulary kind"):
        VOCABULARY.ids("galaxy")
    assert VOCABULARY.nearest("district", "dongchen") == "dongcheng"
    assert VOCABULARY.nearest("industry", "hydrogen_enrgy") == "hydrogen_energy"


@pytest.mark.parametrize(("change", "field", "hint"), [
    ({"district": "dongchen"}, "district", "did you mean 'dongcheng'"),
    ({"recognitions": [{"tier": "nationl", "date": "2022-01-01"}]}, "recognitions[0].tier",
     "did you mean 'national'"),
    ({"expenses": [{"id": "X", "category": "exhibiton", "amount": 1, "year": 2025}]},
     "expenses[0].category", "did you mean 'exhibition'"),
])
def test_a_misspelt_vocabulary_value_names_its_path_and_the_nearest_declared_value(change, field, hint):
    with pytest.raises(RecordError) as caught:
        parse_record({"id": "E", "district": "haidian", **change}, source="r.yaml")
    assert caught.value.field == field
    assert hint in str(caught.value)
    assert "is not accepted" in str(caught.value)


def _code_strings(tree: ast.AST) -> set[str]:
    """The string constants of a module, docstrings left out."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and ast.get_docstring(node, clean=False) is not None}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def _project_files(pattern: str) -> list[Path]:
    """The project's files (tracked, or new and not ignored), as git lists them: never what
    .gitignore leaves out (a virtual environment in .venv holds thousands of modules)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                             "--", pattern], cwd=ROOT, capture_output=True, check=True)
    files = sorted({Path(name) for name in listed.stdout.decode("utf-8").split("\0") if name})
    assert files, "git lists no file: run the suite from a clone"
    return [path for path in files if (ROOT / path).is_file()]


def test_no_python_module_outside_tests_and_benchmarks_lists_districts_tiers_or_categories():
    """The vocabulary lives in the catalog: a module whose code names three districts, three
    tiers, three expense categories, boards or qualification kinds holds a second list."""
    closed = {kind: set(VOCABULARY.ids(kind)) for kind in
              ("district", "tier", "expense_category", "board", "qualification")}
    offenders = []
    for relative in _project_files("*.py"):
        if relative.parts[0] in ("tests", "benchmarks"):
            continue
        strings = _code_strings(ast.parse((ROOT / relative).read_text(encoding="utf-8")))
        offenders += [f"{relative}: {kind} {sorted(strings & ids)}" for kind, ids in closed.items()
                      if len(strings & ids) >= 3]
    assert not (ROOT / "models" / "vocabulary.py").exists()
    assert offenders == []
