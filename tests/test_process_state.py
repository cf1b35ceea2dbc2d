"""Process state made explicit (#22): what a run derives from a catalog or a vocabulary lives in
that object's own store (`Catalog.worked_out`, `Vocabulary.worked_out`), never in a module-level
cache keyed by `id()` — an id is reused once its object is gone, so such a cache must hold the
object too and check it, and it outlives every run. The only `id()` calls left key dicts that
live for one call: a sweep's shared outcomes (formats.sweep.run_sweep),
lint's cursor in a clause's text (models.lint._verbatim) and the nodes of one YAML document
(models.yamlio)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_json_edge import ROOT, _product_files

ALLOWED = {  # function → why its id() is not process state
    "formats/sweep.py:run_sweep": "a dict local to one sweep",
    "models/lint.py:_verbatim": "cursors local to one lint of one package",
    "models/yamlio.py:_plain": "the nodes of one YAML document, while it is built",
    "models/yamlio.py:_refuse_aliases": "the nodes of one YAML document, while it is walked",
}


def id_calls(source: str, path: str) -> list[str]:
    """`path:function` of every call of the builtin id() in `source` (`path:<module>` at top level)."""
    found: list[str] = []

    def walk(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = f"{path}:{child.name}" if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else where
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "id":
                found.append(where)
            walk(child, inner)

    walk(ast.parse(source, filename=path), f"{path}:<module>")
    return found


def test_no_cache_keyed_by_id_outside_one_call() -> None:
    found = {where for path in _product_files()
             for where in id_calls((ROOT / path).read_text(encoding="utf-8"), path)}
    assert found <= set(ALLOWED), sorted(found - set(ALLOWED))
    assert set(ALLOWED) <= found, ("no longer calls id(): take it off ALLOWED", sorted(set(ALLOWED) - found))


def test_the_scan_sees_a_module_cache_keyed_by_id() -> None:
    source = "_SEEN = {}\ndef seen(catalog):\n    return _SEEN.setdefault(id(catalog), catalog)\n"
    assert id_calls(source, "solver/x.py") == ["solver/x.py:seen"]
    assert id_calls("KEY = id(object())\n", "solver/y.py") == ["solver/y.py:<module>"]
