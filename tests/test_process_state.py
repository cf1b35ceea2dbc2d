"""Process state made explicit (#22): what a run derives from a catalog or a vocabulary lives in
that object's own store (`Catalog.worked_out`, `Vocabulary.worked_out`), never in a module-level
cache keyed by `id()` — an id is reused once its object is gone, so such a cache must hold the
object too and check it, and it outlives every run. The only `id()` calls left key dicts that
live for one call: a sweep's shared outcomes (formats.sweep.run_sweep),
lint's cursor in a clause's text (models.lint._verbatim) and the nodes of one YAML document
(models.yamlio)."""

from __future__ import annotations

import ast
import functools

from tests.test_json_edge import ROOT, _product_files

ALLOWED = {  # function → why its id() is not process state
    "formats/sweep.py:run_sweep": "a dict local to one sweep",
    "models/lint.py:_verbatim": "cursors local to one lint of one package",
    "models/yamlio.py:_plain": "the nodes of one YAML document, while it is built",
    "models/yamlio.py:_refuse_aliases": "the nodes of one YAML document, while it is walked",
}


@functools.cache
def _product_trees() -> dict[str, ast.Module]:
    """Each product file's syntax tree (parsed once for every scan here)."""
    return {path: ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
            for path in _product_files()}


def _tree(source: str | ast.Module, path: str) -> ast.Module:
    return source if isinstance(source, ast.Module) else ast.parse(source, filename=path)


def id_calls(source: str | ast.Module, path: str) -> list[str]:
    """`path:function` of every call of the builtin id() in `source` (`path:<module>` at top level)."""
    found: list[str] = []

    def walk(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = f"{path}:{child.name}" if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else where
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "id":
                found.append(where)
            walk(child, inner)

    walk(_tree(source, path), f"{path}:<module>")
    return found


def test_no_cache_keyed_by_id_outside_one_call() -> None:
    found = {where for path, tree in _product_trees().items() for where in id_calls(tree, path)}
    assert found <= set(ALLOWED), sorted(found - set(ALLOWED))
    assert set(ALLOWED) <= found, ("no longer calls id(): take it off ALLOWED", sorted(set(ALLOWED) - found))


def test_the_scan_sees_a_module_cache_keyed_by_id() -> None:
    source = "_SEEN = {}\ndef seen(catalog):\n    return _SEEN.setdefault(id(catalog), catalog)\n"
    assert id_calls(source, "solver/x.py") == ["solver/x.py:seen"]
    assert id_calls("KEY = id(object())\n", "solver/y.py") == ["solver/y.py:<module>"]


# -- the environment is read, never written ---------------------------------------------------------

WRITES = {"update", "setdefault", "pop", "popitem", "clear"}


def environment_writes(source: str | ast.Module, path: str) -> list[str]:
    """`path:line` of every write to os.environ (an item set or deleted, update, setdefault, pop,
    popitem, clear) and every os.putenv / os.unsetenv in `source`."""
    def environ(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ" \
            and isinstance(node.value, ast.Name) and node.value.id == "os"

    found = []
    for node in ast.walk(_tree(source, path)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
            [node.target] if isinstance(node, ast.AugAssign) else []
        if any(isinstance(target, ast.Subscript) and environ(target.value) for target in targets) \
                or isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    environ(node.func.value) and node.func.attr in WRITES
                    or isinstance(node.func.value, ast.Name) and node.func.value.id == "os"
                    and node.func.attr in ("putenv", "unsetenv")):
            found.append(node.lineno)
    return [f"{path}:{line}" for line in sorted(found)]


def test_the_product_never_writes_the_environment() -> None:
    """Settings travel as arguments (`zjtx serve` → ServiceSettings → each worker's app factory;
    a batch's job → each worker), never through os.environ."""
    assert [where for path, tree in _product_trees().items()
            for where in environment_writes(tree, path)] == []


def test_the_scan_sees_every_way_of_writing_the_environment() -> None:
    source = ('import os\nos.environ["A"] = "1"\nos.environ.update(B="2")\nos.environ.setdefault("C", "")\n'
              'del os.environ["A"]\nos.putenv("D", "4")\nos.environ.get("E")\nx = os.environ["F"]\n')
    assert environment_writes(source, "cli.py") == [f"cli.py:{line}" for line in (2, 3, 4, 5, 6)]
