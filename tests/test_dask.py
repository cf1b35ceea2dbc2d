"""`zjtx batch --engine dask`: on a two-worker LocalCluster (loopback, closed by the fixture), the
output, errors and summary files are byte-identical to the local engine's, with bad rows and
duplicates across blocks; a killed Dask run resumes by finished blocks."""

from __future__ import annotations

import csv
import json
import logging
import os
from pathlib import Path

import pytest

from models.catalog import load_catalog
from tests.test_batch import _Interrupted, _interrupt_after, _mixed_input, counts_of, invoke

distributed = pytest.importorskip("distributed")
# A cluster of processes: slow; one cluster per run, on one worker of `pytest -n 2`.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]


@pytest.fixture
def scheduler(dask_scheduler: str) -> str:
    """The session's two-worker LocalCluster on loopback (tests/conftest.py)."""
    return dask_scheduler


@pytest.fixture
def small_parts(monkeypatch):
    """Blocks of 150 rows: several per run, a duplicate id across two of them."""
    import formats.batch

    monkeypatch.setattr(formats.batch, "FIRST_ROWS", 150)
    monkeypatch.setattr(formats.batch, "MOST_ROWS", 150)


def _files(folder: Path, name: str, kind: str) -> tuple[bytes, bytes, bytes]:
    return tuple((folder / f).read_bytes()
                 for f in (f"{name}{kind}", f"{name}-errors.csv", f"{name}.json"))


@pytest.mark.parametrize("kind", [".csv", ".jsonl"])
def test_dask_output_is_byte_identical_to_local(tmp_path: Path, scheduler: str, small_parts, kind: str):
    source = _mixed_input(tmp_path, 1000)  # bad rows and a duplicate of an earlier block's id
    runs = {"local": ("--jobs", 1), "pool": ("--jobs", 2),
            "dask": ("--engine", "dask", "--scheduler", scheduler)}
    for name, extra in runs.items():
        result = invoke("batch", source, "--out", tmp_path / f"{name}{kind}", "--errors",
                        tmp_path / f"{name}-errors.csv", "--summary", tmp_path / f"{name}.json", *extra)
        assert result.exit_code == 1, (result.stderr, result.exception)
        assert counts_of(result) == (1000, 997, 3)
    assert _files(tmp_path, "dask", kind) == _files(tmp_path, "local", kind) == _files(tmp_path, "pool", kind)
    errors = (tmp_path / "dask-errors.csv").read_text(encoding="utf-8")
    assert "duplicate id" in errors and "first used at row 4" in errors


def test_dask_resumes_by_finished_blocks(tmp_path: Path, scheduler: str, small_parts, monkeypatch):
    import formats.batch
    from formats.batch import run_batch
    from views.notices import notices_text
    from solver.batch import BatchOptions

    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 0)
    source = _mixed_input(tmp_path, 1000)
    out = tmp_path / "out.csv"
    options = BatchOptions(readings=load_catalog().resolve_readings({}))
    with pytest.raises(_Interrupted):
        run_batch(source, out, None, options, engine="dask", scheduler=scheduler,
                  summary_path=tmp_path / "summary.json", on_progress=_interrupt_after(300),
                  words=notices_text)
    state = json.loads((tmp_path / "out.csv.zjtx-checkpoint.json").read_text())
    assert state["rows_in"] == 300  # two whole blocks of 150
    resumed = invoke("batch", source, "--out", out, "--summary", tmp_path / "summary.json",
                     "--resume", "--engine", "dask", "--scheduler", scheduler)
    clean = invoke("batch", source, "--out", tmp_path / "clean.csv", "--summary", tmp_path / "clean.json")
    assert "resumed after row 300" in resumed.stderr
    for result in (resumed, clean):
        assert counts_of(result) == (1000, 997, 3)
    assert out.read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert (tmp_path / "out.errors.csv").read_bytes() == (tmp_path / "clean.errors.csv").read_bytes()
    assert (tmp_path / "summary.json").read_bytes() == (tmp_path / "clean.json").read_bytes()


def _worker_processes() -> set[int]:
    """This process's children that are spawned worker processes (a LocalCluster's workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z" \
                    and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_dask_default_local_cluster_and_csv_input(tmp_path: Path, monkeypatch):
    """Without --scheduler: a LocalCluster of --jobs workers on loopback, closed at the end; a CSV
    input goes to the workers as rows. The close is clean: each worker's objects are frozen
    before it is asked to stop (its teardown then walks none of them: under load those walks
    outlasted the 4 s the nanny waits), nothing is logged ("Worker process still alive after 4.0
    seconds, killing"), and no worker process is left."""
    import gc

    from tests.test_batch import write_csv
    from benchmarks.population import population

    frozen: list[dict[str, int]] = []
    close = distributed.Client.close

    def watched_close(client, *args, **kwargs):
        if client.status == "running":  # (not again from Client.__del__)
            frozen.append(client.run(gc.get_freeze_count))  # the workers as they are asked to stop
        return close(client, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "close", watched_close)
    source = write_csv(tmp_path / "in.csv", list(population(60, seed=8)))
    before, logged = _worker_processes(), _Warnings()
    logging.getLogger("distributed").addHandler(logged)
    try:
        dask = invoke("batch", source, "--out", tmp_path / "dask.csv", "--engine", "dask", "--jobs", 2)
    finally:
        logging.getLogger("distributed").removeHandler(logged)
    local = invoke("batch", source, "--out", tmp_path / "local.csv")
    assert dask.exit_code == local.exit_code == 0, dask.stderr
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    assert len(frozen) == 1 and len(frozen[0]) == 2 and all(frozen[0].values()), frozen
    assert logged.messages == [] and "killing" not in dask.stderr, logged.messages
    assert _worker_processes() <= before  # the cluster's workers ended and were reaped


def test_scheduler_without_dask_engine_is_refused(tmp_path: Path):
    from tests.support import assert_input_error

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "E-1", "district": "haidian"}\n', encoding="utf-8")
    assert_input_error(invoke("batch", source, "--out", tmp_path / "o.csv", "--scheduler",
                              "tcp://127.0.0.1:1"), "--scheduler")


# -- zjtx sweep ---------------------------------------------------------------------------------------

REFORM = "dongcheng.tier.national.amount=600000..1000000:100000"


def test_sweep_costs_equal_on_both_engines_and_equal_batch_scenario_runs(tmp_path: Path, scheduler: str,
                                                                        small_parts):
    source = _mixed_input(tmp_path, 700)  # bad rows and a duplicate: left out of every cost
    local = invoke("sweep", source, "--reform", REFORM, "--out", tmp_path / "local.csv")
    dask = invoke("sweep", source, "--reform", REFORM, "--out", tmp_path / "dask.csv",
                  "--engine", "dask", "--scheduler", scheduler)
    for result in (local, dask):
        assert result.exit_code == 1, (result.stderr, result.exception)  # 3 rows failed
        assert counts_of(result) == (700, 697, 3)
    assert (tmp_path / "local.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()
    assert (tmp_path / "local.png").stat().st_size > 0
    with (tmp_path / "local.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    values = sorted({int(r["value"]) for r in table})
    assert values == [600000, 700000, 800000, 900000, 1000000]
    for value in values:
        result = invoke("batch", source, "--out", tmp_path / f"b{value}.csv", "--summary",
                        tmp_path / f"b{value}.json", "--scenario",
                        f"dongcheng.tier.national.amount={value}")
        assert counts_of(result) == (700, 697, 3)
        summary = json.loads((tmp_path / f"b{value}.json").read_text(encoding="utf-8"))
        rows = {(r["paying_district"], r["claim_year"]): r for r in table if int(r["value"]) == value}
        total = rows["all", "all"]
        assert (int(total["cost_min"]), int(total["cost_max"])) == \
            (summary["cost_of_scenario"]["min"], summary["cost_of_scenario"]["max"])
        for district, cell in summary["scenario"]["by_paying_district"].items():
            base = summary["baseline"]["by_paying_district"].get(district, {"min": 0, "max": 0})
            assert int(rows[district, "all"]["cost_max"]) == cell["max"] - base["max"], district
        for year, cell in summary["scenario"]["by_claim_year"].items():
            base = summary["baseline"]["by_claim_year"].get(year, {"min": 0, "max": 0})
            assert int(rows["all", year]["cost_min"]) == cell["min"] - base["min"], year
    costs = [int(r["cost_max"]) for r in table if r["paying_district"] == r["claim_year"] == "all"]
    assert costs[0] < 0 < costs[-1] and costs[2] == 0  # 800,000 is the catalog's own amount


def test_sweep_refuses_a_bad_reform(tmp_path: Path):
    from tests.support import assert_input_error

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "E-1", "district": "haidian"}\n', encoding="utf-8")
    assert_input_error(invoke("sweep", source, "--reform", "dongcheng.tier.amount=5..1:1"), "--reform")
    assert_input_error(invoke("sweep", source, "--reform", "nowhere.tier.amount=1..5:1"), "nowhere")


def test_jobs_sets_the_workers_of_the_local_cluster():
    """`--engine dask --jobs N` (no scheduler) starts a LocalCluster of N workers; without
    `--jobs`, one per core of this machine."""
    import os

    from formats.batch import engine_for

    def init(job, worker=False):
        pass

    for jobs, expected in ((1, 1), (None, os.cpu_count() or 1)):
        engine = engine_for("dask", jobs, None, {"job": 1}, init)
        try:
            assert len(engine.client.nthreads()) == expected
        finally:
            engine.close()


def test_dask_workers_speak_the_language_of_the_command(tmp_path: Path, scheduler: str, small_parts):
    """`--lang zh` reaches the workers of a cluster started before the command (as a bureau's
    cluster is): their warnings and error messages are the local engine's, in Chinese."""
    source = _mixed_input(tmp_path, 700)
    for name, extra in {"local": (), "dask": ("--engine", "dask", "--scheduler", scheduler)}.items():
        result = invoke("batch", source, "--lang", "zh", "--out", tmp_path / f"{name}.csv",
                        "--errors", tmp_path / f"{name}-errors.csv", *extra)
        assert result.exit_code == 1, (result.stderr, result.exception)
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    errors = (tmp_path / "dask-errors.csv").read_text(encoding="utf-8-sig")
    assert errors == (tmp_path / "local-errors.csv").read_text(encoding="utf-8-sig")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors.split("\n", 1)[1]), errors
