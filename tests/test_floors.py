"""The house's floors (STYLE.md): front doors → views → formats → solver → models, each importing
only the floors below it, and no circle of imports anywhere (a module imported inside a function
counts: a lazy import hides a circle, it does not break it)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"models": 0, "solver": 1, "formats": 2, "views": 3, "service": 4, "cli": 4}
# Arrows that still run up, each an open debt with its issue; the test fails on any other.
KNOWN_UP = {("formats.evidence", "views.reasons"), ("formats.evidence", "views.words")}  # #25's bundle


def _graph() -> dict[str, set[str]]:
    """Project module → the project modules it imports (anywhere in its body)."""
    files = [path for path in ROOT.rglob("*.py")
             if path.relative_to(ROOT).parts[0] in FLOORS or path == ROOT / "cli.py"]
    edges: dict[str, set[str]] = defaultdict(set)
    for path in files:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        edges[module] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                edges[module] |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                edges[module] |= {alias.name for alias in node.names}
    return {module: {t for t in targets if t in edges and t != module}
            for module, targets in edges.items()}


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_circle_of_imports() -> None:
    """The language layer is the floor of models/ (models.i18n imports nothing of the project):
    catalog ↔ i18n ↔ errors ↔ yamlio was one circle (#23)."""
    edges = _graph()
    assert _circles(edges) == []
    assert edges["models.i18n"] == set()


def test_no_import_runs_up_a_floor() -> None:
    """Calendar words come from views (views/calendar.py), formats/ics.py only writes bytes."""
    up = {(module, target) for module, targets in _graph().items() for target in targets
          if FLOORS[target.split(".")[0]] > FLOORS[module.split(".")[0]]}
    assert up == KNOWN_UP


def test_the_checks_can_fail() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(edges) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_every_field_of_the_front_page_is_read() -> None:
    """index.yaml holds no field that is validated but never read (general_contact, closing_note
    and brochure_defects were, until #23): each field of its schema is read by the product."""
    from models.catalog import BrochureSpec, IndexSpec

    code = "\n".join(path.read_text(encoding="utf-8") for path in ROOT.rglob("*.py")
                     if path.relative_to(ROOT).parts[0] in FLOORS or path == ROOT / "cli.py")
    unread = [f"{spec.__name__}.{field}" for spec in (BrochureSpec, IndexSpec)
              for field in spec.model_fields if f".{field}" not in code]
    assert unread == []
