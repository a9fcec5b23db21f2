"""A change of a record, and the automation events it fires (``x-clarus-event-sources``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from contracts.registry import schema_documents, statuses
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
    snapshot: Record | None = None  # the record as it was, for a delete


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
    """Every event the mock fires, from the automations schema."""
    table = schema_documents()["automations.json"]["x-clarus-event-sources"]
    found = []
    for resource_name, spec in table.items():
        if not isinstance(spec, dict) or "resource" not in spec:
            continue  # the table's description and provenance
        codes = statuses(spec["resource"], spec["status"])
        for event, triggers in spec["events"].items():
            for when in triggers if isinstance(triggers, list) else [triggers]:
                to = when.get("to")
                found.append(
                    Source(
                        resource_name,
                        event,
                        spec["resource"],
                        when.get("on"),
                        codes.get(to, to),
                        when.get("received"),
                    )
                )
    return tuple(found)


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
