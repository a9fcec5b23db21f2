"""The outbox's log reads by index: a backlog of thousands must not make each look at it a sort."""

from __future__ import annotations

from mock_server.store import Delivery, Store


def _delivery(number: int, state: str, tenant: str = "t") -> Delivery:
    return Delivery(
        0, tenant, "webhook", 1, 1, "created", "goods_out", number,
        "http://127.0.0.1:9/hook", {}, state, [], None if state != "pending" else 0.0, 0.0,
    )  # fmt: skip


def test_the_log_by_state_is_newest_first_and_never_sorted() -> None:
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
    plans = [
        " ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {statement}"))
        for statement in statements
    ]
    assert "USING INDEX" in plans[0], plans  # pending: few among many, found by an index
    assert not any("TEMP B-TREE" in plan for plan in plans), plans


def _backlog(store: Store, tenant: str, target: str, due: float, count: int) -> None:
    with store.transaction():
        for number in range(count):
            delivery = _delivery(number, "pending", tenant)
            delivery.target, delivery.due = target, due
            store.add_delivery(delivery)


def _steps(store: Store, now: float) -> tuple[list[tuple[str, str]], int]:
    """Due deliveries as (tenant, target), and how many SQLite VM steps finding them took."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    store.db.set_progress_handler(count, 10)
    try:
        found = store.due_deliveries(lambda tenant: now, lambda target: 4)
    finally:
        store.db.set_progress_handler(None, 10)
    return [(tenant, target) for _, tenant, _, target, _, _ in found], steps[0]


def test_due_deliveries_walk_each_receiver_by_seeks_whatever_its_backlog() -> None:
    small, large = Store(), Store()
    for store, backlog in ((small, 10), (large, 3_000)):
        _backlog(store, "a", "http://127.0.0.1:9/late", 100.0, backlog)  # waits: not due yet
        _backlog(store, "a", "http://127.0.0.1:9/on-time", 1.0, 5)
        _backlog(store, "b", "http://127.0.0.1:9/late", 1.0, 1)
    found_small, steps_small = _steps(small, now=50.0)
    found_large, steps_large = _steps(large, now=50.0)
    expected = [("a", "http://127.0.0.1:9/on-time")] * 4 + [("b", "http://127.0.0.1:9/late")]
    assert found_small == found_large == expected
    # A receiver's backlog is passed over by a seek, not read entry by entry.
    assert steps_large < 2 * steps_small + 10, (steps_small, steps_large)


def test_due_deliveries_give_a_url_its_room_once_whichever_tenants_use_it() -> None:
    store = Store()
    shared, own = "http://127.0.0.1:9/shared", "http://127.0.0.1:9/own"
    for tenant in ("a", "b", "c"):
        _backlog(store, tenant, shared, 1.0, 3)
    _backlog(store, "b", own, 1.0, 3)
    found = store.due_deliveries(lambda tenant: 50.0, lambda target: 4)
    targets = [target for _, _, _, target, _, _ in found]
    assert targets.count(shared) == 4
    assert targets.count(own) == 3


def test_a_clock_set_back_keeps_what_was_due_due_and_what_waits_its_wait() -> None:
    store = Store()
    url = "http://127.0.0.1:9/hook"
    _backlog(store, "a", url, 1_000.0, 1)  # due before the clock went back
    _backlog(store, "a", url, 2_001.0, 1)  # a retry due 1 s after the time shown
    _backlog(store, "b", url, 2_001.0, 1)  # another tenant's: its clock did not move
    store.add_job("a", 1_500.0, "allocate", {})
    store.add_job("a", 2_120.0, "pick", {})
    store.keep_due("a", was=2_000.0, now=500.0)
    dues = sorted((d.tenant, d.due) for d in store.deliveries(limit=10))
    assert dues == [("a", 500.0), ("a", 501.0), ("b", 2_001.0)]
    assert [job.due for job in store.jobs("a")] == [500.0, 620.0]
