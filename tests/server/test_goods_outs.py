"""Goods outs: create, lines_changes on update, cancel by status."""

from __future__ import annotations

from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


def test_create_answers_pending_with_line_ids(api: Api) -> None:
    r = api.call("POST", "/api/goods_outs", order())
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert isinstance(data["id"], int)
    assert data["type"] == "goods_outs"
    assert data["attributes"]["goods_out_status_id"] == 2
    [line] = data["attributes"]["lines_changes"]
    assert line["attributes"]["order_quantity"] == 10
    assert line["attributes"]["allocated_quantity"] == 0


def test_draft_on_request_and_no_other_start_status(api: Api) -> None:
    assert (
        api.call("POST", "/api/goods_outs", order(goods_out_status_id=1)).json()["data"][
            "attributes"
        ]["goods_out_status_id"]
        == 1
    )
    r = api.call("POST", "/api/goods_outs", order(goods_out_status_id=6))
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "invalid_state"


def test_unknown_product_is_422_at_the_line(api: Api) -> None:
    r = api.call(
        "POST",
        "/api/goods_outs",
        order(
            lines_changes=[{"type": "ADD", "attributes": {"product_id": 999, "order_quantity": 1}}]
        ),
    )
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/lines_changes/0/attributes/product_id"
    assert error["code"] == "unknown_reference"


def test_update_lines_add_update_destroy(api: Api) -> None:
    created = api.call(
        "POST",
        "/api/goods_outs",
        order(
            lines_changes=[
                {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 1}},
                {"type": "ADD", "attributes": {"product_id": 2, "order_quantity": 2}},
            ]
        ),
    ).json()["data"]
    first, second = (line["id"] for line in created["attributes"]["lines_changes"])
    r = api.call(
        "PATCH",
        f"/api/goods_outs/{created['id']}",
        {
            "data": {
                "type": "goods_outs",
                "attributes": {
                    "delivery_notes": "Leave at reception",
                    "lines_changes": [
                        {"type": "UPDATE", "id": first, "attributes": {"order_quantity": 5}},
                        {"type": "DESTROY", "id": second},
                        {"type": "ADD", "attributes": {"product_id": 3, "order_quantity": 3}},
                    ],
                },
            }
        },
    )
    assert r.status_code == 200, r.text
    attributes = r.json()["data"]["attributes"]
    assert attributes["delivery_notes"] == "Leave at reception"
    assert attributes["reference"] == "SO-001"
    quantities = {
        line["attributes"]["product_id"]: line["attributes"]["order_quantity"]
        for line in attributes["lines_changes"]
    }
    assert quantities == {1: 5, 3: 3}


def test_update_of_a_line_of_another_order_is_refused_and_changes_nothing(api: Api) -> None:
    one = api.call("POST", "/api/goods_outs", order()).json()["data"]
    two = api.call("POST", "/api/goods_outs", order(reference="SO-002")).json()["data"]
    foreign = two["attributes"]["lines_changes"][0]["id"]
    r = api.call(
        "PATCH",
        f"/api/goods_outs/{one['id']}",
        {
            "data": {
                "type": "goods_outs",
                "attributes": {
                    "reference": "CHANGED",
                    "lines_changes": [{"type": "DESTROY", "id": foreign}],
                },
            }
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["source"]["pointer"] == "/data/attributes/lines_changes/0/id"
    assert api.record("goods_outs", one["id"])["attributes"]["reference"] == "SO-001"
    assert len(api.record("goods_outs", two["id"])["attributes"]["lines_changes"]) == 1


def test_cancel_pending_deletes_and_returns_last_state(api: Api) -> None:
    created = api.call("POST", "/api/goods_outs", order()).json()["data"]
    r = api.call("POST", f"/api/goods_outs/{created['id']}/cancel")
    assert r.status_code == 200
    assert r.json()["meta"] == {"deleted": True}
    assert r.json()["data"]["attributes"]["reference"] == "SO-001"
    assert api.call("POST", f"/api/goods_outs/{created['id']}/cancel").status_code == 404


def test_cancel_allocated_cancels_and_completed_is_refused(api: Api) -> None:
    created = api.call("POST", "/api/goods_outs", order()).json()["data"]
    store = api.store
    for status, expected in ((5, 200), (8, 422)):
        record = store.get(api.tenant, "goods_outs", created["id"])
        record.attributes["goods_out_status_id"] = status
        with store.transaction():
            store.save(api.tenant, record)
        r = api.call("POST", f"/api/goods_outs/{created['id']}/cancel")
        assert r.status_code == expected, r.text
    assert api.record("goods_outs", created["id"])["attributes"]["goods_out_status_id"] == 8
