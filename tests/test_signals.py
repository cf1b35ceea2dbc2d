"""A long batch that talks and stops cleanly: progress lines on stderr when it is not on a
terminal; SIGINT (Ctrl-C, sent to the whole process group as a terminal does) and SIGTERM stop
the workers without a traceback, keep the checkpoint, print the hint and exit 130 / 143; then
`--resume` completes with nothing lost or doubled (byte-identical to an uninterrupted run)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.population import population
from formats.progress import ProgressLines

ROOT = Path(__file__).resolve().parent.parent
SIZE = 1000
ARGS = ("--best-district", "--move-date", "2026-12-31")  # slow rows: a run lasts long enough
# The run to interrupt checkpoints after every block (the first is 256 rows) and writes a progress
# line every 0.2 s: the same code, sooner, so that a signal finds it mid-way however fast rows get.
SOONER = ("import formats.batch, formats.progress; formats.batch.CHECKPOINT_SECONDS = 0; "
          "formats.progress.EVERY_SECONDS = 0.2; ")
# One clean run of 1,000 rows serves both signals (a module fixture): both on one xdist worker.
pytestmark = pytest.mark.xdist_group("signals")
HINT = re.compile(r"^zjtx: interrupted after ([\d,]+) rows; rerun the same command with --resume$",
                  re.MULTILINE)


def zjtx(*args, start: str = "") -> list[str]:
    return [sys.executable, "-c", start + "from cli import app; app()", *map(str, args)]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("signals")
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in population(SIZE, seed=8)),
                    encoding="utf-8")
    clean = subprocess.run(zjtx("batch", path, "--out", folder / "clean.csv", *ARGS), cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert clean.returncode in (0, 1), clean.stderr
    return path, (folder / "clean.csv").read_bytes()


def _interrupt(args: list, checkpoint: Path, log: Path, signum: int, *, group: bool,
               wait_for_progress: bool) -> subprocess.CompletedProcess:
    """Start a batch, wait until a checkpoint shows work done (and a progress line, if asked),
    send the signal; the finished process."""
    with log.open("w") as stderr:
        process = subprocess.Popen(zjtx("batch", *args, start=SOONER), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=stderr, start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                assert process.poll() is None, "the run ended before it could be interrupted"
                try:
                    done = json.loads(checkpoint.read_text(encoding="utf-8"))["rows_in"]
                except (FileNotFoundError, json.JSONDecodeError, KeyError):
                    done = 0
                talked = "rows/s" in log.read_text() or not wait_for_progress
                if 0 < done < SIZE and talked:
                    break
                time.sleep(0.05)
            if group:  # as Ctrl-C in a terminal: the parent and its workers
                os.killpg(process.pid, signum)
            else:
                process.send_signal(signum)
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, "", log.read_text())


@pytest.mark.slow
@pytest.mark.parametrize("signum, status, jobs, group", [
    (signal.SIGINT, 130, 2, True),
    (signal.SIGTERM, 143, 1, False),
])
def test_signal_stops_cleanly_and_resume_completes(tmp_path: Path, source, signum, status, jobs, group):
    path, clean = source
    out = tmp_path / "out.csv"
    checkpoint = tmp_path / "out.csv.zjtx-checkpoint.json"
    args = [path, "--out", out, "--jobs", jobs, *ARGS]
    stopped = _interrupt(args, checkpoint, tmp_path / "stderr.txt", signum, group=group,
                         wait_for_progress=signum == signal.SIGTERM)
    assert stopped.returncode == status, stopped.stderr
    assert "Traceback" not in stopped.stderr and "KeyboardInterrupt" not in stopped.stderr
    found = HINT.search(stopped.stderr)
    assert found, stopped.stderr
    done = int(found.group(1).replace(",", ""))
    state = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert 0 < done == state["rows_in"] < SIZE  # the checkpoint holds every row it reports
    if signum == signal.SIGTERM:  # not a terminal: plain progress lines
        assert re.search(r"zjtx batch: [\d,]+ of ~1,000 rows \(\d+%\), \d+ errors, [\d,]+ rows/s, "
                         r"about .+ left", stopped.stderr), stopped.stderr

    resumed = subprocess.run(zjtx("batch", *args, "--resume"), cwd=ROOT, capture_output=True,
                             text=True, timeout=600)
    assert resumed.returncode in (0, 1), resumed.stderr
    assert f"(resumed after row {done})" in resumed.stderr
    assert out.read_bytes() == clean  # nothing lost, nothing doubled, same order
    assert not checkpoint.exists()


def test_progress_lines():
    now = [0.0]
    lines: list[str] = []
    progress = ProgressLines(lines.append, total=1000, every=3, clock=lambda: now[0])
    now[0] = 1
    progress(100, 0)
    assert lines == []  # not yet: a line every few seconds
    now[0] = 4
    progress(400, 2)
    assert lines == ["zjtx batch: 400 of ~1,000 rows (40%), 2 errors, 100 rows/s, about 6 s left"]
    now[0] = 5
    progress(500, 2)
    assert len(lines) == 1
