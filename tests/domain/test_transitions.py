"""Status changes go through one function, are checked against the schemas' tables and recorded in
the store, inside the caller's transaction."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from contracts.registry import schema_documents, transitions
from mock_server.domain import goods_in, goods_outs, processes, stock, tasks
from mock_server.domain.env import Env
from mock_server.domain.errors import VendorError
from mock_server.domain.transitions import UndocumentedTransition, transition
from mock_server.store import Store

ORDER = {
    "goods_out_type": "sales_order",
    "account_id": 1,
    "warehouse_id": 1,
    "reference": "SO-LIFE-1",
    "expected_date_of_dispatch": "2026-12-01T10:00:00Z",
}
LINE = {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 5}}


def _changes(env: Env, since: int = 0) -> list[tuple[str, int, Any, Any]]:
    return [(t.resource, t.id, t.from_, t.to) for t in env.store.transitions(env.tenant, since)]


def _last(env: Env) -> int:
    found = env.store.transitions(env.tenant)
    return found[-1].seq if found else 0


def test_an_orders_life_is_recorded(env: Env) -> None:
    order = goods_outs.create(env, ORDER, changes=[LINE]).record
    processes.process_picks_async(env, [order.id])
    goods_outs.cancel(env, order.id)
    mine = [c for c in _changes(env) if c[0] == "goods_outs"]
    assert mine == [
        ("goods_outs", order.id, None, goods_outs.PENDING),
        ("goods_outs", order.id, goods_outs.PENDING, goods_outs.PICK),
        ("goods_outs", order.id, goods_outs.PICK, goods_outs.CANCELLED),
    ]
    requests = [c for c in _changes(env) if c[0] == processes.REQUESTS]
    assert [(c[2], c[3]) for c in requests] == [(None, "completed")]
    assert {t.at for t in env.store.transitions(env.tenant)} == {env.clock.now()}


def test_a_receipt_completes_through_its_tasks(env: Env) -> None:
    since = _last(env)
    for task_id in (1, 2, 3):
        goods_in.receive_into(env, task_id, {})
    changes = _changes(env, since)
    assert [c for c in changes if c[0] == "tasks"] == [
        ("tasks", task_id, "AVAILABLE", "COMPLETED") for task_id in (1, 2, 3)
    ]
    assert [(c[2], c[3]) for c in changes if c[0] == "stocks"] == [(None, "available")] * 3
    assert changes[-1] == ("goods_in_receipts", 1, "received", "completed")


def test_a_receipts_receive_and_revert_are_recorded(env: Env) -> None:
    add = {"type": "ADD", "attributes": {"product_id": 1, "expected_quantity": 3}}
    receipt = goods_in.create(env, {"account_id": 1, "warehouse_id": 1}, changes=[add]).record
    goods_in.receive(env, receipt.id)
    goods_in.revert(env, receipt.id)
    mine = [c[2:] for c in _changes(env) if c[:2] == ("goods_in_receipts", receipt.id)]
    assert mine == [(None, "pending"), ("pending", "received"), ("received", "pending")]
    made = [c for c in _changes(env) if c[0] == "tasks"]
    assert [(c[2], c[3]) for c in made] == [(None, "AVAILABLE")]


def test_a_task_reassigned_records_nothing_new(env: Env) -> None:
    since = _last(env)
    tasks.allocate(env, 2, user_id=1)
    tasks.allocate(env, 2, user_id=2)
    tasks.unallocate(env, 2)
    assert _changes(env, since) == [
        ("tasks", 2, "AVAILABLE", "ALLOCATED"),
        ("tasks", 2, "ALLOCATED", "AVAILABLE"),
    ]
    assert env.store.get(env.tenant, "tasks", 2).attributes["user_id"] is None


def test_holding_stock_is_a_transition(env: Env) -> None:
    since = _last(env)
    stock.hold(env, [2])
    stock.release(env, [2])
    assert _changes(env, since) == [
        ("stocks", 2, "available", "held"),
        ("stocks", 2, "held", "available"),
    ]


def test_an_undocumented_transition_raises_and_changes_nothing(env: Env) -> None:
    order = goods_outs.create(env, ORDER, changes=[LINE]).record
    since = _last(env)
    with pytest.raises(UndocumentedTransition, match="2 -> 6"):
        transition(env, order, goods_outs.COMPLETED)  # PENDING is never dispatched
    assert order.attributes["goods_out_status_id"] == goods_outs.PENDING
    assert _changes(env, since) == []
    with pytest.raises(UndocumentedTransition):
        transition(env, order, goods_outs.PICK, field="status")


def test_a_status_changes_only_inside_a_transaction(env: Env) -> None:
    store = Store()
    with store.transaction():
        shipment = store.create("t", "shipments", {"status": "pending", "goods_out_id": 1})
    outside = Env(store, "t", env.clock)
    with pytest.raises(UndocumentedTransition, match="transaction"):
        transition(outside, shipment, "submitted")


def test_a_refused_request_records_no_transition(env: Env) -> None:
    store = env.store
    order = goods_outs.create(env, ORDER, changes=[LINE]).record
    # Commit what the fixture's transaction holds, then refuse a request in a fresh one.
    store.db.execute("COMMIT")
    store.db.execute("BEGIN IMMEDIATE")
    before = store.transitions(env.tenant)
    big = goods_outs.create(env, {**ORDER, "reference": "SO-BIG"}, changes=[LINE]).record
    store.db.execute("COMMIT")
    after_create = store.transitions(env.tenant)
    with pytest.raises(VendorError), store.transaction():
        processes.process_picks_async(env, [order.id, big.id, 999])
    assert store.transitions(env.tenant) == after_create
    assert len(after_create) == len(before) + 1
    store.db.execute("BEGIN IMMEDIATE")  # the fixture's transaction ends with the test


def test_transitions_are_read_since_a_row_and_by_tenant() -> None:
    store = Store()
    with store.transaction():
        first = store.add_transition("a", "shipments", 1, None, "pending", 10.0)
        store.add_transition("b", "shipments", 1, None, "pending", 11.0)
        third = store.add_transition("a", "shipments", 1, "pending", "submitted", 12.0)
    assert [t.seq for t in store.transitions()] == [first.seq, first.seq + 1, third.seq]
    assert store.transitions("a", since=first.seq) == [third]
    assert store.transitions(limit=1) == [first]
    with store.transaction():
        store.clear("a")
    assert [t.tenant for t in store.transitions()] == ["b"]


def test_the_floors_transitions_are_documented() -> None:
    table = transitions()
    orders = table["goods_outs"]
    path = [None, goods_outs.PENDING, goods_outs.ALLOCATED, goods_outs.PICK, goods_outs.COMPLETED]
    assert all(orders.allows(a, b) for a, b in itertools.pairwise(path))
    assert orders.allows(goods_outs.PENDING, goods_outs.PART_ALLOCATED)
    assert orders.allows(goods_outs.PART_ALLOCATED, goods_outs.PICK)
    receipts = ["pending", "received", "completed"]
    assert all(table["goods_in_receipts"].allows(a, b) for a, b in itertools.pairwise(receipts))
    task = [None, "AVAILABLE", "ALLOCATED", "COMPLETED"]
    assert all(table["tasks"].allows(a, b) for a, b in itertools.pairwise(task))
    # Draft and pending orders are deleted by cancel, as the vendor's table says: no transition.
    assert not orders.allows(goods_outs.PENDING, goods_outs.CANCELLED)


def _entries(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        here = node.get("x-clarus-transitions", [])
        return here + [e for value in node.values() for e in _entries(value)]
    if isinstance(node, list):
        return [e for value in node for e in _entries(value)]
    return []


def test_every_transition_names_the_vendor_page_behind_it() -> None:
    entries = _entries(schema_documents())
    assert len(entries) > 20
    for entry in entries:
        assert entry["source"].startswith("https://documentation.claruswms.com/"), entry
        assert entry["by"], entry
    assert set(transitions()) == {
        "goods_outs",
        "goods_in_receipts",
        "tasks",
        "shipments",
        "stocks",
        "pick_processing_requests",
    }
