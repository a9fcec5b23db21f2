"""Changes in, outbox rows out: the enabled automations whose conditions hold on the record.

Called inside the store transaction that made the changes, so a change and its deliveries commit
together, or neither does. The outbox keeps the record as stored (:func:`~mock_server.webhooks.payload.kept`); the body
sent is shaped from it when read. A webhook action becomes a pending delivery due at once (the first
attempt is made as soon as the change commits, whatever the clock); an email action becomes a
recorded row in the outbox (nothing is sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mock_server.domain.goods_in import LINES as RECEIPT_LINES
from mock_server.domain.integrations import ACTIONS, AUTOMATIONS, CONDITIONS, PARAMETERS
from mock_server.store import Delivery, Record, Store
from mock_server.webhooks.events import Change, fired
from mock_server.webhooks.payload import holds, kept, present, reads_lines


@dataclass(frozen=True)
class _Armed:
    """An enabled automation as a change meets it: its conditions, and each action with its
    parameters by ``parameter_code``."""

    automation: Record
    conditions: list[Record]
    actions: list[tuple[Record, dict[Any, Any]]]


def enqueue(store: Store, tenant: str, now: float, changes: Iterable[Change]) -> list[Delivery]:
    """Outbox rows for every automation each change fires; returns them (ids assigned)."""
    made: list[Delivery] = []
    changes = list(changes)
    # Every change of a record in one unit sees it as the unit left it: one that holds the record
    # (a REST create's) serves the others (its transition from nothing).
    held = {(c.resource, c.record_id): c for c in changes if c.snapshot and c.action != "delete"}
    for change in changes:
        holder = (
            change
            if change.action == "delete"
            else held.get((change.resource, change.record_id), change)
        )
        record = holder.snapshot or store.get(tenant, change.resource, change.record_id)
        if record is None:
            continue
        for source in fired(change, _received(store, tenant, record)):
            stored: dict[str, Any] | None = None
            for armed in _armed(store, tenant, source.resource_name, source.event):
                stored = stored or kept(store, tenant, record, holder.children)
                if armed.conditions:
                    # Conditions on the header alone need no shaped lines (20 of them, wasted).
                    paths = [str(c.attributes.get("source_path", "")) for c in armed.conditions]
                    lines = reads_lines(record.resource, paths)
                    if not _hold(armed.conditions, present(record.resource, stored, lines)):
                        continue
                made += _deliveries(store, tenant, now, armed, source.event, record, stored)
    return made


def _armed(store: Store, tenant: str, resource_name: str, event: str) -> list[_Armed]:
    """The tenant's enabled automations on ``resource_name`` ``event``, read once and kept until
    an automation, condition, action or parameter is written (every order created asks)."""

    def read() -> list[_Armed]:
        found = []
        automations = store.find(tenant, AUTOMATIONS, resource_name=resource_name, event=event)
        for automation in automations:
            if not automation.attributes.get("enabled"):
                continue
            actions = [
                (
                    action,
                    {
                        p.attributes.get("parameter_code"): p.attributes.get("value")
                        for p in store.children(tenant, PARAMETERS, action.id)
                    },
                )
                for action in store.children(tenant, ACTIONS, automation.id)
            ]
            conditions = store.children(tenant, CONDITIONS, automation.id)
            found.append(_Armed(automation, conditions, actions))
        return found

    return store.memo(
        ("automations", tenant, resource_name, event),
        (AUTOMATIONS, CONDITIONS, ACTIONS, PARAMETERS),
        read,
    )


def _hold(conditions: list[Record], payload: Any) -> bool:
    """Whether every condition holds on the payload (all must, says the vendor:
    https://documentation.claruswms.com/api-reference/core-resources/automation)."""
    return all(
        holds(
            payload,
            str(c.attributes.get("source_path", "")),
            str(c.attributes.get("operator", "")),
            str(c.attributes.get("value", "")),
        )
        for c in conditions
    )


def _deliveries(
    store: Store,
    tenant: str,
    now: float,
    armed: _Armed,
    event: str,
    record: Record,
    payload: dict[str, Any],
) -> list[Delivery]:
    made = []
    automation = armed.automation
    for action, parameters in armed.actions:
        kind = action.attributes.get("destination_type")
        if kind == "webhook" and parameters.get("url"):
            channel, target, state, due = "webhook", str(parameters["url"]), "pending", now
        elif kind == "email":
            channel, target, state, due = (
                "email",
                str(parameters.get("email_recipient") or ""),
                "recorded",
                None,
            )
        else:
            continue
        made.append(
            store.add_delivery(
                Delivery(
                    0,
                    tenant,
                    channel,
                    automation.id,
                    automation.attributes.get("integration_id"),
                    event,
                    record.resource,
                    record.id,
                    target,
                    payload,
                    state,
                    [],
                    due,
                    now,
                )
            )
        )
    return made


def _received(store: Store, tenant: str, record: Record) -> str | None:
    """For a receipt: ``all`` when every line received its expected quantity, else ``part``."""
    if record.resource != "goods_in_receipts":
        return None
    lines = store.children(tenant, RECEIPT_LINES, record.id)
    complete = all(
        float(line.attributes.get("received_quantity") or 0)
        >= float(line.attributes.get("expected_quantity") or 0)
        for line in lines
    )
    return "all" if complete else "part"
