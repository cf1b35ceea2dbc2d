"""Stopping a long run cleanly: SIGINT (Ctrl-C) and SIGTERM become one `Interrupted` exception in
the main process, never in the middle of bookkeeping (writing a chunk's lines, updating counts,
saving the checkpoint): a signal that arrives there is held until the bookkeeping is done, so the
state the batch saves on its way out is always whole. Workers ignore SIGINT (a terminal sends it
to the whole process group); the parent stops them.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal number, as shells do


class Interrupted(BaseException):  # like KeyboardInterrupt: no `except Exception` swallows it
    """The run was stopped by a signal; `rows` is how many input rows are safely done."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.rows = 0

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS.get(signal.Signals(self.signum), 128 + self.signum)


class _Stopper:
    def __init__(self) -> None:
        self.depth = 0
        self.pending: int | None = None

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.depth:
            self.pending = signum
        else:
            raise Interrupted(signum)

    @contextmanager
    def critical(self) -> Iterator[None]:
        """No Interrupted inside; one held signal is raised on the way out of a block that
        finished. A block that raises keeps its exception (a bug stays a bug, and the state it
        left half-done is never saved as a checkpoint); the signal stays held."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if not self.depth and self.pending is not None:
            signum, self.pending = self.pending, None
            raise Interrupted(signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """SIGINT and SIGTERM raise Interrupted while inside (the old handlers come back after)."""
        old = {s: signal.signal(s, self.handle) for s in EXIT_STATUS}
        try:
            yield
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)
            self.pending = None


STOPPER = _Stopper()
critical = STOPPER.critical
handle_signals = STOPPER.installed


def in_worker() -> None:
    """A worker process: Ctrl-C is for the parent; SIGTERM (from the parent) ends it silently."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
