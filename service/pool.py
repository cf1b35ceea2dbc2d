"""Evaluation in processes that can be stopped (issue 20, "the service under load").

The server hands each evaluation to one of a fixed number of worker processes (`serve
--eval-threads`, default 2: the bound on evaluations at once) and waits for its answer without
blocking the event loop. When a request's time budget is spent the server answers 503 and kills
that process (SIGKILL): no work for the request remains, and a new process takes its place on the
next request. A thread cannot be stopped; a process can.

A worker is forked from a server process that has imported the service's roads and evaluated
one record once (multiprocessing's forkserver, service.warm), then opens the app's package (or
receives the app's catalog, when it was given one); each task carries the function
(service.answers: plain data in, JSON bytes out), its arguments and the request's language.
An error the function raises travels back and is raised again in the server (a ZjtxError keeps
its field and problems), so the problem bodies are the same as in one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar, cast

import anyio
import anyio.to_thread

from models.catalog import Catalog, open_catalog, using_catalog
from models.errors import BugError
from models.i18n import current_lang, t, using_lang
from models.limits import EVAL_THREADS, TIME_BUDGET_SECONDS
from service.settings import MAX_WAITING

T = TypeVar("T")
log = logging.getLogger("zjtx.service")

# Workers fork from a process that imported the roads once: a new worker is ready in milliseconds.
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["service.warm"])


class Busy(Exception):
    """The request waited too long, or too many wait: answered 503."""


# The app's catalog, or the package to open in each process (None: the shipped one): a package
# opened by path is the one service.warm warmed in the forkserver (open_catalog loads it once).
CatalogSource = Catalog | str | None


def _serve(inbox: Connection, source: CatalogSource) -> None:
    """A worker's life: answer tasks one at a time until the server closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    catalog = source if isinstance(source, Catalog) else open_catalog(source)
    while True:
        try:
            work, args, lang = inbox.recv()
        except (EOFError, OSError):
            return
        try:
            with using_catalog(catalog), using_lang(lang):
                answer: tuple[str, object] = ("ok", work(*args))
        except Exception as exc:  # noqa: BLE001 - raised again in the server, as it was
            answer = ("error", _portable(exc))
        inbox.send(answer)


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling, else a BugError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return BugError(f"{type(exc).__name__}: {str(exc)[:200]}")


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, catalog: CatalogSource) -> None:
        self.pipe, theirs = CONTEXT.Pipe()
        self.process = CONTEXT.Process(target=_serve, args=(theirs, catalog), daemon=True,
                                       name="zjtx-evaluation")
        self.process.start()
        theirs.close()

    def stop(self) -> None:
        """Kill at once (the budget is spent: no work may remain) and reap."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.pipe.close()


class Workers:
    """A fixed number of evaluation processes, a time budget per request, and a bounded queue."""

    def __init__(self, processes: int = EVAL_THREADS, budget: float = TIME_BUDGET_SECONDS,
                 max_waiting: int = MAX_WAITING, *, catalog: CatalogSource) -> None:
        self.size = processes
        self.budget = budget
        self.max_waiting = max_waiting
        self.catalog = catalog
        self.idle: list[_Worker] = []
        self.started: list[_Worker] = []   # every worker still to be stopped
        self.slots = anyio.Semaphore(processes)
        self.waiting = 0

    def saturated(self) -> bool:
        """Every process busy and the queue full: a new request is answered 503 at once."""
        return self.slots.value == 0 and self.waiting >= self.max_waiting

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in a worker process, in the request's language; Busy when the queue is
        full or the budget is spent (the process is then killed). The budget counts the wait for a
        process and the work, not the start of a new process: a start that takes longer than the
        budget (the first one, while the forkserver imports the roads) cannot spend it."""
        if self.saturated():
            raise Busy(t("service.waiting", waiting=self.max_waiting))
        lang = current_lang()
        deadline = anyio.current_time() + self.budget
        with anyio.move_on_at(deadline) as waited:
            self.waiting += 1
            try:
                await self.slots.acquire()
            finally:
                self.waiting -= 1
        if waited.cancelled_caught:
            raise Busy(t("service.over_budget", seconds=self.budget))
        try:
            worker, starting = await self._worker()
            with anyio.move_on_at(deadline + starting) as budget:
                return await self._answer(worker, work, args, lang)
        finally:
            self.slots.release()
        if not budget.cancelled_caught:  # the block returns unless the budget ends it
            raise BugError(t("service.no_answer"))
        raise Busy(t("service.over_budget", seconds=self.budget))

    async def _worker(self) -> tuple[_Worker, float]:
        """An idle worker, or a new one and the seconds its start took."""
        if self.idle:
            return self.idle.pop(), 0.0
        started = anyio.current_time()
        with anyio.CancelScope(shield=True):  # a worker started is a worker kept or stopped
            worker = await anyio.to_thread.run_sync(self._start)
        return worker, anyio.current_time() - started

    async def _answer(self, worker: _Worker, work: Callable[..., T], args: tuple[Any, ...],
                      lang: str) -> T:
        done = False
        try:
            worker.pipe.send((work, args, lang))
            await anyio.wait_readable(worker.pipe)
            kind, value = worker.pipe.recv()
            done = True
        except (EOFError, OSError):  # the process died (killed from outside, out of memory)
            done = False
            raise BugError(t("service.process_ended")) from None
        finally:
            if done:
                self.idle.append(worker)
            else:  # cancelled by the budget, or dead: nothing of this request may go on
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._stop, worker)
        if kind == "error":
            raise cast(Exception, value)
        return cast(T, value)

    def _start(self) -> _Worker:
        worker = _Worker(self.catalog)
        self.started.append(worker)
        return worker

    def _stop(self, worker: _Worker) -> None:
        worker.stop()
        if worker in self.started:
            self.started.remove(worker)

    def processes(self) -> list[int]:
        """The ids of the live worker processes (busy or idle)."""
        return [w.process.pid for w in list(self.started)
                if w.process.pid is not None and w.process.is_alive()]

    def close(self) -> None:
        """Stop every worker (the app is shutting down)."""
        self.idle.clear()
        while self.started:
            self._stop(self.started[-1])


