"""Where a batch's tasks run: in this process, in a local pool of processes, or on a Dask cluster
— with the same tasks, the same worker code and therefore byte-identical files.

The parent reads the input, finds its distinct inputs (`formats.batch`) and hands each task (a
list of distinct inputs) to a worker, which evaluates and encodes them and sends back encoded
lines and summary contributions; the parent writes results strictly in input order, so that the
output is the same whichever engine ran and however many workers it had.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any

from models.errors import InputError

ENGINES = ("local", "dask")


class BlockSize:
    """Rows per block: `first` at first (early progress and checkpoints, whatever the rows cost),
    then about what is evaluated in `seconds`, as measured so far, at most `most`. The output
    never depends on it (blocks are written in order); only the overhead per block and the time
    between checkpoints do."""

    def __init__(self, first: int, most: int, seconds: float = 1.0) -> None:
        self.rows, self.first, self.most, self.seconds = first, first, most, seconds
        self.started = time.monotonic()

    def __call__(self) -> int:
        return self.rows

    def done(self, rows: int) -> None:
        """`rows` evaluated since the start: the next blocks take about `seconds` each."""
        elapsed = time.monotonic() - self.started
        if rows and elapsed > 0:
            self.rows = int(min(self.most, max(self.first, rows / elapsed * self.seconds)))


class Engine:
    """Runs tasks `(function, args)` (here: at once, in this process); `window`: how many tasks
    it runs at the same time (a block's distinct inputs are cut into as many)."""

    window = 1

    def submit(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        return function(*args)

    def result(self, pending: Any) -> Any:
        return pending

    def close(self) -> None:
        pass


class PoolEngine(Engine):
    """A pool of forked processes on this machine, each initialized once."""

    def __init__(self, jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        self.pool: Any = get_context("fork").Pool(jobs, initializer, initargs)
        self.window = 2 * jobs

    def submit(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        return self.pool.apply_async(function, args)

    def result(self, pending: Any) -> Any:
        return pending.get()

    # How long close() gives Pool.terminate before it kills the workers, then before it stops
    # waiting for it (class attributes: a test shortens them).
    grace = 5.0
    patience = 20.0

    def close(self) -> None:
        """Terminate the pool, and never wait for it for ever: Pool.terminate ran on a thread of its
        own; a worker still alive `grace` seconds into it is killed, and after `patience` seconds
        the process stops waiting and goes on (the pool's threads are daemons). Pool.terminate hung
        in the suite several times (test_resume_after_an_interrupted_run_equals_a_clean_run, after
        an interrupted --jobs 2 run): once in waitpid on a worker the pool had started in place of a
        dead one, which waited for the task queue's lock that terminate holds; since in joining its
        task handler with every worker dead (17 minutes once)."""
        if self.pool is None:
            return
        pool, self.pool = self.pool, None
        terminating = threading.Thread(target=pool.terminate, daemon=True, name="zjtx pool terminate")
        terminating.start()
        terminating.join(self.grace)
        if terminating.is_alive():  # SIGKILL every worker still alive
            for process in list(getattr(pool, "_pool", ())):
                with contextlib.suppress(ProcessLookupError, TypeError):  # (gone, or never started)
                    os.kill(process.pid, signal.SIGKILL)
            terminating.join(self.patience)


class DaskEngine(Engine):
    """A Dask cluster: the scheduler at `address`, or a LocalCluster of this machine's cores bound
    to loopback (closed with the engine). The job (options, columns) goes to every worker once;
    each worker process loads the catalog once (it is cached per process)."""

    def __init__(self, address: str | None, job: Any, setup: Callable[[Any], None],
                 workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("the Dask engine needs dask and distributed",
                             field="--engine", accepted="pip install -e '.[dask]'") from None
        self.cluster = None
        try:
            if address:
                self.client: Any = Client(address, timeout="20s")  # type: ignore[no-untyped-call]
            else:
                self.cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address="127.0.0.1:0")
                self.client = Client(self.cluster)  # type: ignore[no-untyped-call]
        except OSError as exc:
            self.close()
            raise InputError(f"cannot reach the Dask scheduler: {exc}", field="--scheduler",
                             accepted="an address such as tcp://10.0.0.5:8786") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.window = 2 * threads
        self.setup = setup
        self.job = self.client.scatter(job, broadcast=True)

    def submit(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        return self.client.submit(_on_worker, self.setup, self.job, function, args, pure=False)

    def result(self, pending: Any) -> Any:
        return pending.result()

    def close(self) -> None:
        """Close the client, and the LocalCluster when the engine started one. Its workers are
        spawned processes: one that stops ends with the interpreter's teardown, whose garbage
        collections walk everything the batch left in it (several passes over a heap that grows
        with the distinct inputs); under load that took longer than the 4 s the nanny waits
        before killing ("Worker process still alive after 4.0 seconds, killing"). Each worker's
        objects are frozen first (gc.freeze: no collection visits them again), so a worker
        ends as soon as it has closed. A cluster the engine did not start is left as it is."""
        client, self.client = getattr(self, "client", None), None
        cluster, self.cluster = self.cluster, None
        if client is not None:
            if cluster is not None:
                with contextlib.suppress(OSError, TimeoutError):  # a lost worker ends anyway
                    client.run(gc.freeze, on_error="ignore")
            client.close()
        if cluster is not None:
            cluster.close()


def _on_worker(setup: Callable[[Any], None], job: Any, function: Callable[..., Any],
               args: tuple[Any, ...]) -> Any:
    setup(job)  # cheap after the first call in a worker process
    return function(*args)
