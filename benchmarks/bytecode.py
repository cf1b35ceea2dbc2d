"""Compile the project's bytecode before a timed run, as any first run leaves it (a machine with
PYTHONDONTWRITEBYTECODE=1, as this project's development machine, never writes it: every run
there would otherwise compile the sources again, about 0.07 s, and measure that too)."""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "solver", "formats", "views", "service", "benchmarks")


def compile_project(root: Path = ROOT) -> None:
    """Compile the tree at `root` (default: this one)."""
    for package in PACKAGES:
        compileall.compile_dir(root / package, quiet=1)
    compileall.compile_file(root / "cli.py", quiet=1)
