"""What a REST handler gets: the operation, tenant, store, path parameters and the checked body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts import Operation, Violation
from mock_server.domain.env import Clock, Env
from mock_server.domain.records import WithLines
from mock_server.store import Store


@dataclass
class Ctx:
    """One request, after auth and contract validation."""

    op: Operation
    tenant: str
    store: Store
    clock: Clock
    params: dict[str, Any]
    body: Any
    query: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[Violation] = field(default_factory=list)  # beyond the schema's own
    # The record written and all its lines, as stored, when the handler holds them: the outbox
    # then keeps them for the webhooks without reading them back.
    held: WithLines | None = None

    @property
    def env(self) -> Env:
        """What the domain functions are given: this tenant of the store, on the server's clock."""
        return Env(self.store, self.tenant, self.clock)

    @property
    def data(self) -> dict[str, Any]:
        return self.body.get("data", {}) if isinstance(self.body, dict) else {}

    @property
    def attributes(self) -> dict[str, Any]:
        return dict(self.data.get("attributes") or {})

    @property
    def relationships(self) -> dict[str, Any]:
        return dict(self.data.get("relationships") or {})

    @property
    def record_id(self) -> int:
        return int(self.params["id"])
