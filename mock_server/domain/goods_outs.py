"""Goods outs (sales orders): lines as ``lines_changes``, statuses, and cancel by status.

Status ids (https://documentation.claruswms.com/api-reference/core-resources/goods-out): 1 DRAFT, 2 PENDING, 3 PICK, 4 PART, 5 ALLOCATED, 6 COMPLETED,
7 PART_ALLOCATED, 8 CANCELLED. A new order is PENDING, or DRAFT when asked.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import records
from mock_server.domain.references import check_references
from mock_server.domain.stock import release_order
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record

DRAFT, PENDING, PICK, PART, ALLOCATED, COMPLETED, PART_ALLOCATED, CANCELLED = range(1, 9)
NAMES = {
    1: "DRAFT",
    2: "PENDING",
    3: "PICK",
    4: "PART",
    5: "ALLOCATED",
    6: "COMPLETED",
    7: "PART_ALLOCATED",
    8: "CANCELLED",
}
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


def with_lines(ctx: Ctx, order: Record, lines: list[Record] | None = None) -> Record:
    """The order with its lines as the vendor's ``lines_changes`` echo."""
    return records.with_lines(ctx, order, LINES, lines)


def _status(order: Record) -> int:
    return int(order.attributes.get("goods_out_status_id", PENDING))


def create(ctx: Ctx) -> Record:
    """POST /api/goods_outs: the order and its lines, PENDING unless DRAFT is asked for."""
    attributes = ctx.attributes
    status = attributes.setdefault("goods_out_status_id", PENDING)
    if status not in (DRAFT, PENDING):
        raise unprocessable(
            "/data/attributes/goods_out_status_id",
            "invalid_state",
            f"a new order starts as DRAFT (1) or PENDING (2), not {NAMES[status]}",
        )
    changes = attributes.pop("lines_changes", [])
    seen = records.known_ids(ctx, attributes, changes)
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES, seen)
    order = ctx.store.create(ctx.tenant, "goods_outs", attributes, ctx.relationships)
    # A new order's lines are exactly the ones just added: echo them without reading them back.
    return with_lines(ctx, order, _apply_lines(ctx, order, changes, seen))


def update(ctx: Ctx) -> Record:
    """PATCH /api/goods_outs/{id}: named header fields change; lines by ADD/UPDATE/DESTROY."""
    order = records.load(ctx, "goods_outs")
    status = _status(order)
    attributes = ctx.attributes
    changes = attributes.pop("lines_changes", [])
    if status in (COMPLETED, CANCELLED):
        raise unprocessable(
            "/data",
            "invalid_state",
            f"order {order.id} is {NAMES[status]}; it can no longer change",
        )
    if changes and status in _FROZEN_LINES:
        raise unprocessable(
            _CHANGES,
            "invalid_state",
            f"order {order.id} is {NAMES[status]}: its lines can no longer change",
        )
    new_status = attributes.get("goods_out_status_id", status)
    if new_status != status and {status, new_status} != {DRAFT, PENDING}:
        raise unprocessable(
            "/data/attributes/goods_out_status_id",
            "invalid_state",
            f"status moves from {NAMES[status]} by the warehouse, not by update "
            "(only DRAFT <-> PENDING can be set)",
        )
    seen = records.known_ids(ctx, attributes, changes)
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES, seen)
    order.attributes.update(attributes)
    order.relationships.update(ctx.relationships)
    ctx.store.save(ctx.tenant, order)
    _apply_lines(ctx, order, changes, seen)
    return with_lines(ctx, order)


def _apply_lines(
    ctx: Ctx, order: Record, changes: list[dict[str, Any]], seen: set[Any]
) -> list[Record]:
    """Apply ADD/UPDATE/DESTROY in order; return the added lines."""
    added = []
    for index, change in enumerate(changes):
        pointer = f"{_CHANGES}/{index}"
        kind = change["type"]
        if kind == "ADD":
            check_references(
                ctx.store, ctx.tenant, change["attributes"], pointer + "/attributes", seen
            )
            added.append({**change["attributes"], **LINE_PROGRESS})
            continue
        line = records.load_child(
            ctx, LINES, order.id, change["id"], pointer, f"order {order.id}", "line"
        )
        if kind == "DESTROY":
            ctx.store.delete(ctx.tenant, LINES, line.id)
        else:
            check_references(
                ctx.store, ctx.tenant, change["attributes"], pointer + "/attributes", seen
            )
            line.attributes.update(change["attributes"])
            ctx.store.save(ctx.tenant, line)
    return ctx.store.create_many(ctx.tenant, LINES, added, parent_id=order.id)


def cancel(ctx: Ctx) -> Record:
    """POST /api/goods_outs/{id}/cancel, per the vendor's table: delete, cancel, or refuse."""
    order = records.load(ctx, "goods_outs")
    status = _status(order)
    result = with_lines(ctx, order)
    if status in (DRAFT, PENDING):
        for line in ctx.store.children(ctx.tenant, LINES, order.id):
            ctx.store.delete(ctx.tenant, LINES, line.id)
        ctx.store.delete(ctx.tenant, "goods_outs", order.id)
        ctx.meta["deleted"] = True
        return result
    if status in (COMPLETED, CANCELLED):
        word = "dispatched" if status == COMPLETED else "cancelled"
        raise unprocessable("", "invalid_state", f"order {order.id} is already {word}")
    release_order(ctx.store, ctx.tenant, order.id)
    for line in ctx.store.children(ctx.tenant, LINES, order.id):
        line.attributes["allocated_quantity"] = 0
        ctx.store.save(ctx.tenant, line)
    order.attributes["goods_out_status_id"] = CANCELLED
    ctx.store.save(ctx.tenant, order)
    return with_lines(ctx, order)


HANDLERS = {"goods_outs.create": create, "goods_outs.update": update, "goods_outs.cancel": cancel}
