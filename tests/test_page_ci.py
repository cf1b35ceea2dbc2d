"""The page tests never skip silently: without Chromium they are skipped with a line naming the
install, and under CI=true a missing browser fails the run (.ci/run installs Chromium first)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _page_tests(ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": ci, "ZJTX_CHROMIUM": "/nonexistent/chromium"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_page.py",
                           "-k", "bundled_font_is_loaded"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_under_ci_a_missing_browser_fails_the_run() -> None:
    done = _page_tests("true")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "apt-get install chromium" in done.stdout and "CI=true" in done.stdout


def test_elsewhere_a_missing_browser_is_said_out_loud() -> None:
    done = _page_tests("")
    assert done.returncode == 5, done.stdout[-2000:]  # nothing ran: not a pass
    assert "NOT RUN: tests/test_page.py" in done.stdout and "apt-get install chromium" in done.stdout
