"""The worker shares the API's loop: it waits for a quiet moment, and one receiver cannot block it."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from mock_server.traffic import Traffic
from tests.api import Api, order
from tests.webhooks.automations import automation, eventually


def test_quiet_waits_for_the_requests_in_progress_to_end() -> None:
    async def scenario() -> list[str]:
        traffic, seen = Traffic(), []
        traffic.enter()

        async def background() -> None:
            await traffic.quiet(patience=5)
            seen.append("worker")

        task = asyncio.create_task(background())
        await asyncio.sleep(0.05)
        seen.append("request ends")
        traffic.leave()
        await task
        return seen

    assert asyncio.run(scenario()) == ["request ends", "worker"]


def test_quiet_gives_up_waiting_after_its_patience() -> None:
    async def scenario() -> float:
        traffic = Traffic()
        traffic.enter()  # a request that never ends (an injected latency, a slow upload)
        started = time.perf_counter()
        await traffic.quiet(patience=0.05)
        return time.perf_counter() - started

    assert 0.04 <= asyncio.run(scenario()) < 1


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A URL whose connections are accepted by the kernel and never answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        listener.close()


def test_a_receiver_that_never_answers_holds_up_only_its_own_calls(
    server: Api, httpserver: HTTPServer, black_hole: str
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    for url in (black_hole, httpserver.url_for("/hook")):
        r = server.call("POST", "/api/automations", automation(url))
        assert r.status_code == 201, r.text
    orders = 40  # more calls to the silent receiver than it may make at once, and than 32
    for number in range(orders):
        created = server.call("POST", "/api/goods_outs", order(reference=f"SO-PACE-{number}"))
        assert created.status_code == 201, created.text

    # Every call to the live receiver arrives while the silent one's wait for their 10 s timeout.
    assert eventually(lambda: len(httpserver.log) >= orders, timeout=5), len(httpserver.log)
    pending = server.http.get("/__mock/webhooks/deliveries", params={"state": "pending"})
    assert {d["url"] for d in pending.json()["data"]} == {black_hole}


def test_chaos_latency_does_not_hold_the_receivers_places(
    server: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    r = server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    assert r.status_code == 201, r.text
    assert server.http.post("/__mock/webhooks/chaos", json={"latency_ms": 500}).status_code == 200
    orders = 40  # 10 rounds of 0.5 s if each call held one of the receiver's 4 places meanwhile
    for number in range(orders):
        created = server.call("POST", "/api/goods_outs", order(reference=f"SO-LATE-{number}"))
        assert created.status_code == 201, created.text
    assert eventually(lambda: len(httpserver.log) >= orders, timeout=2.5), len(httpserver.log)
