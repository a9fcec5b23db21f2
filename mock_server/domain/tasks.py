"""Tasks: update or complete by type, complete in bulk, allocate to users, export RCV confirmations.

The minimum attributes to complete each task type are the table of the vendor's task update page. Completing an RCV task
creates stock (``goods_in.complete_receive_task``); other types are only marked COMPLETED here.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import goods_in, records
from mock_server.domain.goods_in import RCV, TASKS
from mock_server.domain.goods_in import TASK_ALLOCATED as ALLOCATED
from mock_server.domain.goods_in import TASK_AVAILABLE as AVAILABLE
from mock_server.domain.goods_in import TASK_COMPLETED as COMPLETED
from mock_server.domain.references import check_references
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record

_MINIMUM: dict[str, tuple[str, ...]] = {
    "PICK": ("confirmed_quantity", "location_to_id"),
    "RCV": ("confirmed_quantity", "location_to_id", "storage_unit_to_id"),
    "PWAY": ("confirmed_quantity", "location_to_id", "storage_unit_to_id"),
    "TRAN": ("location_to_id", "storage_unit_to_id"),
    "CONV": (),
    "REPLEN": ("confirmed_quantity", "location_to_id"),
    "DISP": (),
}


def update(ctx: Ctx) -> Record:
    """PATCH /api/tasks/{id}: change fields, or complete with ``status: "completed"``."""
    task = records.load(ctx, TASKS)
    _require_open(task, "")
    attributes = ctx.attributes
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES)
    warehouse_id = attributes.get("warehouse_id", task.attributes.get("warehouse_id"))
    goods_in.check_destination(ctx.store, ctx.tenant, attributes, warehouse_id)
    if attributes.pop("status", None) == "completed":
        complete(ctx, task, attributes, records.ATTRIBUTES)
        return task
    task.attributes.update(attributes, last_accessed_at=ctx.clock.iso())
    return ctx.store.save(ctx.tenant, task)


def _require_open(task: Record, pointer: str) -> None:
    if task.attributes.get("status") == COMPLETED:
        raise unprocessable(
            pointer,
            "invalid_state",
            f"task {task.id} is COMPLETED; it can no longer change",
        )


def complete(ctx: Ctx, task: Record, attributes: dict[str, Any], pointer: str) -> None:
    """Complete one open task with ``attributes`` (checked references), by its type's rules."""
    kind = str(task.attributes.get("task_type_code"))
    _check_completable(task, kind)
    values = dict(attributes)
    if kind == "CONV":
        values.setdefault("confirmed_quantity", task.attributes.get("start_quantity"))
    merged = {**task.attributes, **values}
    minimum = _MINIMUM.get(kind, ())
    for field in minimum:
        if merged.get(field) is None:
            raise unprocessable(
                f"{pointer}/{field}",
                "required",
                f"completing {kind} task {task.id} needs {field}",
                hint=f"{kind} tasks complete with status plus {', '.join(minimum)}",
            )
    now = ctx.clock.iso()
    if kind == RCV:
        values.update({field: merged[field] for field in minimum})
        goods_in.complete_receive_task(ctx.store, ctx.tenant, task, values, now)
        return
    task.attributes.update(values, status=COMPLETED, completed_at=now, last_accessed_at=now)
    ctx.store.save(ctx.tenant, task)


def _check_completable(task: Record, kind: str) -> None:
    if kind == "LOAD":
        raise unprocessable(
            "",
            "invalid",
            f"task {task.id} is a LOAD task; it cannot be completed here",
            hint="use POST /api/load_tasks/{id}/load_storage_unit",
        )
    if kind == "DISP" and task.attributes.get("subtype") != "SHIPMENT":
        raise unprocessable(
            "",
            "invalid",
            f"task {task.id} is a {task.attributes.get('subtype')} DISP task; only SHIPMENT "
            "DISP tasks complete here",
            hint="LOAD-subtype DISP tasks complete when their load is dispatched",
        )


def complete_collection(ctx: Ctx) -> None:
    """POST /api/tasks/complete_collection (204): every open task of the type matching all filters."""
    body = ctx.body
    filters = body["filters"]
    attributes = dict(body.get("attributes") or {})
    attributes.pop("status", None)
    check_references(ctx.store, ctx.tenant, {"warehouse_id": body["warehouse_id"]}, "")
    check_references(ctx.store, ctx.tenant, filters, "/filters")
    check_references(ctx.store, ctx.tenant, attributes, "/attributes")
    goods_in.check_destination(
        ctx.store, ctx.tenant, attributes, body["warehouse_id"], "/attributes"
    )
    matching = ctx.store.find(
        ctx.tenant,
        TASKS,
        warehouse_id=body["warehouse_id"],
        task_type_code=body["task_type_code"],
        **filters,
    )
    for task in matching:
        if task.attributes.get("status") != COMPLETED:
            complete(ctx, task, attributes, "/attributes")


def allocate(ctx: Ctx) -> None:
    """POST /api/tasks/{id}/allocate (204): ALLOCATED to ``user_id``, assigned now."""
    task = records.load(ctx, TASKS)
    _require_open(task, "")
    _allocate(ctx, task, (ctx.body or {}).get("user_id"))


def allocate_many(ctx: Ctx) -> None:
    """POST /api/tasks/allocate (204): every named task, or none."""
    for task in _named_open_tasks(ctx):
        _allocate(ctx, task, (ctx.body or {}).get("user_id"))


def unallocate(ctx: Ctx) -> None:
    """PATCH /api/tasks/{id}/unallocate (204): AVAILABLE again, user and times cleared."""
    task = records.load(ctx, TASKS)
    _require_open(task, "")
    _unallocate(ctx, task)


def unallocate_many(ctx: Ctx) -> None:
    """PATCH /api/tasks/unallocate (204): every named task, or none."""
    for task in _named_open_tasks(ctx):
        _unallocate(ctx, task)


def _allocate(ctx: Ctx, task: Record, user_id: int | None) -> None:
    # An ALLOCATED task may be allocated again: that reassigns it.
    now = ctx.clock.iso()
    task.attributes.update(status=ALLOCATED, user_id=user_id, assigned_at=now, last_accessed_at=now)
    ctx.store.save(ctx.tenant, task)


def _unallocate(ctx: Ctx, task: Record) -> None:
    task.attributes.update(status=AVAILABLE, user_id=None, assigned_at=None, start_at=None)
    ctx.store.save(ctx.tenant, task)


def _named_open_tasks(ctx: Ctx) -> list[Record]:
    """The tasks of the body's ``ids``: 422 at the first unknown one, then at the first completed."""
    found = records.load_many(
        ctx, TASKS, ctx.body["ids"], "task", "nothing was changed; send only existing task ids"
    )
    for index, task in enumerate(found):
        _require_open(task, f"/ids/{index}")
    return found


def export_receipt_task_confirmation(ctx: Ctx) -> Record:
    """GET /api/tasks/{id}/export_receipt_task_confirmation: the JSON form, for a completed RCV task."""
    task = records.load(ctx, TASKS)
    attributes = task.attributes
    kind, status = attributes.get("task_type_code"), attributes.get("status")
    if kind != RCV:
        raise unprocessable(
            "",
            "unsuitable_reference",
            f"task {task.id} is a {kind} task; only receive (RCV) tasks have a confirmation",
        )
    if status != COMPLETED:
        raise unprocessable(
            "",
            "invalid_state",
            f"task {task.id} is {status}; its confirmation exists once it is COMPLETED",
        )
    confirmation = {
        "task_id": task.id,
        "status": COMPLETED,
        "product_code": _code(ctx, "products", attributes["product_id"]),
        "confirmed_quantity": attributes["confirmed_quantity"],
        "location_code": _code(ctx, "locations", attributes["location_to_id"]),
        "completed_at": attributes["completed_at"],
    }
    return Record(TASKS, task.id, confirmation, {})


def _code(ctx: Ctx, resource: str, record_id: int) -> str:
    record = ctx.store.get(ctx.tenant, resource, record_id)
    return str(record.attributes.get("code") or "") if record else ""


HANDLERS = {
    "tasks.update": update,
    "tasks.complete_collection": complete_collection,
    "tasks.allocate": allocate,
    "tasks.allocate_many": allocate_many,
    "tasks.unallocate": unallocate,
    "tasks.unallocate_many": unallocate_many,
    "tasks.export_receipt_task_confirmation": export_receipt_task_confirmation,
}
