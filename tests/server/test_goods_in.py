"""Goods-in receipts: lines, receive into RCV tasks, revert, and receive tasks that create stock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_server.store import Record
from tests.api import SERVER_TESTS, Api

pytestmark = SERVER_TESTS

GOODS_IN_BAY, BULK = 1, 2  # demo locations
# The demo pack's priority 0 storage unit of products 1-6 (unit 1 is product 150's).
PSU_OF = {product: product + 1 for product in range(1, 7)}


def receipt(*lines: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    """A goods-in receipt for the demo tenant; by default one line of 10 of product 1."""
    changes = [{"type": "ADD", "attributes": line} for line in lines] or [
        {"type": "ADD", "attributes": {"product_id": 1, "expected_quantity": 10}}
    ]
    base = {"account_id": 1, "warehouse_id": 1, "reference": "PO-2026-001"}
    return {
        "data": {
            "type": "goods_in_receipts",
            "attributes": {**base, **attributes, "lines_changes": changes},
        }
    }


def create(api: Api, *lines: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    r = api.call("POST", "/api/goods_in_receipts", receipt(*lines, **attributes))
    assert r.status_code == 201, r.text
    return r.json()["data"]


def rcv_tasks(api: Api, receipt_id: int) -> list[Record]:
    return api.store.find(api.tenant, "tasks", goods_in_receipt_id=receipt_id)


def received(api: Api, *lines: dict[str, Any]) -> tuple[int, list[Record]]:
    """A received receipt and its RCV tasks."""
    receipt_id = create(api, *lines)["id"]
    r = api.call("POST", f"/api/goods_in_receipts/{receipt_id}/receive")
    assert r.status_code == 200, r.text
    return receipt_id, rcv_tasks(api, receipt_id)


def receive_body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "tasks", "attributes": attributes}}


def error(r: httpx.Response) -> tuple[str, str]:
    """(pointer, rule) of the first error of a 422."""
    assert r.status_code == 422, r.text
    first = r.json()["errors"][0]
    return first["source"]["pointer"], first["code"]


def test_vendor_guide_flow_from_product_to_stock(api: Api) -> None:
    assert api.token()
    product = api.call(
        "POST",
        "/api/products",
        {
            "data": {
                "type": "products",
                "attributes": {
                    "code": "TEE-RED-L",
                    "description": "Tee red L",
                    "stock_unit_type_id": 1,
                },
            }
        },
    ).json()["data"]
    store = api.store
    [unit] = store.find(api.tenant, "product_storage_units", product_id=product["id"], priority=0)
    created = create(
        api,
        {"product_id": product["id"], "expected_quantity": 24, "product_storage_unit_id": unit.id},
        {"product_id": 2, "expected_quantity": 6},
        supplier_id=1,
    )
    assert created["attributes"]["status"] == "pending"
    r = api.call("POST", f"/api/goods_in_receipts/{created['id']}/receive")
    assert r.json()["data"]["attributes"]["status"] == "received"
    first, second = rcv_tasks(api, created["id"])
    assert [t.attributes["status"] for t in (first, second)] == ["AVAILABLE", "AVAILABLE"]
    r = api.call("POST", f"/api/receive_tasks/{first.id}/receive", receive_body())
    assert r.status_code == 204, r.text
    assert api.record("goods_in_receipts", created["id"])["attributes"]["status"] == "received"
    r = api.call(
        "POST",
        f"/api/receive_tasks/{second.id}/receive_to_putaway_location",
        receive_body(location_to_id=BULK, confirmed_quantity=5),
    )
    assert r.status_code == 204, r.text
    stock = store.find(api.tenant, "stocks", goods_in_receipt_id=created["id"])
    assert [(s.attributes["product_id"], s.attributes["location_id"]) for s in stock] == [
        (product["id"], GOODS_IN_BAY),
        (2, BULK),
    ]
    assert [s.attributes["quantity"] for s in stock] == [24, 5]
    assert stock[0].attributes["status"] == "available"
    assert api.record("goods_in_receipts", created["id"])["attributes"]["status"] == "completed"


def test_line_gets_the_products_priority_0_storage_unit_when_omitted(api: Api) -> None:
    [line] = create(api)["attributes"]["lines_changes"]
    assert line["attributes"]["product_storage_unit_id"] == PSU_OF[1]
    assert line["attributes"]["received_quantity"] == 0


def test_storage_unit_of_another_product_is_refused_at_the_line(api: Api) -> None:
    r = api.call(
        "POST",
        "/api/goods_in_receipts",
        receipt(
            {"product_id": 1, "expected_quantity": 1},
            {"product_id": 1, "expected_quantity": 1, "product_storage_unit_id": PSU_OF[2]},
        ),
    )
    assert error(r) == (
        "/data/attributes/lines_changes/1/attributes/product_storage_unit_id",
        "unsuitable_reference",
    )
    assert "belongs to product 2" in r.json()["error"]


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"supplier_id": 99}, "/data/attributes/supplier_id"),
        ({"warehouse_id": 99}, "/data/attributes/warehouse_id"),
    ],
)
def test_unknown_header_reference_is_422(
    api: Api, attributes: dict[str, Any], pointer: str
) -> None:
    assert error(api.call("POST", "/api/goods_in_receipts", receipt(**attributes))) == (
        pointer,
        "unknown_reference",
    )


def test_unknown_line_product_is_422_and_nothing_is_stored(api: Api) -> None:
    r = api.call(
        "POST",
        "/api/goods_in_receipts",
        receipt(
            {"product_id": 1, "expected_quantity": 1}, {"product_id": 99, "expected_quantity": 1}
        ),
    )
    assert error(r) == (
        "/data/attributes/lines_changes/1/attributes/product_id",
        "unknown_reference",
    )
    stored = api.store.find(api.tenant, "goods_in_receipts")
    assert [r.id for r in stored] == [1, 123]  # the demo pack's own


def test_update_header_and_lines_while_pending(api: Api) -> None:
    created = create(
        api,
        {"product_id": 1, "expected_quantity": 1},
        {"product_id": 2, "expected_quantity": 2},
    )
    first, second = (line["id"] for line in created["attributes"]["lines_changes"])
    r = api.call(
        "PATCH",
        f"/api/goods_in_receipts/{created['id']}",
        {
            "data": {
                "type": "goods_in_receipts",
                "attributes": {
                    "notes": "Tail lift needed",
                    "lines_changes": [
                        {"type": "UPDATE", "id": first, "attributes": {"product_id": 3}},
                        {"type": "DESTROY", "id": second},
                        {"type": "ADD", "attributes": {"product_id": 4, "expected_quantity": 4}},
                    ],
                },
            }
        },
    )
    assert r.status_code == 200, r.text
    attributes = r.json()["data"]["attributes"]
    assert (attributes["notes"], attributes["reference"]) == ("Tail lift needed", "PO-2026-001")
    lines = {
        line["attributes"]["product_id"]: line["attributes"]["product_storage_unit_id"]
        for line in attributes["lines_changes"]
    }
    assert lines == {3: PSU_OF[3], 4: PSU_OF[4]}  # a changed product takes its own priority 0 unit


def test_update_with_a_line_of_another_receipt_is_422(api: Api) -> None:
    one, two = create(api), create(api)
    foreign = two["attributes"]["lines_changes"][0]["id"]
    r = api.call(
        "PATCH",
        f"/api/goods_in_receipts/{one['id']}",
        {
            "data": {
                "type": "goods_in_receipts",
                "attributes": {"lines_changes": [{"type": "DESTROY", "id": foreign}]},
            }
        },
    )
    assert error(r) == ("/data/attributes/lines_changes/0/id", "unknown_reference")


def test_update_of_a_line_storage_unit_checks_the_product(api: Api) -> None:
    created = create(api)
    line = created["attributes"]["lines_changes"][0]["id"]
    change = {"type": "UPDATE", "id": line, "attributes": {"product_storage_unit_id": PSU_OF[5]}}
    r = api.call(
        "PATCH",
        f"/api/goods_in_receipts/{created['id']}",
        {"data": {"type": "goods_in_receipts", "attributes": {"lines_changes": [change]}}},
    )
    assert error(r) == (
        "/data/attributes/lines_changes/0/attributes/product_storage_unit_id",
        "unsuitable_reference",
    )


def test_update_refused_once_received(api: Api) -> None:
    receipt_id, _ = received(api)
    r = api.call(
        "PATCH",
        f"/api/goods_in_receipts/{receipt_id}",
        {"data": {"type": "goods_in_receipts", "attributes": {"notes": "late"}}},
    )
    assert error(r) == ("/data", "invalid_state")
    assert "is received" in r.json()["error"]


def test_receive_creates_one_available_rcv_task_per_line_and_no_stock(api: Api) -> None:
    stock_before = len(api.store.find(api.tenant, "stocks"))
    _, tasks = received(
        api, {"product_id": 1, "expected_quantity": 7}, {"product_id": 2, "expected_quantity": 3}
    )
    assert [t.attributes["start_quantity"] for t in tasks] == [7, 3]
    task = tasks[0].attributes
    assert task["task_type_code"] == "RCV"
    assert (task["status"], task["subtype"]) == ("AVAILABLE", "standard")
    assert (task["account_id"], task["warehouse_id"], task["product_id"]) == (1, 1, 1)
    assert task["location_from_id"] == GOODS_IN_BAY
    assert task["confirmed_quantity"] is None
    assert len(api.store.find(api.tenant, "stocks")) == stock_before


def test_receive_refused_twice_and_without_lines(api: Api) -> None:
    receipt_id, _ = received(api)
    r = api.call("POST", f"/api/goods_in_receipts/{receipt_id}/receive")
    assert error(r) == ("", "invalid_state")
    assert "is received" in r.json()["error"]
    empty = api.call(
        "POST",
        "/api/goods_in_receipts",
        {"data": {"type": "goods_in_receipts", "attributes": {"account_id": 1, "warehouse_id": 1}}},
    ).json()["data"]
    r = api.call("POST", f"/api/goods_in_receipts/{empty['id']}/receive")
    assert error(r) == ("", "invalid_state")
    assert "no lines" in r.json()["error"]


def test_unknown_receipt_is_404(api: Api) -> None:
    for method, path in (
        ("POST", "/api/goods_in_receipts/999/receive"),
        ("POST", "/api/goods_in_receipts/999/revert"),
    ):
        assert api.call(method, path).status_code == 404
    r = api.call(
        "PATCH",
        "/api/goods_in_receipts/999",
        {"data": {"type": "goods_in_receipts", "attributes": {"notes": "x"}}},
    )
    assert r.status_code == 404


def test_revert_deletes_open_tasks_and_allows_edits_again(api: Api) -> None:
    receipt_id, tasks = received(api)
    assert len(tasks) == 1
    r = api.call("POST", f"/api/goods_in_receipts/{receipt_id}/revert")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["status"] == "pending"
    assert rcv_tasks(api, receipt_id) == []
    r = api.call(
        "PATCH",
        f"/api/goods_in_receipts/{receipt_id}",
        {"data": {"type": "goods_in_receipts", "attributes": {"notes": "recount"}}},
    )
    assert r.status_code == 200, r.text


def test_revert_refused_while_pending_and_after_a_completed_task(api: Api) -> None:
    pending = create(api)
    assert error(api.call("POST", f"/api/goods_in_receipts/{pending['id']}/revert")) == (
        "",
        "invalid_state",
    )
    receipt_id, tasks = received(
        api, {"product_id": 1, "expected_quantity": 1}, {"product_id": 2, "expected_quantity": 1}
    )
    api.call("POST", f"/api/receive_tasks/{tasks[0].id}/receive", receive_body())
    r = api.call("POST", f"/api/goods_in_receipts/{receipt_id}/revert")
    assert error(r) == ("", "invalid_state")
    assert f"completed receive tasks ({tasks[0].id})" in r.json()["error"]
    assert len(rcv_tasks(api, receipt_id)) == 2


def test_receive_task_defaults_and_line_received_quantity(api: Api) -> None:
    receipt_id, [task] = received(api, {"product_id": 3, "expected_quantity": 12})
    assert (
        api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body()).status_code == 204
    )
    store = api.store
    done = store.get(api.tenant, "tasks", task.id).attributes
    assert done["status"] == "COMPLETED"
    assert (done["confirmed_quantity"], done["location_to_id"]) == (12, GOODS_IN_BAY)
    assert done["completed_at"]
    [line] = store.children(api.tenant, "goods_in_receipt_lines", receipt_id)
    assert line.attributes["received_quantity"] == 12


def test_receive_task_with_storage_unit_and_zero_quantity(api: Api) -> None:
    receipt_id, tasks = received(
        api, {"product_id": 1, "expected_quantity": 5}, {"product_id": 2, "expected_quantity": 5}
    )
    body = receive_body(location_to_id=BULK, storage_unit_to_id=1, confirmed_quantity=5)
    api.call("POST", f"/api/receive_tasks/{tasks[0].id}/receive", body)
    api.call(
        "POST", f"/api/receive_tasks/{tasks[1].id}/receive", receive_body(confirmed_quantity=0)
    )
    [stock] = api.store.find(api.tenant, "stocks", goods_in_receipt_id=receipt_id)
    assert (stock.attributes["storage_unit_id"], stock.attributes["quantity"]) == (1, 5)
    assert api.record("goods_in_receipts", receipt_id)["attributes"]["status"] == "completed"


def test_receive_task_404_and_refusals(api: Api) -> None:
    assert api.call("POST", "/api/receive_tasks/999/receive", receive_body()).status_code == 404
    _, [task] = received(api)
    r = api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body(location_to_id=99))
    assert error(r) == ("/data/attributes/location_to_id", "unknown_reference")
    r = api.call(
        "POST", f"/api/receive_tasks/{task.id}/receive_to_putaway_location", receive_body()
    )
    assert error(r) == ("/data/attributes/location_to_id", "required")
    api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body())
    r = api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body())
    assert error(r) == ("", "invalid_state")


def test_receive_task_refuses_a_task_of_another_type(api: Api) -> None:
    store = api.store
    with store.transaction():
        pick = store.create(
            api.tenant,
            "tasks",
            {"status": "AVAILABLE", "subtype": "standard", "task_type_code": "PICK"},
        )
    r = api.call("POST", f"/api/receive_tasks/{pick.id}/receive", receive_body())
    assert error(r) == ("", "unsuitable_reference")
    assert "PICK" in r.json()["error"]


def test_receive_task_without_a_goods_in_bay_needs_a_location(api: Api) -> None:
    store = api.store
    bay = store.get(api.tenant, "locations", GOODS_IN_BAY)
    bay.attributes["location_type_id"] = 3
    with store.transaction():
        store.save(api.tenant, bay)
    _, [task] = received(api)
    assert task.attributes["location_from_id"] is None
    r = api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body())
    assert error(r) == ("/data/attributes/location_to_id", "required")


def test_receive_task_destination_must_be_in_the_tasks_warehouse(api: Api) -> None:
    store = api.store
    with store.transaction():
        other = store.create(api.tenant, "warehouses", {"code": "BHX1", "name": "Birmingham"})
        dock = store.create(api.tenant, "locations", {"code": "BHX-BAY", "warehouse_id": other.id})
    _, [task] = received(api)
    r = api.call(
        "POST", f"/api/receive_tasks/{task.id}/receive", receive_body(location_to_id=dock.id)
    )
    assert error(r) == ("/data/attributes/location_to_id", "unsuitable_reference")
    r = api.call(
        "POST", f"/api/receive_tasks/{task.id}/receive", receive_body(storage_unit_to_id=1)
    )
    assert r.status_code == 204, r.text
