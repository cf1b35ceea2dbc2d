"""The local pool's close never waits for ever (formats.engines.PoolEngine.close): Pool.terminate
hung the suite several times after an interrupted `--jobs 2` run. A pool whose terminate never
returns stands in for it here: close kills the workers and goes on."""

from __future__ import annotations

import subprocess
import sys
import threading
from types import SimpleNamespace

from formats.engines import PoolEngine


class _StuckPool:
    """terminate() blocks until released, as Pool.terminate did when it hung."""

    def __init__(self, workers: list[subprocess.Popen[bytes]]) -> None:
        self._pool = [SimpleNamespace(pid=worker.pid) for worker in workers]
        self.released = threading.Event()
        self.terminating = threading.Event()

    def terminate(self) -> None:
        self.terminating.set()
        self.released.wait()


def test_close_kills_the_workers_of_a_pool_whose_terminate_hangs_and_goes_on(monkeypatch) -> None:
    monkeypatch.setattr(PoolEngine, "grace", 0.2)
    monkeypatch.setattr(PoolEngine, "patience", 0.2)
    workers = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) for _ in range(2)]
    try:
        pool = _StuckPool(workers)
        engine = PoolEngine.__new__(PoolEngine)
        engine.pool = pool
        engine.close()  # returns although terminate never does
        assert pool.terminating.is_set()
        assert [worker.wait(timeout=30) for worker in workers] == [-9, -9]  # killed, not waited for
        assert engine.pool is None
        engine.close()  # a second close does nothing
    finally:
        pool.released.set()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def test_close_of_a_pool_that_terminates_kills_nothing(monkeypatch) -> None:
    monkeypatch.setattr(PoolEngine, "grace", 30.0)
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        pool = _StuckPool([worker])
        pool.released.set()  # terminate returns at once
        engine = PoolEngine.__new__(PoolEngine)
        engine.pool = pool
        engine.close()
        assert worker.poll() is None  # a pool that terminated is not second-guessed
    finally:
        worker.kill()
        worker.wait()
