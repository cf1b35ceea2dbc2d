"""The bounded load test of benchmarks/load_test.py, on loopback: 2,000 requests at 32 concurrent,
no errors. Its p50 and p99 are printed (run with -s to see them), never asserted."""

from __future__ import annotations

import pytest

from benchmarks.load_test import run_load, running_server

# A server under load: slow, and one at a time with the other servers under load (-n 2).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]


def test_two_thousand_requests_at_32_concurrent_without_an_error() -> None:
    with running_server() as base:
        figures = run_load(base, 2000, 32)
    print(f"\nload: {figures}")
    assert figures["requests"] == 2000
    assert figures["errors"] == 0, figures["failures"]  # which request failed, and how


def test_hostile_bodies_never_get_a_5xx_and_healthz_keeps_answering() -> None:
    """benchmarks/hostile_load.py, bounded: over-cap, nested, 5,000-digit, text/plain, poison and
    foreign-Host bodies and 1,000-item records, with /healthz probed throughout. Behaviour only:
    its latency is printed (run with -s), never asserted."""
    from benchmarks.hostile_load import run_hostile

    with running_server() as base:
        figures = run_hostile(base, 40, 8)
    print(f"\nhostile: {figures}")
    assert figures["server_errors"] == 0, figures["statuses"]
    assert not [k for k in figures["statuses"] if k.startswith("healthz") and k != "healthz 200"]
    assert figures["statuses"].get("413") and figures["statuses"].get("415")
    assert figures["healthz_probes"] > 0
