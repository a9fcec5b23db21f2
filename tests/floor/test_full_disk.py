"""A full disk stops the floor only while it lasts: logged once, in a line naming it; the step it
met stays due (an advance answers 507) and runs once there is room again."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from mock_server.clock import Clocks
from mock_server.floor import Floor
from mock_server.store import Job, Store
from tests.api import Api
from tests.disk import FullFor, full_disk, full_disk_lines
from tests.floor.test_lifecycles import advance, place, read, set_time


def test_the_floor_goes_on_after_a_full_disk(caplog: pytest.LogCaptureFixture) -> None:
    store = Store()
    ran: list[int] = []

    def runner(tenant: str, job: Job) -> list[dict[str, Any]]:
        store.delete_job(job.id)
        ran.append(job.id)
        return []

    floor = Floor(store, Clocks(store, "realtime"), runner, {})
    job_id = store.add_job("t", time.time() - 1, "allocate", {"id": 1})
    store.job_tenants = FullFor(store.job_tenants, 5)  # type: ignore[method-assign]

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
    full = full_disk_lines(caplog.records)
    assert len(full) == 1  # once, not at every round
    assert full[0].exc_info is None  # a line, not a trace
    assert "SQLITE_TMPDIR" in full[0].getMessage()


def test_a_step_the_disk_has_no_room_for_stays_due(
    manual: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    order_id = place(manual, "SO-FULL-DISK")

    def no_room(*args: object) -> None:
        raise full_disk()

    with monkeypatch.context() as patch:  # the step's last write (its next step) finds no room
        patch.setattr(manual.store, "add_job", no_room)
        r = manual.http.post("/__mock/clock/advance", json={"tenant": "demo", "by": "1m"})
    assert r.status_code == 507, r.text
    assert "no room left" in r.json()["error"]
    assert read(manual, order_id)["goods_out_status"] == {"code": "PENDING"}  # nothing half-done
    [allocated] = [t for t in advance(manual, "1s") if t["resource"] == "goods_outs"]
    assert (allocated["id"], allocated["to"]) == (order_id, "ALLOCATED")
