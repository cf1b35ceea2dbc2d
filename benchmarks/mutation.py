"""A small mutation harness: break the compiler and the explainer one line at a time and see
whether the hand-computed cases notice.

    python benchmarks/mutation.py                       # every mutant of solver/compile.py and solver/explain.py
    python benchmarks/mutation.py --named               # only the five named mutants of issue #19
    python benchmarks/mutation.py --files solver/compile.py --jobs 2 --pytest tests/test_reasons.py

Each mutant is one small change of the module's syntax tree (a comparison turned into its
neighbour, `and` into `or`, `+` into `-`, `max` into `min`, a constant moved by one, a condition
negated) or one of the named source patches below; it is imported in a fresh process in place of
the real module (an import hook serves the mutated source, nothing on disk changes) and the cases
of `tests/cases/` are checked under the exact solver (`tests.test_cases.check_case`; `--pytest`
runs pytest on the given files instead). A mutant is killed when a case fails (or the module
cannot even be imported), and survives otherwise; the survivors are printed with their line, so
that each can be read and either killed by a new case or recognised as equivalent.
"""

from __future__ import annotations

import argparse
import ast
import importlib.abc
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTROL = -2  # the child's index for the unmutated module (a control run)
DEFAULT_FILES = ("solver/compile.py", "solver/explain.py")

# The five one-line bugs a manual check found the suite blind to (issue #19): (file, what the
# code says, what the bug says instead). Each must be killed by the cases.
NAMED = {
    "effective_to ignored": (
        "solver/compile.py", "(spec.effective_to and day > spec.effective_to)", "False"),
    "relocation reward paid by the current district": (
        "solver/compile.py", "paid_by=district, projected=self.projected(event_date), why=why,",
        "paid_by=self.record.district, projected=self.projected(event_date), why=why,"),
    "district listing subsidy paid by the wrong district": (
        "solver/compile.py", "district = self.record.district_on(_last_day(award.claim_year))",
        "district = self.record.district"),
    "cap not reduced by rewards already received": (
        "solver/compile.py", "self.out.caps[key] = max(0, cap.limit - used)",
        "self.out.caps[key] = max(0, cap.limit)"),
    "<= turned into < in the Mentougou continuity check": (
        "solver/compile.py", "move_date < m.date <= first.date", "move_date < m.date < first.date"),
}

_COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                  ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
                  ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult}
_CALL_SWAPS = {"max": "min", "min": "max", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutant:
    file: str
    index: int          # the n-th mutation point of the file (or -1 for a named patch)
    line: int
    what: str

    def label(self) -> str:
        return f"{self.file}:{self.line}: {self.what}"


class _Mutator(ast.NodeTransformer):
    """Walks a tree counting mutation points; with `target`, applies the target-th one."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.count = 0
        self.found: list[tuple[int, str]] = []

    def _point(self, node: ast.AST, what: str) -> bool:
        hit = self.count == self.target
        self.found.append((getattr(node, "lineno", 0), what))
        self.count += 1
        return hit

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if node.body and isinstance(node.body[0], ast.Expr) and isinstance(
                getattr(node.body[0], "value", None), ast.Constant):
            node.body = [node.body[0]] + [self.visit(n) for n in node.body[1:]]  # skip docstrings
            return node
        self.generic_visit(node)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            swap = _COMPARE_SWAPS.get(type(op))
            if swap and self._point(node, f"{type(op).__name__} -> {swap.__name__}"):
                node.ops[i] = swap()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._point(node, f"{type(node.op).__name__} -> {other.__name__}"):
            node.op = other()
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        swap = _BINOP_SWAPS.get(type(node.op))
        if swap and self._point(node, f"{type(node.op).__name__} -> {swap.__name__}"):
            node.op = swap()
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in _CALL_SWAPS:
            swap = _CALL_SWAPS[node.func.id]
            if self._point(node, f"{node.func.id}() -> {swap}()"):
                node.func = ast.Name(id=swap, ctx=ast.Load())
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if type(node.value) is int and self._point(node, f"{node.value} -> {node.value + 1}"):
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        self.generic_visit(node)
        if self._point(node, "if condition negated"):
            node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        return node


def mutation_points(source: str) -> list[tuple[int, str]]:
    walker = _Mutator()
    walker.visit(ast.parse(source))
    return walker.found


def mutated(source: str, index: int) -> str:
    tree = _Mutator(index).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def named_source(name: str) -> tuple[str, str]:
    """(file, mutated source) of a named mutant; the patch must apply exactly once."""
    file, old, new = NAMED[name]
    source = (ROOT / file).read_text(encoding="utf-8")
    if source.count(old) != 1:
        raise SystemExit(f"named mutant {name!r}: {old!r} is not once in {file}")
    return file, source.replace(old, new)


def mutants(files: tuple[str, ...]) -> Iterator[Mutant]:
    for file in files:
        source = (ROOT / file).read_text(encoding="utf-8")
        for index, (line, what) in enumerate(mutation_points(source)):
            yield Mutant(file, index, line, what)


# -- the child: import the mutated module in place of the real one, then check -----------------

class _Serve(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, module: str, source: str, path: str) -> None:
        self.module, self.source, self.path = module, source, path

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name == self.module:
            return importlib.util.spec_from_loader(name, self, origin=self.path)
        return None

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        module.__file__ = self.path
        exec(compile(self.source, self.path, "exec"), module.__dict__)  # noqa: S102 - our own source


def _child(file: str, source: str, pytest_args: list[str]) -> int:
    """Run the checks with `source` served for `file`: 1 when a check fails (killed), 0 else."""
    sys.path.insert(0, str(ROOT))
    module = file.removesuffix(".py").replace("/", ".")
    sys.meta_path.insert(0, _Serve(module, source, str(ROOT / file)))
    try:
        if pytest_args:
            import pytest
            return 0 if pytest.main(["-x", "-q", "-p", "no:cacheprovider", *pytest_args]) == 0 else 1
        from tests.test_cases import CASES, check_case
        for path in CASES:
            check_case(path, "exact")
    except Exception:  # noqa: BLE001 - any failure (an assertion, an import error) kills it
        return 1
    return 0


def run_one(mutant: Mutant, pytest_args: list[str], timeout: float) -> bool:
    """Is the mutant killed? (A mutant that hangs past `timeout` counts as killed.)"""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mutant.file,
               str(mutant.index), "--what", mutant.what, *(["--pytest", *pytest_args] if pytest_args else [])]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=timeout,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired:
        return True
    return done.returncode != 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs="+", default=list(DEFAULT_FILES))
    parser.add_argument("--named", action="store_true", help="only the five named mutants")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="at most this many mutants (0: all)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--pytest", nargs="*", default=[], help="pytest arguments instead of the cases")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "INDEX"), help=argparse.SUPPRESS)
    parser.add_argument("--what", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        file, index = args.child[0], int(args.child[1])
        if index == CONTROL:  # the module as it is: the checks must pass
            source = (ROOT / file).read_text(encoding="utf-8")
        elif index < 0:
            _file, source = named_source(args.what)
        else:
            source = mutated((ROOT / file).read_text(encoding="utf-8"), index)
        return _child(file, source, args.pytest)

    if args.named:
        todo = [Mutant(NAMED[name][0], -1, 0, name) for name in NAMED]
    else:
        todo = list(mutants(tuple(args.files)))
        if args.limit:
            todo = todo[:args.limit]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        killed = list(pool.map(lambda m: run_one(m, args.pytest, args.timeout), todo))
    survivors = [m for m, dead in zip(todo, killed) if not dead]
    for m in survivors:
        print(f"survived: {m.label()}")
    print(f"{len(todo)} mutants, {len(todo) - len(survivors)} killed, {len(survivors)} survived "
          f"({time.perf_counter() - started:.0f} s, --jobs {args.jobs})")
    return 1 if args.named and survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
