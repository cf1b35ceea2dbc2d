"""`dict[str, Any]` only at the JSON edge (#23).

The JSON edge is where data stops or starts being typed:
- *in*: a function that reads JSON or YAML (a request body, a bundle's bundle.json, a
  checkpoint, a package's index, a row's cells as the record model will read them) before the
  typed object is built from it;
- *out*: a function that turns typed objects into a JSON document (an HTTP body, JSON Lines, an
  evidence bundle, a JSON Schema) when no one reads that document back but an encoder.

Everything between is typed: dataclasses, pydantic models, TypedDicts for the shape of a JSON
document that code reads back (`solver.fiscal.FiscalReport`, `formats.impact.ImpactSummary`),
and `dict[str, object]` for a serializer's output that only an encoder reads (the `as_dict`
methods). `Any` switches the type checker off; `object` makes the reader say what it expects.

This test walks the product's Python files (as git lists them) with `ast` and finds every
`dict[str, Any]` (also `Dict`, `Mapping`, `MutableMapping`, in a quoted annotation, a `cast` or
an alias): each must be in a function or class of `EDGE`, or in a file of `DEBT`.
"""

from __future__ import annotations

import ast
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("cli.py", "formats/", "models/", "service/", "solver/", "views/")
MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping"}

# The edge: qualified name → what JSON or YAML it reads or writes.
EDGE = {
    "formats.columns.Columns.record": "in: a row's cells as the record data the model validates",
    "formats.worklist.read_records": "in: each row's data as read, beside its record",
    "formats.evidence._bundle_json": "in: a bundle's bundle.json",
    "formats.evidence._question_from": "in: bundle.json's question",
    "formats.evidence._carried": "in: bundle.json's scenario items",
    "models.catalog.Package": "in: a package's index.yaml as merged along its chain",
    "models.catalog.package_schema": "out: the JSON Schema of a package's files",
    "formats.impact.impact_of_rows": "out: the /v1/impact answer (JSON)",
    "service.problems.as_problem_json": "in+out: the OpenAPI document FastAPI built, edited in place",
    "service.record_schema.record_schema.property_of":
        "in+out: a property of the record's JSON Schema (pydantic's), edited in place",
    "solver.notices.notice_of": "in: a warning's JSON (`as_dict`) read back into its kind",
}

# DEBT, not edge: files other engineers were rewriting when the edge was drawn (#23r: typed
# reasons), each with the number of `dict[str, Any]` it held then; paid off to nothing on
# 2026-12-07. A count may only shrink: type what you touch, then lower the number here (and delete
# the line at 0). Never raise one: a new JSON reader or writer is named in EDGE, anything else is
# typed.
DEBT: dict[str, int] = {}


def _is_any_mapping(node: ast.AST) -> bool:
    """`dict[str, Any]`, `typing.Dict[str, typing.Any]`, `Mapping[str, Any]`…"""
    if not isinstance(node, ast.Subscript):
        return False
    name = node.value.id if isinstance(node.value, ast.Name) else \
        node.value.attr if isinstance(node.value, ast.Attribute) else None
    if name not in MAPPINGS or not isinstance(node.slice, ast.Tuple) or len(node.slice.elts) != 2:
        return False
    key, value = node.slice.elts
    value_name = value.id if isinstance(value, ast.Name) else \
        value.attr if isinstance(value, ast.Attribute) else None
    return isinstance(key, ast.Name) and key.id == "str" and value_name == "Any"


def _quoted(text: str) -> int:
    """How many such mappings a quoted annotation or cast target holds."""
    try:
        body = ast.parse(text, mode="eval").body
    except SyntaxError:  # a docstring, a message: not a type
        return 0
    return sum(_is_any_mapping(inner) for inner in ast.walk(body))


class _Finder(ast.NodeVisitor):
    """Each `dict[str, Any]` of a module, by the function or class it is in."""

    def __init__(self, module: str) -> None:
        self.scope = [module]
        self.found: list[tuple[str, int]] = []  # (qualified name, line)

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _note(self, node: ast.AST, count: int) -> None:
        self.found += [(".".join(self.scope), getattr(node, "lineno", 0))] * count

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _is_any_mapping(node):
            self._note(node, 1)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # A quoted annotation or cast target: `x: "dict[str, Any]"`, `cast("dict[str, Any]", …)`.
        if isinstance(node.value, str) and "Any" in node.value and "[" in node.value:
            self._note(node, _quoted(node.value))


def _module(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _product_files() -> list[str]:
    """The product's Python files, tracked or new (never what .gitignore leaves out)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                             "--", "*.py"], cwd=ROOT, capture_output=True, check=True)
    names = sorted({name for name in listed.stdout.decode("utf-8").split("\0") if name})
    assert names, "git lists no file: run the suite from a clone"
    return [name for name in names if name.startswith(PRODUCT) and (ROOT / name).is_file()]


def find(source: str, path: str) -> list[tuple[str, int]]:
    finder = _Finder(_module(path))
    finder.visit(ast.parse(source, filename=path))
    return finder.found


@cache
def _findings() -> dict[str, list[tuple[str, int]]]:
    return {path: found for path in _product_files()
            if (found := find((ROOT / path).read_text(encoding="utf-8"), path))}


def test_dict_str_any_only_at_the_json_edge() -> None:
    outside = [f"{path}:{line} in {scope}" for path, found in _findings().items()
               if path not in DEBT for scope, line in found if scope not in EDGE]
    assert not outside, (
        "dict[str, Any] outside the JSON edge (type it: a dataclass, a TypedDict, "
        "dict[str, object]; or, for a function that only reads or writes JSON, name it in "
        "tests/test_json_edge.py's EDGE):\n" + "\n".join(outside))


def test_every_edge_entry_still_holds_one() -> None:
    """The edge is the list of the functions that need it, not more: a function typed since is
    taken off."""
    scopes = {scope for found in _findings().values() for scope, _line in found}
    assert not set(EDGE) - scopes, sorted(set(EDGE) - scopes)


def test_the_debt_only_shrinks() -> None:
    counts = Counter({path: len(found) for path, found in _findings().items() if path in DEBT})
    grown = {path: f"{counts[path]} > {allowed}" for path, allowed in DEBT.items()
             if counts[path] > allowed}
    assert not grown, ("more dict[str, Any] than the debt allows (type the new code, or name a "
                       f"JSON reader or writer in EDGE): {grown}")


@pytest.mark.parametrize("source, found", [
    ("from typing import Any\ndef f(x: dict[str, Any]) -> None: ...\n", [("m.f", 2)]),
    ("import typing\nclass C:\n    def g(self) -> typing.Dict[str, typing.Any]: ...\n",
     [("m.C.g", 3)]),
    ("def f(x: 'list[dict[str, Any]] | None') -> None: ...\n", [("m.f", 1)]),
    ("from typing import cast\ndef f(x):\n    return cast('dict[str, Any]', x)\n", [("m.f", 3)]),
    ("Document = dict[str, Any]\n", [("m", 1)]),
    ("def f(x: Mapping[str, Any]) -> None: ...\n", [("m.f", 1)]),
    ("def f(x: dict[str, object], y: dict[str, int]) -> None: ...\n", []),
])
def test_the_scan_finds_every_spelling(source: str, found: list[tuple[str, int]]) -> None:
    """The check can fail: an annotation, a quoted one, a cast, an alias, `Mapping` are found;
    a typed mapping is not."""
    assert find(source, "m.py") == found
