"""A full disk stops the floor's rounds only while it lasts: logged once, in a line naming it, and
the due jobs run once there is room again."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from mock_server.clock import Clocks
from mock_server.floor import Floor
from mock_server.store import Job, Store
from tests.disk import full_disk


def test_the_floor_goes_on_after_a_full_disk(caplog: pytest.LogCaptureFixture) -> None:
    store = Store()
    ran: list[int] = []

    def runner(tenant: str, job: Job) -> list[dict[str, Any]]:
        store.delete_job(job.id)
        ran.append(job.id)
        return []

    floor = Floor(store, Clocks(store, "realtime"), runner, {})
    job_id = store.add_job("t", time.time() - 1, "allocate", {"id": 1})
    searches = 0
    job_tenants = store.job_tenants

    def full_for_five_rounds() -> list[str]:
        nonlocal searches
        searches += 1
        if searches <= 5:
            raise full_disk()
        return job_tenants()

    store.job_tenants = full_for_five_rounds  # type: ignore[method-assign]

    async def scenario() -> None:
        task = asyncio.create_task(floor.run(lambda: None))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if ran:
                break
        task.cancel()

    with caplog.at_level(logging.ERROR, logger="clarus_mock"):
        asyncio.run(scenario())
    assert ran == [job_id]
    full = [r for r in caplog.records if "no room left" in r.getMessage()]
    assert len(full) == 1  # once, not at every round
    assert full[0].exc_info is None  # a line, not a trace
    assert "SQLITE_TMPDIR" in full[0].getMessage()
