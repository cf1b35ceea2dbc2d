"""How `zjtx serve` runs uvicorn: the connection limits that keep /healthz answering under slow
or idle clients (issue 20). The same options start the servers of the tests.

- A request's head (request line and headers) must arrive within HEAD_SECONDS of the connection
  or of the previous answer: a client sending a header line every few seconds is answered 408 and
  closed (uvicorn has no such timeout: its keep-alive timer stops at the first byte).
- An idle keep-alive connection is closed after KEEP_ALIVE_SECONDS.
- A head is at most 64 KiB (h11's limit).
- Up to CONNECTIONS connections and requests at once (uvicorn answers 503 beyond): far more than
  slow clients can hold open within the head timeout, so they cannot crowd out /healthz; the
  evaluation processes have their own bound (service.pool).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, TypedDict

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
CONNECTIONS = 1000
MAX_HEAD_BYTES = 64 * 1024
TIMED_OUT = (b'{"type":"about:blank","title":"RequestTimeout","status":408,'
             b'"detail":"the request line and headers did not arrive in time"}')


class HeadDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's head. The deadline is read
    from $ZJTX_HEAD_SECONDS (what `zjtx serve` sets; tests set a short one), else HEAD_SECONDS."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_seconds = float(os.environ.get("ZJTX_HEAD_SECONDS", HEAD_SECONDS))
        self.head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self.head_timer = self.loop.call_later(self.head_seconds, self._head_timed_out)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head is in: the request is the app's
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request's head, on the same connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # part of a head arrived: say why before closing
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\n"
                                 b"content-type: application/problem+json\r\n"
                                 b"content-length: " + str(len(TIMED_OUT)).encode() + b"\r\n"
                                 b"connection: close\r\n\r\n" + TIMED_OUT)
        self.transport.close()


class Options(TypedDict):
    """uvicorn's keyword arguments that `options` sets."""

    http: type[HeadDeadline]
    timeout_keep_alive: int
    limit_concurrency: int
    h11_max_incomplete_event_size: int


def options() -> Options:
    """uvicorn's settings for every server of the service (`uvicorn.run`, `uvicorn.Config`)."""
    return {"http": HeadDeadline, "timeout_keep_alive": KEEP_ALIVE_SECONDS,
            "limit_concurrency": CONNECTIONS, "h11_max_incomplete_event_size": MAX_HEAD_BYTES}
