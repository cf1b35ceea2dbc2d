"""The service's settings: one typed value, built once by `zjtx serve` from its options and
passed to the app factory as an argument (`create_app(settings)`).

`zjtx serve --workers N` hands the value to each of uvicorn's worker processes as an argument of
the factory (`functools.partial(create_app, settings)`, pickled to each spawned process), never
through the environment. An app started by another ASGI server
(`uvicorn service.app:create_app --factory`) gets the defaults below; to change them, write a
factory of your own that calls `create_app(ServiceSettings(...))`.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.limits import EVAL_THREADS, MAX_BODY_BYTES, TIME_BUDGET_SECONDS

BODY_SECONDS = 10.0                 # reading a whole body may take at most this long
HEAD_SECONDS = 10.0                 # a request's line and headers must arrive within this
MAX_WAITING = 64                    # requests queued for an evaluation process before 503


@dataclass(frozen=True)
class ServiceSettings:
    """What one server answers from and within (README, "Service limits")."""

    catalog: str | None = None      # the catalog package's directory; None: the shipped default
    allowed_hosts: tuple[str, ...] | None = None  # Host names answered; None: any
    max_body: int = MAX_BODY_BYTES  # largest request body (413 beyond)
    time_budget: float = TIME_BUDGET_SECONDS  # longest evaluation request (503 beyond)
    eval_threads: int = EVAL_THREADS  # evaluation processes per server process
    max_waiting: int = MAX_WAITING  # requests waiting for one before 503 at once
    body_seconds: float = BODY_SECONDS  # deadline for a request's body (408 beyond)
    head_seconds: float = HEAD_SECONDS  # deadline for a request's line and headers (408 beyond)
