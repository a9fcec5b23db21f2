"""The PICK and DISP tasks of goods outs: made by pick processing and picking, completed by the
integrator or by the floor.

Pick processing makes the pick list
(https://documentation.claruswms.com/api-reference/goods-out:-pick-lists/process-picks-asynchronously);
the tasks are completed with ``PATCH /api/tasks/{id}``
(https://documentation.claruswms.com/api-reference/tasks/update-or-complete-a-task): a PICK task with
its ``confirmed_quantity`` and drop location, a DISP task of subtype SHIPMENT with its status alone.

- Pick processing gives each stock allocation of an order one AVAILABLE PICK task: the product, the
  allocated quantity (``start_quantity``), the stock's location and storage unit (``location_from_id``,
  ``storage_unit_from_id``), the pick list's goods-out bay as the drop location when it names one.
- A completed PICK task sets its line's ``pick_quantity`` to what the line's completed PICK tasks
  confirmed.
- When every PICK task of an order in PICK is completed, the order is picked: one DISP task of
  subtype SHIPMENT waits for it, from where the picks were dropped.
- When every DISP task of a picked order is completed, the order is dispatched: what was picked
  leaves the warehouse (allocated stock that was not picked is free again), each line's
  ``dispatch_quantity`` is its ``pick_quantity``, the order gets ``actual_date_of_dispatch`` and is
  COMPLETED (https://documentation.claruswms.com/api-reference/core-resources/goods-out: 6 COMPLETED
  is "dispatched").

Each function does only what the order's state still calls for, so the floor and the integrator can
finish the work in either order and none of it is done twice.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import stock
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.facts import status_codes
from mock_server.domain.goods_in import TASK_COMPLETED, TASKS, create_task
from mock_server.domain.goods_outs import COMPLETED, LINES, ORDERS, PICK, status
from mock_server.domain.transitions import transition
from mock_server.store import Record

PICK_TASK, DISP_TASK = status_codes(TASKS, "task_type_code", "PICK", "DISP")
# The DISP subtype completed through the task endpoint; LOAD-subtype DISP tasks complete when their
# load is dispatched (the task update page), and the mock makes none.
SHIPMENT = "SHIPMENT"
GOODS_OUT_BAY = "GOBAY"  # the location type code of a goods-out bay (the consolidation page)


def tasks_of(env: Env, order_id: int, kind: str) -> list[Record]:
    """The order's tasks of type ``kind`` (PICK or DISP), in id order."""
    return env.store.find(env.tenant, TASKS, goods_out_id=order_id, task_type_code=kind)


def is_done(task: Record) -> bool:
    """Whether the task is COMPLETED."""
    return task.attributes.get("status") == TASK_COMPLETED


def open_tasks(env: Env, order_id: int, kind: str) -> list[Record]:
    """The order's tasks of type ``kind`` not yet completed."""
    return [task for task in tasks_of(env, order_id, kind) if not is_done(task)]


def add_pick_tasks(env: Env, order: Record, pick_list: Record) -> list[Record]:
    """One AVAILABLE PICK task for each stock allocation of ``order`` that has none yet, on
    ``pick_list`` (whose ``pick_tasks_count`` counts them); returns the tasks made."""
    covered = {t.attributes.get("stock_allocation_id") for t in tasks_of(env, order.id, PICK_TASK)}
    made = []
    for allocation in env.store.find(env.tenant, stock.ALLOCATIONS, goods_out_id=order.id):
        if allocation.id in covered:
            continue
        source = env.store.get(env.tenant, stock.STOCKS, allocation.attributes["stock_id"])
        where = source.attributes if source is not None else {}
        made.append(
            create_task(
                env,
                PICK_TASK,
                priority=order.attributes.get("priority") or 0,
                goods_out_id=order.id,
                goods_out_line_id=allocation.attributes["goods_out_line_id"],
                goods_out_pick_list_id=pick_list.id,
                stock_id=allocation.attributes["stock_id"],
                stock_allocation_id=allocation.id,
                product_id=where.get("product_id"),
                account_id=order.attributes.get("account_id"),
                warehouse_id=where.get("warehouse_id", order.attributes.get("warehouse_id")),
                start_quantity=allocation.attributes["quantity"],
                location_from_id=where.get("location_id"),
                storage_unit_from_id=where.get("storage_unit_id"),
                location_to_id=pick_list.attributes.get("goods_out_bay_id"),
            )
        )
    pick_list.attributes["pick_tasks_count"] = int(
        pick_list.attributes.get("pick_tasks_count") or 0
    ) + len(made)
    env.store.save(env.tenant, pick_list)
    return made


def drop_location(env: Env, task: Record) -> int | None:
    """Where the floor drops a pick: the task's own drop location, else its warehouse's first
    goods-out bay, else where the stock was picked from."""
    if task.attributes.get("location_to_id") is not None:
        return int(task.attributes["location_to_id"])
    warehouse_id = task.attributes.get("warehouse_id")
    for kind in env.store.find(env.tenant, "location_types", code=GOODS_OUT_BAY):
        found = env.store.find(
            env.tenant, "locations", warehouse_id=warehouse_id, location_type_id=kind.id
        )
        if found:
            return found[0].id
    source = task.attributes.get("location_from_id")
    return None if source is None else int(source)


def check_confirmed(task: Record, values: dict[str, Any], pointer: str) -> None:
    """A PICK task cannot confirm more than it was given to pick (its allocated stock):
    Unprocessable ``maximum`` at ``pointer/confirmed_quantity``. The vendor sets no limit; taking
    more than was allocated would take stock promised to other orders."""
    start = task.attributes.get("start_quantity")
    confirmed = values.get("confirmed_quantity")
    if task.attributes.get("goods_out_id") is None or start is None or confirmed is None:
        return
    if float(confirmed) > float(start):
        raise Unprocessable(
            f"{pointer}/confirmed_quantity",
            "maximum",
            f"PICK task {task.id} picks {start:g} allocated to goods out "
            f"{task.attributes['goods_out_id']}; it cannot confirm {float(confirmed):g}",
            hint=f"confirm at most {start:g} (less is a short pick)",
        )


def task_completed(env: Env, task: Record) -> None:
    """What a PICK or DISP task of an order in PICK moves on once it is completed: its line's
    ``pick_quantity``, then the order picked (its DISP task) or dispatched, when it was the last."""
    order_id = task.attributes.get("goods_out_id")
    kind = task.attributes.get("task_type_code")
    if order_id is None or kind not in (PICK_TASK, DISP_TASK):
        return
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is None or status(order) != PICK:
        return
    if kind == PICK_TASK:
        _count_picked(env, task.attributes.get("goods_out_line_id"))
        finish_picking(env, order)
    elif all(is_done(t) for t in tasks_of(env, order.id, DISP_TASK)):
        dispatch(env, order)


def _count_picked(env: Env, line_id: int | None) -> None:
    line = env.store.get(env.tenant, LINES, line_id) if line_id is not None else None
    if line is None:
        return
    picks = env.store.find(env.tenant, TASKS, goods_out_line_id=line.id, task_type_code=PICK_TASK)
    confirmed = sum(float(t.attributes.get("confirmed_quantity") or 0) for t in picks if is_done(t))
    line.attributes["pick_quantity"] = stock.tidy(confirmed)
    env.store.save(env.tenant, line)


def is_picked(env: Env, order: Record) -> bool:
    """Whether every PICK task of the order is completed (an order with none has nothing to pick)."""
    return all(is_done(task) for task in tasks_of(env, order.id, PICK_TASK))


def finish_picking(env: Env, order: Record) -> Record | None:
    """An order in PICK whose PICK tasks are all completed gets its DISP task (SHIPMENT), once;
    returns the task made."""
    if status(order) != PICK or not is_picked(env, order) or tasks_of(env, order.id, DISP_TASK):
        return None
    picks = tasks_of(env, order.id, PICK_TASK)
    lines = env.store.children(env.tenant, LINES, order.id)
    return create_task(
        env,
        DISP_TASK,
        subtype=SHIPMENT,
        priority=order.attributes.get("priority") or 0,
        goods_out_id=order.id,
        account_id=order.attributes.get("account_id"),
        warehouse_id=order.attributes.get("warehouse_id"),
        start_quantity=stock.tidy(
            sum(float(line.attributes.get("pick_quantity") or 0) for line in lines)
        ),
        location_from_id=next(
            (t.attributes["location_to_id"] for t in picks if t.attributes.get("location_to_id")),
            None,
        ),
    )


def dispatch(env: Env, order: Record) -> None:
    """The picked order leaves: the stock its PICK tasks confirmed comes off its records (a DISP
    transaction each), the rest of its allocation is free again; lines get ``dispatch_quantity``,
    the order ``actual_date_of_dispatch``, and it is COMPLETED."""
    picked = {
        int(task.attributes["stock_allocation_id"]): float(
            task.attributes.get("confirmed_quantity") or 0
        )
        for task in tasks_of(env, order.id, PICK_TASK)
        if is_done(task) and task.attributes.get("stock_allocation_id") is not None
    }
    stock.dispatch_order(env, order, picked)
    for line in env.store.children(env.tenant, LINES, order.id):
        line.attributes["dispatch_quantity"] = line.attributes.get("pick_quantity") or 0
        env.store.save(env.tenant, line)
    order.attributes["actual_date_of_dispatch"] = env.clock.iso()
    transition(env, order, COMPLETED)
