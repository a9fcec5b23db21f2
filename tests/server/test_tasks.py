"""Tasks: update and complete by type, complete_collection, allocation, receipt confirmation export."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.store import Record
from tests.api import SERVER_TESTS, Api
from tests.server.test_goods_in import BULK, error, receive_body, received

pytestmark = SERVER_TESTS

RCV_DONE = {"status": "completed", "confirmed_quantity": 8, "location_to_id": BULK}


def patch(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "tasks", "attributes": attributes}}


def task_of(api: Api, task_id: int) -> dict[str, Any]:
    return api.store.get(api.tenant, "tasks", task_id).attributes


def add_task(api: Api, task_type_code: str, **attributes: Any) -> Record:
    """A task of a type no served endpoint creates yet, stored directly."""
    store = api.store
    base = {
        "status": "AVAILABLE",
        "subtype": "standard",
        "task_type_code": task_type_code,
        "warehouse_id": 1,
        "product_id": 1,
        "start_quantity": 4,
        "created_at": "2026-11-23T09:00:00Z",
    }
    with store.transaction():
        return store.create(api.tenant, "tasks", {**base, **attributes})


def test_update_changes_fields_and_answers_a_string_id(api: Api) -> None:
    _, [task] = received(api)
    r = api.call("PATCH", f"/api/tasks/{task.id}", patch(priority=5, notes="fragile"))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["id"], data["type"]) == (str(task.id), "tasks")
    assert (data["attributes"]["priority"], data["attributes"]["notes"]) == (5, "fragile")
    assert data["attributes"]["status"] == "AVAILABLE"
    assert "goods_in_receipt_id" not in data["attributes"]  # not in the response contract


def test_update_unknown_is_404_and_completed_is_422(api: Api) -> None:
    assert api.call("PATCH", "/api/tasks/999", patch(notes="x")).status_code == 404
    _, [task] = received(api)
    api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body())
    assert error(api.call("PATCH", f"/api/tasks/{task.id}", patch(notes="x"))) == (
        "",
        "invalid_state",
    )


@pytest.mark.parametrize("missing", ["confirmed_quantity", "location_to_id", "storage_unit_to_id"])
def test_rcv_completion_needs_its_minimum_attributes(api: Api, missing: str) -> None:
    _, [task] = received(api)
    attributes = {**RCV_DONE, "storage_unit_to_id": 1}
    del attributes[missing]
    r = api.call("PATCH", f"/api/tasks/{task.id}", patch(**attributes))
    assert error(r) == (f"/data/attributes/{missing}", "required")
    assert task_of(api, task.id)["status"] == "AVAILABLE"


def test_rcv_completion_creates_stock_like_receive(api: Api) -> None:
    receipt_id, [task] = received(api)
    r = api.call("PATCH", f"/api/tasks/{task.id}", patch(**RCV_DONE, storage_unit_to_id=1))
    assert r.status_code == 200, r.text
    attributes = r.json()["data"]["attributes"]
    assert (attributes["status"], attributes["confirmed_quantity"]) == ("COMPLETED", 8)
    assert attributes["completed_at"]
    [stock] = api.store.find(api.tenant, "stocks", goods_in_receipt_id=receipt_id)
    assert stock.attributes["quantity"] == 8
    assert (stock.attributes["location_id"], stock.attributes["storage_unit_id"]) == (BULK, 1)
    assert api.record("goods_in_receipts", receipt_id)["attributes"]["status"] == "completed"


def test_rcv_completion_counts_fields_set_by_an_earlier_update(api: Api) -> None:
    _, [task] = received(api)
    api.call("PATCH", f"/api/tasks/{task.id}", patch(location_to_id=BULK, storage_unit_to_id=2))
    r = api.call("PATCH", f"/api/tasks/{task.id}", patch(status="completed", confirmed_quantity=3))
    assert r.status_code == 200, r.text
    assert task_of(api, task.id)["storage_unit_to_id"] == 2


def test_completion_references_are_checked(api: Api) -> None:
    _, [task] = received(api)
    r = api.call("PATCH", f"/api/tasks/{task.id}", patch(**RCV_DONE, storage_unit_to_id=99))
    assert error(r) == ("/data/attributes/storage_unit_to_id", "unknown_reference")
    store = api.store
    with store.transaction():
        other = store.create(api.tenant, "warehouses", {"code": "BHX1", "name": "Birmingham"})
        unit = store.create(
            api.tenant, "storage_units", {"reference": "X", "warehouse_id": other.id}
        )
    r = api.call("PATCH", f"/api/tasks/{task.id}", patch(**RCV_DONE, storage_unit_to_id=unit.id))
    assert error(r) == ("/data/attributes/storage_unit_to_id", "unsuitable_reference")
    assert "warehouse" in r.json()["error"]


def test_pick_completion_needs_quantity_and_drop_location_and_makes_no_stock(api: Api) -> None:
    pick = add_task(api, "PICK")
    r = api.call("PATCH", f"/api/tasks/{pick.id}", patch(status="completed", confirmed_quantity=4))
    assert error(r) == ("/data/attributes/location_to_id", "required")
    stock_before = len(api.store.find(api.tenant, "stocks"))
    r = api.call(
        "PATCH",
        f"/api/tasks/{pick.id}",
        patch(status="completed", confirmed_quantity=4, location_to_id=9),
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["status"] == "COMPLETED"
    assert len(api.store.find(api.tenant, "stocks")) == stock_before


def test_conv_defaults_its_quantity_and_load_and_load_disp_are_refused(api: Api) -> None:
    conv = add_task(api, "CONV")
    assert api.call("PATCH", f"/api/tasks/{conv.id}", patch(status="completed")).status_code == 200
    assert task_of(api, conv.id)["confirmed_quantity"] == 4
    for task in (add_task(api, "LOAD"), add_task(api, "DISP", subtype="LOAD")):
        r = api.call("PATCH", f"/api/tasks/{task.id}", patch(status="completed"))
        assert error(r) == ("", "invalid")
    shipment = add_task(api, "DISP", subtype="SHIPMENT")
    assert (
        api.call("PATCH", f"/api/tasks/{shipment.id}", patch(status="completed")).status_code == 200
    )


def test_complete_collection_completes_matching_rcv_tasks(api: Api) -> None:
    # Product 5: the demo pack's own open RCV tasks (1-3) are for products 1-3.
    receipt_id, tasks = received(
        api,
        {"product_id": 5, "expected_quantity": 2},
        {"product_id": 2, "expected_quantity": 2},
        {"product_id": 5, "expected_quantity": 2},
    )
    body = {
        "warehouse_id": 1,
        "task_type_code": "RCV",
        "filters": {"product_id": 5},
        "attributes": {"confirmed_quantity": 2, "location_to_id": BULK, "storage_unit_to_id": 1},
    }
    r = api.call("POST", "/api/tasks/complete_collection", body)
    assert r.status_code == 204, r.text  # the vendor: 204 No Content on success
    assert [task_of(api, t.id)["status"] for t in tasks] == ["COMPLETED", "AVAILABLE", "COMPLETED"]
    stock = api.store.find(api.tenant, "stocks", goods_in_receipt_id=receipt_id)
    assert [s.attributes["product_id"] for s in stock] == [5, 5]
    assert api.record("goods_in_receipts", receipt_id)["attributes"]["status"] == "received"
    again = api.call("POST", "/api/tasks/complete_collection", body)
    assert again.status_code == 204
    assert len(api.store.find(api.tenant, "stocks", goods_in_receipt_id=receipt_id)) == 2


def test_complete_collection_is_all_or_nothing(api: Api) -> None:
    _, tasks = received(
        api, {"product_id": 1, "expected_quantity": 2}, {"product_id": 1, "expected_quantity": 2}
    )
    body = {
        "warehouse_id": 1,
        "task_type_code": "RCV",
        "filters": {"product_id": 1},
        "attributes": {"confirmed_quantity": 2, "location_to_id": BULK},
    }
    r = api.call("POST", "/api/tasks/complete_collection", body)
    assert error(r) == ("/attributes/storage_unit_to_id", "required")
    assert [task_of(api, t.id)["status"] for t in tasks] == ["AVAILABLE", "AVAILABLE"]


def test_complete_collection_checks_references_and_filters(api: Api) -> None:
    body: dict[str, Any] = {
        "warehouse_id": 99,
        "task_type_code": "RCV",
        "filters": {"product_id": 1},
    }
    assert error(api.call("POST", "/api/tasks/complete_collection", body)) == (
        "/warehouse_id",
        "unknown_reference",
    )
    body.update(warehouse_id=1, filters={"location_from_id": 99})
    assert error(api.call("POST", "/api/tasks/complete_collection", body)) == (
        "/filters/location_from_id",
        "unknown_reference",
    )
    body["filters"] = {}
    assert error(api.call("POST", "/api/tasks/complete_collection", body))[0] == "/filters"


def test_allocate_and_unallocate_one(api: Api) -> None:
    _, [task] = received(api)
    r = api.call("POST", f"/api/tasks/{task.id}/allocate", {"user_id": 7})
    assert r.status_code == 204, r.text
    allocated = task_of(api, task.id)
    assert (allocated["status"], allocated["user_id"]) == ("ALLOCATED", 7)
    assert allocated["assigned_at"]
    assert api.call("PATCH", f"/api/tasks/{task.id}/unallocate").status_code == 204
    back = task_of(api, task.id)
    assert (back["status"], back["user_id"], back["assigned_at"], back["start_at"]) == (
        "AVAILABLE",
        None,
        None,
        None,
    )


def test_allocate_unknown_is_404_and_completed_is_422(api: Api) -> None:
    assert api.call("POST", "/api/tasks/999/allocate", {"user_id": None}).status_code == 404
    assert api.call("PATCH", "/api/tasks/999/unallocate").status_code == 404
    _, [task] = received(api)
    api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body())
    r = api.call("POST", f"/api/tasks/{task.id}/allocate", {"user_id": 1})
    assert error(r) == ("", "invalid_state")
    assert error(api.call("PATCH", f"/api/tasks/{task.id}/unallocate")) == ("", "invalid_state")


def test_bulk_allocate_is_all_or_nothing(api: Api) -> None:
    _, tasks = received(
        api, {"product_id": 1, "expected_quantity": 1}, {"product_id": 2, "expected_quantity": 1}
    )
    first, second = (t.id for t in tasks)
    r = api.call("POST", "/api/tasks/allocate", {"ids": [first, 999], "user_id": 3})
    assert error(r) == ("/ids/1", "unknown_reference")
    assert "task 999" in r.json()["error"]
    assert task_of(api, first)["status"] == "AVAILABLE"
    api.call("POST", f"/api/receive_tasks/{second}/receive", receive_body())
    r = api.call("POST", "/api/tasks/allocate", {"ids": [first, second]})
    assert error(r) == ("/ids/1", "invalid_state")
    assert task_of(api, first)["status"] == "AVAILABLE"
    assert (
        api.call("POST", "/api/tasks/allocate", {"ids": [first], "user_id": 3}).status_code == 204
    )
    assert task_of(api, first)["status"] == "ALLOCATED"


def test_bulk_unallocate(api: Api) -> None:
    _, tasks = received(
        api, {"product_id": 1, "expected_quantity": 1}, {"product_id": 2, "expected_quantity": 1}
    )
    ids = [t.id for t in tasks]
    assert api.call("POST", "/api/tasks/allocate", {"ids": ids, "user_id": 2}).status_code == 204
    r = api.call("PATCH", "/api/tasks/unallocate", {"ids": [*ids, 999]})
    assert error(r) == ("/ids/2", "unknown_reference")
    assert {task_of(api, i)["status"] for i in ids} == {"ALLOCATED"}
    assert api.call("PATCH", "/api/tasks/unallocate", {"ids": ids}).status_code == 204
    assert {task_of(api, i)["status"] for i in ids} == {"AVAILABLE"}


def test_export_receipt_task_confirmation(api: Api) -> None:
    _, [task] = received(api, {"product_id": 2, "expected_quantity": 6})
    path = f"/api/tasks/{task.id}/export_receipt_task_confirmation"
    assert error(api.call("GET", path)) == ("", "invalid_state")
    api.call("POST", f"/api/receive_tasks/{task.id}/receive", receive_body(location_to_id=BULK))
    r = api.call("GET", path)
    assert r.status_code == 200, r.text
    body = r.json()
    completed_at = body.pop("completed_at")
    assert completed_at == task_of(api, task.id)["completed_at"]
    assert body == {
        "task_id": task.id,
        "status": "COMPLETED",
        "product_code": "ACME-MUG-350",
        "confirmed_quantity": 6,
        "location_code": "BULK-A-01-1",
    }


def test_export_is_404_for_unknown_and_422_for_other_types(api: Api) -> None:
    assert api.call("GET", "/api/tasks/999/export_receipt_task_confirmation").status_code == 404
    pick = add_task(api, "PICK", status="COMPLETED")
    r = api.call("GET", f"/api/tasks/{pick.id}/export_receipt_task_confirmation")
    assert error(r) == ("", "unsuitable_reference")
