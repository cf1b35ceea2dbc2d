"""What keeps `zjtx serve` standing under hostile or careless clients (README, "Service limits").

- `Guard`, an ASGI middleware in front of every route: a Host allow-list (a loopback bind answers
  only to loopback names, so a web page cannot reach it by DNS rebinding); a cap on every request
  body (413, checked on Content-Length and again while reading); a deadline for reading the body
  (408: a slow client cannot hold a request open); and an unexpected exception becomes a 500
  problem body without tearing down the keep-alive connection.
- `Admission`: when every evaluation process is busy and the queue is full, a request for an
  evaluation is answered 503 before its body is read or parsed: an overload answer costs nothing.
- (service/pool.py) evaluation runs in a fixed number of processes, within a time budget per
  request (503 when the budget is spent, and the process is killed), so `/healthz` and cheap
  requests keep answering and no work outlives its request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from models.i18n import LANGS, lang_from_accept, t, using_lang
from models.limits import shown_text
from service.problems import problem
from service.settings import BODY_SECONDS

log = logging.getLogger("zjtx.service")


def asked_lang(request: Request) -> str | None:
    """The language a request asks for: `?lang=zh|en`, else the browser's `Accept-Language`,
    else None (the server's default). An unknown `?lang=` counts as not given here: the guard
    answers in the Accept-Language; everywhere else service.deps.request_lang refuses it."""
    chosen = request.query_params.get("lang", "").strip().lower()
    return chosen if chosen in LANGS else lang_from_accept(request.headers.get("accept-language"))


def scope_lang(scope: Any) -> str | None:
    """The request's language, for what is answered before the app's `Speaks` runs."""
    return asked_lang(Request(scope))


def refusal(scope: Any, status: int, title: str, message: str, **fields: Any) -> Response:
    """A problem body in the request's language (`message`: a message id)."""
    with using_lang(scope_lang(scope)):
        return problem(status, title, t(message, **fields))


def host_of(header: str) -> str:
    """`[::1]:8000` → `::1`; `Example.org:80` → `example.org`."""
    header = header.strip().lower()
    if header.startswith("["):  # an IPv6 literal: nothing after `]` but a port
        inside, bracket, after = header[1:].partition("]")
        return inside if bracket and (not after or after[:1] == ":" and after[1:].isdigit()) \
            else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """ASGI middleware: Host allow-list, body cap and deadline, no exception escapes."""

    def __init__(self, app: Any, *, allowed_hosts: tuple[str, ...] | None, max_body: int,
                 body_seconds: float = BODY_SECONDS) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.max_body = max_body
        self.body_seconds = body_seconds

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.allowed_hosts is not None and host_of(headers.get("host", "")) not in self.allowed_hosts:
            await refusal(scope, 400, "HostNotAllowed", "service.host_not_allowed",
                          hosts=", ".join(self.allowed_hosts))(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and (len(declared) > 18 or int(declared) > self.max_body):
            await self._too_large(scope, receive, send, "service.body_declared", shown_text(declared))
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            body = await self._read_body(scope, receive, send)
            if body is None:
                return
            receive = _replay(body, receive)
        await self._answer(scope, receive, send)

    async def _read_body(self, scope: Any, receive: Any, send: Any) -> bytes | None:
        """The whole body, or None when a 408 or 413 was sent instead."""
        parts: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.body_seconds) as deadline:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                part = message.get("body", b"")
                size += len(part)
                if size > self.max_body:
                    await self._too_large(scope, receive, send, "service.body_larger")
                    return None
                parts.append(part)
                if not message.get("more_body", False):
                    return b"".join(parts)
        if deadline.cancelled_caught:
            await refusal(scope, 408, "RequestTimeout", "service.too_slow",
                          seconds=self.body_seconds)(scope, receive, send)
        return None

    async def _too_large(self, scope: Any, receive: Any, send: Any, what: str,
                         size: str = "") -> None:
        with using_lang(scope_lang(scope)):
            said = t(what, size=size)
        await refusal(scope, 413, "PayloadTooLarge", "service.too_large", what=said,
                      limit=self.max_body)(scope, receive, send)

    async def _answer(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # noqa: BLE001 - a bug is a 500 body, never a dropped connection
            log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if not started:
                await refusal(scope, 500, "InternalError", "service.bug")(scope, receive, send)


def _replay(body: bytes, receive: Any) -> Callable[[], Any]:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: Message = await receive()
        return message
    return replay


# The 503 in each language, made in advance.
BUSY = {lang: bytes(problem(503, "ServiceBusy", t("service.busy", lang=lang)).body) for lang in LANGS}


class Admission:
    """ASGI middleware: a request for an evaluation while the pool is saturated is answered 503
    at once, from bytes made in advance (nothing read, parsed or validated)."""

    def __init__(self, app: Any, *, saturated: Callable[[], bool], paths: frozenset[str]) -> None:
        self.app = app
        self.saturated = saturated
        self.paths = paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in self.paths and self.saturated():
            with using_lang(scope_lang(scope)) as lang:
                body = BUSY[lang]
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/problem+json"), (b"retry-after", b"1"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
