"""The server's clock. Real time for now; the virtual clock (manual/instant modes) builds on this."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Seconds since the epoch, shifted by an offset that tests can advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def iso(self, at: float | None = None) -> str:
        """``at`` (default: now) as an RFC 3339 string in UTC."""
        return datetime.fromtimestamp(self.now() if at is None else at, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )

    def advance(self, seconds: float) -> None:
        self.offset += seconds
