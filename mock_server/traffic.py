"""Requests in progress on the server's event loop, so background work can wait for a quiet moment.

The delivery worker shares the API's loop and processor; it takes its turns only while no request is
being answered, nor has just arrived (see :mod:`mock_server.webhooks.worker`).
"""

from __future__ import annotations

import asyncio
import contextlib


class Traffic:
    """A count of requests in progress, entered and left by the journal middleware (same loop),
    and whether bytes of a request have arrived that no request in progress has taken up yet.

    Why the second: a request's task is queued behind whatever the loop had ready when its bytes
    arrived, and until it runs the count says "quiet", so background work queued with it went
    first (measured: every read waited about a millisecond while the outbox drained).
    """

    def __init__(self) -> None:
        self.count = 0
        self.arrived = False
        self._quiet: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def arrive(self) -> None:
        """Bytes of a request were read from a connection; its task has not started yet."""
        self.arrived = True

    def enter(self) -> None:
        self.count += 1
        self.arrived = False

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0 and self._quiet is not None:
            self._quiet.set()

    async def quiet(self, patience: float = 0.005) -> None:
        """Return once no request is in progress (at once when none is), or after ``patience``
        seconds: a request that takes long (an injected latency fault, a slow upload) must not
        hold background work back for its whole length. A request whose bytes have arrived goes
        first: its task is already queued, and yielding once lets it start."""
        if self.arrived and not self.count:
            self.arrived = False
            await asyncio.sleep(0)
        if not self.count:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._none_in_progress(), patience)

    async def _none_in_progress(self) -> None:
        while self.count:
            loop = asyncio.get_running_loop()
            if self._quiet is None or self._loop is not loop:  # an event belongs to one loop
                self._quiet, self._loop = asyncio.Event(), loop
            self._quiet.clear()
            await self._quiet.wait()


def protocol_for(traffic: Traffic) -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol (h11), telling ``traffic`` when a request's bytes arrive; pass
    it as uvicorn's ``http``."""
    from uvicorn.protocols.http.h11_impl import H11Protocol  # only a served app needs uvicorn

    class TrafficH11Protocol(H11Protocol):
        def data_received(self, data: bytes) -> None:
            traffic.arrive()
            super().data_received(data)

    return TrafficH11Protocol
