"""The five one-line bugs that the suite once let pass (issue #19) are each caught by the cases:
the mutation harness (benchmarks/mutation.py) applies each in a fresh process and checks the
cases; a control run with the code as it is must pass, so that a kill means the bug was seen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.mutation import CONTROL, NAMED

ROOT = Path(__file__).resolve().parent.parent
HARNESS = str(ROOT / "benchmarks" / "mutation.py")


def test_the_five_named_mutants_are_killed_by_the_cases() -> None:
    assert len(NAMED) == 5
    control = subprocess.run([sys.executable, HARNESS, "--child", "solver/compile.py", str(CONTROL)],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert control.returncode == 0, control.stdout + control.stderr
    done = subprocess.run([sys.executable, HARNESS, "--named", "--jobs", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 mutants, 5 killed, 0 survived" in done.stdout, done.stdout
