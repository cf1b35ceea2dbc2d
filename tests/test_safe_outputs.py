"""Safe outputs and honest resume (issue 14): an output that is the input (a hard link too), a
directory or an unwritable place is refused before anything is touched; `--resume` refuses, with
a clear message, when the input or what the checkpoint wrote has changed (before: the input
emptied, a traceback, or an output padded with NUL bytes and reported a success)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import formats.batch
from benchmarks.population import population
from cli import app
from formats.batch import PARTIAL_SUFFIX, run_batch
from views.notices import notices_text
from models.catalog import load_catalog
from solver.batch import BatchOptions
from tests.support import assert_input_error

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def write_input(folder: Path, size: int = 600) -> Path:
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in population(size, seed=5)),
                    encoding="utf-8")
    return path


class Stop(Exception):
    pass


def interrupted_run(folder: Path, monkeypatch) -> tuple[Path, Path]:
    """A run stopped after its second chunk, with a checkpoint: (input, out)."""
    source, out = write_input(folder), folder / "out.csv"
    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 0)

    def stop(counts) -> None:
        if counts.rows_in >= 300:
            raise Stop
    with pytest.raises(Stop):
        run_batch(source, out, None, BatchOptions(readings=load_catalog().resolve_readings({})),
                  on_progress=stop, words=notices_text)
    monkeypatch.undo()
    return source, out


def test_out_hard_linked_to_the_input_is_refused(tmp_path: Path):
    source = write_input(tmp_path, 20)
    before = source.read_bytes()
    os.link(source, tmp_path / "link.jsonl")
    assert_input_error(invoke("batch", source, "--out", tmp_path / "link.jsonl"), "--out",
                       "overwrite the input")
    assert source.read_bytes() == before


@pytest.mark.parametrize("option", ["--out", "--errors", "--summary"])
def test_an_output_that_is_a_directory_is_refused(tmp_path: Path, option: str):
    source = write_input(tmp_path, 20)
    folder = tmp_path / ("d.json" if option == "--summary" else "d.csv")
    folder.mkdir()
    args = ["--out", tmp_path / "out.csv", option, folder] if option != "--out" else ["--out", folder]
    assert_input_error(invoke("batch", source, *args), option, "is a directory")


@pytest.mark.parametrize("option", ["--out", "--summary"])
def test_an_output_under_a_file_is_a_clear_error(tmp_path: Path, option: str):
    source = write_input(tmp_path, 20)
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    name = "s.json" if option == "--summary" else "o.csv"
    args = ["--out", tmp_path / "out.csv", option, blocker / name] if option != "--out" \
        else ["--out", blocker / name]
    assert_input_error(invoke("batch", source, *args), option, "cannot create the folder")
    assert not (tmp_path / "out.csv").exists()


def test_resume_continues_when_nothing_changed(tmp_path: Path, monkeypatch):
    source, out = interrupted_run(tmp_path, monkeypatch)
    assert not out.exists() and (tmp_path / ("out.csv" + PARTIAL_SUFFIX)).exists()
    result = invoke("batch", source, "--out", out, "--resume")
    assert result.exit_code in (0, 1), result.stderr
    assert "resumed after row" in result.stderr
    clean = invoke("batch", source, "--out", tmp_path / "clean.csv")
    assert out.read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert clean.exit_code == result.exit_code


@pytest.mark.parametrize(("damage", "phrase"), [
    ("delete", "missing"), ("truncate", "shorter"), ("change", "was changed"),
])
def test_resume_refuses_a_damaged_partial_output(tmp_path: Path, monkeypatch, damage: str,
                                                phrase: str):
    source, out = interrupted_run(tmp_path, monkeypatch)
    partial = tmp_path / ("out.csv" + PARTIAL_SUFFIX)
    data = partial.read_bytes()
    if damage == "delete":
        partial.unlink()
    elif damage == "truncate":
        partial.write_bytes(data[:len(data) // 2])
    else:
        partial.write_bytes(data[:100] + (b"X" if data[100:101] != b"X" else b"Y") + data[101:])
    assert_input_error(invoke("batch", source, "--out", out, "--resume"), "--resume", phrase)
    assert b"\x00" not in (partial.read_bytes() if partial.exists() else b"")


def test_resume_refuses_a_new_errors_path(tmp_path: Path, monkeypatch):
    source, out = interrupted_run(tmp_path, monkeypatch)
    assert_input_error(invoke("batch", source, "--out", out, "--errors", tmp_path / "other.csv",
                              "--resume"), "--resume", "--errors")


def test_resume_notices_an_edited_input(tmp_path: Path, monkeypatch):
    source, out = interrupted_run(tmp_path, monkeypatch)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[10]  # a row the killed run already wrote
    source.write_text("".join(lines), encoding="utf-8")
    assert_input_error(invoke("batch", source, "--out", out, "--resume"), "--resume",
                       "input changed")
