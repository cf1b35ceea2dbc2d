"""The bounded load test of benchmarks/load_test.py, on loopback: 2,000 requests at 32 concurrent,
no errors. Its p50 and p99 are printed (run with -s to see them), never asserted."""

from __future__ import annotations

from benchmarks.load_test import run_load, running_server


def test_two_thousand_requests_at_32_concurrent_without_an_error() -> None:
    with running_server() as base:
        figures = run_load(base, 2000, 32)
    print(f"\nload: {figures}")
    assert figures["requests"] == 2000
    assert figures["errors"] == 0
