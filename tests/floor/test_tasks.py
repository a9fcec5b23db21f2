"""Pick and dispatch tasks: how an order moves from pick processing to COMPLETED.

Pick processing gives each stock allocation of an order a PICK task; when the PICK tasks are done
the order gets a DISP task (subtype SHIPMENT); when that is done the order is dispatched. The floor
completes whatever is still open after the pack's durations; an integrator may complete any of it
first through ``PATCH /api/tasks/{id}``, and the floor never does it again.
"""

from __future__ import annotations

from typing import Any

from tests.floor.test_lifecycles import advance, on_hand, place, read, set_time
from tests.server.conftest import Api

TASK_FIELDS = (
    "id status subtype task_type { code } product_id start_quantity confirmed_quantity "
    "location_from_id location_to_id completed_at"
)
GO_BAY = 9  # the demo warehouse's first goods-out bay (location type GOBAY)


def tasks(api: Api, order_id: int, code: str) -> list[dict[str, Any]]:
    return api.nodes(
        "tasks",
        TASK_FIELDS,
        {"goods_out_id": {"eq": str(order_id)}, "task_type_code": {"eq": code}},
    )


def process(api: Api, order_id: int) -> None:
    r = api.call("POST", "/api/goods_out_processes/process_picks_async", {"ids": [order_id]})
    assert r.status_code == 200, r.text


def complete(api: Api, task_id: str, **attributes: Any) -> dict[str, Any]:
    body = {"data": {"type": "tasks", "attributes": {"status": "completed", **attributes}}}
    r = api.call("PATCH", f"/api/tasks/{task_id}", body)
    assert r.status_code == 200, r.text
    return dict(r.json()["data"]["attributes"])


def statuses(found: list[dict[str, Any]]) -> list[str]:
    return [task["status"] for task in found]


def test_the_floor_makes_and_completes_the_tasks_step_by_step(manual: Api) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    order_id = place(manual, "SO-TASKS-1")
    manual.http.post("/__mock/floor/step", json={"tenant": "demo"})  # allocated
    assert tasks(manual, order_id, "PICK") == []  # allocation alone makes no task

    manual.http.post("/__mock/floor/step", json={"tenant": "demo"})  # processed and picked
    [picked] = tasks(manual, order_id, "PICK")
    assert picked == {
        "id": picked["id"],
        "status": "COMPLETED",
        "subtype": "standard",
        "task_type": {"code": "PICK"},
        "product_id": "1",
        "start_quantity": 2,
        "confirmed_quantity": 2,
        "location_from_id": "5",  # the pick face that holds product 1
        "location_to_id": str(GO_BAY),
        "completed_at": "2026-12-01T09:02:30Z",
    }
    [waiting] = tasks(manual, order_id, "DISP")
    assert (waiting["status"], waiting["subtype"]) == ("AVAILABLE", "SHIPMENT")
    assert (waiting["start_quantity"], waiting["location_from_id"]) == (2, str(GO_BAY))
    assert read(manual, order_id)["goods_out_status"] == {"code": "PICK"}

    manual.http.post("/__mock/floor/step", json={"tenant": "demo"})  # dispatched
    [left] = tasks(manual, order_id, "DISP")
    assert (left["status"], left["completed_at"]) == ("COMPLETED", "2026-12-01T09:05:30Z")
    final = read(manual, order_id)
    assert final["goods_out_status"] == {"code": "COMPLETED"}
    assert final["lines"][0]["dispatch_quantity"] == 2
    assert manual.http.post("/__mock/floor/step", json={"tenant": "demo"}).json() == {
        "transitions": []
    }


def test_processing_makes_one_pick_task_per_stock_allocation(manual: Api) -> None:
    # 130 of product 1: 120 on its pick face (stock 1) and 10 from bulk (stock 7).
    order_id = place(manual, "SO-TASKS-2", quantity=130)
    process(manual, order_id)
    found = tasks(manual, order_id, "PICK")
    assert [(t["location_from_id"], t["start_quantity"], t["status"]) for t in found] == [
        ("5", 120, "AVAILABLE"),
        ("4", 10, "AVAILABLE"),
    ]
    assert tasks(manual, order_id, "DISP") == []  # nothing is picked yet
    [pick_list] = manual.nodes(
        "goods_out_pick_lists", "pick_tasks_count", {"pick_tasks_count": {"gteq": 1}}
    )
    assert pick_list == {"pick_tasks_count": 2}


def test_an_integrator_completing_the_picks_moves_the_order_on(manual: Api) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    before = on_hand(manual, 1)
    order_id = place(manual, "SO-TASKS-3", quantity=130)
    process(manual, order_id)
    first, second = tasks(manual, order_id, "PICK")

    complete(manual, first["id"], confirmed_quantity=120, location_to_id=GO_BAY)
    assert read(manual, order_id)["lines"][0]["pick_quantity"] == 120  # follows the task
    assert tasks(manual, order_id, "DISP") == []  # one pick still open
    done = complete(manual, second["id"], confirmed_quantity=10, location_to_id=GO_BAY)
    assert done["status"] == "COMPLETED"
    assert read(manual, order_id)["lines"][0]["pick_quantity"] == 130
    assert statuses(tasks(manual, order_id, "DISP")) == ["AVAILABLE"]

    steps = advance(manual, "1h")
    # The floor only dispatched: it did not pick again, or process again.
    assert sorted((t["resource"], t["to"]) for t in steps) == [
        ("goods_outs", "COMPLETED"),
        ("tasks", "COMPLETED"),
    ]
    picks = tasks(manual, order_id, "PICK")
    assert [t["completed_at"] for t in picks] == ["2026-12-01T09:00:00Z"] * 2
    assert [t["confirmed_quantity"] for t in picks] == [120, 10]
    [dispatched] = [t for t in steps if t["resource"] == "goods_outs"]
    assert dispatched["at"] == "2026-12-01T09:03:00Z"  # 3 minutes after the last pick
    assert read(manual, order_id)["lines"][0]["dispatch_quantity"] == 130
    assert on_hand(manual, 1) == before - 130


def test_an_integrator_completing_the_dispatch_task_dispatches_at_once(manual: Api) -> None:
    set_time(manual, "2026-12-01T09:00:00Z")
    order_id = place(manual, "SO-TASKS-4")
    process(manual, order_id)
    [pick] = tasks(manual, order_id, "PICK")
    complete(manual, pick["id"], confirmed_quantity=2, location_to_id=GO_BAY)
    [disp] = tasks(manual, order_id, "DISP")
    complete(manual, disp["id"])  # SHIPMENT-subtype DISP tasks complete with status alone
    final = read(manual, order_id)
    assert final["goods_out_status"] == {"code": "COMPLETED"}
    assert final["actual_date_of_dispatch"] == "2026-12-01T09:00:00Z"
    assert final["lines"][0]["dispatch_quantity"] == 2
    assert advance(manual, "1h") == []  # nothing left for the floor
    ledger = manual.nodes(
        "transactions", "category quantity", {"goods_out_id": {"eq": str(order_id)}}
    )
    assert ledger == [{"category": "DISP", "quantity": 2}]


def test_a_short_pick_dispatches_what_was_picked_and_frees_the_rest(manual: Api) -> None:
    before = on_hand(manual, 1)
    order_id = place(manual, "SO-TASKS-5", quantity=5)
    process(manual, order_id)
    [pick] = tasks(manual, order_id, "PICK")
    body = {
        "data": {
            "type": "tasks",
            "attributes": {"status": "completed", "confirmed_quantity": 6, "location_to_id": 9},
        }
    }
    r = manual.call("PATCH", f"/api/tasks/{pick['id']}", body)
    assert r.status_code == 422, r.text  # more than was allocated to the task
    assert r.json()["errors"][0]["source"]["pointer"] == "/data/attributes/confirmed_quantity"

    complete(manual, pick["id"], confirmed_quantity=3, location_to_id=GO_BAY)
    advance(manual, "1h")
    [line] = read(manual, order_id)["lines"]
    assert (line["pick_quantity"], line["dispatch_quantity"]) == (3, 3)
    assert on_hand(manual, 1) == before - 3
    [stock] = manual.nodes("stocks", "quantity allocated_quantity", {"id": {"eq": "1"}})
    assert stock == {"quantity": 117, "allocated_quantity": 0}


def test_cancelling_a_processed_order_removes_its_open_pick_tasks(manual: Api) -> None:
    order_id = place(manual, "SO-TASKS-6")
    process(manual, order_id)
    assert statuses(tasks(manual, order_id, "PICK")) == ["AVAILABLE"]
    assert manual.call("POST", f"/api/goods_outs/{order_id}/cancel").status_code == 200
    assert tasks(manual, order_id, "PICK") == []
    advance(manual, "1h")
    assert read(manual, order_id)["goods_out_status"] == {"code": "CANCELLED"}
    assert tasks(manual, order_id, "DISP") == []


def test_an_instant_clock_leaves_every_task_completed(instant: Api) -> None:
    order_id = place(instant, "SO-TASKS-7")
    assert read(instant, order_id)["goods_out_status"] == {"code": "COMPLETED"}
    assert statuses(tasks(instant, order_id, "PICK")) == ["COMPLETED"]
    assert statuses(tasks(instant, order_id, "DISP")) == ["COMPLETED"]


def test_consolidated_orders_drop_their_picks_at_the_pick_lists_bay(manual: Api) -> None:
    first, second = place(manual, "SO-TASKS-8"), place(manual, "SO-TASKS-9", product_id=2)
    body = {"ids": [first, second], "goods_out_pick_list_attributes": {"goods_out_bay_id": 42}}
    r = manual.call("POST", "/api/goods_out_processes/process_and_consolidate_picks", body)
    assert r.status_code == 200, r.text
    [pick_list] = manual.nodes(
        "goods_out_pick_lists", "pick_tasks_count", {"pick_tasks_count": {"gteq": 1}}
    )
    assert pick_list == {"pick_tasks_count": 2}
    [pick] = tasks(manual, first, "PICK")
    assert pick["location_to_id"] == "42"
    # The task names its drop location already: the quantity is all completing it needs.
    complete(manual, pick["id"], confirmed_quantity=2)
    advance(manual, "1h")
    for order_id in (first, second):
        assert read(manual, order_id)["goods_out_status"] == {"code": "COMPLETED"}
        [disp] = tasks(manual, order_id, "DISP")
        assert (disp["status"], disp["location_from_id"]) == ("COMPLETED", "42")
