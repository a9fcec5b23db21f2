"""What every domain function is given: the store, the tenant and the tenant's clock.

REST builds one per request (:attr:`mock_server.rest.context.Ctx.env`); the simulated floor builds one
per tenant and tick. Nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mock_server.clock import iso
from mock_server.store import Store


class Clock(Protocol):
    """A tenant's clock: seconds since the epoch, and the same instant as RFC 3339 text."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def iso(self, at: float | None = None) -> str:
        """``at`` (default: now) as ``YYYY-MM-DDTHH:MM:SSZ``."""
        ...


@dataclass(frozen=True)
class Env:
    """Where a domain function reads and writes: one tenant of one store, at the tenant's time."""

    store: Store
    tenant: str
    clock: Clock


@dataclass(frozen=True)
class StoreClock:
    """The tenant's clock as the store keeps it (``Store(now=...)``): for callers with no other.

    Seeding a fixture pack has a store and a tenant but no request; this reads the same time the
    store stamps ``created_at`` with.
    """

    store: Store
    tenant: str

    def now(self) -> float:
        """Seconds since the epoch on the tenant's clock."""
        return self.store.now(self.tenant)

    def iso(self, at: float | None = None) -> str:
        """``at`` (default: now) as ``YYYY-MM-DDTHH:MM:SSZ``."""
        return iso(self.now() if at is None else at)
