"""Goods outs (sales orders): header and lines, statuses, and cancel by status.

Status ids (https://documentation.claruswms.com/api-reference/core-resources/goods-out) are the
``x-clarus-statuses`` of ``goods_out_status_id`` in contracts/schemas/goods_outs.json: 1 DRAFT,
2 PENDING, 3 PICK, 4 PART, 5 ALLOCATED, 6 COMPLETED, 7 PART_ALLOCATED, 8 CANCELLED. A new order is
PENDING, or DRAFT when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.registry import statuses
from mock_server.domain import records
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.facts import status_ids
from mock_server.domain.goods_in import TASK_COMPLETED, TASKS
from mock_server.domain.records import WithLines
from mock_server.domain.references import check_references
from mock_server.domain.stock import release_order
from mock_server.domain.transitions import create as create_in_status
from mock_server.domain.transitions import transition
from mock_server.store import Record

ORDERS = "goods_outs"
STATUS = "goods_out_status_id"
DRAFT, PENDING, PICK, PART, ALLOCATED, COMPLETED, PART_ALLOCATED, CANCELLED = status_ids(
    ORDERS,
    STATUS,
    "DRAFT",
    "PENDING",
    "PICK",
    "PART",
    "ALLOCATED",
    "COMPLETED",
    "PART_ALLOCATED",
    "CANCELLED",
)
NAMES = {status_id: code for code, status_id in statuses(ORDERS, STATUS).items()}
LINES = "goods_out_lines"
_CHANGES = "/data/attributes/lines_changes"
# What a new line starts with: nothing allocated, picked or dispatched yet.
LINE_PROGRESS = {
    "allocated_quantity": 0,
    "pick_quantity": 0,
    "dispatch_quantity": 0,
    "short_status": "",
}
# Lines change only before allocation: editing an allocated line would strand its stock promise.
_FROZEN_LINES = {PICK, PART, ALLOCATED, PART_ALLOCATED, COMPLETED, CANCELLED}


@dataclass(frozen=True)
class Cancelled:
    """What cancel did: ``deleted`` (a DRAFT or PENDING order is removed; ``order`` is as it was)
    or not (the order is CANCELLED and its stock given back)."""

    order: WithLines
    deleted: bool


def status(order: Record) -> int:
    """The order's ``goods_out_status_id`` (PENDING when a pack left it out)."""
    return int(order.attributes.get(STATUS, PENDING))


def lines(env: Env, order_id: int) -> list[Record]:
    """The order's lines, in id order."""
    return env.store.children(env.tenant, LINES, order_id)


def create(
    env: Env,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> WithLines:
    """A new order, PENDING unless DRAFT is asked for, with its lines (``changes``: ADD items).

    Raises Unprocessable for a start status other than DRAFT or PENDING and for an unknown reference
    (pointers under ``/data/attributes``).
    """
    attributes = dict(attributes)
    changes = changes or []
    start = attributes.setdefault(STATUS, PENDING)
    if start not in (DRAFT, PENDING):
        raise Unprocessable(
            "/data/attributes/goods_out_status_id",
            "invalid_state",
            f"a new order starts as DRAFT (1) or PENDING (2), not {NAMES[start]}",
        )
    seen = records.known_ids(env, attributes, changes)
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES, seen)
    order = create_in_status(env, ORDERS, attributes, relationships or {})
    # A new order's lines are exactly the ones just added: no need to read them back.
    return WithLines(order, _apply_lines(env, order, changes, seen))


def update(
    env: Env,
    order_id: int,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> WithLines:
    """Change named header fields, and lines by ADD/UPDATE/DESTROY ``changes``.

    Only DRAFT <-> PENDING may be set through ``goods_out_status_id``; lines change only before
    allocation. Raises NotFound, or Unprocessable (``invalid_state``, unknown references or lines).
    """
    order = records.load(env, ORDERS, order_id)
    current = status(order)
    attributes = dict(attributes)
    changes = changes or []
    if current in (COMPLETED, CANCELLED):
        raise Unprocessable(
            "/data",
            "invalid_state",
            f"order {order.id} is {NAMES[current]}; it can no longer change",
        )
    if changes and current in _FROZEN_LINES:
        raise Unprocessable(
            _CHANGES,
            "invalid_state",
            f"order {order.id} is {NAMES[current]}: its lines can no longer change",
        )
    new_status = attributes.pop(STATUS, current)
    if new_status != current and {current, new_status} != {DRAFT, PENDING}:
        raise Unprocessable(
            "/data/attributes/goods_out_status_id",
            "invalid_state",
            f"status moves from {NAMES[current]} by the warehouse, not by update "
            "(only DRAFT <-> PENDING can be set)",
        )
    seen = records.known_ids(env, attributes, changes)
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES, seen)
    order.attributes.update(attributes)
    order.relationships.update(relationships or {})
    transition(env, order, new_status)  # writes the order back, status changed or not
    _apply_lines(env, order, changes, seen)
    return WithLines(order, lines(env, order.id))


def _apply_lines(
    env: Env, order: Record, changes: list[dict[str, Any]], seen: set[Any]
) -> list[Record]:
    """Apply ADD/UPDATE/DESTROY in order; return the added lines."""
    added = []
    for index, change in enumerate(changes):
        pointer = f"{_CHANGES}/{index}"
        kind = change["type"]
        if kind == "ADD":
            check_references(
                env.store, env.tenant, change["attributes"], pointer + "/attributes", seen
            )
            added.append({**change["attributes"], **LINE_PROGRESS})
            continue
        line = records.load_child(
            env, LINES, order.id, change["id"], pointer, f"order {order.id}", "line"
        )
        if kind == "DESTROY":
            env.store.delete(env.tenant, LINES, line.id)
        else:
            check_references(
                env.store, env.tenant, change["attributes"], pointer + "/attributes", seen
            )
            line.attributes.update(change["attributes"])
            env.store.save(env.tenant, line)
    return env.store.create_many(env.tenant, LINES, added, parent_id=order.id)


def cancel(env: Env, order_id: int) -> Cancelled:
    """Cancel per the vendor's table: delete, cancel, or refuse.

    https://documentation.claruswms.com/api-reference/goods-out:-orders/cancel-a-goods-out-order:
    DRAFT or PENDING is deleted; an allocated or picking order is CANCELLED, its stock given back
    and its open PICK and DISP tasks removed;
    a COMPLETED (dispatched) or CANCELLED one is refused (Unprocessable ``invalid_state``).
    Raises NotFound for an unknown order.
    """
    order = records.load(env, ORDERS, order_id)
    current = status(order)
    order_lines = lines(env, order.id)
    if current in (DRAFT, PENDING):
        for line in order_lines:
            env.store.delete(env.tenant, LINES, line.id)
        env.store.delete(env.tenant, ORDERS, order.id)
        return Cancelled(WithLines(order, order_lines), deleted=True)
    if current in (COMPLETED, CANCELLED):
        word = "dispatched" if current == COMPLETED else "cancelled"
        raise Unprocessable("", "invalid_state", f"order {order.id} is already {word}")
    release_order(env, order.id)
    # "Outstanding picks cancelled": tasks have no cancelled status, so the open PICK and DISP
    # tasks go (as a reverted receipt's open receive tasks do); completed ones stay as history.
    for task in env.store.find(env.tenant, TASKS, goods_out_id=order.id):
        if task.attributes.get("status") != TASK_COMPLETED:
            env.store.delete(env.tenant, TASKS, task.id)
    for line in order_lines:
        line.attributes["allocated_quantity"] = 0
        env.store.save(env.tenant, line)
    transition(env, order, CANCELLED)
    return Cancelled(WithLines(order, order_lines), deleted=False)
