"""Goods-in receipts, their lines, and the RCV tasks whose completion creates stock.

REST status words (the receive and revert pages' examples): ``pending`` -> ``received`` (receive; one AVAILABLE RCV task per line)
-> ``completed`` (every RCV task done). Revert takes ``received`` back to ``pending`` while no task is
completed. Stock exists only once a receive task is completed (the receive page says so).
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import records, stock
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.facts import status_codes
from mock_server.domain.records import WithLines
from mock_server.domain.references import check_references
from mock_server.domain.transitions import create as create_in_status
from mock_server.domain.transitions import transition
from mock_server.store import Record

RECEIPTS = "goods_in_receipts"
LINES = "goods_in_receipt_lines"
PSU = "product_storage_units"
TASKS = "tasks"
PENDING, RECEIVED, COMPLETED = status_codes(RECEIPTS, "status", "pending", "received", "completed")
# Task statuses (the task pages); tasks.py shares them.
TASK_AVAILABLE, TASK_ALLOCATED, TASK_COMPLETED = status_codes(
    TASKS, "status", "AVAILABLE", "ALLOCATED", "COMPLETED"
)
(RCV,) = status_codes(TASKS, "task_type_code", "RCV")
STANDARD = "standard"  # the subtype of every task but DISP ones (the task pages' response sample)
_CHANGES = "/data/attributes/lines_changes"
# Every field a task has when it is made, as the task pages' response sample lists them (plus the
# links the mock keeps: product, account, warehouse, locations, storage units, user).
_NEW_TASK: dict[str, Any] = {
    "subtype": STANDARD,
    "priority": 0,
    "notes": None,
    "product_id": None,
    "account_id": None,
    "warehouse_id": None,
    "start_quantity": None,
    "confirmed_quantity": None,
    "location_from_id": None,
    "location_to_id": None,
    "storage_unit_to_id": None,
    "user_id": None,
    "assigned_at": None,
    "start_at": None,
    "completed_at": None,
    "last_accessed_at": None,
}


def create_task(env: Env, task_type_code: str, **fields: Any) -> Record:
    """A new AVAILABLE task of ``task_type_code``, made now: ``fields`` over the defaults above.

    Every task the domain makes comes from here (RCV on receive, PICK on pick processing, DISP once
    an order is picked, REPLEN on replenishment), so each starts with the same fields and its
    creation is recorded as a transition (https://documentation.claruswms.com/api-reference/tasks/update-or-complete-a-task
    shows the fields).
    """
    attributes = {
        **_NEW_TASK,
        **fields,
        "status": TASK_AVAILABLE,
        "task_type_code": task_type_code,
        "created_at": env.clock.iso(),
    }
    return create_in_status(env, TASKS, attributes)


def lines(env: Env, receipt_id: int) -> list[Record]:
    """The receipt's lines, in id order."""
    return env.store.children(env.tenant, LINES, receipt_id)


def _with_lines(env: Env, receipt: Record) -> WithLines:
    return WithLines(receipt, lines(env, receipt.id))


def create(
    env: Env,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> WithLines:
    """A new receipt (pending) and its lines (``changes``: ADD items).

    https://documentation.claruswms.com/api-reference/goods-in:-receipts/create-a-goods-in-receipt.
    A line without ``product_storage_unit_id`` gets its product's priority 0 unit. Raises
    Unprocessable for unknown references and another product's storage unit.
    """
    attributes = dict(attributes)
    changes = changes or []
    seen = records.known_ids(env, attributes, changes)
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES, seen)
    attributes["status"] = PENDING
    receipt = create_in_status(env, RECEIPTS, attributes, relationships or {})
    _apply_lines(env, receipt, changes, seen)
    return _with_lines(env, receipt)


def update(
    env: Env,
    receipt_id: int,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> WithLines:
    """Change header fields and lines (ADD/UPDATE/DESTROY ``changes``), only while pending.

    https://documentation.claruswms.com/api-reference/goods-in:-receipts/update-a-goods-in-receipt.
    Raises NotFound, or Unprocessable (``invalid_state`` once received, unknown references or lines).
    """
    receipt = records.load(env, RECEIPTS, receipt_id)
    _require_status(receipt, PENDING, "/data", "can be changed")
    attributes = dict(attributes)
    changes = changes or []
    seen = records.known_ids(env, attributes, changes)
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES, seen)
    receipt.attributes.update(attributes)
    receipt.relationships.update(relationships or {})
    env.store.save(env.tenant, receipt)
    _apply_lines(env, receipt, changes, seen)
    return _with_lines(env, receipt)


def _require_status(receipt: Record, status: str, pointer: str, action: str) -> None:
    current = receipt.attributes.get("status")
    if current != status:
        raise Unprocessable(
            pointer,
            "invalid_state",
            f"goods in receipt {receipt.id} is {current}; only a {status} receipt {action}",
            hint="revert a received receipt (POST .../revert) to edit it again"
            if current == RECEIVED
            else None,
        )


def _apply_lines(
    env: Env, receipt: Record, changes: list[dict[str, Any]], seen: set[tuple[str, int]]
) -> None:
    for index, change in enumerate(changes):
        pointer = f"{_CHANGES}/{index}"
        if change["type"] == "ADD":
            attributes = dict(change["attributes"])
            _check_line(env, attributes, pointer + "/attributes", seen)
            attributes["received_quantity"] = 0
            env.store.create(env.tenant, LINES, attributes, parent_id=receipt.id)
            continue
        line = records.load_child(
            env, LINES, receipt.id, change["id"], pointer, f"goods in receipt {receipt.id}", "line"
        )
        if change["type"] == "DESTROY":
            env.store.delete(env.tenant, LINES, line.id)
            continue
        merged = {**line.attributes, **change["attributes"]}
        if (
            "product_id" in change["attributes"]
            and "product_storage_unit_id" not in change["attributes"]
        ):
            merged["product_storage_unit_id"] = None  # the old unit belongs to the old product
        _check_line(env, merged, pointer + "/attributes", seen)
        line.attributes = merged
        env.store.save(env.tenant, line)


def _check_line(
    env: Env, attributes: dict[str, Any], pointer: str, seen: set[tuple[str, int]]
) -> None:
    """References exist; the storage unit is the product's own, or its priority 0 unit when omitted."""
    check_references(env.store, env.tenant, attributes, pointer, seen)
    product_id = attributes["product_id"]
    unit_id = attributes.get("product_storage_unit_id")
    if unit_id is None:
        attributes["product_storage_unit_id"] = default_storage_unit_id(env, product_id)
        return
    unit = env.store.get(env.tenant, PSU, unit_id)
    owner = unit.attributes.get("product_id") if unit else None
    if owner != product_id:
        raise Unprocessable(
            pointer + "/product_storage_unit_id",
            "unsuitable_reference",
            f"product storage unit {unit_id} belongs to product {owner}, not to product "
            f"{product_id}",
            hint="use one of this product's storage units, or omit the field to get its "
            "priority 0 unit",
        )


def default_storage_unit_id(env: Env, product_id: int) -> int | None:
    """The id of the product's priority 0 storage unit (the one receipt lines use by default)."""
    found = env.store.find(env.tenant, PSU, product_id=product_id, priority=0)
    return found[0].id if found else None


def settle_line(env: Env, line: Record) -> None:
    """Give a receipt line loaded from a fixture pack what a created one has."""
    line.attributes.setdefault("received_quantity", 0)
    if line.attributes.get("product_storage_unit_id") is None:
        product_id = line.attributes["product_id"]
        line.attributes["product_storage_unit_id"] = default_storage_unit_id(env, product_id)
    env.store.save(env.tenant, line)


def receive(env: Env, receipt_id: int) -> WithLines:
    """Receive a pending receipt: received, with one AVAILABLE RCV task per line.

    https://documentation.claruswms.com/api-reference/goods-in:-receipts/receive-a-goods-in-receipt.
    Raises NotFound, or Unprocessable (``invalid_state``: not pending, or no lines).
    """
    receipt = records.load(env, RECEIPTS, receipt_id)
    _require_status(receipt, PENDING, "", "can be received")
    receipt_lines = lines(env, receipt.id)
    if not receipt_lines:
        raise Unprocessable(
            "",
            "invalid_state",
            f"goods in receipt {receipt.id} has no lines to receive",
            hint="add lines with PATCH and lines_changes ADD items first",
        )
    bay = _goods_in_bay(env, receipt.attributes["warehouse_id"])
    for line in receipt_lines:
        _receive_task(env, receipt, line, bay)
    transition(env, receipt, RECEIVED)
    return WithLines(receipt, receipt_lines)


# Location type codes of a goods-in bay: BAY is the vendor's special code; GOODSIN is the demo
# pack's, which leaves BAY free for the vendor's "create a location type" example (code BAY).
GOODS_IN_BAY_TYPES = ("BAY", "GOODSIN")


def _goods_in_bay(env: Env, warehouse_id: int) -> int | None:
    """The warehouse's first goods-in bay location, where received stock lands by default."""
    for code in GOODS_IN_BAY_TYPES:
        for location_type in env.store.find(env.tenant, "location_types", code=code):
            found = env.store.find(
                env.tenant,
                "locations",
                warehouse_id=warehouse_id,
                location_type_id=location_type.id,
            )
            if found:
                return found[0].id
    return None


def _receive_task(env: Env, receipt: Record, line: Record, bay: int | None) -> Record:
    return create_task(
        env,
        RCV,
        goods_in_receipt_id=receipt.id,
        goods_in_receipt_line_id=line.id,
        product_id=line.attributes["product_id"],
        product_storage_unit_id=line.attributes.get("product_storage_unit_id"),
        account_id=receipt.attributes["account_id"],
        warehouse_id=receipt.attributes["warehouse_id"],
        start_quantity=line.attributes["expected_quantity"],
        location_from_id=bay,
    )


def revert(env: Env, receipt_id: int) -> WithLines:
    """Take a received receipt back to pending (its open RCV tasks go).

    https://documentation.claruswms.com/api-reference/goods-in:-receipts/revert-a-goods-in-receipt.
    Raises NotFound, or Unprocessable (``invalid_state``: not received, or a task is completed).
    """
    receipt = records.load(env, RECEIPTS, receipt_id)
    _require_status(receipt, RECEIVED, "", "can be reverted")
    tasks = env.store.find(env.tenant, TASKS, goods_in_receipt_id=receipt.id)
    done = [t.id for t in tasks if t.attributes["status"] == TASK_COMPLETED]
    if done:
        raise Unprocessable(
            "",
            "invalid_state",
            f"goods in receipt {receipt.id} has completed receive tasks ({_ids(done)}) "
            "and cannot be reverted",
            hint="stock from completed receive tasks is already on hand",
        )
    for task in tasks:
        env.store.delete(env.tenant, TASKS, task.id)
    transition(env, receipt, PENDING)
    return _with_lines(env, receipt)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids)


def receive_into(env: Env, task_id: int, values: dict[str, Any]) -> Record:
    """Confirm an open RCV task with ``values`` (receive, or receive to a putaway location).

    https://documentation.claruswms.com/api-reference/goods-in:-receipts/receive-stock-against-a-receive-task.
    ``confirmed_quantity`` defaults to the task's ``start_quantity`` and ``location_to_id`` to the
    goods-in bay the task starts from. Returns the completed task. Raises NotFound, or Unprocessable
    (not an open RCV task, references, a destination in another warehouse, no location at all).
    """
    task = open_receive_task(env, task_id)
    values = dict(values)
    check_references(env.store, env.tenant, values, records.ATTRIBUTES)
    check_destination(env, values, task.attributes["warehouse_id"])
    values.setdefault("confirmed_quantity", task.attributes["start_quantity"])
    if values.get("location_to_id") is None:
        values["location_to_id"] = task.attributes.get("location_from_id")
    if values["location_to_id"] is None:
        raise Unprocessable(
            "/data/attributes/location_to_id",
            "required",
            f"task {task.id} has no goods-in bay to receive into",
            hint="send location_to_id: the location where the stock is put",
        )
    return complete_receive_task(env, task, values)


def check_destination(
    env: Env,
    values: dict[str, Any],
    warehouse_id: int | None,
    pointer: str = records.ATTRIBUTES,
) -> None:
    """A task's ``location_to_id`` and ``storage_unit_to_id`` (existing) must be in its warehouse.

    ``warehouse_id`` is None for a task that names no warehouse (the task schema does not require
    one); a destination must then name none either.
    """
    for field, resource in (
        ("location_to_id", "locations"),
        ("storage_unit_to_id", "storage_units"),
    ):
        target = env.store.get(env.tenant, resource, values[field]) if values.get(field) else None
        where = target.attributes.get("warehouse_id") if target else warehouse_id
        if where != warehouse_id:
            raise Unprocessable(
                f"{pointer}/{field}",
                "unsuitable_reference",
                f"{resource[:-1].replace('_', ' ')} {values[field]} is in warehouse {where}, "
                f"the task in warehouse {warehouse_id}",
                hint="stock stays in the task's warehouse; name one of its own",
            )


def open_receive_task(env: Env, task_id: int) -> Record:
    """The RCV task, or NotFound / Unprocessable when it is of another type or done."""
    task = records.load(env, TASKS, task_id)
    kind = task.attributes.get("task_type_code")
    if kind != RCV:
        raise Unprocessable(
            "",
            "unsuitable_reference",
            f"task {task.id} is a {kind} task, not a receive (RCV) task",
            hint="complete other tasks with PATCH /api/tasks/{id}",
        )
    if task.attributes["status"] == TASK_COMPLETED:
        raise Unprocessable("", "invalid_state", f"task {task.id} is already COMPLETED")
    return task


def complete_receive_task(env: Env, task: Record, values: dict[str, Any]) -> Record:
    """Complete an RCV task: its stock record, the line's received quantity, maybe the receipt.

    ``values`` holds checked ``confirmed_quantity`` and ``location_to_id`` (and optionally
    ``storage_unit_to_id`` and other task fields). Raises nothing: the caller checked.
    """
    now = env.clock.iso()
    attributes = task.attributes
    quantity = values["confirmed_quantity"]
    if quantity > 0:  # nothing arrived: no stock record to hold it
        received = create_in_status(env, stock.STOCKS, _stock(attributes, values))
        stock.ledger(
            env,
            "RCV",
            received,
            quantity,
            goods_in_receipt_id=attributes["goods_in_receipt_id"],
            location_from_id=attributes.get("location_from_id"),
            location_to_id=values["location_to_id"],
        )
    attributes.update(values)
    attributes.update(completed_at=now, last_accessed_at=now)
    transition(env, task, TASK_COMPLETED)
    line = env.store.get(env.tenant, LINES, attributes["goods_in_receipt_line_id"])
    if line is not None:
        line.attributes["received_quantity"] = (
            line.attributes.get("received_quantity", 0) + quantity
        )
        env.store.save(env.tenant, line)
    _complete_when_done(env, attributes["goods_in_receipt_id"])
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
        "status": stock.AVAILABLE,
        "goods_in_receipt_id": task["goods_in_receipt_id"],
    }


def _complete_when_done(env: Env, receipt_id: int) -> None:
    receipt = env.store.get(env.tenant, RECEIPTS, receipt_id)
    if receipt is None:
        return
    if receipt.attributes.get("status") != RECEIVED:
        return  # a pack's odd receipt (pending with tasks, already completed) stays as it is
    tasks = env.store.find(env.tenant, TASKS, goods_in_receipt_id=receipt_id)
    if all(t.attributes["status"] == TASK_COMPLETED for t in tasks):
        transition(env, receipt, COMPLETED)
