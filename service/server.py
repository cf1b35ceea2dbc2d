"""How `zjtx serve` runs uvicorn: the connection limits that keep /healthz answering under slow
or idle clients (issue 20). The same options start the servers of the tests.

- A request's head (request line and headers) must arrive within `--head-seconds` of the
  connection or of the previous answer: a client sending a header line every few seconds is
  answered 408 and closed (uvicorn has no such timeout: its keep-alive timer stops at the first
  byte).
- An idle keep-alive connection is closed after KEEP_ALIVE_SECONDS.
- A head is at most 64 KiB (h11's limit).
- Up to CONNECTIONS connections and requests at once (uvicorn answers 503 beyond): far more than
  slow clients can hold open within the head timeout, so they cannot crowd out /healthz; the
  evaluation processes have their own bound (service.pool).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, TypedDict, cast

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.settings import HEAD_SECONDS, ServiceSettings

KEEP_ALIVE_SECONDS = 5
CONNECTIONS = 1000
MAX_HEAD_BYTES = 64 * 1024
TIMED_OUT = (b'{"type":"about:blank","title":"RequestTimeout","status":408,'
             b'"detail":"the request line and headers did not arrive in time"}')


class HeadDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's head (`head_seconds`:
    `zjtx serve --head-seconds`, through `options`)."""

    def __init__(self, *args: Any, head_seconds: float = HEAD_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_seconds = head_seconds
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

    http: type[asyncio.Protocol]
    timeout_keep_alive: int
    limit_concurrency: int
    h11_max_incomplete_event_size: int


def options(settings: ServiceSettings = ServiceSettings()) -> Options:
    """uvicorn's settings for every server of the service (`uvicorn.Config`): the protocol with
    the head deadline of `settings` (a partial: it travels to each worker process with the
    config), the keep-alive timeout and the connection and head limits."""
    protocol = functools.partial(HeadDeadline, head_seconds=settings.head_seconds)
    return {"http": cast("type[asyncio.Protocol]", protocol),  # uvicorn calls it as a class
            "timeout_keep_alive": KEEP_ALIVE_SECONDS, "limit_concurrency": CONNECTIONS,
            "h11_max_incomplete_event_size": MAX_HEAD_BYTES}


def serve(settings: ServiceSettings, *, host: str, port: int, workers: int,
          access_log: bool) -> int:
    """Answer on host:port until stopped (Ctrl+C, SIGTERM): in this process, or in `workers`
    processes sharing one socket. Each builds its app from `settings`, which reach it as the
    argument of the app factory (pickled with uvicorn's config to each spawned process): nothing
    travels through the environment. The exit status: uvicorn's STARTUP_FAILURE when the server
    could not start, else 0."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from service.app import create_app

    # uvicorn.run takes only an import string with workers > 1; its Config takes a factory.
    config = uvicorn.Config(functools.partial(create_app, settings), factory=True, host=host,
                            port=port, workers=workers, access_log=access_log,
                            log_level="info" if access_log else "warning", **options(settings))
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
            return 0
        server.run()
    except KeyboardInterrupt:
        pass
    return 0 if server.started else STARTUP_FAILURE
