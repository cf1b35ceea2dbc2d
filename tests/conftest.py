"""Shared test set-up: Hypothesis profiles (`ci` under CI=true, `dev` otherwise)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# The tests read English unless they ask for Chinese (`--lang zh`, `?lang=zh`, `using_lang("zh")`),
# whatever the machine's locale.
os.environ.setdefault("ZJTX_LANG", "en")
# Tables are read at a pipe's width (120, `cli._console`) unless a test sets COLUMNS itself:
# pytest-xdist's workers inherit COLUMNS=80, which wrapped every table test's words under -n 2.
os.environ.pop("COLUMNS", None)


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def dask_scheduler():
    """One two-worker Dask LocalCluster on loopback for every test that runs `--engine dask`
    (a cluster start costs seconds), closed at the end of the session."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def page_server():
    """One `zjtx serve` on loopback for every page module (test_page, test_impact_page,
    test_page_evidence: the "browser" group, which one worker runs), stopped at the session's end."""
    from benchmarks.load_test import running_server

    with running_server() as base:
        yield base


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """A skipped page module is said out loud, even under -q (its reason names the install)."""
    for report in terminalreporter.stats.get("skipped", []):
        if "tests/test_page.py" in str(getattr(report, "nodeid", "")) or "test_page.py" in str(report.longrepr):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            terminalreporter.write_line(f"NOT RUN: tests/test_page.py: {reason}", yellow=True, bold=True)
            break
