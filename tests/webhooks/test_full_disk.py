"""A full disk stops the delivery worker only while it lasts: logged once, in a line naming it;
the calls go out, and their answers are recorded, once there is room again."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from mock_server.clock import Clocks
from mock_server.store import Delivery, Store
from mock_server.webhooks.worker import Worker
from tests.disk import FullFor, full_disk_lines


def _due_now(store: Store, url: str, record_id: int, body: dict[str, Any]) -> None:
    """A pending webhook call to ``url``, due a second ago."""
    delivery = Delivery(
        0, "t", "webhook", 1, 1, "created", "goods_outs", record_id, url, body, "pending", [],
        time.time() - 1, 0.0,
    )  # fmt: skip
    store.add_delivery(delivery)


def _work(store: Store, until: Callable[[], bool]) -> None:
    """Run a worker on ``store`` until ``until()`` holds, for at most 5 s."""
    worker = Worker(store, Clocks(store, mode="realtime"), "http://127.0.0.1:8000")

    async def scenario() -> None:
        worker.start()
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if until():
                    break
        finally:
            await worker.stop()

    asyncio.run(scenario())


def test_the_worker_goes_on_after_a_full_disk(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    store = Store()
    _due_now(store, httpserver.url_for("/hook"), 1, {"data": {"id": 1, "reference": "SO-1"}})
    searches = FullFor(store.due_deliveries, 5)
    store.due_deliveries = searches  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="clarus_mock"):
        _work(store, lambda: bool(httpserver.log))
    assert searches.calls > 5
    assert len(httpserver.log) == 1
    full = full_disk_lines(caplog.records)
    assert len(full) == 1  # once, not at every search
    assert full[0].exc_info is None  # a line, not a trace


def test_answers_the_disk_has_no_room_for_are_logged_once_and_recorded_later(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    store = Store()
    for number in range(3):
        _due_now(store, httpserver.url_for("/hook"), number, {"data": {"id": number}})
    store.save_deliveries = FullFor(store.save_deliveries, 3)  # type: ignore[method-assign]

    def delivered() -> bool:
        return {d.state for d in store.deliveries(limit=10)} == {"delivered"}

    with caplog.at_level(logging.ERROR, logger="clarus_mock"):
        _work(store, delivered)
    assert delivered()
    assert len(httpserver.log) >= 3  # at least once: a call whose answer was lost goes again
    full = full_disk_lines(caplog.records)
    assert len(full) == 1
    assert full[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]  # no trace for a full disk
