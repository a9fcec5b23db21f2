"""The delivery worker: sends the outbox over HTTP, at least once, with retries.

Started from the app's lifespan in a thread of its own, with its own event loop: a backlog of calls
then competes with the API for the processor only, not for the API's event loop (the API's p99
while 3,000 calls drained went from +140-700% over idle to about +60%). Nothing on a request's path
waits for it. Pending deliveries whose
due time has come on their tenant's clock are sent concurrently (at most ``concurrency`` at once,
each with a 10 s timeout), so a slow or dead receiver holds up only its own deliveries.

An attempt fails on any answer that is not 2xx, a refused connection or a timeout. The next one is
due 1 s later on the tenant's clock, then 2, 4, 8... capped at 5 minutes, 8 attempts in all; then
the delivery is ``failed`` and can be redelivered by hand. The vendor documents no retry schedule
(https://documentation.claruswms.com/knowledgebase/integrations/webhook-events only asks receivers
to answer 2xx fast and be idempotent): this one is the mock's.

The calls go through aiohttp, not httpx: on one core httpx's async client made about 300 calls a
second to a local receiver and aiohttp about 4,000 (32 at once, keep-alive), and the fan-out target
is 1,000 a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from typing import Any

import aiohttp

from mock_server.clock import Clocks, iso
from mock_server.store import Delivery, Store
from mock_server.webhooks.chaos import Chaos
from mock_server.webhooks.payload import headers, present

log = logging.getLogger("clarus_mock")

ATTEMPTS = 8
TIMEOUT_S = 10.0
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 300.0


def retry_after(failed_attempts: int) -> float:
    """Seconds (on the tenant's clock) before the next attempt, after ``failed_attempts`` (>= 1)."""
    return min(FIRST_RETRY_S * 2.0 ** (failed_attempts - 1), MAX_RETRY_S)


def current_round(delivery: Delivery) -> list[dict[str, Any]]:
    """The attempts since the last redelivery (a redelivery starts the schedule again)."""
    latest = max((a.get("round", 0) for a in delivery.attempts), default=0)
    return [a for a in delivery.attempts if a.get("round", 0) == latest and not a.get("duplicate")]


class Worker:
    """Sends due deliveries; :meth:`wake` after writing some so they go out at once."""

    def __init__(
        self,
        store: Store,
        clocks: Clocks,
        base_url: str,
        chaos: Chaos | None = None,
        concurrency: int = 32,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self.store = store
        self.clocks = clocks
        self.base_url = base_url
        self.chaos = chaos or Chaos()
        self.timeout = timeout
        self.concurrency = concurrency
        self._limit = asyncio.Semaphore(concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0  # attempts made, for figures and tests

    @property
    def busy(self) -> bool:
        """Whether an attempt is in flight."""
        return bool(self._in_flight)

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next poll (from any thread)."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed: nothing to wake
                loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        """Run in a thread of its own with its own event loop: the API's loop stays the API's."""
        ready = threading.Event()

        def main() -> None:
            async def go() -> None:
                self._loop = asyncio.get_running_loop()
                self._limit = asyncio.Semaphore(self.concurrency)
                self._wake = asyncio.Event()
                ready.set()
                await self.run()

            self._stopping = False
            with contextlib.suppress(asyncio.CancelledError):
                asyncio.run(go())

        self._thread = threading.Thread(target=main, name="webhook-deliveries", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        """End the thread (attempts in flight are dropped; their deliveries stay pending)."""
        self._stopping = True
        self.wake()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    async def run(self) -> None:
        """Poll until cancelled: a wake-up or every 100 ms (retries come due with the clock)."""
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            try:
                while not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), 0.1)
                    self._wake.clear()
                    self._dispatch(client)
            finally:
                for task in list(self._tasks):
                    task.cancel()

    def _due(self) -> list[int]:
        return [
            delivery_id
            for delivery_id, tenant, due in self.store.pending_deliveries()
            if delivery_id not in self._in_flight
            and (due is None or due <= self.clocks.now(tenant))
        ]

    def _dispatch(self, client: aiohttp.ClientSession) -> None:
        for delivery_id in self._due():
            self._in_flight.add(delivery_id)
            task = asyncio.create_task(self._attempt(client, delivery_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _attempt(self, client: aiohttp.ClientSession, delivery_id: int) -> None:
        try:
            async with self._limit:
                delivery = self.store.delivery(delivery_id)
                if delivery is not None and delivery.state == "pending":
                    await self._send(client, delivery)
        except Exception:  # a bug here must not stop the worker; the delivery stays pending
            log.exception("webhook delivery %s: unexpected error", delivery_id)
        finally:
            self._in_flight.discard(delivery_id)

    async def _send(self, client: aiohttp.ClientSession, delivery: Delivery) -> None:
        round_no = max((a.get("round", 0) for a in delivery.attempts), default=0)
        plan = self.chaos.plan(delivery.id, len(delivery.attempts))
        if plan.delay_s:
            await asyncio.sleep(plan.delay_s)
        attempt = await self._post(client, delivery, fail=plan.fail)
        attempt["round"] = round_no
        # Read back what may have changed meanwhile (a reset, a redelivery), but not the body:
        # the delivery in hand has it, and inflating it again was the costly part of the row.
        progress = self.store.delivery_progress(delivery.id)
        if progress is None or progress[0] != "pending":
            return  # reset, or redelivered meanwhile
        stored = delivery
        stored.attempts = progress[1]
        stored.attempts.append(attempt)
        ok = attempt["error"] is None
        if ok and plan.duplicate:
            again = await self._post(client, delivery, fail=False)
            stored.attempts.append({**again, "round": round_no, "duplicate": True})
        if ok:
            stored.state, stored.due = "delivered", None
        elif len(current_round(stored)) >= ATTEMPTS:
            stored.state, stored.due = "failed", None
        else:
            stored.due = self.clocks.now(stored.tenant) + retry_after(len(current_round(stored)))
        self.store.save_delivery(stored)

    async def _post(
        self, client: aiohttp.ClientSession, delivery: Delivery, fail: bool
    ) -> dict[str, Any]:
        """One POST; returns the attempt as the delivery log shows it."""
        at = iso(self.clocks.now(delivery.tenant))
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        if fail:
            error = "not sent: the chaos failure switch failed this attempt"
        else:
            self.sent += 1
            try:
                async with client.post(
                    delivery.target,
                    data=json.dumps(present(delivery.resource, delivery.body)),
                    headers=headers(
                        self.base_url,
                        delivery.tenant,
                        delivery.automation_id or 0,
                        delivery.integration_id,
                    ),
                ) as response:
                    await response.read()
                    status = response.status
                if not 200 <= status < 300:
                    error = f"the receiver answered {status}"
            except TimeoutError:
                error = f"no answer within {self.timeout:g} s"
            except (aiohttp.ClientError, ValueError) as exc:  # ValueError: a URL aiohttp refuses
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency = round((time.perf_counter() - started) * 1000, 1)
        return {"at": at, "status_code": status, "latency_ms": latency, "error": error}
