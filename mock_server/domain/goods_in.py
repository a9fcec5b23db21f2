"""Goods-in receipts, their lines, and the RCV tasks whose completion creates stock.

REST status words (the receive and revert pages' examples): ``pending`` -> ``received`` (receive; one AVAILABLE RCV task per line)
-> ``completed`` (every RCV task done). Revert takes ``received`` back to ``pending`` while no task is
completed. Stock exists only once a receive task is completed (the receive page says so).
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import records
from mock_server.domain.references import check_references
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record, Store

RECEIPTS = "goods_in_receipts"
LINES = "goods_in_receipt_lines"
PSU = "product_storage_units"
TASKS = "tasks"
PENDING, RECEIVED, COMPLETED = "pending", "received", "completed"
# Task statuses (the task pages); tasks.py shares them.
TASK_AVAILABLE, TASK_ALLOCATED, TASK_COMPLETED = "AVAILABLE", "ALLOCATED", "COMPLETED"
RCV = "RCV"
_CHANGES = "/data/attributes/lines_changes"


def with_lines(ctx: Ctx, receipt: Record) -> Record:
    """The receipt with its lines as the vendor's ``lines_changes`` echo."""
    return records.with_lines(ctx, receipt, LINES)


def create(ctx: Ctx) -> Record:
    """POST /api/goods_in_receipts: the receipt (pending) and its lines."""
    attributes = ctx.attributes
    changes = attributes.pop("lines_changes", [])
    seen = records.known_ids(ctx, attributes, changes)
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES, seen)
    attributes["status"] = PENDING
    receipt = ctx.store.create(ctx.tenant, RECEIPTS, attributes, ctx.relationships)
    _apply_lines(ctx, receipt, changes, seen)
    return with_lines(ctx, receipt)


def update(ctx: Ctx) -> Record:
    """PATCH /api/goods_in_receipts/{id}: header fields and lines, only while pending."""
    receipt = records.load(ctx, RECEIPTS)
    _require_status(receipt, PENDING, "/data", "can be changed")
    attributes = ctx.attributes
    changes = attributes.pop("lines_changes", [])
    seen = records.known_ids(ctx, attributes, changes)
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES, seen)
    receipt.attributes.update(attributes)
    receipt.relationships.update(ctx.relationships)
    ctx.store.save(ctx.tenant, receipt)
    _apply_lines(ctx, receipt, changes, seen)
    return with_lines(ctx, receipt)


def _require_status(receipt: Record, status: str, pointer: str, action: str) -> None:
    current = receipt.attributes.get("status")
    if current != status:
        raise unprocessable(
            pointer,
            "invalid_state",
            f"goods in receipt {receipt.id} is {current}; only a {status} receipt {action}",
            hint="revert a received receipt (POST .../revert) to edit it again"
            if current == RECEIVED
            else None,
        )


def _apply_lines(
    ctx: Ctx, receipt: Record, changes: list[dict[str, Any]], seen: set[tuple[str, int]]
) -> None:
    for index, change in enumerate(changes):
        pointer = f"{_CHANGES}/{index}"
        if change["type"] == "ADD":
            attributes = dict(change["attributes"])
            _check_line(ctx, attributes, pointer + "/attributes", seen)
            attributes["received_quantity"] = 0
            ctx.store.create(ctx.tenant, LINES, attributes, parent_id=receipt.id)
            continue
        line = records.load_child(
            ctx, LINES, receipt.id, change["id"], pointer, f"goods in receipt {receipt.id}", "line"
        )
        if change["type"] == "DESTROY":
            ctx.store.delete(ctx.tenant, LINES, line.id)
            continue
        merged = {**line.attributes, **change["attributes"]}
        if (
            "product_id" in change["attributes"]
            and "product_storage_unit_id" not in change["attributes"]
        ):
            merged["product_storage_unit_id"] = None  # the old unit belongs to the old product
        _check_line(ctx, merged, pointer + "/attributes", seen)
        line.attributes = merged
        ctx.store.save(ctx.tenant, line)


def _check_line(
    ctx: Ctx, attributes: dict[str, Any], pointer: str, seen: set[tuple[str, int]]
) -> None:
    """References exist; the storage unit is the product's own, or its priority 0 unit when omitted."""
    check_references(ctx.store, ctx.tenant, attributes, pointer, seen)
    product_id = attributes["product_id"]
    unit_id = attributes.get("product_storage_unit_id")
    if unit_id is None:
        attributes["product_storage_unit_id"] = default_storage_unit(
            ctx.store, ctx.tenant, product_id
        )
        return
    unit = ctx.store.get(ctx.tenant, PSU, unit_id)
    owner = unit.attributes.get("product_id") if unit else None
    if owner != product_id:
        raise unprocessable(
            pointer + "/product_storage_unit_id",
            "unsuitable_reference",
            f"product storage unit {unit_id} belongs to product {owner}, not to product "
            f"{product_id}",
            hint="use one of this product's storage units, or omit the field to get its "
            "priority 0 unit",
        )


def default_storage_unit(store: Store, tenant: str, product_id: int) -> int | None:
    """The id of the product's priority 0 storage unit (the one receipt lines use by default)."""
    found = store.find(tenant, PSU, product_id=product_id, priority=0)
    return found[0].id if found else None


def settle_line(store: Store, tenant: str, line: Record) -> None:
    """Give a receipt line loaded from a fixture pack what a created one has."""
    line.attributes.setdefault("received_quantity", 0)
    if line.attributes.get("product_storage_unit_id") is None:
        product_id = line.attributes["product_id"]
        line.attributes["product_storage_unit_id"] = default_storage_unit(store, tenant, product_id)
    store.save(tenant, line)


def receive(ctx: Ctx) -> Record:
    """POST /api/goods_in_receipts/{id}/receive: received, with one AVAILABLE RCV task per line."""
    receipt = records.load(ctx, RECEIPTS)
    _require_status(receipt, PENDING, "", "can be received")
    lines = ctx.store.children(ctx.tenant, LINES, receipt.id)
    if not lines:
        raise unprocessable(
            "",
            "invalid_state",
            f"goods in receipt {receipt.id} has no lines to receive",
            hint="add lines with PATCH and lines_changes ADD items first",
        )
    bay = _goods_in_bay(ctx.store, ctx.tenant, receipt.attributes["warehouse_id"])
    for line in lines:
        ctx.store.create(ctx.tenant, TASKS, _receive_task(ctx, receipt, line, bay))
    receipt.attributes["status"] = RECEIVED
    ctx.store.save(ctx.tenant, receipt)
    return with_lines(ctx, receipt)


# Location type codes of a goods-in bay: BAY is the vendor's special code; GOODSIN is the demo
# pack's, which leaves BAY free for the vendor's "create a location type" example (code BAY).
GOODS_IN_BAY_TYPES = ("BAY", "GOODSIN")


def _goods_in_bay(store: Store, tenant: str, warehouse_id: int) -> int | None:
    """The warehouse's first goods-in bay location, where received stock lands by default."""
    for code in GOODS_IN_BAY_TYPES:
        for location_type in store.find(tenant, "location_types", code=code):
            found = store.find(
                tenant, "locations", warehouse_id=warehouse_id, location_type_id=location_type.id
            )
            if found:
                return found[0].id
    return None


def _receive_task(ctx: Ctx, receipt: Record, line: Record, bay: int | None) -> dict[str, Any]:
    return {
        "status": TASK_AVAILABLE,
        "subtype": "standard",
        "task_type_code": RCV,
        "priority": 0,
        "notes": None,
        "goods_in_receipt_id": receipt.id,
        "goods_in_receipt_line_id": line.id,
        "product_id": line.attributes["product_id"],
        "product_storage_unit_id": line.attributes.get("product_storage_unit_id"),
        "account_id": receipt.attributes["account_id"],
        "warehouse_id": receipt.attributes["warehouse_id"],
        "start_quantity": line.attributes["expected_quantity"],
        "confirmed_quantity": None,
        "location_from_id": bay,
        "location_to_id": None,
        "storage_unit_to_id": None,
        "user_id": None,
        "created_at": ctx.clock.iso(),
        "assigned_at": None,
        "start_at": None,
        "completed_at": None,
        "last_accessed_at": None,
    }


def revert(ctx: Ctx) -> Record:
    """POST /api/goods_in_receipts/{id}/revert: back to pending; refused once a task is completed."""
    receipt = records.load(ctx, RECEIPTS)
    _require_status(receipt, RECEIVED, "", "can be reverted")
    tasks = ctx.store.find(ctx.tenant, TASKS, goods_in_receipt_id=receipt.id)
    done = [t.id for t in tasks if t.attributes["status"] == TASK_COMPLETED]
    if done:
        raise unprocessable(
            "",
            "invalid_state",
            f"goods in receipt {receipt.id} has completed receive tasks ({_ids(done)}) "
            "and cannot be reverted",
            hint="stock from completed receive tasks is already on hand",
        )
    for task in tasks:
        ctx.store.delete(ctx.tenant, TASKS, task.id)
    receipt.attributes["status"] = PENDING
    ctx.store.save(ctx.tenant, receipt)
    return with_lines(ctx, receipt)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)


def receive_task(ctx: Ctx) -> None:
    """POST /api/receive_tasks/{id}/receive and .../receive_to_putaway_location (204).

    confirmed_quantity defaults to the task's start_quantity and location_to_id to the goods-in bay
    the task starts from (the putaway form's schema already requires location_to_id).
    """
    task = open_receive_task(ctx)
    values = ctx.attributes
    check_references(ctx.store, ctx.tenant, values, records.ATTRIBUTES)
    check_destination(ctx.store, ctx.tenant, values, task.attributes["warehouse_id"])
    values.setdefault("confirmed_quantity", task.attributes["start_quantity"])
    if values.get("location_to_id") is None:
        values["location_to_id"] = task.attributes.get("location_from_id")
    if values["location_to_id"] is None:
        raise unprocessable(
            "/data/attributes/location_to_id",
            "required",
            f"task {task.id} has no goods-in bay to receive into",
            hint="send location_to_id: the location where the stock is put",
        )
    complete_receive_task(ctx.store, ctx.tenant, task, values, ctx.clock.iso())


def check_destination(
    store: Store,
    tenant: str,
    values: dict[str, Any],
    warehouse_id: int,
    pointer: str = records.ATTRIBUTES,
) -> None:
    """A task's ``location_to_id`` and ``storage_unit_to_id`` (existing) must be in its warehouse."""
    for field, resource in (
        ("location_to_id", "locations"),
        ("storage_unit_to_id", "storage_units"),
    ):
        target = store.get(tenant, resource, values[field]) if values.get(field) else None
        where = target.attributes.get("warehouse_id") if target else warehouse_id
        if where != warehouse_id:
            raise unprocessable(
                f"{pointer}/{field}",
                "unsuitable_reference",
                f"{resource[:-1].replace('_', ' ')} {values[field]} is in warehouse {where}, "
                f"the task in warehouse {warehouse_id}",
                hint="stock stays in the task's warehouse; name one of its own",
            )


def open_receive_task(ctx: Ctx) -> Record:
    """The RCV task named by the path, or a 404 / 422 when it is unknown, of another type or done."""
    task = records.load(ctx, TASKS)
    kind = task.attributes.get("task_type_code")
    if kind != RCV:
        raise unprocessable(
            "",
            "unsuitable_reference",
            f"task {task.id} is a {kind} task, not a receive (RCV) task",
            hint="complete other tasks with PATCH /api/tasks/{id}",
        )
    if task.attributes["status"] == TASK_COMPLETED:
        raise unprocessable("", "invalid_state", f"task {task.id} is already COMPLETED")
    return task


def complete_receive_task(
    store: Store, tenant: str, task: Record, values: dict[str, Any], now: str
) -> Record:
    """Complete an RCV task: its stock record, the line's received quantity, maybe the receipt.

    ``values`` holds checked ``confirmed_quantity`` and ``location_to_id`` (and optionally
    ``storage_unit_to_id`` and other task fields).
    """
    attributes = task.attributes
    quantity = values["confirmed_quantity"]
    if quantity > 0:  # nothing arrived: no stock record to hold it
        store.create(tenant, "stocks", _stock(attributes, values))
    attributes.update(values)
    attributes.update(status=TASK_COMPLETED, completed_at=now, last_accessed_at=now)
    store.save(tenant, task)
    line = store.get(tenant, LINES, attributes["goods_in_receipt_line_id"])
    if line is not None:
        line.attributes["received_quantity"] = (
            line.attributes.get("received_quantity", 0) + quantity
        )
        store.save(tenant, line)
    _complete_when_done(store, tenant, attributes["goods_in_receipt_id"])
    return task


def _stock(task: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_id": task["product_id"],
        "account_id": task["account_id"],
        "warehouse_id": task["warehouse_id"],
        "location_id": values["location_to_id"],
        "storage_unit_id": values.get("storage_unit_to_id"),
        "quantity": values["confirmed_quantity"],
        "allocated_quantity": 0,
        "status": "available",
        "goods_in_receipt_id": task["goods_in_receipt_id"],
    }


def _complete_when_done(store: Store, tenant: str, receipt_id: int) -> None:
    receipt = store.get(tenant, RECEIPTS, receipt_id)
    if receipt is None:
        return
    tasks = store.find(tenant, TASKS, goods_in_receipt_id=receipt_id)
    if all(t.attributes["status"] == TASK_COMPLETED for t in tasks):
        receipt.attributes["status"] = COMPLETED
        store.save(tenant, receipt)


HANDLERS = {
    "goods_in_receipts.create": create,
    "goods_in_receipts.update": update,
    "goods_in_receipts.receive": receive,
    "goods_in_receipts.revert": revert,
    "receive_tasks.receive": receive_task,
    "receive_tasks.receive_to_putaway_location": receive_task,
}
