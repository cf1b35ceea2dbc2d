"""The service under hostile load (issue 20, "the service under load"), against `zjtx serve` on a
free loopback port, started and stopped by each test: slow heads are closed and /healthz answers
throughout; after a 503 for a spent time budget no evaluation of that request remains and the
number of evaluation processes never exceeds --eval-threads; large YAML records are read off the
event loop; an overload answer is a 503 sent before the body is read. Behaviour only: the
figures (requests per second at 32, 200 and 500 clients) are benchmarks/hostile_load.py's.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml

from benchmarks.load_test import running_server
from benchmarks.optimizer_scaling import big_record

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]

SMALL = {"id": "E-1", "district": "dongcheng", "as_of": "2026-01-01",
         "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}
PROBE_SECONDS = 5.0  # a /healthz not answered within this is a /healthz that does not answer


# -- the server's processes, as /proc shows them -----------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # state, ppid, …  (the name may hold spaces)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def evaluation_processes(server: int) -> list[int]:
    """The live evaluation processes of a server: children of its forkserver (service.pool)."""
    forkservers = [pid for pid in children(server)
                   if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    return [pid for forkserver in forkservers for pid in children(forkserver)]


def cpu_seconds(server: int) -> float:
    """CPU time used so far by the server and every process under it."""
    ticks, todo, seen = 0, [server], set()
    while todo:
        pid = todo.pop()
        fields = _stat(pid)
        if pid in seen or fields is None:
            continue
        seen.add(pid)
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        todo += children(pid)
    return ticks / 100  # clock ticks (USER_HZ is 100 on Linux)


class Prober(threading.Thread):
    """GET /healthz every 0.2 s on a new connection until stopped; counts the answers."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.answers: Counter[str] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                status = httpx.get(self.base + "/healthz", timeout=PROBE_SECONDS).status_code
                self.answers[str(status)] += 1
            except httpx.HTTPError as exc:
                self.answers[type(exc).__name__] += 1
            time.sleep(0.2)

    def __enter__(self) -> Prober:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.join(timeout=30)


def _read(sock: socket.socket) -> bytes:
    """What the server sent before closing (b"" when it only closed); waits at most 30 s."""
    try:
        return sock.recv(4096)
    except OSError:
        return b""


def _response(sock: socket.socket) -> bytes:
    """One whole HTTP response (its head, then as many body bytes as it declares)."""
    received = b""
    while b"\r\n\r\n" not in received:
        part = sock.recv(4096)
        if not part:
            return received
        received += part
    head, _, body = received.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        part = sock.recv(4096)
        if not part:
            break
        body += part
    return head + b"\r\n\r\n" + body


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# -- slow heads ---------------------------------------------------------------------------------------

def test_slow_heads_are_closed_and_healthz_answers_throughout():
    """300 connections sending one header line at a time, never ending their heads (the red team's
    slowloris): each is answered 408 or closed once its head deadline passes (1 s here; 10 s by
    default), and /healthz answers 200 to every probe meanwhile."""
    with running_server(1, "--head-seconds", "1") as base:
        host, port = base.removeprefix("http://").split(":")
        slow = [socket.create_connection((host, int(port)), timeout=30) for _ in range(300)]
        for sock in slow:
            sock.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answers: dict[int, bytes] = {}
        with Prober(base) as prober:
            for _ in range(6):  # a header line every 0.5 s, for three head deadlines
                waiting = [sock for n, sock in enumerate(slow) if n not in answers]
                readable, _, _ = select.select(waiting, [], [], 0)
                for sock in readable:  # the server answered (408) or closed
                    answers[slow.index(sock)] = _read(sock)
                for n, sock in enumerate(slow):
                    if n not in answers:
                        try:
                            sock.sendall(b"X-Slow: 1\r\n")
                        except OSError:
                            answers[n] = b""
                time.sleep(0.5)
        for n, sock in enumerate(slow):
            if n not in answers:
                answers[n] = _read(sock)
            sock.close()
    assert prober.answers and set(prober.answers) == {"200"}, prober.answers
    assert all(a == b"" or a.startswith(b"HTTP/1.1 408") for a in answers.values()), \
        Counter(a[:40] for a in answers.values())
    assert any(a.startswith(b"HTTP/1.1 408") and b"RequestTimeout" in a for a in answers.values())


# -- the time budget stops the work --------------------------------------------------------------------

def test_after_a_503_no_evaluation_remains_and_the_bound_holds():
    """Two evaluations that cannot finish within a 1 s budget, with --eval-threads 1: both are
    503, at no moment do two evaluation processes run, and once the 503s are sent no process of
    the server works on them (its CPU time stops growing) — then a small request is answered."""
    heavy = big_record(5000, "own")
    server: list = []
    with running_server(1, "--time-budget", "1", "--eval-threads", "1",
                        process_out=server) as base, Prober(base) as prober:
        pid = server[0].pid
        most, sampling = 0, threading.Event()

        def sample() -> None:
            nonlocal most
            while not sampling.is_set():
                most = max(most, len(evaluation_processes(pid)))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        statuses: list[int] = []

        def ask() -> None:
            statuses.append(httpx.post(base + "/v1/evaluate", json=heavy, timeout=120).status_code)

        askers = [threading.Thread(target=ask) for _ in range(2)]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join(timeout=180)
        assert wait_until(lambda: not evaluation_processes(pid)), evaluation_processes(pid)
        sampling.set()
        sampler.join()
        before = cpu_seconds(pid)
        time.sleep(2)
        idle = cpu_seconds(pid) - before
        small: list[int] = []
        answered = wait_until(lambda: small.append(httpx.post(
            base + "/v1/evaluate", json=SMALL, timeout=60).status_code) or small[-1] == 200, 60)
    assert statuses == [503, 503], statuses
    assert most == 1, most
    assert idle < 0.5, f"the server kept working after its 503s: {idle:.2f} s of CPU in 2 s"
    assert answered, small
    assert set(prober.answers) == {"200"}, prober.answers


# -- no parsing on the event loop ------------------------------------------------------------------------

def test_large_yaml_records_are_read_off_the_event_loop():
    """Ten legitimate 620 KB YAML records at once (7.7 s of parsing on the event loop before):
    each answered 200 (or a deliberate 503 when its budget is spent), /healthz throughout."""
    text = yaml.safe_dump(big_record(8100, "own"), allow_unicode=True, sort_keys=False)
    assert 550_000 < len(text.encode()) < 700_000
    statuses: list[int] = []
    with running_server() as base, Prober(base) as prober:
        def send() -> None:
            statuses.append(httpx.post(base + "/v1/record", content=text.encode(), timeout=120,
                                       headers={"content-type": "text/plain"}).status_code)

        senders = [threading.Thread(target=send) for _ in range(10)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=180)
    assert len(statuses) == 10 and set(statuses) <= {200, 503}, statuses
    assert 200 in statuses
    assert set(prober.answers) == {"200"}, prober.answers


# -- the overload answer --------------------------------------------------------------------------------

def test_an_overloaded_server_answers_503_before_reading_the_body():
    """Every evaluation process busy and no room in the queue: a request for an evaluation is a
    503 at once, without waiting for its body (a server that read first would wait for these
    1,000 bytes, then answer 408)."""
    busy: list[int] = []
    server: list = []
    with running_server(1, "--eval-threads", "1", "--max-waiting", "0",
                        process_out=server) as base:
        occupy = threading.Thread(target=lambda: busy.append(httpx.post(
            base + "/v1/evaluate", json=big_record(3000, "own"), timeout=120).status_code))
        occupy.start()
        # The first evaluation process starts for the heavy request, which holds it from then on.
        assert wait_until(lambda: evaluation_processes(server[0].pid), 60)
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
            answer = _response(sock)
        healthz = httpx.get(base + "/healthz", timeout=PROBE_SECONDS).status_code
        occupy.join(timeout=180)
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
    assert b"ServiceBusy" in answer and b"retry-after: 1" in answer.lower()
    assert healthz == 200
    assert busy and busy[0] in (200, 503)
