"""Where batch partitions run: in this process, in a local pool of processes, or on a Dask
cluster — with the same partitions, the same worker code and therefore byte-identical files.

A JSON Lines input is split by the parent into partitions of whole lines, each a byte range
(`Part`); a worker reads its own range from the file, parses, validates, evaluates and encodes
it, and sends back only encoded lines, counts, its part of the summary and the ids it saw (for
the duplicate check, which the parent does in row order). Other formats are read by the parent
and sent as rows. The parent writes results strictly in partition order, so that the output is
the same whichever engine ran and however many workers it had.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from models.errors import InputError

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Part:
    """Whole lines `[start, end)` of a JSON Lines file: rows `first_row`..`last_row` (line
    numbers), `rows` of them not blank."""

    start: int
    end: int
    first_row: int
    last_row: int
    rows: int


def plan_parts(handle, offset: int, number: int,
               rows_per_part: int | Callable[[], int]) -> Iterator[Part]:
    """Partitions of the binary `handle` from byte `offset`, whose next line is number `number + 1`;
    `rows_per_part` may be a function, asked at the start of each partition (`PartSize`)."""
    from formats.tables import bounded_lines, is_row, line_size

    size = rows_per_part if callable(rows_per_part) else lambda: rows_per_part
    start, first, rows, last = offset, number + 1, 0, number
    limit = size()
    for line in bounded_lines(handle):  # (a line of a gigabyte is never held: formats.tables)
        number += 1
        offset += line_size(line)
        if is_row(line):
            rows += 1
            last = number
        if rows >= limit:
            yield Part(start, offset, first, last, rows)
            start, first, rows = offset, number + 1, 0
            limit = size()
    if rows:
        yield Part(start, offset, first, last, rows)


class PartSize:
    """Rows per partition for a pool of `workers`: `first` at first (early progress and
    checkpoints, whatever the rows cost), then about what a worker evaluates in `seconds`, as
    measured so far, within [`least`, `most`]. The output never depends on it (partitions are
    written in order); only the overhead per partition and the time between checkpoints do."""

    def __init__(self, workers: int, first: int, least: int = 64, most: int = 2000,
                 seconds: float = 0.25) -> None:
        self.workers, self.rows, self.least, self.most, self.seconds = workers, first, least, most, seconds
        self.started = time.monotonic()

    def __call__(self) -> int:
        return self.rows

    def done(self, rows: int) -> None:
        """`rows` evaluated since the start: the next partitions take about `seconds` each."""
        elapsed = time.monotonic() - self.started
        if rows and elapsed > 0:
            rate = rows / elapsed / self.workers
            self.rows = int(min(self.most, max(self.least, rate * self.seconds)))


class Engine:
    """Runs tasks `(function, args)` and hands back their results in submission order, with at
    most `window` in flight (memory stays flat)."""

    window = 1

    def submit(self, function: Callable[..., Any], args: tuple) -> Any:
        return function(*args)

    def result(self, pending: Any) -> Any:
        return pending

    def ordered(self, tasks: Iterator[tuple[Any, Callable[..., Any], tuple]]) -> Iterator[tuple[Any, Any]]:
        """(meta, result) for every (meta, function, args), in order. A result is handed back
        before the next task is submitted beyond the window: in this process (window 1) a task
        runs only after the previous result was written, so an interrupt while evaluating never
        loses a finished chunk."""
        in_flight: deque = deque()
        for meta, function, args in tasks:
            in_flight.append((meta, self.submit(function, args)))
            if len(in_flight) >= self.window:
                meta, pending = in_flight.popleft()
                yield meta, self.result(pending)
        while in_flight:
            meta, pending = in_flight.popleft()
            yield meta, self.result(pending)

    def close(self) -> None:
        pass


class Sharing:
    """What pool workers tell one another between tasks (answers one worked out, that the others
    would work out again): `start()` in each worker, `fresh()` what it learned since the last
    call, `learn(items)` what another one learned. Items are plain data."""

    def __init__(self, start: Callable[[], None], fresh: Callable[[], list[Any]],
                 learn: Callable[[list[Any]], None]) -> None:
        self.start, self.fresh, self.learn = start, fresh, learn


class PoolEngine(Engine):
    """A pool of forked processes on this machine, each initialized once; with `sharing`, each
    worker has an inbox, and after each task sends what it learned to the inboxes of the others,
    which read theirs before their next task (never the parent: it only hands out tasks)."""

    def __init__(self, jobs: int, initializer: Callable[..., None], initargs: tuple,
                 sharing: Sharing | None = None) -> None:
        context = get_context("fork")
        self.inboxes: list[Any] = [context.Queue() for _ in range(jobs)] if sharing and jobs > 1 else []
        self.pool: Any = context.Pool(jobs, _pool_worker, (initializer, initargs, self.inboxes,
                                                          context.Value("i", 0), sharing))
        self.window = 2 * jobs

    def submit(self, function: Callable[..., Any], args: tuple) -> Any:
        if self.inboxes:
            return self.pool.apply_async(_shared_task, (function, args))
        return self.pool.apply_async(function, args)

    def result(self, pending: Any) -> Any:
        return pending.get()

    def close(self) -> None:
        if self.pool is not None:
            pool, self.pool = self.pool, None
            done = threading.Event()
            reaper = threading.Thread(target=_reap, args=(pool, done), daemon=True)
            reaper.start()
            try:
                pool.terminate()
            finally:
                done.set()
        for inbox in self.inboxes:
            inbox.close()
            inbox.cancel_join_thread()
        self.inboxes = []


def _reap(pool: Any, done: threading.Event, grace: float = 5.0) -> None:
    """Pool.terminate can wait forever: a worker the pool starts in place of a dead one while it
    terminates never gets SIGTERM and waits for the task queue's lock, which terminate holds (seen
    twice in the suite: the xdist worker in waitpid, the pool worker in sem_wait). A worker still
    alive `grace` seconds into terminate is killed."""
    if done.wait(grace):
        return
    for process in list(getattr(pool, "_pool", ())):
        try:
            os.kill(process.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):  # (gone already, or never started)
            pass


_SHARED: tuple[int, list[Any], Sharing] | None = None  # this pool worker's index, the inboxes


def _pool_worker(initializer: Callable[..., None], initargs: tuple, inboxes: list[Any],
                 counter: Any, sharing: Sharing | None) -> None:
    global _SHARED
    initializer(*initargs)
    if inboxes and sharing is not None:
        with counter.get_lock():  # (a worker the pool starts again in place of a dead one
            index = counter.value % len(inboxes)  # shares an inbox: what it reads are hints)
            counter.value += 1
        for inbox in inboxes:  # a worker stopped by the parent never waits on a full inbox
            inbox.cancel_join_thread()
        _SHARED = (index, inboxes, sharing)
        sharing.start()


def _shared_task(function: Callable[..., Any], args: tuple) -> Any:
    """A task in a sharing pool worker: first what the others learned, then the task, then what
    it learned, to the others."""
    if _SHARED is None:
        return function(*args)
    index, inboxes, sharing = _SHARED
    while True:
        try:
            learned = inboxes[index].get_nowait()
        except queue.Empty:
            break
        sharing.learn(learned)
    result = function(*args)
    fresh = sharing.fresh()
    if fresh:
        for other, inbox in enumerate(inboxes):
            if other != index:
                inbox.put(fresh)
    return result


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
                self.client: Any = Client(address, timeout="20s")
            else:
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                            threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address="127.0.0.1:0")
                self.client = Client(self.cluster)
        except OSError as exc:
            self.close()
            raise InputError(f"cannot reach the Dask scheduler: {exc}", field="--scheduler",
                             accepted="an address such as tcp://10.0.0.5:8786") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.window = 2 * threads
        self.setup = setup
        self.job = self.client.scatter(job, broadcast=True)

    def submit(self, function: Callable[..., Any], args: tuple) -> Any:
        return self.client.submit(_on_worker, self.setup, self.job, function, args, pure=False)

    def result(self, pending: Any) -> Any:
        return pending.result()

    def close(self) -> None:
        client, self.client = getattr(self, "client", None), None
        if client is not None:
            client.close()
        cluster, self.cluster = self.cluster, None
        if cluster is not None:
            cluster.close()


def _on_worker(setup: Callable[[Any], None], job: Any, function: Callable[..., Any], args: tuple) -> Any:
    setup(job)  # cheap after the first call in a worker process
    return function(*args)


def read_part(path: str, part: Part) -> Iterator[bytes]:
    """The lines of a partition, read by the worker itself (as `formats.tables.bounded_lines`
    reads them: a line longer than the limit is never held)."""
    from formats.tables import bounded_lines, line_size

    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise InputError(f"a worker cannot read the input ({exc.strerror}); with a remote Dask "
                         "cluster the input must be at the same path on every worker",
                         file=path) from None
    with handle:
        handle.seek(part.start)
        read = 0
        for line in bounded_lines(_Window(handle, part.end - part.start)):
            read += line_size(line)
            yield line
    if read != part.end - part.start:
        raise InputError("the input changed while the batch was running", file=path)


class _Window:
    """`readline` within the next `size` bytes of a binary handle."""

    def __init__(self, handle: Any, size: int) -> None:
        self.handle, self.left = handle, size

    def readline(self, limit: int) -> bytes:
        line = self.handle.readline(min(limit, self.left)) if self.left > 0 else b""
        self.left -= len(line)
        return line
