"""Properties of the floor and the domain's state machines, over random sequences of operations.

Orders, receipts, pick processing, cancels, shorts, holds, releases, moves and clock advances are
drawn at random and sent through REST to a fresh tenant (a runtime copy of ``demo``) on a manual
clock. After every step:

- no request answers 5xx (an undocumented status change would: transitions raise);
- every recorded transition is one the schemas allow;
- stock is never negative, never allocated beyond what is there, and each record's allocated
  quantity is the sum of its allocations;
- no unit appears or disappears: stock on hand = stock at the start + received - dispatched;
- each line's pick quantity is what its completed PICK tasks confirmed, and a dispatched or
  cancelled order has no open task.

Tasks are completed by the integrator (receive tasks received, PICK tasks picked in full, short or
over, DISP tasks completed) as well as by the floor.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from contracts.registry import transitions
from mock_server.app import create_app
from mock_server.settings import Settings
from tests.api import Api, order

PRODUCTS = (1, 2, 3)
ACCOUNTS = (1, 2)

new_order = st.tuples(
    st.just("order"), st.sampled_from(PRODUCTS), st.integers(1, 60), st.sampled_from(ACCOUNTS)
)
time_passes = st.tuples(
    st.just("advance"), st.sampled_from(["10s", "30s", "2m", "3m", "5m", "20m"])
)
# Orders and time twice as likely as the rest: most sequences see orders through to dispatch.
operations = st.one_of(
    new_order,
    new_order,
    time_passes,
    time_passes,
    st.tuples(
        st.just("receive"), st.sampled_from(PRODUCTS), st.integers(1, 40), st.sampled_from(ACCOUNTS)
    ),
    st.tuples(st.just("process"), st.integers(0, 9)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("short"), st.integers(0, 9)),
    st.tuples(st.just("hold"), st.integers(0, 30)),
    st.tuples(st.just("release"), st.integers(0, 30)),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(1, 50)),
    st.tuples(st.just("task"), st.integers(0, 9), st.integers(0, 20)),
    st.tuples(st.just("pick"), st.integers(0, 9), st.integers(0, 65)),
    st.tuples(st.just("pick"), st.integers(0, 9), st.integers(0, 65)),
)


@pytest.fixture(scope="module")
def server() -> Iterator[Api]:
    app = create_app(Settings(clock="manual"))
    with TestClient(app, base_url="http://testserver") as client:
        yield Api(client, app.state.mock)


class World:
    """One fresh tenant and what the test made in it."""

    def __init__(self, api: Api) -> None:
        made = api.http.post("/__mock/tenants", json={"from": "demo", "clock": "manual"}).json()[
            "data"
        ]
        self.api = api
        self.tenant = made["subdomain"]
        token = api.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": made["client_id"],
                "client_secret": made["client_secret"],
            },
        ).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": self.tenant}
        self.orders: list[int] = []
        self.store = api.state.store
        self.start = self.on_hand()

    def send(self, method: str, path: str, body: Any = None) -> Any:
        r = self.api.http.request(method, path, json=body, headers=self.headers)
        assert r.status_code < 500, f"{method} {path} {body}: {r.status_code} {r.text}"
        return r

    def records(self, resource: str) -> list[Any]:
        return self.store.query(self.tenant, resource)

    def on_hand(self) -> float:
        return sum(float(s.attributes["quantity"]) for s in self.records("stocks"))

    def ledger(self, category: str) -> float:
        return sum(
            float(t.attributes["quantity"])
            for t in self.records("transactions")
            if t.attributes["category"] == category
        )

    def do(self, operation: tuple[Any, ...]) -> None:
        kind, *args = operation
        if kind == "order":
            product, quantity, account = args
            body = order(
                account_id=account,
                reference=f"P-{len(self.orders)}",
                lines_changes=[
                    {
                        "type": "ADD",
                        "attributes": {"product_id": product, "order_quantity": quantity},
                    }
                ],
            )
            r = self.send("POST", "/api/goods_outs", body)
            if r.status_code == 201:
                self.orders.append(r.json()["data"]["id"])
        elif kind == "receive":
            product, quantity, account = args
            body = {
                "data": {
                    "type": "goods_in_receipts",
                    "attributes": {
                        "account_id": account,
                        "warehouse_id": 1,
                        "reference": "PO-P",
                        "lines_changes": [
                            {
                                "type": "ADD",
                                "attributes": {
                                    "product_id": product,
                                    "expected_quantity": quantity,
                                },
                            }
                        ],
                    },
                }
            }
            r = self.send("POST", "/api/goods_in_receipts", body)
            if r.status_code == 201:
                self.send("POST", f"/api/goods_in_receipts/{r.json()['data']['id']}/receive")
        elif kind in ("process", "cancel", "short") and self.orders:
            order_id = self.orders[args[0] % len(self.orders)]
            if kind == "process":
                self.send(
                    "POST", "/api/goods_out_processes/process_picks_async", {"ids": [order_id]}
                )
            elif kind == "cancel":
                self.send("POST", f"/api/goods_outs/{order_id}/cancel")
            else:
                body = {"ids": [order_id], "description": "short"}
                self.send("POST", "/api/goods_out_processes/short_order_lines", body)
        elif kind in ("hold", "release", "move"):
            stocks = self.records("stocks")
            if not stocks:
                return
            stock = stocks[args[0] % len(stocks)]
            if kind == "move":
                body = {
                    "data": {
                        "type": "stocks",
                        "attributes": {"quantity": args[1], "to_location_id": 2},
                    }
                }
                self.send("POST", f"/api/stocks/{stock.id}/move", body)
            else:
                self.send("POST", f"/api/stocks/{kind}", {"ids": [stock.id], "description": "QC"})
        elif kind == "task":
            open_tasks = [
                t
                for t in self.records("tasks")
                if t.attributes.get("task_type_code") == "RCV"
                and t.attributes["status"] != "COMPLETED"
            ]
            if open_tasks:
                task = open_tasks[args[0] % len(open_tasks)]
                self.complete(task, args[1])
        elif kind == "pick" and self.orders:
            # The integrator processes an order (refused unless it can be) and completes the
            # first of its open tasks: a PICK task, or its DISP task once it is picked.
            order_id = self.orders[args[0] % len(self.orders)]
            self.send("POST", "/api/goods_out_processes/process_picks_async", {"ids": [order_id]})
            open_tasks = [
                t
                for t in self.store.find(self.tenant, "tasks", goods_out_id=order_id)
                if t.attributes["status"] != "COMPLETED"
            ]
            if open_tasks:
                self.complete(open_tasks[0], args[1])
        elif kind == "advance":
            r = self.api.http.post(
                "/__mock/clock/advance", json={"tenant": self.tenant, "by": args[0]}
            )
            assert r.status_code == 200, r.text

    def complete(self, task: Any, quantity: int) -> None:
        """An integrator completes a task: receives an RCV task, picks ``quantity`` (a short pick,
        or too many, which is refused) for a PICK task, completes a DISP task."""
        kind = task.attributes["task_type_code"]
        if kind == "RCV":
            body = {"data": {"type": "tasks", "attributes": {"confirmed_quantity": quantity}}}
            self.send("POST", f"/api/receive_tasks/{task.id}/receive", body)
            return
        attributes: dict[str, Any] = {"status": "completed"}
        if kind == "PICK":
            attributes.update(confirmed_quantity=quantity, location_to_id=9)
        self.send(
            "PATCH", f"/api/tasks/{task.id}", {"data": {"type": "tasks", "attributes": attributes}}
        )

    def check_orders(self) -> None:
        """Lines picked as their completed PICK tasks confirmed; a dispatched (or cancelled) order
        has no open task, and dispatched what it picked."""
        tasks = [t.attributes for t in self.records("tasks") if t.attributes.get("goods_out_id")]
        for order_id in self.orders:
            found = self.store.get(self.tenant, "goods_outs", order_id)
            if found is None:
                continue
            mine = [t for t in tasks if t["goods_out_id"] == order_id]
            if found.attributes["goods_out_status_id"] in (6, 8):
                assert all(t["status"] == "COMPLETED" for t in mine), (found, mine)
            for line in self.store.children(self.tenant, "goods_out_lines", order_id):
                picked = sum(
                    float(t["confirmed_quantity"] or 0)
                    for t in mine
                    if t["task_type_code"] == "PICK"
                    and t["goods_out_line_id"] == line.id
                    and t["status"] == "COMPLETED"
                )
                assert abs(float(line.attributes["pick_quantity"]) - picked) < 1e-9, line
                if found.attributes["goods_out_status_id"] == 6:
                    assert line.attributes["dispatch_quantity"] == line.attributes["pick_quantity"]

    def check(self) -> None:
        stocks = self.records("stocks")
        allocations: dict[int, float] = {}
        for allocation in self.records("stock_allocations"):
            key = allocation.attributes["stock_id"]
            allocations[key] = allocations.get(key, 0.0) + float(allocation.attributes["quantity"])
        for stock in stocks:
            quantity = float(stock.attributes["quantity"])
            allocated = float(stock.attributes.get("allocated_quantity") or 0)
            assert quantity >= 0, stock
            assert 0 <= allocated <= quantity + 1e-9, stock
            assert abs(allocated - allocations.get(stock.id, 0.0)) < 1e-9, (stock, allocations)
        expected = self.start + self.ledger("RCV") - self.ledger("DISP")
        assert abs(self.on_hand() - expected) < 1e-9, (self.on_hand(), expected)
        self.check_orders()
        table = transitions()
        for t in self.store.transitions(self.tenant):
            assert table[t.resource].allows(t.from_, t.to), t


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=3, max_size=30))
def test_random_operations_keep_stock_and_statuses_sound(server: Api, steps: list[Any]) -> None:
    world = World(server)
    try:
        for step in steps:
            world.do(step)
            world.check()
    finally:
        server.http.delete(f"/__mock/tenants/{world.tenant}")
