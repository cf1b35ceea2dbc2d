"""A bounded load test on loopback: start `zjtx serve`, send N requests at C concurrent (mostly
POST /v1/evaluate on the bundled examples, some best-district, measures and windows), print p50,
p99, requests/s, the number of errors and each failing request with its status or exception. Usage:
python benchmarks/load_test.py [--requests 2000] [--concurrency 32] [--workers 1]"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(workers: int = 1, *options: str, env: dict[str, str] | None = None,
                   process_out: list[subprocess.Popen[bytes]] | None = None,
                   root: Path = ROOT) -> Iterator[str]:
    """`zjtx serve` on a free loopback port (with more `options`, in `env` added to this
    process's environment, from the code in `root`: another checkout to compare), for as long as
    the block runs; `process_out` receives the process."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", "from cli import app; app()", "serve",
                                "--port", str(port), "--workers", str(workers), *options], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    if process_out is not None:
        process_out.append(process)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _requests(count: int, examples: list[dict]) -> list[tuple[str, str, dict | None]]:
    plan = []
    for n in range(count):
        record = examples[n % len(examples)]["record"]
        if n % 20 == 0:
            plan.append(("POST", "/v1/best-district", {"record": record}))
        elif n % 20 == 1:
            plan.append(("GET", "/v1/measures", None))
        elif n % 20 == 2:
            plan.append(("GET", "/v1/windows?date=2026-11-25", None))
        else:
            plan.append(("POST", "/v1/evaluate", record))
    return plan


async def _load(base: str, count: int, concurrency: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        examples = (await client.get("/v1/examples")).json()
        plan = _requests(count, examples)
        latencies: list[float] = []
        failures: Counter[str] = Counter()  # "POST /v1/evaluate 503" or "GET /v1/measures ReadTimeout"
        queue: asyncio.Queue = asyncio.Queue()
        for item in plan:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                method, path, body = queue.get_nowait()
                start = time.perf_counter()
                try:
                    response = await client.request(method, path, json=body)
                    if response.status_code != 200:
                        failures[f"{method} {path} {response.status_code} {response.text[:200]}"] += 1
                except httpx.HTTPError as error:
                    failures[f"{method} {path} {type(error).__name__} {error}"[:300]] += 1
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - start
    ms = sorted(1000 * t for t in latencies)
    return {"requests": len(ms), "concurrency": concurrency, "errors": sum(failures.values()),
            "failures": dict(sorted(failures.items())),
            "p50_ms": round(statistics.median(ms), 1), "p99_ms": round(ms[int(0.99 * len(ms)) - 1], 1),
            "requests_per_second": round(len(ms) / seconds)}


def run_load(base: str, count: int = 2000, concurrency: int = 32) -> dict:
    return asyncio.run(_load(base, count, concurrency))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with running_server(args.workers) as base:
        figures = run_load(base, args.requests, args.concurrency)
    print(f"requests {figures['requests']:,}  concurrency {figures['concurrency']}  workers {args.workers}  "
          f"errors {figures['errors']}  p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms  "
          f"{figures['requests_per_second']:,} requests/s")
    for failure, times in figures["failures"].items():
        print(f"  {times} × {failure}")


if __name__ == "__main__":
    main()
