"""Hostile load on loopback: while C clients send a mix of hostile requests (bodies over the cap,
bodies of deeply nested or 5,000-digit JSON, batch bodies as text/plain or with poison lines,
foreign Host headers, 1,000-item records to evaluate and rank), a prober asks GET /healthz every
50 ms. Prints the /healthz latency (p50, p99, max) and the status counts; a 5xx is a failure.

    python benchmarks/hostile_load.py --requests 400 --concurrency 16

Throughput under overload (`--throughput 32,200,500`): for each number of clients, a new server,
and that many clients each sending POST /v1/evaluate (the bundled examples in turn) as fast as
it answers, for `--seconds`; prints the answers per second by status (200: evaluated, 503: the
deliberate overload answer), every other status or error, and /healthz's latency meanwhile.
`--root DIR` serves the code of another checkout (a before/after comparison); the machine's load
(`uptime`) is printed beside the figures.

    python benchmarks/hostile_load.py --throughput 32,200,500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_test import running_server  # noqa: E402
from benchmarks.optimizer_scaling import big_record  # noqa: E402

SMALL = {"id": "E-1", "district": "dongcheng", "as_of": "2026-01-01",
         "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}


def hostile_requests() -> list[tuple[str, str, dict]]:
    """(method, path, httpx keyword arguments) of each hostile kind, in turn."""
    big = big_record(1000, "same-year")
    ndjson = {"content-type": "application/x-ndjson"}
    return [
        ("POST", "/v1/evaluate", {"content": b"{" + b" " * 2_000_000 + b"}",
                                  "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/evaluate", {"content": b"[" * 200_000, "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/evaluate", {"content": ('{"id": "E", "district": "daxing", "expenses": [{"id": "a", '
                                              '"category": "exhibition", "amount": ' + "9" * 5000
                                              + ', "year": 2024}]}').encode(),
                                  "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/batch", {"content": json.dumps(SMALL).encode(), "headers": {"content-type": "text/plain"}}),
        ("POST", "/v1/batch", {"content": b"\xff\xfe\n" + b"[" * 50_000 + b"\n"
                               + json.dumps(SMALL).encode() * 1, "headers": ndjson}),
        ("POST", "/v1/batch", {"content": "\n".join(json.dumps({**SMALL, "id": f"R{n}"})
                                                   for n in range(400)).encode(), "headers": ndjson}),
        ("POST", "/v1/evaluate", {"json": SMALL, "headers": {"host": "evil.example"}}),
        ("POST", "/v1/evaluate", {"json": big}),
        ("POST", "/v1/best-district", {"json": {"record": big_record(300, "own")}}),
        ("POST", "/v1/whatif", {"json": {"record": SMALL, "changes": ["as_of=9999-12-31"]}}),
    ]


async def _run(base: str, count: int, concurrency: int) -> dict:
    kinds = hostile_requests()
    statuses: Counter = Counter()
    healthz: list[float] = []
    done = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=120) as client, \
            httpx.AsyncClient(base_url=base, timeout=30) as prober_client:
        queue: asyncio.Queue = asyncio.Queue()
        for n in range(count):
            queue.put_nowait(kinds[n % len(kinds)])

        async def attacker() -> None:
            while not queue.empty():
                method, path, kwargs = queue.get_nowait()
                try:
                    response = await client.request(method, path, **kwargs)
                    statuses[response.status_code] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        async def prober() -> None:
            while not done.is_set():
                start = time.perf_counter()
                response = await prober_client.get("/healthz")
                healthz.append(time.perf_counter() - start)
                statuses[f"healthz {response.status_code}"] += 1
                await asyncio.sleep(0.05)

        probe = asyncio.create_task(prober())
        start = time.perf_counter()
        await asyncio.gather(*(attacker() for _ in range(concurrency)))
        seconds = time.perf_counter() - start
        done.set()
        await probe
    ms = sorted(1000 * t for t in healthz)
    return {"requests": count, "concurrency": concurrency, "seconds": round(seconds, 1),
            "statuses": dict(sorted((str(k), v) for k, v in statuses.items())),
            "server_errors": sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500),
            "healthz_probes": len(ms), "healthz_p50_ms": round(statistics.median(ms), 1),
            "healthz_p99_ms": round(ms[max(0, int(0.99 * len(ms)) - 1)], 1),
            "healthz_max_ms": round(ms[-1], 1)}


def run_hostile(base: str, count: int, concurrency: int) -> dict:
    return asyncio.run(_run(base, count, concurrency))


async def _throughput(base: str, clients: int, seconds: float) -> dict:
    statuses: Counter = Counter()
    healthz: list[float] = []
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client, \
            httpx.AsyncClient(base_url=base, timeout=60) as prober_client:
        examples = [example["record"] for example in (await client.get("/v1/examples")).json()]
        end = time.perf_counter() + seconds

        async def one(n: int) -> None:
            while time.perf_counter() < end:
                try:
                    response = await client.post("/v1/evaluate", json=examples[n % len(examples)])
                    statuses[response.status_code] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                n += 1

        async def prober() -> None:
            while time.perf_counter() < end:
                start = time.perf_counter()
                try:
                    response = await prober_client.get("/healthz")
                    statuses[f"healthz {response.status_code}"] += 1
                except httpx.HTTPError as exc:
                    statuses[f"healthz {type(exc).__name__}"] += 1
                healthz.append(time.perf_counter() - start)
                await asyncio.sleep(0.1)

        start = time.perf_counter()
        await asyncio.gather(prober(), *(one(n) for n in range(clients)))
        elapsed = time.perf_counter() - start
    ms = sorted(1000 * t for t in healthz)
    return {"clients": clients, "seconds": round(elapsed, 1),
            "ok_per_second": round(statuses[200] / elapsed, 1),
            "busy_per_second": round(statuses[503] / elapsed, 1),
            "statuses": dict(sorted((str(k), v) for k, v in statuses.items())),
            "healthz_p50_ms": round(statistics.median(ms), 1) if ms else None,
            "healthz_max_ms": round(ms[-1], 1) if ms else None}


def run_throughput(clients: list[int], seconds: float, root: Path = ROOT) -> list[dict]:
    figures = []
    for count in clients:
        with running_server(root=root) as base:
            load = os.getloadavg()[0]
            figures.append({**asyncio.run(_throughput(base, count, seconds)),
                            "load_1min_before": round(load, 2)})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--throughput", metavar="C,C,…", help="clients, e.g. 32,200,500")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    args = parser.parse_args()
    if args.throughput:
        for line in run_throughput([int(c) for c in args.throughput.split(",")], args.seconds,
                                   args.root.resolve()):
            print(json.dumps(line))
        return
    with running_server(root=args.root.resolve()) as base:
        figures = run_hostile(base, args.requests, args.concurrency)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
