"""Domain fixtures: the demo pack in a store, a tenant and a clock that stands still: no HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache

import pytest

from contracts.graphql_spec import index_plan
from mock_server.domain.env import Env
from mock_server.fixtures import Pack, load_pack, seed
from mock_server.store import Store


class StillClock:
    """A clock that moves only when told: domain tests read exact times."""

    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def now(self) -> float:
        return self.at

    def iso(self, at: float | None = None) -> str:
        moment = self.at if at is None else at
        return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def _pack() -> Pack:
    return load_pack("demo")


@pytest.fixture
def env() -> Iterator[Env]:
    """The demo tenant of a fresh in-memory store, inside one transaction (as a request runs)."""
    clock = StillClock()
    store = Store(indexes=index_plan(), now=lambda tenant: clock.now())
    with store.transaction():
        seed(store, _pack())
    with store.transaction():
        yield Env(store, "demo", clock)
