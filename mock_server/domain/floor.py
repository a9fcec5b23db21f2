"""What the warehouse floor's staff do when nobody calls the API: allocate, pick, dispatch, receive.

Each step is a plain function of (env, record id) that does the work the record's state calls for
and nothing else, so it is safe to run twice, late, or after the integrator did the work first
(work done through the API is never redone). A step returns the follow-up steps it makes due (a
picked order is dispatched later); the floor schedules them with the pack's durations.

The lifecycle (https://documentation.claruswms.com/api-reference/core-resources/goods-out):
PENDING -> allocated against free stock, oldest first -> ALLOCATED (PART_ALLOCATED when stock covers
only part) -> pick processing, as ``process_picks_async`` does -> PICK -> lines picked -> dispatched:
stock leaves the warehouse, lines get ``dispatch_quantity``, the order ``actual_date_of_dispatch``
-> COMPLETED. Receipts: received -> open receive tasks completed in full -> completed.
"""

from __future__ import annotations

from mock_server.domain import goods_in, processes, stock, tasks
from mock_server.domain.env import Env
from mock_server.domain.goods_outs import (
    ALLOCATED,
    COMPLETED,
    LINES,
    ORDERS,
    PART_ALLOCATED,
    PENDING,
    PICK,
    status,
)
from mock_server.domain.transitions import transition

ALLOCATE, PICKING, DISPATCH, RECEIVE = "allocate", "pick", "dispatch", "receive"
"""The floor's steps; the fixture pack says how long after its cause each one comes."""

FollowUps = list[tuple[str, int]]  # (step, record id)


def allocate(env: Env, order_id: int) -> FollowUps:
    """A PENDING order: allocate its lines from free stock. ALLOCATED when every line is covered,
    PART_ALLOCATED when some are; an order no stock covers at all stays PENDING (pick processing
    or a short can still move it). An order the integrator already processed (PICK) goes on to
    picking."""
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is not None and status(order) == PICK:
        return [(PICKING, order.id)]  # the integrator processed it first: picking comes next
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
    """An ALLOCATED order is processed for picking (pick list, request, PICK); an order in PICK has
    its lines picked (``pick_quantity`` = ``allocated_quantity``) and its pick tasks completed."""
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is None or status(order) not in (ALLOCATED, PICK):
        return []
    if status(order) == ALLOCATED:
        processes.process_picks_async(env, [order.id])
        order = env.store.get(env.tenant, ORDERS, order_id)
        assert order is not None
    lines = env.store.children(env.tenant, LINES, order.id)
    if (
        lines
        and all(
            float(line.attributes.get("pick_quantity") or 0)
            >= float(line.attributes.get("allocated_quantity") or 0)
            for line in lines
        )
        and any(float(line.attributes.get("pick_quantity") or 0) > 0 for line in lines)
    ):
        return []  # picked already: the dispatch step is on its way
    for line in lines:
        line.attributes["pick_quantity"] = line.attributes.get("allocated_quantity") or 0
        env.store.save(env.tenant, line)
    for task in env.store.find(
        env.tenant, "tasks", goods_out_id=order.id, task_type_code=tasks.PICK
    ):
        if task.attributes.get("status") != goods_in.TASK_COMPLETED:
            task.attributes.update(completed_at=env.clock.iso())
            transition(env, task, goods_in.TASK_COMPLETED)
    return [(DISPATCH, order.id)]


def dispatch(env: Env, order_id: int) -> FollowUps:
    """A picked order in PICK leaves: its allocated stock goes (a DISP transaction per stock record),
    lines get ``dispatch_quantity``, the order ``actual_date_of_dispatch``, and it is COMPLETED."""
    order = env.store.get(env.tenant, ORDERS, order_id)
    if order is None or status(order) != PICK:
        return []
    stock.dispatch_order(env, order)
    for line in env.store.children(env.tenant, LINES, order.id):
        line.attributes["dispatch_quantity"] = line.attributes.get("pick_quantity") or 0
        env.store.save(env.tenant, line)
    order.attributes["actual_date_of_dispatch"] = env.clock.iso()
    transition(env, order, COMPLETED)
    return []


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
