"""A change of a record, and the automation events it fires (``x-clarus-event-sources``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from contracts.registry import event_triggers, statuses
from mock_server.store import Record

# A REST write, a status change, or a movement the domain noted (Store.note: stock picked...).
Action = Literal["create", "update", "delete", "transition", "picked", "dispatched"]


@dataclass(frozen=True)
class Change:
    """What happened to one record: ``action``, and for a transition the stored status values."""

    resource: str  # the stored resource: goods_outs, goods_in_receipts, stocks...
    record_id: int
    action: Action
    before: Any = None
    after: Any = None
    # The record as the change left it (as it was, for a delete), when the face already holds
    # it, and its children by resource (all of them, as stored): the outbox then reads neither.
    snapshot: Record | None = None
    children: Mapping[str, Sequence[Record]] | None = None


@dataclass(frozen=True)
class Source:
    """One automation event and the change that fires it."""

    resource_name: str  # the automation's resource_name: goods_out, goods_in...
    event: str
    resource: str
    on: str | None  # create, update or delete
    to: Any  # the stored status value a transition must reach
    received: str | None  # all or part, for receipts


@cache
def sources() -> tuple[Source, ...]:
    """Every event the mock fires, from the automations schema (a ``to`` status as stored)."""
    return tuple(
        Source(
            t.resource_name,
            t.event,
            t.resource,
            t.on,
            statuses(t.resource, t.status_field).get(t.to, t.to),
            t.received,
        )
        for t in event_triggers()
    )


def fired(change: Change, received: str | None = None) -> list[Source]:
    """The events ``change`` fires; ``received`` (all or part) for a receipt that completes."""
    found = []
    for source in sources():
        if source.resource != change.resource:
            continue
        if source.on is not None:
            if source.on == change.action:
                found.append(source)
            continue
        if change.action != "transition" or change.after != source.to:
            continue
        if source.received is not None and source.received != received:
            continue
        found.append(source)
    return found
