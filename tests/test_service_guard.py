"""The service cannot be knocked over (issue 14): a Host allow-list on loopback (DNS rebinding), a
body cap on every endpoint, /v1/batch only as JSON lines, evaluation in a bounded pool with a time
budget (503), a deadline for slow bodies (408), no dropped connection after a 500, a warning when
bound beyond loopback, and batch lines read exactly as `zjtx batch` reads a file. Each test
checks behaviour; timings are measured in benchmarks/load_test.py --hostile."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from benchmarks.load_test import free_port, running_server
from benchmarks.optimizer_scaling import big_record
from cli import app as cli_app
from models.catalog import open_catalog
from models.limits import LOOPBACK_HOSTS
from models.packages import locate
from service.app import create_app
from service.pool import Busy, Workers
from service.server import options as server_options
from service.settings import ServiceSettings

NDJSON = {"content-type": "application/x-ndjson"}
RECORD = {"id": "E-1", "district": "dongcheng", "as_of": "2026-01-01",
          "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}


def client_for(base_url: str = "http://127.0.0.1", **settings) -> TestClient:
    return TestClient(create_app(ServiceSettings(**settings)), base_url=base_url,
                      raise_server_exceptions=False)


def assert_problem(response: httpx.Response, status: int, title: str) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] == title, body
    return body


# -- Host allow-list -----------------------------------------------------------------------------

@pytest.mark.parametrize("base", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000"])
def test_loopback_names_are_answered(base: str):
    with client_for(base, allowed_hosts=LOOPBACK_HOSTS) as client:
        assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("base", ["http://evil.example", "http://127.0.0.1.evil.example:8000"])
def test_a_foreign_host_is_refused_on_loopback(base: str):
    """A page on evil.example whose name was rebound to 127.0.0.1 sends `Host: evil.example`."""
    with client_for(base, allowed_hosts=LOOPBACK_HOSTS) as client:
        body = assert_problem(client.post("/v1/evaluate", json=RECORD), 400, "HostNotAllowed")
        assert "--allow-host" in body["detail"]


# -- bodies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/evaluate", "/v1/best-district", "/v1/whatif", "/v1/batch"])
def test_every_endpoint_caps_its_body(path: str):
    with client_for(max_body=2_000) as client:
        body = b"{" + b" " * 5_000 + b"}"
        assert_problem(client.post(path, content=body, headers={"content-type": "application/json"}),
                       413, "PayloadTooLarge")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            for _ in range(5):
                yield b" " * 1_000
        assert_problem(client.post(path, content=chunks()), 413, "PayloadTooLarge")


def test_a_body_under_the_cap_is_answered():
    with client_for(max_body=2_000) as client:
        assert client.post("/v1/evaluate", json=RECORD).status_code == 200


@pytest.mark.parametrize("kind", ["text/plain", "application/json", "application/x-www-form-urlencoded", None])
def test_batch_only_takes_json_lines(kind: str | None):
    """A web page may POST text/plain cross-origin without a preflight: refused."""
    headers = {"content-type": kind} if kind else {}
    with client_for() as client:
        response = client.post("/v1/batch", content=json.dumps(RECORD).encode(), headers=headers)
        assert_problem(response, 415, "UnsupportedMediaType")


@pytest.mark.parametrize("kind", ["application/x-ndjson", "application/jsonl; charset=utf-8"])
def test_batch_takes_both_json_lines_types(kind: str):
    with client_for() as client:
        response = client.post("/v1/batch", content=json.dumps(RECORD).encode(),
                               headers={"content-type": kind})
        assert response.status_code == 200 and response.json()["rows_out"] == 1


def test_batch_lines_are_read_as_zjtx_batch_reads_them():
    """U+2028 inside a JSON string does not end a line; a BOM before the first line is fine."""
    first = json.dumps({**RECORD, "id": "A", "name": "one\u2028two"}, ensure_ascii=False)
    second = json.dumps({**RECORD, "id": "B"})
    body = b"\xef\xbb\xbf" + (first + "\n" + second + "\n").encode("utf-8")
    with client_for() as client:
        result = client.post("/v1/batch", content=body, headers=NDJSON).json()
    assert (result["rows_in"], result["rows_out"], result["error_rows"]) == (2, 2, 0), result


# -- work off the event loop ----------------------------------------------------------------------

def test_a_request_over_its_time_budget_is_a_503():
    with client_for(time_budget=0.05) as client:
        record = big_record(300, "same-year")
        body = assert_problem(client.post("/v1/best-district", json={"record": record}), 503,
                              "ServiceBusy")
        assert "budget" in body["detail"]
        assert client.get("/healthz").status_code == 200



class SlowStart(Workers):
    """Workers whose processes take 1.5 s to start (as the forkserver's first start can while it
    imports the roads on a loaded machine)."""

    def _start(self):
        time.sleep(1.5)
        return super()._start()


def test_a_slow_process_start_does_not_spend_the_budget():
    """The budget (1 s here) counts the work, not a new process's start: 0.2 s of work after a
    1.5 s start is answered; 3 s of work in the started process is Busy, and the process is gone."""
    workers = SlowStart(1, 1.0, 0, catalog=None)

    async def both() -> tuple[object, str]:
        answered = await workers.run(time.sleep, 0.2)
        try:
            await workers.run(time.sleep, 3.0)
        except Busy as busy:
            return answered, str(busy)
        return answered, "answered"

    try:
        answered, second = anyio.run(both)
        assert answered is None and "budget" in second, (answered, second)
        assert workers.processes() == []
    finally:
        workers.close()


def test_a_request_that_waits_past_its_budget_is_busy_before_the_process_is_free():
    """One process, held by a first request (its 1.5 s start is not its time; 0.5 s of work):
    a second request whose 1 s budget ends while it waits is Busy then — before the first is
    answered — and leaves the queue (nothing counts as waiting afterwards)."""
    workers = SlowStart(1, 1.0, 5, catalog=None)
    events: list[str] = []

    async def first() -> None:
        await workers.run(time.sleep, 0.5)
        events.append("first answered")

    async def second() -> None:
        await anyio.sleep(0.1)
        try:
            await workers.run(time.sleep, 0)
            events.append("second answered")
        except Busy:
            events.append("second busy")

    async def both() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(first)
            tasks.start_soon(second)

    try:
        anyio.run(both)
        assert events == ["second busy", "first answered"], events
        assert workers.waiting == 0 and not workers.saturated()
    finally:
        workers.close()

# -- a real server on loopback ----------------------------------------------------------------------

@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical",
                                           **server_options()))  # as `zjtx serve` runs it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_500_keeps_the_connection():
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with serving(app) as address, httpx.Client(base_url=f"http://{address}") as client:
        assert_problem(client.get("/boom"), 500, "InternalError")
        assert "Traceback" not in client.get("/boom").text
        assert client.get("/healthz").status_code == 200  # same keep-alive connection, not reset


@pytest.mark.parametrize(("path", "said"), [("/v1/evaluate", "did not arrive within 1 seconds"),
                                           ("/v1/evaluate?lang=zh", "请求体未在 1 秒内传完")])
def test_a_slow_body_is_timed_out(path: str, said: str):
    """A 408, in the request's language (the guard answers before the app's language middleware)."""
    with serving(create_app(ServiceSettings(body_seconds=1.0))) as address:
        host, port = address.split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() +
                         b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            received = b""
            while b"\r\n\r\n" not in received:
                part = sock.recv(4096)
                if not part:
                    break
                received += part
            head, _, body = received.partition(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:  # the body may come in a later segment than the head
                part = sock.recv(4096)
                if not part:
                    break
                body += part
    assert head.decode("latin-1").startswith("HTTP/1.1 408"), head[:200]
    answer = json.loads(body.decode("utf-8"))
    assert answer["title"] == "RequestTimeout" and said in answer["detail"], answer


# -- zjtx serve --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "warned", "hosts"), [
    ([], False, LOOPBACK_HOSTS),
    (["--allow-host", "zjtx.lan"], False, (*LOOPBACK_HOSTS, "zjtx.lan")),
    (["--host", "0.0.0.0"], True, None),
])
def test_serve_settings_and_the_warning_beyond_loopback(monkeypatch, args, warned, hosts):
    """`zjtx serve` builds one ServiceSettings from its options and hands it to the server, which
    hands it to each worker's app factory; the environment is not written."""
    import service.server

    calls = []
    monkeypatch.setattr(service.server, "serve",
                        lambda settings, **options: calls.append((settings, options)) or 0)
    environment = dict(os.environ)
    monkeypatch.setattr(os, "environ", dict(environment))  # a write here fails the test, not others
    result = CliRunner().invoke(cli_app, ["serve", *args, "--max-body", "5000", "--time-budget", "7",
                                          "--eval-threads", "3", "--max-waiting", "0",
                                          "--head-seconds", "2.5", "--catalog", "beijing-2025"])
    assert result.exit_code == 0, result.output
    assert ("warning" in result.stderr) is warned
    assert os.environ == environment
    ((settings, options),) = calls
    assert settings == ServiceSettings(
        catalog=str(locate("beijing-2025").resolve()), allowed_hosts=hosts, max_body=5000,
        time_budget=7.0, eval_threads=3, max_waiting=0, head_seconds=2.5)
    assert options == {"host": "0.0.0.0" if warned else "127.0.0.1", "port": 8000, "workers": 1,
                       "access_log": False}


def _uvicorn_workers(server: int) -> list[int]:
    """The worker processes of a `serve --workers N` server (spawned by uvicorn's supervisor)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            if entry.name.isdigit() and int(stat[stat.rindex(")") + 2:].split()[1]) == server \
                    and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def _environment(pid: int) -> dict[bytes, bytes]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.partition(b"=")[::2] for pair in pairs if pair)


@pytest.mark.slow
@pytest.mark.xdist_group("servers")
def test_each_worker_answers_with_the_settings_serve_was_given():
    """`zjtx serve --workers 2 --catalog beijing-2025 --max-body 5000`: each worker process, asked
    while the other is stopped, answers from that package and refuses a body over 5,000 bytes; the
    settings reached them as the app factory's argument: no worker's environment holds more of
    zjtx's variables than the server was started with."""
    shipped = len(open_catalog(None).families)
    later = len(open_catalog(locate("beijing-2025")).families)
    assert later != shipped  # the package chosen is told from the default by /healthz
    server: list = []
    with running_server(2, "--catalog", "beijing-2025", "--max-body", "5000",
                        process_out=server) as base:
        deadline = time.monotonic() + 60
        while len(workers := _uvicorn_workers(server[0].pid)) < 2:
            assert time.monotonic() < deadline, workers
            time.sleep(0.1)
        for stopped in workers:  # the other worker answers (the supervisor's ping waits 5 s)
            os.kill(stopped, signal.SIGSTOP)
            try:
                health = httpx.get(base + "/healthz", timeout=30)
                refused = httpx.post(base + "/v1/evaluate", content=b"{" + b" " * 6_000 + b"}",
                                     headers={"content-type": "application/json"}, timeout=30)
            finally:
                os.kill(stopped, signal.SIGCONT)
            assert health.json()["measure_families"] == later, health.text
            assert "at most 5,000 bytes" in assert_problem(refused, 413, "PayloadTooLarge")["detail"]
        ours = {key for key in _environment(server[0].pid) if key.startswith(b"ZJTX_")}
        for worker in workers:
            assert {key for key in _environment(worker) if key.startswith(b"ZJTX_")} == ours


# -- the guard's own words in the request's language -------------------------------------------------

def test_the_guard_speaks_the_request_s_language():
    """A foreign Host, a body too large (declared or streamed), a slow body, a bug and a full
    queue: under ?lang=zh or Accept-Language zh the detail is Chinese (ids, options and commands
    aside); in English as before."""
    from service.guard import Admission
    from tests.english_scan import Scanner

    scanner = Scanner()

    def chinese(response: httpx.Response, status: int, title: str) -> None:
        detail = assert_problem(response, status, title)["detail"]
        assert re.search(r"[\u4e00-\u9fff]", detail) and scanner.words(detail) == [], detail

    zh = {"accept-language": "zh-CN,zh;q=0.9"}
    with client_for("http://evil.example", allowed_hosts=LOOPBACK_HOSTS) as client:
        chinese(client.get("/healthz?lang=zh"), 400, "HostNotAllowed")
        chinese(client.get("/healthz", headers=zh), 400, "HostNotAllowed")
        assert "this server answers only to" in client.get("/healthz?lang=en").json()["detail"]
    with client_for(max_body=2_000) as client:
        body = b"{" + b" " * 5_000 + b"}"
        chinese(client.post("/v1/evaluate?lang=zh", content=body), 413, "PayloadTooLarge")
        chinese(client.post("/v1/evaluate", content=iter([body]), headers=zh), 413, "PayloadTooLarge")
        assert "this server takes at most 2,000 bytes" in \
            client.post("/v1/evaluate?lang=en", content=body).json()["detail"]
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        chinese(client.get("/boom?lang=zh"), 500, "InternalError")
        assert client.get("/boom?lang=en").json()["detail"] == \
            "the request could not be answered (a bug: please report it)"

    async def never(scope, receive, send):  # pragma: no cover - the queue is full
        raise AssertionError("admitted")

    full = Admission(never, saturated=lambda: True, paths=frozenset({"/v1/evaluate"}))
    client = TestClient(full, raise_server_exceptions=False)  # (no lifespan: nothing to start)
    chinese(client.post("/v1/evaluate", headers=zh), 503, "ServiceBusy")
    assert "every evaluation process is busy" in client.post("/v1/evaluate?lang=en").json()["detail"]
