"""The outbox's log reads by index: a backlog of thousands must not make each look at it a sort."""

from __future__ import annotations

from mock_server.store import Delivery, Store


def _delivery(number: int, state: str, tenant: str = "t") -> Delivery:
    return Delivery(
        0, tenant, "webhook", 1, 1, "created", "goods_out", number,
        "http://127.0.0.1:9/hook", {}, state, [], None if state != "pending" else 0.0, 0.0,
    )  # fmt: skip


def test_the_log_by_state_is_newest_first_and_read_through_an_index() -> None:
    store = Store()
    with store.transaction():
        for number in range(300):
            state = "pending" if number % 3 == 0 else "delivered"
            store.add_delivery(_delivery(number, state, tenant="t" if number % 2 else "u"))
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    try:
        newest = store.deliveries(state="pending", limit=2)
        of_t = store.deliveries(tenant="t", state="delivered", limit=2)
    finally:
        store.db.set_trace_callback(None)
    assert [d.record_id for d in newest] == [297, 294]
    assert [d.record_id for d in of_t] == [299, 295]
    for statement in statements:
        plan = " ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {statement}"))
        assert "USING INDEX" in plan, (statement, plan)
        assert "TEMP B-TREE" not in plan, (statement, plan)
