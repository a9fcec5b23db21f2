"""Seeded switches that make deliveries awkward on purpose, to test a receiver's idempotency.

The vendor warns that "the same event may occasionally be delivered more than once"
(https://documentation.claruswms.com/knowledgebase/integrations/webhook-events). The switches make
that, and worse, happen on demand: duplicates, reordering, added latency and failed attempts. Each
attempt draws from its own generator, seeded by the seed, what the call is about (its automation,
resource, event and record) and the attempt's number, so a run with the same seed behaves the same
however the worker's concurrent sends interleave, and in a fresh tenant as in the last one (ids of
deliveries count across tenants; a tenant's records are numbered alike in every copy of a pack).
Two calls of one automation about the same record and event draw alike.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any


class ChaosError(ValueError):
    """A switch value the chaos settings refuse; the message names the switch and its range."""


@dataclass(frozen=True)
class Plan:
    """What the switches decided for one attempt."""

    delay_s: float  # held back this long before sending (reordering window plus latency)
    fail: bool  # counted as a failed attempt without being sent
    duplicate: bool  # sent a second time after it succeeds


@dataclass
class Chaos:
    """The switches; all off by default."""

    duplicate_rate: float = 0.0  # 0..1: a delivered call is sent once more
    reorder_window_ms: float = 0.0  # each call waits a random 0..window ms, so later ones overtake
    latency_ms: float = 0.0  # every call waits this long first
    failure_rate: float = 0.0  # 0..1: an attempt fails without being sent (then retried)
    seed: int = 0

    def __post_init__(self) -> None:
        self._start_seed = self.seed  # serve --chaos-seed: what a reset goes back to

    def reset(self) -> None:
        """Every switch off, and the seed the server started with (a full reset does this)."""
        self.duplicate_rate = self.reorder_window_ms = self.latency_ms = self.failure_rate = 0.0
        self.seed = self._start_seed

    def plan(self, what: str, attempt: int) -> Plan:
        """The decisions for attempt number ``attempt`` of a call about ``what`` (automation,
        resource, event and record, as :meth:`~mock_server.store.Store.due_deliveries` gives it):
        the same for the same seed."""
        if not (
            self.duplicate_rate or self.reorder_window_ms or self.latency_ms or self.failure_rate
        ):
            return Plan(0.0, False, False)
        rng = random.Random(f"{self.seed}:{what}:{attempt}")
        window = rng.uniform(0, self.reorder_window_ms) if self.reorder_window_ms else 0.0
        return Plan(
            (window + self.latency_ms) / 1000,
            rng.random() < self.failure_rate,
            rng.random() < self.duplicate_rate,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Set the switches named in ``changes``; raises :class:`ChaosError` naming a bad one."""
        known = set(asdict(self))
        for name, value in changes.items():
            if name not in known:
                raise ChaosError(
                    f"unknown switch {name!r}; the switches: {', '.join(sorted(known))}"
                )
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ChaosError(f"{name} takes a number, not {value!r}")
            if name.endswith("_rate") and not 0 <= value <= 1:
                raise ChaosError(f"{name} is a probability: 0 to 1, not {value}")
            if name.endswith("_ms") and not 0 <= value <= 600_000:
                raise ChaosError(f"{name} takes 0 to 600000 milliseconds, not {value}")
            if name == "seed" and not float(value).is_integer():
                raise ChaosError(f"seed takes a whole number, not {value}")
        for name, value in changes.items():
            setattr(self, name, int(value) if name == "seed" else float(value))
