"""Stock hold/release/move, pick processing (vendor errors 36/37/39/59/318), shorting, replenishment,
shipments, and the order -> picks -> cancel flow that gives the stock back."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contracts import get_operation
from mock_server.domain import processes
from mock_server.store import Record
from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS

PROCESS = "/api/goods_out_processes/process_picks_async"
CONSOLIDATE = "/api/goods_out_processes/process_and_consolidate_picks"
SHORT = "/api/goods_out_processes/short_order_lines"
REPLENISH = "/api/goods_out_processes/trigger_replenishment"
HELD_REASON, RELEASE_REASON, SHORT_REASON, TRANSFER_REASON = 1, 4, 5, 6
GOBAY, BULK_LOCATION = 9, 2


def _stored(api: Api, resource: str, record_id: int) -> dict[str, Any]:
    record = api.store.get(api.tenant, resource, record_id)
    assert record is not None
    return record.attributes


def _find(api: Api, resource: str, **where: Any) -> list[Record]:
    return api.store.find(api.tenant, resource, **where)


def _force(api: Api, resource: str, record_id: int, **attributes: Any) -> None:
    """Put a record into a state no API call reaches yet (the floor is simulated later)."""
    store = api.store
    record = store.get(api.tenant, resource, record_id)
    record.attributes.update(attributes)
    with store.transaction():
        store.save(api.tenant, record)


def _order(api: Api, product_id: int = 1, quantity: float = 10, **attributes: Any) -> dict:
    line = {"type": "ADD", "attributes": {"product_id": product_id, "order_quantity": quantity}}
    r = api.call("POST", "/api/goods_outs", order(lines_changes=[line], **attributes))
    assert r.status_code == 201, r.text
    return r.json()["data"]


def _status(api: Api, goods_out_id: int) -> int:
    return _stored(api, "goods_outs", goods_out_id)["goods_out_status_id"]


def _vendor_error(r: Any, code: int, symbol: str, pointer: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["code"], body["symbol"]) == (code, symbol)
    assert body["errors"][0]["code"] == symbol
    assert body["errors"][0]["meta"]["code"] == code
    assert body["errors"][0]["source"]["pointer"] == pointer


def _conforms(r: Any, operation: str) -> None:
    """A success answer has the status and the shape its response contract gives."""
    op = get_operation(operation)
    assert r.status_code == op.response_status, r.text
    Draft202012Validator(op.response_schema).validate(r.json())


def _rule(r: Any, rule: str, pointer: str) -> None:
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert (error["meta"]["rule"], error["source"]["pointer"]) == (rule, pointer)


# Stock: hold, release, move


def test_hold_sets_held_and_answers_the_first_record(api: Api) -> None:
    r = api.call(
        "POST",
        "/api/stocks/hold",
        {"ids": [2, 3], "description": "QC", "reason_code_id": HELD_REASON},
    )
    _conforms(r, "stocks.hold")
    data = r.json()["data"]
    assert (data["id"], data["type"]) == (2, "stocks")
    assert data["attributes"]["status"] == "held"
    assert "allocated_quantity" not in data["attributes"]
    assert _stored(api, "stocks", 3)["status"] == "held"


def test_release_makes_held_stock_available(api: Api) -> None:
    api.call("POST", "/api/stocks/hold", {"ids": [2], "description": "QC"})
    r = api.call(
        "POST",
        "/api/stocks/release",
        {"ids": [2], "description": "passed", "reason_code_id": RELEASE_REASON},
    )
    _conforms(r, "stocks.release")
    assert r.json()["data"]["attributes"]["status"] == "available"


def test_hold_names_the_first_unknown_id_and_changes_nothing(api: Api) -> None:
    r = api.call("POST", "/api/stocks/hold", {"ids": [1, 999, 998], "description": "QC"})
    _rule(r, "unknown_reference", "/ids/1")
    assert _stored(api, "stocks", 1)["status"] == "available"


@pytest.mark.parametrize(
    ("path", "reason", "rule"),
    [
        ("/api/stocks/hold", RELEASE_REASON, "unsuitable_reference"),
        ("/api/stocks/release", HELD_REASON, "unsuitable_reference"),
        ("/api/stocks/hold", 99, "unknown_reference"),
    ],
)
def test_hold_and_release_need_a_reason_code_of_their_type(
    api: Api, path: str, reason: int, rule: str
) -> None:
    r = api.call("POST", path, {"ids": [1], "description": "QC", "reason_code_id": reason})
    _rule(r, rule, "/reason_code_id")


def test_inactive_reason_code_is_refused(api: Api) -> None:
    patch = {"data": {"type": "reason_codes", "attributes": {"active": False}}}
    assert api.call("PATCH", f"/api/reason_codes/{HELD_REASON}", patch).status_code == 200
    body = {"ids": [1], "description": "QC", "reason_code_id": HELD_REASON}
    r = api.call("POST", "/api/stocks/hold", body)
    _rule(r, "unsuitable_reference", "/reason_code_id")
    assert "inactive" in r.json()["error"]


def test_hold_refuses_allocated_stock(api: Api) -> None:
    goods_out = _order(api, product_id=2)
    assert api.call("POST", PROCESS, {"ids": [goods_out["id"]]}).status_code == 200
    r = api.call("POST", "/api/stocks/hold", {"ids": [1, 2], "description": "QC"})
    _rule(r, "invalid_state", "/ids/1")
    assert _stored(api, "stocks", 1)["status"] == "available"


def _move(api: Api, stock_id: int, **attributes: Any) -> Any:
    body = {"data": {"type": "stocks", "attributes": attributes}}
    return api.call("POST", f"/api/stocks/{stock_id}/move", body)


def test_move_all_moves_the_record(api: Api) -> None:
    r = _move(api, 2, quantity=80, to_location_id=BULK_LOCATION, reason_code_id=TRANSFER_REASON)
    _conforms(r, "stocks.move")
    data = r.json()["data"]
    assert data["id"] == 2
    assert (data["attributes"]["location_id"], data["attributes"]["quantity"]) == (2, 80)


def test_move_part_splits_at_the_destination(api: Api) -> None:
    r = _move(api, 1, quantity=20, to_location_id=BULK_LOCATION)
    _conforms(r, "stocks.move")
    data = r.json()["data"]
    assert data["id"] not in range(1, 10)
    assert data["attributes"]["quantity"] == 20
    assert data["attributes"]["location_id"] == BULK_LOCATION
    assert data["attributes"]["product_id"] == 1
    assert _stored(api, "stocks", 1)["quantity"] == 100


def test_move_more_than_the_free_quantity_is_refused(api: Api) -> None:
    _rule(
        _move(api, 1, quantity=121, to_location_id=2),
        "not_enough_stock",
        "/data/attributes/quantity",
    )
    goods_out = _order(api, quantity=110)
    assert api.call("POST", PROCESS, {"ids": [goods_out["id"]]}).status_code == 200
    _rule(
        _move(api, 1, quantity=11, to_location_id=2),
        "not_enough_stock",
        "/data/attributes/quantity",
    )
    assert _move(api, 1, quantity=10, to_location_id=2).status_code == 200


def test_move_destination_must_exist_be_elsewhere_and_in_the_same_warehouse(api: Api) -> None:
    pointer = "/data/attributes/to_location_id"
    _rule(_move(api, 1, quantity=1, to_location_id=99), "unknown_reference", pointer)
    _rule(_move(api, 1, quantity=1, to_location_id=5), "unsuitable_reference", pointer)
    warehouse = api.call(
        "POST",
        "/api/warehouses",
        {"data": {"type": "warehouses", "attributes": {"code": "MAN1", "name": "Manchester"}}},
    ).json()["data"]
    location = api.call(
        "POST",
        "/api/locations",
        {
            "data": {
                "type": "locations",
                "attributes": {
                    "code": "MAN-1",
                    "warehouse_id": warehouse["id"],
                    "location_type_id": 3,
                },
            }
        },
    ).json()["data"]
    _rule(_move(api, 1, quantity=1, to_location_id=location["id"]), "unsuitable_reference", pointer)


def test_move_reason_code_must_be_a_transfer_code(api: Api) -> None:
    r = _move(api, 1, quantity=1, to_location_id=2, reason_code_id=HELD_REASON)
    _rule(r, "unsuitable_reference", "/data/attributes/reason_code_id")


def test_move_of_unknown_stock_is_404(api: Api) -> None:
    assert _move(api, 999, quantity=1, to_location_id=2).status_code == 404


# Pick processing


def test_process_picks_allocates_and_moves_the_order_to_pick(api: Api) -> None:
    goods_out = _order(api, quantity=130)  # more than stock 1 holds: stock 7 gives the rest
    r = api.call("POST", PROCESS, {"ids": [goods_out["id"]]})
    _conforms(r, "goods_out_processes.process_picks_async")
    [reference] = r.json()["process_references"]
    assert r.json() == {"process_references": [reference]}
    assert len(reference) == 12
    assert _status(api, goods_out["id"]) == 3
    [line] = [x for x in _find(api, "goods_out_lines") if x.parent_id == goods_out["id"]]
    assert line.attributes["allocated_quantity"] == 130
    assert _stored(api, "stocks", 1)["allocated_quantity"] == 120
    assert _stored(api, "stocks", 7)["allocated_quantity"] == 10
    [pick_list] = _find(api, "goods_out_pick_lists", goods_out_id=goods_out["id"])
    assert pick_list.attributes["pick_type"] == "standard"
    [request] = _find(api, "pick_processing_requests", process_reference=reference)
    assert request.attributes["status"] == "completed"


def test_one_reference_and_pick_list_per_order(api: Api) -> None:
    ids = [_order(api)["id"], _order(api, product_id=2, reference="SO-002")["id"]]
    r = api.call("POST", PROCESS, {"ids": ids})
    assert r.status_code == 200, r.text
    assert len(set(r.json()["process_references"])) == 2
    assert len(_find(api, "goods_out_pick_lists")) == 2


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (PROCESS, {"ids": []}),
        (CONSOLIDATE, {"ids": []}),
        (SHORT, {"ids": [], "description": "out of stock"}),
    ],
)
def test_36_empty_ids_carries_the_vendor_code_and_the_contract_rule(
    api: Api, path: str, body: dict[str, Any]
) -> None:
    r = api.call("POST", path, body)
    _vendor_error(r, 36, "empty_ids_provided", "/ids")
    assert r.json()["errors"][0]["meta"]["rule"] == "min_items"


def test_37_unknown_or_other_tenants_order(api: Api) -> None:
    mine = _order(api)
    sandbox = api.another("sandbox")
    for reference in ("SB-1", "SB-2"):
        api.call("POST", "/api/goods_outs", order(reference=reference), tenant=sandbox)
    # The sandbox's orders get ids the test's tenant has never handed out.
    elsewhere = api.call("POST", "/api/goods_outs", order(reference="SB-3"), tenant=sandbox)
    foreign = elsewhere.json()["data"]["id"] + 1000
    r = api.call("POST", PROCESS, {"ids": [mine["id"], foreign]})
    _vendor_error(r, 37, "invalid_ids_provided", "/ids/1")
    assert _status(api, mine["id"]) == 2
    assert _stored(api, "stocks", 1).get("allocated_quantity", 0) == 0


def test_59_order_already_processed(api: Api) -> None:
    goods_out = _order(api)
    assert api.call("POST", PROCESS, {"ids": [goods_out["id"]]}).status_code == 200
    r = api.call("POST", PROCESS, {"ids": [goods_out["id"]]})
    _vendor_error(r, 59, "goods_out_already_allocated", "/ids/0")


def test_allocated_orders_can_be_processed(api: Api) -> None:
    goods_out = _order(api)
    _force(api, "goods_outs", goods_out["id"], goods_out_status_id=5)
    assert api.call("POST", PROCESS, {"ids": [goods_out["id"]]}).status_code == 200


def test_39_not_enough_stock_allocates_nothing(api: Api) -> None:
    fits = _order(api, quantity=100)
    too_big = _order(api, quantity=300, reference="SO-002")  # 320 on hand, 100 taken first
    r = api.call("POST", PROCESS, {"ids": [fits["id"], too_big["id"]]})
    _vendor_error(r, 39, "not_enough_stocks_for_picking", "/ids/1")
    assert _status(api, fits["id"]) == 2
    assert _stored(api, "stocks", 1).get("allocated_quantity", 0) == 0
    assert _find(api, "goods_out_pick_lists") == []


def test_held_stock_is_not_allocated(api: Api) -> None:
    api.call("POST", "/api/stocks/hold", {"ids": [2], "description": "QC"})
    r = api.call("POST", PROCESS, {"ids": [_order(api, product_id=2, quantity=1)["id"]]})
    _vendor_error(r, 39, "not_enough_stocks_for_picking", "/ids/0")


def test_other_accounts_stock_is_not_allocated(api: Api) -> None:
    # Account 2 holds 24 of product 2; account 1 holds 80: an account-1 order of 100 does not fit.
    r = api.call("POST", PROCESS, {"ids": [_order(api, product_id=2, quantity=100)["id"]]})
    _vendor_error(r, 39, "not_enough_stocks_for_picking", "/ids/0")


def test_order_picks_cancel_gives_the_stock_back(api: Api) -> None:
    goods_out = _order(api, quantity=130)
    assert api.call("POST", PROCESS, {"ids": [goods_out["id"]]}).status_code == 200
    assert _status(api, goods_out["id"]) == 3
    assert _stored(api, "stocks", 1)["allocated_quantity"] == 120
    r = api.call("POST", f"/api/goods_outs/{goods_out['id']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["goods_out_status_id"] == 8
    assert (
        r.json()["data"]["attributes"]["lines_changes"][0]["attributes"]["allocated_quantity"] == 0
    )
    assert _stored(api, "stocks", 1)["allocated_quantity"] == 0
    assert _stored(api, "stocks", 7)["allocated_quantity"] == 0
    assert _find(api, "stock_allocations", goods_out_id=goods_out["id"]) == []
    again = _order(api, quantity=320, reference="SO-002")
    assert api.call("POST", PROCESS, {"ids": [again["id"]]}).status_code == 200


# Consolidation


def test_consolidate_makes_one_pick_list_for_all(api: Api) -> None:
    ids = [_order(api)["id"], _order(api, product_id=2, reference="SO-002")["id"]]
    settings = {"goods_out_pick_list_reference": "WAVE-1", "goods_out_bay_id": GOBAY}
    r = api.call("POST", CONSOLIDATE, {"ids": ids, "goods_out_pick_list_attributes": settings})
    _conforms(r, "goods_out_processes.process_and_consolidate_picks")
    [reference] = r.json()["process_references"]
    assert [_status(api, i) for i in ids] == [3, 3]
    [pick_list] = _find(api, "goods_out_pick_lists")
    assert pick_list.attributes["goods_out_ids"] == ids
    assert pick_list.attributes["reference"] == "WAVE-1"
    assert pick_list.attributes["goods_out_bay_id"] == GOBAY
    assert len(_find(api, "pick_processing_requests", process_reference=reference)) == 2


@pytest.mark.parametrize(
    ("bay", "rule"), [(BULK_LOCATION, "unsuitable_reference"), (99, "unknown_reference")]
)
def test_consolidate_bay_must_be_a_gobay(api: Api, bay: int, rule: str) -> None:
    body = {"ids": [_order(api)["id"]], "goods_out_pick_list_attributes": {"goods_out_bay_id": bay}}
    _rule(
        api.call("POST", CONSOLIDATE, body),
        rule,
        "/goods_out_pick_list_attributes/goods_out_bay_id",
    )


def test_318_crossdock_orders_are_never_consolidated(api: Api) -> None:
    ids = [_order(api)["id"], _order(api, goods_out_type="crossdock", reference="XD-1")["id"]]
    r = api.call("POST", CONSOLIDATE, {"ids": ids})
    _vendor_error(r, 318, "goods_outs_with_different_pick_types_cannot_be_consolidated", "/ids/1")
    assert _status(api, ids[0]) == 2


def test_consolidate_has_the_pick_processing_checks(api: Api) -> None:
    goods_out = _order(api)
    _vendor_error(
        api.call("POST", CONSOLIDATE, {"ids": [999]}), 37, "invalid_ids_provided", "/ids/0"
    )
    assert api.call("POST", CONSOLIDATE, {"ids": [goods_out["id"]]}).status_code == 200
    r = api.call("POST", CONSOLIDATE, {"ids": [goods_out["id"]]})
    _vendor_error(r, 59, "goods_out_already_allocated", "/ids/0")


# Shorting


def _part_allocated(api: Api, account_id: int = 2) -> dict:
    """An order of 30 of product 2 with 24 allocated, as the floor leaves it when stock is short."""
    goods_out = _order(api, product_id=2, quantity=30, account_id=account_id)
    _force(api, "goods_outs", goods_out["id"], goods_out_status_id=7)
    line_id = goods_out["attributes"]["lines_changes"][0]["id"]
    _force(api, "goods_out_lines", line_id, allocated_quantity=24)
    return goods_out


def test_short_order_lines_marks_the_unallocated_quantity_short(api: Api) -> None:
    goods_out = _part_allocated(api)
    body = {"ids": [goods_out["id"]], "description": "out of stock", "reason_code_id": SHORT_REASON}
    r = api.call("POST", SHORT, body)
    _conforms(r, "goods_out_processes.short_order_lines")
    assert r.json() == {"ids": [goods_out["id"]]}
    [line] = [x for x in _find(api, "goods_out_lines") if x.parent_id == goods_out["id"]]
    assert line.attributes["short_status"] == "short"
    [audit] = _find(api, "short_order_line_audits")
    assert (audit.attributes["quantity"], audit.attributes["description"]) == (6, "out of stock")
    assert _status(api, goods_out["id"]) == 5  # nothing left unallocated: ALLOCATED
    assert api.call("POST", PROCESS, {"ids": [goods_out["id"]]}).status_code == 200


def test_short_needs_a_part_allocated_order(api: Api) -> None:
    goods_out = _order(api, product_id=2, account_id=2)
    r = api.call("POST", SHORT, {"ids": [goods_out["id"]], "description": "x"})
    _rule(r, "invalid_state", "/ids/0")


def test_short_needs_a_short_pickable_account(api: Api) -> None:
    goods_out = _part_allocated(api, account_id=1)
    r = api.call("POST", SHORT, {"ids": [goods_out["id"]], "description": "x"})
    _rule(r, "unsuitable_reference", "/ids/0")
    assert _find(api, "goods_out_lines")[0].attributes["short_status"] == ""


def test_short_vendor_errors_and_reason_code(api: Api) -> None:
    goods_out = _part_allocated(api)
    r = api.call("POST", SHORT, {"ids": [goods_out["id"], 999], "description": "x"})
    _vendor_error(r, 37, "invalid_ids_provided", "/ids/1")
    body = {"ids": [goods_out["id"]], "description": "x", "reason_code_id": HELD_REASON}
    _rule(api.call("POST", SHORT, body), "unsuitable_reference", "/reason_code_id")


def test_short_pickable_by_the_accounts_flag_alone() -> None:
    def account(**attributes: Any) -> Record:
        return Record("accounts", 1, attributes, {})

    assert processes.is_short_pickable(account(name="Acme", is_short_pickable=True))
    # The name means nothing: the flag is an attribute an account is created with.
    assert not processes.is_short_pickable(account(name="Borealis Outdoor (short-pickable)"))
    assert not processes.is_short_pickable(account(name="Acme Retail"))


# Replenishment


def test_replenishment_creates_a_task_from_bulk_to_the_pick_face(api: Api) -> None:
    r = api.call("POST", REPLENISH, {"account_id": 1, "location_id": 5, "product_id": 1})
    _conforms(r, "goods_out_processes.trigger_replenishment")
    [task_id] = r.json()["task_ids"]
    task = _stored(api, "tasks", task_id)
    assert (task["task_type_code"], task["status"]) == ("REPLEN", "AVAILABLE")
    assert (task["location_from_id"], task["location_to_id"]) == (4, 5)
    assert task["start_quantity"] == 200


def test_replenishment_without_bulk_stock_creates_nothing(api: Api) -> None:
    r = api.call("POST", REPLENISH, {"account_id": 1, "location_id": 6, "product_id": 2})
    assert r.status_code == 200, r.text
    assert r.json() == {"task_ids": []}


def test_replenishment_references_must_exist_and_name_a_pick_face(api: Api) -> None:
    r = api.call("POST", REPLENISH, {"account_id": 1, "location_id": 5, "product_id": 99})
    _rule(r, "unknown_reference", "/product_id")
    r = api.call("POST", REPLENISH, {"account_id": 1, "location_id": 2, "product_id": 1})
    _rule(r, "unsuitable_reference", "/location_id")


# Shipments


def _shipment(api: Api, **attributes: Any) -> Any:
    goods_out = _order(api)
    base = {
        "goods_out_id": goods_out["id"],
        "carrier_id": 1,
        "carrier_service_id": 1,
        "packages": [{"reference": "P1", "weight": 1.5, "height": 10, "length": 30, "width": 20}],
    }
    body = {"data": {"type": "shipments", "attributes": {**base, **attributes}}}
    return api.call("POST", "/api/shipments", body)


def test_shipment_lifecycle(api: Api) -> None:
    r = _shipment(api)
    _conforms(r, "shipments.create")
    shipment = r.json()["data"]
    assert shipment["attributes"]["status"] == "pending"
    path = f"/api/shipments/{shipment['id']}"
    patch = {"data": {"type": "shipments", "attributes": {"reference": "SHP-1"}}}
    assert api.call("PATCH", path, patch).json()["data"]["attributes"]["reference"] == "SHP-1"
    submitted = api.call("POST", f"{path}/submit")
    _conforms(submitted, "shipments.submit")
    attributes = submitted.json()["data"]["attributes"]
    assert attributes["status"] == "submitted"
    assert attributes["tracking_number"].startswith("RM")
    cancelled = api.call("POST", f"{path}/cancel")
    _conforms(cancelled, "shipments.cancel")
    assert cancelled.json()["data"]["attributes"]["status"] == "cancelled"
    _rule(api.call("POST", f"{path}/cancel"), "invalid_state", "")
    _rule(api.call("PATCH", path, patch), "invalid_state", "")


def test_shipment_references_are_checked(api: Api) -> None:
    _rule(_shipment(api, goods_out_id=999), "unknown_reference", "/data/attributes/goods_out_id")
    r = _shipment(api, carrier_service_id=3)  # a DPD service on a Royal Mail shipment
    _rule(r, "unsuitable_reference", "/data/attributes/carrier_service_id")


def test_submit_needs_a_carrier_and_whole_packages(api: Api) -> None:
    bare = _shipment(api, carrier_id=None, carrier_service_id=None).json()["data"]
    _rule(api.call("POST", f"/api/shipments/{bare['id']}/submit"), "invalid_state", "")
    flat = _shipment(api, packages=[{"reference": "P1", "weight": 2}]).json()["data"]
    r = api.call("POST", f"/api/shipments/{flat['id']}/submit")
    _rule(r, "invalid_state", "")
    assert "length, width, height" in r.json()["error"]


def test_only_submitted_shipments_cancel(api: Api) -> None:
    shipment = _shipment(api).json()["data"]
    _rule(api.call("POST", f"/api/shipments/{shipment['id']}/cancel"), "invalid_state", "")
    assert api.call("POST", "/api/shipments/999/cancel").status_code == 404
