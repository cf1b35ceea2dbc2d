"""Tests that share a server, a browser, a killed batch's clean run or a Dask cluster are marked
`xdist_group`, and the README's command (`-n 2 --dist loadgroup`) must run each group on one
worker: the group's module fixtures then start once, and servers under load never run side by side.

pytest 9.2 with pytest-xdist 3.8 dropped the groups without a word (pytest-dev/pytest-xdist#1386:
the worker's group suffix on the node id no longer reached the scheduler), so every test ran
wherever it landed: fixtures started twice, the load test shared the machine with the hostile
servers. pyproject.toml keeps pytest below 9.2 until xdist reads the groups again; this test says
so if a newer pair loses them."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("canary")
def test_the_scheduler_sees_the_group_of_a_marked_test(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not on a worker of `pytest -n N --dist loadgroup`")
    assert request.node.nodeid.endswith("@canary"), (
        f"{request.node.nodeid}: --dist loadgroup lost the xdist_group mark (pytest-dev/pytest-xdist#1386)")
