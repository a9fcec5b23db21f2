"""Tasks: update or complete by type, complete in bulk, allocate to users, export RCV confirmations.

The minimum attributes to complete each task type are the table of the vendor's task update page. Completing an RCV task
creates stock (``goods_in.complete_receive_task``); completing an order's PICK or DISP task moves the
order on (``picking.task_completed``: its lines picked, its DISP task made, the order dispatched);
other types are only marked COMPLETED here.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import goods_in, picking, records, stock
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.facts import status_codes
from mock_server.domain.goods_in import RCV, TASKS
from mock_server.domain.goods_in import TASK_ALLOCATED as ALLOCATED
from mock_server.domain.goods_in import TASK_AVAILABLE as AVAILABLE
from mock_server.domain.goods_in import TASK_COMPLETED as COMPLETED
from mock_server.domain.picking import DISP_TASK as DISP
from mock_server.domain.picking import PICK_TASK as PICK
from mock_server.domain.picking import SHIPMENT
from mock_server.domain.references import check_references
from mock_server.domain.transitions import transition
from mock_server.store import Record

PWAY, TRAN, REPLEN, LOAD, CONV = status_codes(
    TASKS, "task_type_code", "PWAY", "TRAN", "REPLEN", "LOAD", "CONV"
)
# What completing each type needs (the task update page's table).
_MINIMUM: dict[str, tuple[str, ...]] = {
    PICK: ("confirmed_quantity", "location_to_id"),
    RCV: ("confirmed_quantity", "location_to_id", "storage_unit_to_id"),
    PWAY: ("confirmed_quantity", "location_to_id", "storage_unit_to_id"),
    TRAN: ("location_to_id", "storage_unit_to_id"),
    CONV: (),
    REPLEN: ("confirmed_quantity", "location_to_id"),
    DISP: (),
}


def _open_task(env: Env, task_id: int, attributes: dict[str, Any]) -> Record:
    """The open task, with ``attributes``' references and destination checked."""
    task = records.load(env, TASKS, task_id)
    _require_open(task, "")
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES)
    warehouse_id = attributes.get("warehouse_id", task.attributes.get("warehouse_id"))
    goods_in.check_destination(env, attributes, warehouse_id)
    return task


def update(env: Env, task_id: int, attributes: dict[str, Any]) -> Record:
    """Change an open task's fields (not its status).

    https://documentation.claruswms.com/api-reference/tasks/update-or-complete-a-task. Raises
    NotFound, or Unprocessable (completed task, references, destination in another warehouse).
    """
    attributes = dict(attributes)
    task = _open_task(env, task_id, attributes)
    task.attributes.update(attributes, last_accessed_at=env.clock.iso())
    return env.store.save(env.tenant, task)


def complete(env: Env, task_id: int, attributes: dict[str, Any]) -> Record:
    """Complete an open task with ``attributes``, by its type's rules (the update page's table).

    Raises as :func:`update`, and Unprocessable for a LOAD task, a DISP task not of subtype
    SHIPMENT, or a missing minimum attribute (``required`` at ``/data/attributes/<field>``).
    """
    attributes = dict(attributes)
    task = _open_task(env, task_id, attributes)
    _complete(env, task, attributes, records.ATTRIBUTES)
    return task


def _require_open(task: Record, pointer: str) -> None:
    if task.attributes.get("status") == COMPLETED:
        raise Unprocessable(
            pointer,
            "invalid_state",
            f"task {task.id} is COMPLETED; it can no longer change",
        )


def _complete(env: Env, task: Record, attributes: dict[str, Any], pointer: str) -> None:
    """Complete one open task with ``attributes`` (checked references), by its type's rules."""
    kind = str(task.attributes.get("task_type_code"))
    _check_completable(task, kind)
    values = dict(attributes)
    if kind == CONV:
        values.setdefault("confirmed_quantity", task.attributes.get("start_quantity"))
    merged = {**task.attributes, **values}
    minimum = _MINIMUM.get(kind, ())
    for field in minimum:
        if merged.get(field) is None:
            raise Unprocessable(
                f"{pointer}/{field}",
                "required",
                f"completing {kind} task {task.id} needs {field}",
                hint=f"{kind} tasks complete with status plus {', '.join(minimum)}",
            )
    if kind == RCV:
        values.update({field: merged[field] for field in minimum})
        goods_in.complete_receive_task(env, task, values)
        return
    if kind == PICK:
        picking.check_confirmed(task, merged, pointer)
    now = env.clock.iso()
    task.attributes.update(values, completed_at=now, last_accessed_at=now)
    transition(env, task, COMPLETED)
    if kind == PICK and task.attributes.get("stock_id") is not None:
        env.store.note(stock.STOCKS, int(task.attributes["stock_id"]), stock.PICKED)
    picking.task_completed(env, task)


def _check_completable(task: Record, kind: str) -> None:
    if kind == LOAD:
        raise Unprocessable(
            "",
            "invalid",
            f"task {task.id} is a LOAD task; it cannot be completed here",
            hint="use POST /api/load_tasks/{id}/load_storage_unit",
        )
    if kind == DISP and task.attributes.get("subtype") != SHIPMENT:
        raise Unprocessable(
            "",
            "invalid",
            f"task {task.id} is a {task.attributes.get('subtype')} DISP task; only {SHIPMENT} "
            "DISP tasks complete here",
            hint="LOAD-subtype DISP tasks complete when their load is dispatched",
        )


def complete_collection(
    env: Env,
    warehouse_id: int,
    task_type_code: str,
    filters: dict[str, Any],
    attributes: dict[str, Any] | None = None,
) -> list[Record]:
    """Complete every open task of the type in the warehouse matching all ``filters``.

    https://documentation.claruswms.com/api-reference/tasks/complete-filtered-tasks. ``attributes``
    apply to each (``status`` is ignored). Returns the tasks completed. Raises Unprocessable
    (pointers ``/filters/...``, ``/attributes/...``) for references, destinations and a task that
    cannot complete, and nothing changes.
    """
    attributes = dict(attributes or {})
    attributes.pop("status", None)
    check_references(env.store, env.tenant, {"warehouse_id": warehouse_id}, "")
    check_references(env.store, env.tenant, filters, "/filters")
    check_references(env.store, env.tenant, attributes, "/attributes")
    goods_in.check_destination(env, attributes, warehouse_id, "/attributes")
    matching = env.store.find(
        env.tenant,
        TASKS,
        warehouse_id=warehouse_id,
        task_type_code=task_type_code,
        **filters,
    )
    done = []
    for task in matching:
        if task.attributes.get("status") != COMPLETED:
            _complete(env, task, attributes, "/attributes")
            done.append(task)
    return done


def allocate(env: Env, task_id: int, user_id: int | None = None) -> Record:
    """ALLOCATED to ``user_id``, assigned now; an ALLOCATED task is reassigned.

    https://documentation.claruswms.com/api-reference/tasks/allocate-a-task-to-a-user. Raises
    NotFound, or Unprocessable for a completed task.
    """
    task = records.load(env, TASKS, task_id)
    _require_open(task, "")
    return _allocate(env, task, user_id)


def allocate_many(env: Env, ids: list[int], user_id: int | None = None) -> list[Record]:
    """Allocate every named task, or none (Unprocessable at ``/ids/<i>``).

    https://documentation.claruswms.com/api-reference/tasks/allocate-tasks-in-bulk
    """
    return [_allocate(env, task, user_id) for task in _named_open_tasks(env, ids)]


def unallocate(env: Env, task_id: int) -> Record:
    """AVAILABLE again, user and times cleared.

    https://documentation.claruswms.com/api-reference/tasks/unallocate-a-task. Raises NotFound, or
    Unprocessable for a completed task.
    """
    task = records.load(env, TASKS, task_id)
    _require_open(task, "")
    return _unallocate(env, task)


def unallocate_many(env: Env, ids: list[int]) -> list[Record]:
    """Unallocate every named task, or none (Unprocessable at ``/ids/<i>``)."""
    return [_unallocate(env, task) for task in _named_open_tasks(env, ids)]


def _allocate(env: Env, task: Record, user_id: int | None) -> Record:
    now = env.clock.iso()
    task.attributes.update(user_id=user_id, assigned_at=now, last_accessed_at=now)
    return transition(env, task, ALLOCATED)  # an ALLOCATED task is reassigned, status unchanged


def _unallocate(env: Env, task: Record) -> Record:
    task.attributes.update(user_id=None, assigned_at=None, start_at=None)
    return transition(env, task, AVAILABLE)


def _named_open_tasks(env: Env, ids: list[int]) -> list[Record]:
    """The tasks of ``ids``: Unprocessable at the first unknown one, then at the first completed."""
    found = records.load_many(
        env, TASKS, ids, "task", "nothing was changed; send only existing task ids"
    )
    for index, task in enumerate(found):
        _require_open(task, f"/ids/{index}")
    return found


def receipt_task_confirmation(env: Env, task_id: int) -> dict[str, Any]:
    """The JSON form of a completed RCV task's confirmation.

    https://documentation.claruswms.com/api-reference/goods-in:-receipts/export-receipt-task-confirmation.
    ``{task_id, status, product_code, confirmed_quantity, location_code, completed_at}``. Raises
    NotFound, or Unprocessable for a task of another type or not completed.
    """
    task = records.load(env, TASKS, task_id)
    attributes = task.attributes
    kind, status = attributes.get("task_type_code"), attributes.get("status")
    if kind != RCV:
        raise Unprocessable(
            "",
            "unsuitable_reference",
            f"task {task.id} is a {kind} task; only receive (RCV) tasks have a confirmation",
        )
    if status != COMPLETED:
        raise Unprocessable(
            "",
            "invalid_state",
            f"task {task.id} is {status}; its confirmation exists once it is COMPLETED",
        )
    return {
        "task_id": task.id,
        "status": COMPLETED,
        "product_code": _code(env, "products", attributes["product_id"]),
        "confirmed_quantity": attributes["confirmed_quantity"],
        "location_code": _code(env, "locations", attributes["location_to_id"]),
        "completed_at": attributes["completed_at"],
    }


def _code(env: Env, resource: str, record_id: int) -> str:
    record = env.store.get(env.tenant, resource, record_id)
    return str(record.attributes.get("code") or "") if record else ""
