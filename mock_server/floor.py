"""The simulated warehouse floor: due jobs, run on each tenant's clock.

Work the floor's staff will do (allocate an order 30 s after it arrives, pick it 2 minutes later...)
is a job in the store, due at a time on the tenant's clock. Jobs run through the same domain
functions REST calls, each in its own store transaction whose transitions fire automations.

- ``realtime``: a background loop runs jobs as they fall due.
- ``instant``: every job runs as soon as the write that made it commits; the clock jumps forward
  to each job's due time, so timestamps read as if the staff had taken their time.
- ``manual``: nothing runs until the clock is advanced (``/__mock/clock/advance``) or the floor
  stepped (``/__mock/floor/step``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from mock_server.background import Failures
from mock_server.clock import LATEST, Clocks, parse_duration
from mock_server.domain import floor as steps
from mock_server.domain.goods_in import RECEIPTS, RECEIVED, TASKS
from mock_server.domain.goods_outs import ALLOCATED, ORDERS, PART_ALLOCATED, PENDING, PICK
from mock_server.store import Job, Store, Transition

log = logging.getLogger("clarus_mock")

JobRunner = Callable[[str, Job], list[dict[str, Any]]]
"""Runs one job of a tenant inside a store transaction; returns the transitions it made."""

# A chain of jobs making jobs could run for ever in instant mode; no real flow needs this many.
MAX_STEPS = 10_000

# (resource, status it reaches) -> the step that follows.
_CAUSES = {
    (ORDERS, PENDING): steps.ALLOCATE,
    (ORDERS, ALLOCATED): steps.PICKING,
    (RECEIPTS, RECEIVED): steps.RECEIVE,
}
# (resource, status left, status reached) -> the step that follows. An order the integrator
# processed before the floor allocated it is picked after the pick duration (one processed while
# ALLOCATED has its pick step due already; the floor's own processing picks in the same step).
_MOVES = {
    (ORDERS, PENDING, PICK): steps.PICKING,
    (ORDERS, PART_ALLOCATED, PICK): steps.PICKING,
}
# The fixture pack's names for the durations (pack.yaml `floor:`), and the defaults of the demo pack.
PACK_KEYS = {
    steps.ALLOCATE: ("allocate_after", 30.0),
    steps.PICKING: ("pick_after", 120.0),
    steps.DISPATCH: ("dispatch_after", 180.0),
    steps.RECEIVE: ("complete_receive_tasks_after", 300.0),
}


def durations(pack_floor: dict[str, Any]) -> dict[str, float]:
    """Seconds before each step, from a pack's ``floor:`` section (``30s``, ``2m``...); raises
    ``ClockError`` for a value that is not a duration."""
    return {
        step: parse_duration(pack_floor.get(key, default))
        for step, (key, default) in PACK_KEYS.items()
    }


class Floor:
    """Runs the tenants' due jobs; ``runner`` does one job (see :data:`JobRunner`)."""

    def __init__(
        self, store: Store, clocks: Clocks, runner: JobRunner, durations: dict[str, float]
    ) -> None:
        self.store = store
        self.clocks = clocks
        self.runner = runner
        self.durations = durations  # step -> seconds after its cause

    def react(self, tenant: str, transitions: list[Transition]) -> None:
        """Schedule the steps these status changes call for: an order that becomes PENDING is
        allocated, one that becomes ALLOCATED (or is processed by the integrator) is picked, an
        order that gets its DISP task is dispatched, a receipt that is received has its tasks
        completed, each after the pack's duration."""
        for t in transitions:
            step = _CAUSES.get((t.resource, t.to)) or _MOVES.get((t.resource, t.from_, t.to))
            if step is not None:
                self.schedule(tenant, self.durations[step], step, {"id": t.id})
            elif t.resource == TASKS and t.from_ is None:
                order_id = steps.starts_dispatch(self.store.get(tenant, TASKS, t.id))
                if order_id is not None:
                    after = self.durations[steps.DISPATCH]
                    self.schedule(tenant, after, steps.DISPATCH, {"id": order_id})

    def follow(self, tenant: str, follow_ups: list[tuple[str, int]]) -> None:
        """Schedule the steps a step made due (a picked order is dispatched)."""
        for step, record_id in follow_ups:
            self.schedule(tenant, self.durations[step], step, {"id": record_id})

    def schedule(self, tenant: str, after: float, kind: str, payload: dict[str, Any]) -> int:
        """A job due ``after`` seconds from now on the tenant's clock; returns its id."""
        return self.store.add_job(tenant, self.clocks.now(tenant) + after, kind, payload)

    def catch_up(self, tenant: str) -> list[dict[str, Any]]:
        """Run what the tenant's clock says is due: everything in ``instant``, jobs due by now in
        ``realtime``, and in ``manual`` too (a manual clock only moves when told to)."""
        if self.clocks.state(tenant).mode == "instant":
            return self._run_until(tenant, None)
        return self._run_until(tenant, self.clocks.now(tenant))

    def advance(self, tenant: str, seconds: float) -> list[dict[str, Any]]:
        """Move the clock forward by ``seconds``, running each job that falls due on the way at its
        own time; returns the transitions made. Raises ``ClockError`` (nothing done) when that
        would take the clock past ``LATEST``."""
        return self.advance_to(tenant, self.clocks.target(tenant, seconds))

    def advance_to(self, tenant: str, target: float) -> list[dict[str, Any]]:
        """Move the clock forward to ``target`` (from :meth:`Clocks.target`), as :meth:`advance`."""
        transitions = self._run_until(tenant, target)
        if self.clocks.now(tenant) < target:
            self.clocks.move_to(tenant, target)
        return transitions

    def step(self, tenant: str) -> list[dict[str, Any]]:
        """Run the next job (and any due at the same time), moving the clock to it if it lies
        ahead; nothing when no job is waiting."""
        job = self.store.next_job(tenant)
        if job is None:
            return []
        return self._run_until(tenant, max(job.due, self.clocks.now(tenant)))

    def _run_until(self, tenant: str, until: float | None) -> list[dict[str, Any]]:
        # A step due after the clock's last time never comes due: running it would move the clock
        # out of the range every time it writes must stay in.
        until = LATEST if until is None else min(until, LATEST)
        transitions: list[dict[str, Any]] = []
        for _ in range(MAX_STEPS):
            job = self.store.next_job(tenant, until)
            if job is None:
                return transitions
            if job.due > self.clocks.now(tenant):
                self.clocks.move_to(tenant, job.due)  # the job happens at its own time
            transitions += self.runner(tenant, job)
        log.warning("floor of %s: stopped after %d steps in one go", tenant, MAX_STEPS)
        return transitions

    async def run(self, wake: Callable[[], None]) -> None:
        """Until cancelled: run due jobs of ``realtime`` tenants every 100 ms; ``wake`` the
        delivery worker when a job changed something."""
        failures = Failures(self.store)
        while True:
            await asyncio.sleep(0.1)
            try:
                tenants = self.store.job_tenants()
            except Exception as exc:  # a full disk must not stop the floor for good
                failures.failed("the floor's search for due jobs", exc)
                continue
            for tenant in tenants:
                if self.clocks.state(tenant).mode != "realtime":
                    continue
                try:
                    if self._run_until(tenant, self.clocks.now(tenant)):
                        wake()
                except Exception as exc:  # one broken job must not stop every tenant's floor
                    failures.failed(f"floor of {tenant}: a job", exc)
                else:
                    failures.succeeded()
