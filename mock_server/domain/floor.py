"""What the warehouse floor's staff do when nobody calls the API: allocate, pick, dispatch, receive.

Each step is a plain function of (env, record id) that does the work the record's state calls for
and nothing else, so it is safe to run twice, late, or after the integrator did the work first
(work done through the API is never redone). A step returns the follow-up steps it makes due; the
floor schedules them, and the steps that status changes call for, with the pack's durations.

The lifecycle (https://documentation.claruswms.com/api-reference/core-resources/goods-out):
PENDING -> allocated against free stock, oldest first -> ALLOCATED (PART_ALLOCATED when stock covers
only part) -> pick processing, as ``process_picks_async`` does: a pick list and one PICK task per
stock allocation -> PICK -> the PICK tasks completed (lines get ``pick_quantity``) -> a DISP task
(SHIPMENT) -> the DISP task completed: stock leaves the warehouse, lines get ``dispatch_quantity``,
the order ``actual_date_of_dispatch`` -> COMPLETED. The integrator may process the order and
complete any of its tasks first (``PATCH /api/tasks/{id}``,
https://documentation.claruswms.com/api-reference/tasks/update-or-complete-a-task); the floor
completes only what is still open. Receipts: received -> open receive tasks completed in full ->
completed.
"""

from __future__ import annotations

from mock_server.domain import goods_in, picking, processes, tasks
from mock_server.domain.env import Env
from mock_server.domain.goods_outs import (
    ALLOCATED,
    LINES,
    ORDERS,
    PART_ALLOCATED,
    PENDING,
    PICK,
    status,
)
from mock_server.domain.transitions import transition
from mock_server.store import Record

ALLOCATE, PICKING, DISPATCH, RECEIVE = "allocate", "pick", "dispatch", "receive"
"""The floor's steps; the fixture pack says how long after its cause each one comes."""

FollowUps = list[tuple[str, int]]  # (step, record id)


def allocate(env: Env, order_id: int) -> FollowUps:
    """A PENDING order: allocate its lines from free stock. ALLOCATED when every line is covered,
    PART_ALLOCATED when some are; an order no stock covers at all stays PENDING (pick processing
    or a short can still move it). An order the integrator processed first is left to the pick
    step its processing made due."""
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is None or status(order) != PENDING:
        return []
    shortfalls = processes.allocate_order(env, order)
    lines = env.store.children(env.tenant, LINES, order.id)
    if not shortfalls:
        transition(env, order, ALLOCATED)
        return [(PICKING, order.id)]
    if any(float(line.attributes.get("allocated_quantity") or 0) > 0 for line in lines):
        transition(env, order, PART_ALLOCATED)
    return []


def pick(env: Env, order_id: int) -> FollowUps:
    """An ALLOCATED order is processed for picking (pick list, PICK tasks, request, PICK); then
    every PICK task of an order in PICK still open is completed in full, dropped at the task's drop
    location or the warehouse's goods-out bay. The last one makes the order's DISP task, whose
    creation makes the dispatch step due. PICK tasks the integrator completed are left as they
    are."""
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is None or status(order) not in (ALLOCATED, PICK):
        return []
    if status(order) == ALLOCATED:
        processes.process_picks_async(env, [order.id])
    for task in picking.open_tasks(env, order_id, picking.PICK_TASK):
        done = {
            "confirmed_quantity": task.attributes.get("start_quantity") or 0,
            "location_to_id": picking.drop_location(env, task),
        }
        tasks.complete(env, task.id, done)
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is not None:
        picking.finish_picking(env, order)  # an order with nothing to pick is picked at once
    return []


def dispatch(env: Env, order_id: int) -> FollowUps:
    """A picked order in PICK leaves: its open DISP tasks are completed, and completing the last
    dispatches it (``picking.dispatch``). An order whose DISP tasks the integrator completed has
    left already and is left alone."""
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is None or status(order) != PICK:
        return []
    for task in picking.open_tasks(env, order_id, picking.DISP_TASK):
        tasks.complete(env, task.id, {})
    return []


def starts_dispatch(task: Record | None) -> int | None:
    """The order a new task makes the dispatch step due for: a DISP task's goods out."""
    if task is None or task.attributes.get("task_type_code") != picking.DISP_TASK:
        return None
    order_id = task.attributes.get("goods_out_id")
    return None if order_id is None else int(order_id)


def receive(env: Env, receipt_id: int) -> FollowUps:
    """A received receipt: every receive task still open is completed in full, into its goods-in
    bay (tasks the integrator completed are left as they are)."""
    receipt = env.store.get(env.tenant, goods_in.RECEIPTS, receipt_id)
    if receipt is None or receipt.attributes.get("status") != goods_in.RECEIVED:
        return []
    for task in env.store.find(env.tenant, goods_in.TASKS, goods_in_receipt_id=receipt_id):
        if task.attributes.get("status") != goods_in.TASK_COMPLETED:
            goods_in.receive_into(env, task.id, {})
    return []


STEPS = {ALLOCATE: allocate, PICKING: pick, DISPATCH: dispatch, RECEIVE: receive}
"""Every floor step by name."""
