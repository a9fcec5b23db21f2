"""JSON:API as its client libraries speak it, and routes as the vendor's (Rails) routing answers them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


@pytest.fixture
def api(api_over_both: Api) -> Api:
    """Over real HTTP and in process: routing sees the path as each transport sends it."""
    return api_over_both


def product_update(**data: Any) -> dict[str, Any]:
    return {"data": {"type": "products", "attributes": {"description": "Renamed"}, **data}}


# data.id in an update names the record of the path, or it is a 409.


@pytest.mark.parametrize("given", ["2", 2, "01"])
def test_a_data_id_of_another_record_is_409_and_changes_nothing(api: Api, given: Any) -> None:
    before = api.record("products", 1)["attributes"]
    r = api.call("PATCH", "/api/products/1", product_update(id=given))
    assert r.status_code == 409, r.text
    assert r.json()["errors"][0]["source"]["pointer"] == "/data/id"
    assert api.record("products", 1)["attributes"] == before
    assert api.record("products", 2)["attributes"]["description"] != "Renamed"


@pytest.mark.parametrize("given", ["1", 1])
def test_the_same_data_id_as_the_path_is_fine(api: Api, given: Any) -> None:
    r = api.call("PATCH", "/api/products/1", product_update(id=given))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["description"] == "Renamed"


def test_a_data_id_mismatch_on_any_update_route(api: Api) -> None:
    r = api.call(
        "PATCH",
        "/api/suppliers/1",
        {"data": {"type": "suppliers", "id": "2", "attributes": {"name": "X"}}},
    )
    assert r.status_code == 409
    body = order()
    body["data"]["id"] = 999
    created = api.call("POST", "/api/goods_outs", order()).json()["data"]["id"]
    del body["data"]["attributes"]["lines_changes"]
    assert api.call("PATCH", f"/api/goods_outs/{created}", body).status_code == 409


# Top-level members JSON:API clients add.


@pytest.mark.parametrize(
    "extra",
    [
        {"jsonapi": {"version": "1.1"}},
        {"meta": {"client": "my-connector"}},
        {"jsonapi": {}, "meta": {}},
    ],
)
def test_top_level_jsonapi_and_meta_are_accepted_and_ignored(
    api: Api, extra: dict[str, Any]
) -> None:
    body = {**order(reference="SO-META"), **extra}
    r = api.call("POST", "/api/goods_outs", body)
    assert r.status_code == 201, r.text
    entry = api.journal()[0]
    assert entry["violations"] == []


def test_included_is_422_with_a_hint(api: Api) -> None:
    body = {**order(), "included": [{"type": "products", "attributes": {"code": "X"}}]}
    r = api.call("POST", "/api/goods_outs", body)
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert (error["source"]["pointer"], error["code"]) == ("/included", "jsonapi_included")
    assert "one resource per request" in error["detail"]


def test_a_relationship_with_null_data_is_left_out(api: Api) -> None:
    sales = order()
    sales["data"]["relationships"]["address"] = {"data": None}
    r = api.call("POST", "/api/goods_outs", sales)
    assert r.status_code == 422  # a sales order needs an address: null is none
    work = order(goods_out_type="work_order", reference="WO-NULL")
    work["data"]["relationships"]["address"] = {"data": None}
    r = api.call("POST", "/api/goods_outs", work)
    assert r.status_code == 201, r.text
    assert api.record("goods_outs", r.json()["data"]["id"])["relationships"] == {}


# Routing: trailing slashes and OPTIONS.


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/api/products/", 201),
        ("PATCH", "/api/products/1/", 200),
        ("POST", "/api/v1/goods_outs/", 201),
    ],
)
def test_a_trailing_slash_names_the_same_route(
    api: Api, method: str, path: str, status: int
) -> None:
    bodies = {
        "/api/products/": {
            "data": {
                "type": "products",
                "attributes": {"description": "T", "stock_unit_type_id": 1},
            }
        },
        "/api/products/1/": product_update(),
        "/api/v1/goods_outs/": order(reference="SO-SLASH"),
    }
    r = api.call(method, path, bodies[path])
    assert r.status_code == status, r.text
    assert r.json()["data"]["type"] in ("products", "goods_outs")


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/products", {"POST", "DELETE"}),
        ("/api/products/1", {"PATCH", "DELETE"}),
        ("/api/v1/goods_outs/3/cancel", {"POST"}),
        ("/oauth/token", {"POST"}),
        ("/__mock/reset", {"POST"}),
    ],
)
def test_options_answers_204_with_allow(api: Api, path: str, allowed: set[str]) -> None:
    r = api.http.options(path)
    assert r.status_code == 204, r.text
    assert set(r.headers["allow"].split(", ")) == allowed | {"OPTIONS"}


def test_a_wrong_method_lists_every_allowed_one(api: Api) -> None:
    r = api.call("GET", "/api/products/1")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"PATCH", "DELETE", "OPTIONS"}
