"""A full disk stops the delivery worker only while it lasts: logged once, in a line naming it;
the calls go out, and their answers are recorded, once there is room again."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from mock_server.clock import Clocks
from mock_server.store import Delivery, Store
from mock_server.webhooks.worker import Worker
from tests.disk import full_disk


def test_the_worker_goes_on_after_a_full_disk(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    store = Store()
    body = {"data": {"id": 1, "reference": "SO-1"}}
    store.add_delivery(
        Delivery(
            0,
            "t",
            "webhook",
            1,
            1,
            "created",
            "goods_outs",
            1,
            httpserver.url_for("/hook"),
            body,
            "pending",
            [],
            time.time() - 1,
            0.0,
        )
    )
    searches = 0
    due_deliveries = store.due_deliveries

    def full_for_five_searches(*args: Any) -> Any:
        nonlocal searches
        searches += 1
        if searches <= 5:
            raise full_disk()
        return due_deliveries(*args)

    store.due_deliveries = full_for_five_searches  # type: ignore[method-assign]
    worker = Worker(store, Clocks(store, mode="realtime"), "http://127.0.0.1:8000")

    async def scenario() -> None:
        worker.start()
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if httpserver.log:
                    break
        finally:
            await worker.stop()

    with caplog.at_level(logging.ERROR, logger="clarus_mock"):
        asyncio.run(scenario())
    assert searches > 5
    assert len(httpserver.log) == 1
    full = [r for r in caplog.records if "no room left" in r.getMessage()]
    assert len(full) == 1  # once, not at every search
    assert full[0].exc_info is None  # a line, not a trace


def test_answers_the_disk_has_no_room_for_are_logged_once_and_recorded_later(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    store = Store()
    for number in range(3):
        store.add_delivery(
            Delivery(
                0,
                "t",
                "webhook",
                1,
                1,
                "created",
                "goods_outs",
                number,
                httpserver.url_for("/hook"),
                {"data": {"id": number}},
                "pending",
                [],
                time.time() - 1,
                0.0,
            )
        )
    saves = 0
    save_deliveries = store.save_deliveries

    def full_for_the_first_saves(deliveries: list[Delivery]) -> None:
        nonlocal saves
        saves += 1
        if saves <= 3:
            raise full_disk()
        save_deliveries(deliveries)

    store.save_deliveries = full_for_the_first_saves  # type: ignore[method-assign]
    worker = Worker(store, Clocks(store, mode="realtime"), "http://127.0.0.1:8000")

    async def scenario() -> None:
        worker.start()
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if {d.state for d in store.deliveries(limit=10)} == {"delivered"}:
                    break
        finally:
            await worker.stop()

    with caplog.at_level(logging.ERROR, logger="clarus_mock"):
        asyncio.run(scenario())
    assert {d.state for d in store.deliveries(limit=10)} == {"delivered"}
    assert len(httpserver.log) >= 3  # at least once: a call whose answer was lost goes again
    full = [r for r in caplog.records if "no room left" in r.getMessage()]
    assert len(full) == 1
    assert full[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]  # no trace for a full disk
