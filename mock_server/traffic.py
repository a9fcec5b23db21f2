"""Requests in progress on the server's event loop, so background work can wait for a quiet moment.

The delivery worker shares the API's loop and processor; it takes its turns only while no request is
being answered (see :mod:`mock_server.webhooks.worker`).
"""

from __future__ import annotations

import asyncio
import contextlib


class Traffic:
    """A count of requests in progress, entered and left by the journal middleware (same loop)."""

    def __init__(self) -> None:
        self.count = 0
        self._quiet: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def enter(self) -> None:
        self.count += 1

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0 and self._quiet is not None:
            self._quiet.set()

    async def quiet(self, patience: float = 0.005) -> None:
        """Return once no request is in progress (at once when none is), or after ``patience``
        seconds: a request that takes long (an injected latency fault, a slow upload) must not
        hold background work back for its whole length."""
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
