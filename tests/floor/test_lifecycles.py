"""The warehouse floor on a virtual clock: orders allocated, picked and dispatched; receipts received.

Reads like the README: with a manual clock nothing moves until it is advanced; with an instant
clock every step runs as soon as the write that caused it commits.
"""

from __future__ import annotations

from typing import Any

from tests.api import Api, order

ORDER_FIELDS = (
    "id goods_out_status { code } actual_date_of_dispatch "
    "lines { order_quantity allocated_quantity pick_quantity dispatch_quantity }"
)


def place(api: Api, reference: str, quantity: int = 2, product_id: int = 1) -> int:
    body = order(
        reference=reference,
        lines_changes=[
            {"type": "ADD", "attributes": {"product_id": product_id, "order_quantity": quantity}}
        ],
    )
    r = api.call("POST", "/api/goods_outs", body)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["attributes"]["goods_out_status_id"] == 2  # answered before any step
    return int(r.json()["data"]["id"])


def read(api: Api, order_id: int) -> dict[str, Any]:
    [found] = api.nodes("goods_outs", ORDER_FIELDS, {"id": {"eq": str(order_id)}})
    return found


def advance(api: Api, by: str) -> list[dict[str, Any]]:
    r = api.http.post("/__mock/clock/advance", json={"tenant": "demo", "by": by})
    assert r.status_code == 200, r.text
    return list(r.json()["transitions"])


def set_time(api: Api, now: str) -> None:
    r = api.http.post("/__mock/clock", json={"tenant": "demo", "now": now})
    assert r.status_code == 200, r.text


def on_hand(api: Api, product_id: int) -> float:
    stocks = api.nodes("stocks", "quantity", {"product_id": {"eq": str(product_id)}})
    return sum(s["quantity"] for s in stocks)


def test_a_manual_clock_moves_an_order_only_when_advanced(manual: Api) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    before = on_hand(manual, 1)
    order_id = place(manual, "SO-FLOOR-1")
    assert read(manual, order_id)["goods_out_status"] == {"code": "PENDING"}

    assert advance(manual, "29s") == []  # allocation comes 30 s after the order
    [allocated] = advance(manual, "1s")
    assert allocated == {
        "resource": "goods_outs",
        "id": order_id,
        "from": "PENDING",
        "to": "ALLOCATED",
        "at": "2026-12-01T09:00:30Z",
    }
    assert read(manual, order_id)["lines"][0]["allocated_quantity"] == 2

    picked = advance(manual, "2m")
    # Processed (a PICK task made), picked (the task completed), a DISP task waiting.
    assert sorted((t["resource"], t["from"] or "", t["to"]) for t in picked) == [
        ("goods_outs", "ALLOCATED", "PICK"),
        ("pick_processing_requests", "", "completed"),
        ("tasks", "", "AVAILABLE"),
        ("tasks", "", "AVAILABLE"),
        ("tasks", "AVAILABLE", "COMPLETED"),
    ]
    assert read(manual, order_id)["lines"][0]["pick_quantity"] == 2

    [done] = [t for t in advance(manual, "3m") if t["resource"] == "goods_outs"]
    assert (done["to"], done["at"]) == ("COMPLETED", "2026-12-01T09:05:30Z")
    final = read(manual, order_id)
    assert final["actual_date_of_dispatch"] == "2026-12-01T09:05:30Z"
    assert final["lines"][0]["dispatch_quantity"] == 2
    assert on_hand(manual, 1) == before - 2
    ledger = manual.nodes(
        "transactions", "category quantity", {"goods_out_id": {"eq": str(order_id)}}
    )
    assert ledger == [{"category": "DISP", "quantity": 2}]


def test_advancing_far_runs_every_step_at_its_own_time(manual: Api) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    order_id = place(manual, "SO-FLOOR-2")
    steps = [t for t in advance(manual, "1h") if t["resource"] == "goods_outs"]
    assert [(t["to"], t["at"]) for t in steps] == [
        ("ALLOCATED", "2026-12-01T09:00:30Z"),
        ("PICK", "2026-12-01T09:02:30Z"),
        ("COMPLETED", "2026-12-01T09:05:30Z"),
    ]
    assert manual.http.get("/__mock/clock", params={"tenant": "demo"}).json()["now"] == (
        "2026-12-01T10:00:00Z"
    )
    assert read(manual, order_id)["goods_out_status"] == {"code": "COMPLETED"}


def test_step_runs_the_next_step_and_moves_the_clock_to_it(manual: Api) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    order_id = place(manual, "SO-FLOOR-3")
    r = manual.http.post("/__mock/floor/step", json={"tenant": "demo"})
    assert [(t["id"], t["to"], t["at"]) for t in r.json()["transitions"]] == [
        (order_id, "ALLOCATED", "2026-12-01T09:00:30Z")
    ]
    assert manual.http.post("/__mock/floor/step", json={"tenant": "demo"}).status_code == 200
    manual.http.post("/__mock/floor/step", json={"tenant": "demo"})
    assert read(manual, order_id)["goods_out_status"] == {"code": "COMPLETED"}
    assert manual.http.post("/__mock/floor/step", json={"tenant": "demo"}).json() == {
        "transitions": []
    }


def test_an_instant_clock_completes_an_order_before_the_next_request(instant: Api) -> None:
    order_id = place(instant, "SO-INSTANT")  # the answer still says PENDING
    final = read(instant, order_id)
    assert final["goods_out_status"] == {"code": "COMPLETED"}
    assert final["lines"][0]["dispatch_quantity"] == 2


def test_work_the_integrator_did_first_is_not_redone(manual: Api) -> None:
    order_id = place(manual, "SO-PROCESSED")
    r = manual.call("POST", "/api/goods_out_processes/process_picks_async", {"ids": [order_id]})
    assert r.status_code == 200, r.text
    assert read(manual, order_id)["goods_out_status"] == {"code": "PICK"}
    advance(manual, "1h")
    final = read(manual, order_id)
    assert final["goods_out_status"] == {"code": "COMPLETED"}
    assert final["lines"][0]["allocated_quantity"] == 2  # allocated once, not twice
    requests = manual.nodes(
        "pick_processing_requests", "status", {"goods_out_id": {"eq": str(order_id)}}
    )
    assert len(requests) == 1  # processed once, by the integrator


def test_a_cancelled_order_is_left_alone(manual: Api) -> None:
    order_id = place(manual, "SO-CANCEL")
    advance(manual, "30s")
    assert manual.call("POST", f"/api/goods_outs/{order_id}/cancel").status_code == 200
    later = advance(manual, "1h")
    assert [t for t in later if t["resource"] == "goods_outs"] == []
    assert read(manual, order_id)["goods_out_status"] == {"code": "CANCELLED"}


def test_an_order_no_stock_covers_stays_pending(manual: Api) -> None:
    product = {
        "data": {
            "type": "products",
            "attributes": {
                "code": "NEW-1",
                "description": "Never received",
                "stock_unit_type_id": 1,
            },
        }
    }
    product_id = manual.call("POST", "/api/products", product).json()["data"]["id"]
    order_id = place(manual, "SO-NOSTOCK", product_id=product_id)
    advance(manual, "1h")
    assert read(manual, order_id)["goods_out_status"] == {"code": "PENDING"}


def test_a_received_receipt_has_its_tasks_completed_five_minutes_later(manual: Api) -> None:
    body = {
        "data": {
            "type": "goods_in_receipts",
            "attributes": {
                "account_id": 1,
                "warehouse_id": 1,
                "reference": "PO-FLOOR",
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": 2, "expected_quantity": 7}},
                    {"type": "ADD", "attributes": {"product_id": 3, "expected_quantity": 5}},
                ],
            },
        }
    }
    receipt_id = manual.call("POST", "/api/goods_in_receipts", body).json()["data"]["id"]
    assert manual.call("POST", f"/api/goods_in_receipts/{receipt_id}/receive").status_code == 200
    tasks = manual.nodes("tasks", "id", {"goods_in_receipt_id": {"eq": str(receipt_id)}})
    # The integrator receives the first task short; the floor must not receive it again.
    done = {"data": {"type": "tasks", "attributes": {"confirmed_quantity": 6}}}
    assert (
        manual.call("POST", f"/api/receive_tasks/{tasks[0]['id']}/receive", done).status_code == 204
    )
    before = on_hand(manual, 3)
    steps = advance(manual, "5m")
    assert ("goods_in_receipts", "completed") in [(t["resource"], t["to"]) for t in steps]
    assert on_hand(manual, 3) == before + 5
    [receipt] = manual.nodes(
        "goods_in_receipts", "status lines { received_quantity }", {"id": {"eq": str(receipt_id)}}
    )
    assert receipt == {
        "status": "completed",
        "lines": [{"received_quantity": 6}, {"received_quantity": 5}],
    }
    ledger = manual.nodes("transactions", "category quantity", {"category": {"eq": "RCV"}})
    assert {"category": "RCV", "quantity": 5} in ledger


def test_a_part_allocated_order_is_shorted_then_dispatched(manual: Api) -> None:
    body = order(
        reference="SO-SHORT",
        account_id=2,  # short-pickable in the demo pack, with 24 of product 2
        lines_changes=[{"type": "ADD", "attributes": {"product_id": 2, "order_quantity": 30}}],
    )
    order_id = manual.call("POST", "/api/goods_outs", body).json()["data"]["id"]
    [part] = advance(manual, "30s")
    assert part["to"] == "PART_ALLOCATED"
    assert advance(manual, "10m") == []  # nothing moves a part-allocated order but the integrator
    short = {"ids": [order_id], "description": "supplier late"}
    assert (
        manual.call("POST", "/api/goods_out_processes/short_order_lines", short).status_code == 200
    )
    advance(manual, "10m")
    final = read(manual, order_id)
    assert final["goods_out_status"] == {"code": "COMPLETED"}
    assert final["lines"][0]["dispatch_quantity"] == 24
