"""The delivery worker: sends the outbox over HTTP, at least once, with retries.

Started from the app's lifespan as a task on the API's own event loop, and paced so that it stands
between a request and its answer as little as it can. An attempt's own work (loading its delivery
and shaping the body; recording its answer) is asked of *turns*: one task takes them one after the
other, each in a loop step of its own (so the loop looks for requests in between), each only while
no request is in progress or has just arrived (its task queued, see
:class:`~mock_server.traffic.Traffic`) or after at most 5 ms of waiting, and each doing all the work
asked by then (one query loads every body asked for, one transaction records every answer). The
search for due deliveries waits for quiet too. The body is shaped before the call takes its place
at the receiver, and the place is given back as soon as the answer is in, so the places are busy
only with calls. The calls themselves wait on the network side by side, at most ``per_receiver``
(3) at once to one webhook URL, each with a 10 s timeout; at most four times that many attempts
wait on one URL (sixteen times, with those waiting out a chaos delay), and the rest stay in the
store, where the search for due deliveries leaves out URLs with no room left and attempts in
flight, so a slow or dead receiver (or a tenant whose clock stands still) hides nobody else's
deliveries. The chaos switches' added latency is waited out before anything else. A reset drops
the attempts in flight (their deliveries are gone, and a new one may reuse an id); switching chaos
restarts the delays it had planned.

Why, measured with bench/webhooks.py (3,000 calls due at once, the API's p99 against idle): a thread
of its own with its own loop, +75-170% (the two threads hand the interpreter lock back and forth at
every SQLite call of a request); on the API's loop unpaced, +140-700%, and paced with 32 calls in
flight to the one receiver, +350% (a request waits behind every response that arrived before it);
each attempt taking a turn of its own, 4 in flight: +12-40%, 1,250-1,650 calls/s (a request's
bytes waited in the socket about 0.5 ms for the loop step under way, several attempts long, to
end). Now, over ten runs of three backlogs each: -8% to +30% (above +20% in two), 1,350-1,480
calls/s, and calls 10-40 ms behind 365-390 orders/s x 3 automations. With 4 in flight: 1,750
calls/s, 4 ms behind, +21-40%; with 2: 1,000 calls/s (the target, no margin), 0.6 s behind.

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
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from mock_server.background import Failures
from mock_server.clock import Clocks, iso
from mock_server.json_text import dumps
from mock_server.store import Delivery, Store
from mock_server.traffic import Traffic
from mock_server.webhooks.chaos import Chaos, Plan
from mock_server.webhooks.payload import headers, present

log = logging.getLogger("clarus_mock")

ATTEMPTS = 8
TIMEOUT_S = 10.0
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 300.0
_GATHER_S = 0.005  # after an attempt ends, how long to wait for others before looking again
PER_RECEIVER = 3  # calls in flight to one webhook URL at once (see the module's docstring)
# Of a receiver's answer only the status counts. Up to this much of the body is read, so that the
# connection can serve the next call; past it the connection is closed, not the body kept.
ANSWER_READ_BYTES = 64 * 1024


async def _read_at_most(response: aiohttp.ClientResponse, limit: int) -> None:
    """Read and drop up to ``limit`` bytes of an answer's body; a longer one is left unread (and
    its connection closed when the response is released), so no answer fills the memory."""
    read = 0
    while read <= limit:
        chunk = await response.content.readany()
        if not chunk:
            return
        read += len(chunk)
    response.close()


def retry_after(failed_attempts: int) -> float:
    """Seconds (on the tenant's clock) before the next attempt, after ``failed_attempts`` (>= 1)."""
    return min(FIRST_RETRY_S * 2.0 ** (failed_attempts - 1), MAX_RETRY_S)


def current_round(delivery: Delivery) -> list[dict[str, Any]]:
    """The attempts since the last redelivery (a redelivery starts the schedule again): neither
    chaos duplicates nor the entry that marks the redelivery count."""
    latest = max((a.get("round", 0) for a in delivery.attempts), default=0)
    return [
        a
        for a in delivery.attempts
        if a.get("round", 0) == latest and not a.get("duplicate") and not a.get("redelivery")
    ]


@dataclass
class _Attempt:
    """An attempt in flight: its task, whose delivery it is, and whether it is still waiting out
    a chaos delay (then it holds no place at its receiver)."""

    task: asyncio.Task[None]
    tenant: str
    target: str
    delayed: bool = False


@dataclass
class _Answer:
    """An attempt's outcome, to be recorded on its delivery."""

    delivery: Delivery
    attempts: list[dict[str, Any]]
    ok: bool


@dataclass
class _Ask:
    """Work an attempt waits for the next turn to do: load its delivery and shape the body (no
    ``answer``), or record its ``answer``."""

    delivery_id: int
    answer: _Answer | None
    done: asyncio.Future[Any]


@dataclass
class _Places:
    """A webhook URL's places for calls, and how many attempts hold or wait for one."""

    free: asyncio.Semaphore
    users: int = 0


class Worker:
    """Sends due deliveries; :meth:`wake` after writing some so they go out at once.

    ``traffic`` counts the requests in progress on the loop the worker runs on; the worker takes
    its turns between them.
    """

    def __init__(
        self,
        store: Store,
        clocks: Clocks,
        base_url: str,
        chaos: Chaos | None = None,
        per_receiver: int = PER_RECEIVER,
        timeout: float = TIMEOUT_S,
        traffic: Traffic | None = None,
    ) -> None:
        self.store = store
        self.clocks = clocks
        self.base_url = base_url
        self.chaos = chaos or Chaos()
        self.timeout = timeout
        self.per_receiver = per_receiver
        self.traffic = traffic or Traffic()
        self._receivers: dict[str, _Places] = {}  # by webhook URL
        self._asks: list[_Ask] = []  # work waiting for the next turn
        self._turns: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._in_flight: dict[int, _Attempt] = {}  # by delivery id
        self._soon: asyncio.TimerHandle | None = None
        self.sent = 0  # attempts made, for figures and tests
        self._failures = Failures(store)

    @property
    def busy(self) -> bool:
        """Whether an attempt is in flight."""
        return bool(self._in_flight)

    @property
    def urls_in_use(self) -> int:
        """How many webhook URLs have a call in flight or waiting for a place."""
        return len(self._receivers)

    @property
    def in_flight(self) -> int:
        """How many attempts are in flight (waiting out a chaos delay, for a place, or sent)."""
        return len(self._in_flight)

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next poll (from any thread)."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed: nothing to wake
                loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        """Run as a task on the running event loop (the API's: call it from the lifespan)."""
        self._loop = asyncio.get_running_loop()
        self._receivers = {}
        self._asks = []
        self._turns = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._soon = None
        self._task = asyncio.create_task(self.run(), name="webhook-deliveries")

    async def stop(self) -> None:
        """End the task (attempts in flight are dropped; their deliveries stay pending)."""
        self._stopping = True
        self.wake()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._loop = None

    def attempting(self, delivery_id: int) -> bool:
        """Whether an attempt of the delivery is in flight (a chaos delay counts)."""
        return delivery_id in self._in_flight

    def forget(self, tenant: str | None = None) -> None:
        """Drop the attempts in flight (of ``tenant``, or all): their deliveries were reset away,
        and a delivery made after a full reset may have the same id. From any thread."""
        self._on_loop(self._drop, lambda attempt: tenant is None or attempt.tenant == tenant)

    def replan(self) -> None:
        """Attempts still waiting out a chaos delay start again under the switches as they are
        now (a delay of ten minutes, switched off, does not keep its delivery waiting). From any
        thread."""
        self._on_loop(self._drop, lambda attempt: attempt.delayed)

    def _on_loop(self, action: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            here = asyncio.get_running_loop() is loop
        except RuntimeError:
            here = False
        if here:
            action(*args)
        else:
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                loop.call_soon_threadsafe(action, *args)

    def _drop(self, which: Callable[[_Attempt], bool]) -> None:
        for delivery_id, attempt in list(self._in_flight.items()):
            if which(attempt):
                attempt.task.cancel()
                del self._in_flight[delivery_id]
        self._wake.set()

    async def run(self) -> None:
        """Poll until stopped: a wake-up or every 100 ms (retries come due with the clock)."""
        # aiohttp rounds timeouts of 5 s and more up to whole seconds unless told otherwise.
        timeout = aiohttp.ClientTimeout(total=self.timeout, ceil_threshold=self.timeout + 1)
        connector = aiohttp.TCPConnector(limit=0)  # the worker limits calls per receiver
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as client:
            failures = self._failures
            try:
                while not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), 0.1)
                    self._wake.clear()
                    await self.traffic.quiet()  # the search for due ones is work of its own
                    try:
                        self._dispatch(client)
                    except Exception as exc:  # a full disk must not stop the worker for good
                        failures.failed("the search for due webhook deliveries", exc)
            finally:
                tasks = [attempt.task for attempt in self._in_flight.values()]
                if self._turns is not None:
                    tasks.append(self._turns)
                for task in tasks:
                    task.cancel()
                if tasks:
                    await asyncio.wait(tasks)
                self._in_flight.clear()

    def _ask(self, delivery_id: int, answer: _Answer | None = None) -> asyncio.Future[Any]:
        """Queue work for the next turn (load a delivery, or record an attempt's ``answer``);
        the future gets its result when the turn has done it."""
        assert self._loop is not None
        ask = _Ask(delivery_id, answer, self._loop.create_future())
        self._asks.append(ask)
        if self._turns is None or self._turns.done():
            self._turns = asyncio.create_task(self._take_turns(), name="webhook-turns")
        return ask.done

    async def _take_turns(self) -> None:
        """Do the queued work, a turn at a time, each turn between requests and in a loop step of
        its own, and each doing all the work queued by then (see the module's docstring)."""
        while self._asks:
            await asyncio.sleep(0)  # a step of its own: the loop looks for requests in between
            await self.traffic.quiet()
            asks, self._asks = self._asks, []
            live = [ask for ask in asks if not ask.done.done()]  # a dropped attempt's is cancelled
            try:
                self._do(live)
            except Exception as exc:  # a bug here must not stop the turns; each attempt hears
                for ask in live:
                    if not ask.done.done():
                        ask.done.set_exception(exc)

    def _do(self, asks: list[_Ask]) -> None:
        loads = [ask for ask in asks if ask.answer is None]
        if loads:
            found = self.store.deliveries_by_id([ask.delivery_id for ask in loads])
            for ask in loads:
                delivery = found.get(ask.delivery_id)
                if delivery is None or delivery.state != "pending":
                    ask.done.set_result(None)
                    continue
                try:
                    body = dumps(present(delivery.resource, delivery.body)).encode()
                except Exception as exc:  # one body that cannot be shaped fails its attempt only
                    ask.done.set_exception(exc)
                else:
                    ask.done.set_result((delivery, body))
        records = [(ask, ask.answer) for ask in asks if ask.answer is not None]
        if records:
            saved = self._record([answer for _, answer in records])
            for ask, answer in records:
                ask.done.set_result(answer.delivery.id in saved)

    def _record(self, answers: list[_Answer]) -> set[int]:
        """Write the attempts' answers in one transaction; the ids written. Read back what may
        have changed meanwhile (a reset, a redelivery), but not the body: the delivery in hand
        has it, and inflating it again was the costly part of the row."""
        progress = self.store.delivery_progresses([a.delivery.id for a in answers])
        changed: list[Delivery] = []
        for answer in answers:
            now = progress.get(answer.delivery.id)
            if now is None or now[0] != "pending":
                continue  # reset, or redelivered meanwhile
            stored = answer.delivery
            stored.attempts = now[1] + answer.attempts
            if answer.ok:
                stored.state, stored.due = "delivered", None
            elif len(current_round(stored)) >= ATTEMPTS:
                stored.state, stored.due = "failed", None
            else:
                failed = len(current_round(stored))
                stored.due = self.clocks.now(stored.tenant) + retry_after(failed)
            changed.append(stored)
        self.store.save_deliveries(changed)
        return {delivery.id for delivery in changed}

    def _dispatch(self, client: aiohttp.ClientSession) -> None:
        """Start an attempt for each due delivery not in flight: at most four times
        ``per_receiver`` waiting for a place at one receiver, and at most sixteen times in
        memory for it with those waiting out a chaos delay. The rest stay in the store, so a dead
        receiver's backlog holds no memory, and a receiver with no room hides nobody else's
        deliveries."""
        waiting: dict[str, int] = {}
        held: dict[str, int] = {}
        for attempt in self._in_flight.values():
            held[attempt.target] = held.get(attempt.target, 0) + 1
            if not attempt.delayed:
                waiting[attempt.target] = waiting.get(attempt.target, 0) + 1

        def room(target: str) -> int:
            return min(
                4 * self.per_receiver - waiting.get(target, 0),
                16 * self.per_receiver - held.get(target, 0),
            )

        for delivery_id, tenant, _, target, made, what in self.store.due_deliveries(
            self.clocks.now, room, self._in_flight
        ):
            plan = self.chaos.plan(what, made)
            task = asyncio.create_task(self._attempt(client, delivery_id, target, plan))
            self._in_flight[delivery_id] = _Attempt(task, tenant, target, bool(plan.delay_s))

    def _wake_soon(self) -> None:
        """Look again shortly: attempts ending close together share one look at the store."""
        if self._soon is None and self._loop is not None:
            self._soon = self._loop.call_later(_GATHER_S, self._woken)

    def _woken(self) -> None:
        self._soon = None
        self._wake.set()

    @contextlib.asynccontextmanager
    async def _place(self, url: str) -> AsyncIterator[None]:
        """A place for a call to ``url``: at most ``per_receiver`` at once. The places of a URL
        are forgotten when nobody holds or waits for one (automations come and go; their URLs must
        not pile up)."""
        places = self._receivers.get(url)
        if places is None:
            places = self._receivers[url] = _Places(asyncio.Semaphore(self.per_receiver))
        places.users += 1
        try:
            async with places.free:
                yield
        finally:
            places.users -= 1
            if not places.users and self._receivers.get(url) is places:
                del self._receivers[url]

    async def _attempt(
        self, client: aiohttp.ClientSession, delivery_id: int, target: str, plan: Plan
    ) -> None:
        try:
            if plan.delay_s:  # chaos latency: waited out before taking a place at the receiver
                await asyncio.sleep(plan.delay_s)
                attempt = self._in_flight.get(delivery_id)
                if attempt is not None and attempt.task is asyncio.current_task():
                    attempt.delayed = False
            # The body first, shaped in a turn while the call may still wait for a place at its
            # receiver (at most four per place wait, see _dispatch), so a place that comes free is
            # taken at once; the place is held for the call only, not while its answer is noted.
            loaded = await self._ask(delivery_id)
            if loaded is None:
                return  # gone, or not pending any more
            delivery, body = loaded
            async with self._place(target):
                attempts, ok = await self._send(client, delivery, body, plan)
            await self._ask(delivery.id, _Answer(delivery, attempts, ok))
            self._failures.succeeded()  # the store wrote again
        except Exception as exc:  # a bug (or a full disk) must not stop the worker; the
            # delivery stays pending, to be tried again
            self._failures.failed(f"webhook delivery {delivery_id}", exc)
        finally:
            attempt = self._in_flight.get(delivery_id)
            if attempt is not None and attempt.task is asyncio.current_task():
                del self._in_flight[delivery_id]  # not another attempt's, after a reset
                self._wake_soon()  # a place is free: what waited for it may go

    async def _send(
        self, client: aiohttp.ClientSession, delivery: Delivery, body: bytes, plan: Plan
    ) -> tuple[list[dict[str, Any]], bool]:
        """The call (twice when chaos duplicates it): the attempts as the log shows them, and
        whether the receiver took it."""
        round_no = max((a.get("round", 0) for a in delivery.attempts), default=0)
        first = await self._post(client, delivery, body, fail=plan.fail)
        attempts = [{**first, "round": round_no}]
        ok = first["error"] is None
        if ok and plan.duplicate:
            again = await self._post(client, delivery, body, fail=False)
            attempts.append({**again, "round": round_no, "duplicate": True})
        return attempts, ok

    async def _post(
        self, client: aiohttp.ClientSession, delivery: Delivery, body: bytes, fail: bool
    ) -> dict[str, Any]:
        """One POST of ``body``; returns the attempt as the delivery log shows it."""
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
                    data=body,
                    headers=headers(
                        self.base_url,
                        delivery.tenant,
                        delivery.automation_id or 0,
                        delivery.integration_id,
                    ),
                    # A redirect is an answer that is not 2xx: following it could lead anywhere,
                    # this mock's own /__mock included.
                    allow_redirects=False,
                ) as response:
                    status = response.status
                    # The status is the answer: a body that breaks off or trickles past the
                    # timeout after it does not undo it (the connection is dropped, not reused).
                    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                        await _read_at_most(response, ANSWER_READ_BYTES)
                if not 200 <= status < 300:
                    error = f"the receiver answered {status}"
            except TimeoutError:
                error = f"no answer within {self.timeout:g} s"
            except (aiohttp.ClientError, ValueError) as exc:  # ValueError: a URL aiohttp refuses
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency = round((time.perf_counter() - started) * 1000, 1)
        return {"at": at, "status_code": status, "latency_ms": latency, "error": error}
