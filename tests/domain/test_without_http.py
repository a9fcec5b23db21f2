"""The domain called as the floor will call it: an Env, typed arguments, records back, no HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.domain import goods_in, goods_outs, processes, stock, tasks
from mock_server.domain.env import Env
from mock_server.domain.errors import NotFound, Unprocessable, VendorError

ORDER = {
    "goods_out_type": "sales_order",
    "account_id": 1,
    "warehouse_id": 1,
    "reference": "SO-DOMAIN-1",
    "expected_date_of_dispatch": "2026-12-01T10:00:00Z",
}


def _add(product_id: int, quantity: float) -> dict[str, Any]:
    return {"type": "ADD", "attributes": {"product_id": product_id, "order_quantity": quantity}}


def _order(env: Env, quantity: float = 10, **attributes: Any) -> goods_outs.WithLines:
    return goods_outs.create(env, {**ORDER, **attributes}, changes=[_add(1, quantity)])


def test_an_order_is_created_pending_with_its_lines(env: Env) -> None:
    created = _order(env)
    assert created.record.attributes["goods_out_status_id"] == goods_outs.PENDING
    [line] = created.lines
    assert line.parent_id == created.record.id
    assert line.attributes["allocated_quantity"] == 0
    assert goods_outs.lines(env, created.record.id) == created.lines


def test_processing_allocates_an_order_and_moves_it_to_pick(env: Env) -> None:
    order = _order(env, quantity=130).record  # stock 1 holds 120: stock 7 gives the rest
    done = processes.process_picks_async(env, [order.id])
    assert len(done.references) == 1
    [pick_list] = done.pick_lists
    assert pick_list.attributes["goods_out_ids"] == [order.id]
    assert goods_outs.status(env.store.get(env.tenant, "goods_outs", order.id)) == goods_outs.PICK
    [line] = goods_outs.lines(env, order.id)
    assert line.attributes["allocated_quantity"] == 130
    assert env.store.get(env.tenant, "stocks", 1).attributes["allocated_quantity"] == 120
    assert env.store.get(env.tenant, "stocks", 7).attributes["allocated_quantity"] == 10


def test_not_enough_stock_is_the_vendors_39(env: Env) -> None:
    order = _order(env, quantity=10_000).record
    with pytest.raises(VendorError) as caught:
        processes.process_picks_async(env, [order.id])
    assert (caught.value.code, caught.value.symbol) == (39, "not_enough_stocks_for_picking")
    assert caught.value.violations[0].pointer == "/ids/0"


def test_an_unknown_order_is_the_vendors_37(env: Env) -> None:
    with pytest.raises(VendorError) as caught:
        processes.process_picks_async(env, [999])
    assert (caught.value.code, caught.value.symbol) == (37, "invalid_ids_provided")


def test_cancel_deletes_a_pending_order(env: Env) -> None:
    order = _order(env).record
    cancelled = goods_outs.cancel(env, order.id)
    assert cancelled.deleted
    assert cancelled.order.record.id == order.id
    assert env.store.get(env.tenant, "goods_outs", order.id) is None
    assert goods_outs.lines(env, order.id) == []


def test_cancel_gives_an_allocated_orders_stock_back(env: Env) -> None:
    order = _order(env, quantity=5).record
    processes.process_picks_async(env, [order.id])
    cancelled = goods_outs.cancel(env, order.id)
    assert not cancelled.deleted
    assert goods_outs.status(cancelled.order.record) == goods_outs.CANCELLED
    assert [line.attributes["allocated_quantity"] for line in cancelled.order.lines] == [0]
    assert stock.allocated(env.store.get(env.tenant, "stocks", 1)) == 0
    with pytest.raises(Unprocessable) as caught:
        goods_outs.cancel(env, order.id)
    assert caught.value.rule == "invalid_state"


def test_completing_a_receive_task_creates_stock(env: Env) -> None:
    before = len(env.store.find(env.tenant, "stocks", product_id=1))
    task = goods_in.receive_into(env, 1, {"confirmed_quantity": 4})
    assert task.attributes["status"] == goods_in.TASK_COMPLETED
    assert task.attributes["completed_at"] == env.clock.iso()
    assert task.attributes["location_to_id"] == task.attributes["location_from_id"]
    made = env.store.find(env.tenant, "stocks", product_id=1)
    assert len(made) == before + 1
    assert made[-1].attributes["quantity"] == 4
    line = env.store.get(env.tenant, goods_in.LINES, 1)
    assert line.attributes["received_quantity"] == 4


def test_a_receipt_completes_with_its_last_receive_task(env: Env) -> None:
    done = {"confirmed_quantity": 10, "location_to_id": 1, "storage_unit_to_id": 1}
    tasks.complete(env, 1, done)
    goods_in.receive_into(env, 2, {})
    assert env.store.get(env.tenant, goods_in.RECEIPTS, 1).attributes["status"] == "received"
    goods_in.receive_into(env, 3, {})
    assert env.store.get(env.tenant, goods_in.RECEIPTS, 1).attributes["status"] == "completed"


def test_a_task_is_allocated_and_unallocated(env: Env) -> None:
    allocated = tasks.allocate(env, 2, user_id=7)
    assert allocated.attributes["status"] == "ALLOCATED"
    assert allocated.attributes["assigned_at"] == env.clock.iso()
    available = tasks.unallocate(env, 2)
    assert (available.attributes["status"], available.attributes["user_id"]) == ("AVAILABLE", None)


def test_an_unknown_id_is_not_found(env: Env) -> None:
    with pytest.raises(NotFound) as caught:
        goods_outs.cancel(env, 999)
    assert (caught.value.resource, caught.value.id) == ("goods_outs", 999)
    assert str(caught.value) == "goods_outs 999 does not exist in this tenant"


def test_a_rule_names_its_pointer(env: Env) -> None:
    with pytest.raises(Unprocessable) as caught:
        goods_outs.create(env, {**ORDER, "account_id": 999})
    [violation] = caught.value.violations
    assert (violation.pointer, violation.rule) == (
        "/data/attributes/account_id",
        "unknown_reference",
    )
