"""Products with their priority 0 storage unit, deletes, uniqueness, and master data creates."""

from __future__ import annotations

from tests.api import SERVER_TESTS, Api

pytestmark = SERVER_TESTS

PRODUCT = {
    "data": {
        "type": "products",
        "attributes": {"code": "MUG-BLUE", "description": "Blue mug", "stock_unit_type_id": 1},
    }
}


def test_product_create_gives_a_priority_0_storage_unit(api: Api) -> None:
    product = api.call("POST", "/api/products", PRODUCT).json()["data"]
    units = api.store.find(api.tenant, "product_storage_units", product_id=product["id"])
    assert [u.attributes["priority"] for u in units] == [0]
    r = api.call(
        "POST",
        "/api/product_storage_units",
        {
            "data": {
                "type": "product_storage_units",
                "attributes": {
                    "product_id": product["id"],
                    "storage_unit_type_id": 1,
                    "stock_configuration": "case",
                    "unit_of_measure": "centimetre",
                    "per_layer": 6,
                    "number_of_layers": 2,
                },
            }
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["id"] == str(r.json()["data"]["id"])  # string ids for this resource
    assert r.json()["data"]["attributes"]["priority"] == 1
    clash = api.call(
        "PATCH",
        f"/api/product_storage_units/{r.json()['data']['id']}/priority",
        {"data": {"type": "product_storage_units", "attributes": {"priority": 0}}},
    )
    assert clash.status_code == 422
    assert clash.json()["errors"][0]["code"] == "not_unique"


def test_duplicate_code_names_the_existing_record(api: Api) -> None:
    first = api.call("POST", "/api/products", PRODUCT).json()["data"]["id"]
    r = api.call("POST", "/api/products", PRODUCT)
    assert r.status_code == 422
    assert f"products {first}" in r.json()["errors"][0]["detail"]


def test_delete_refused_with_stock_allowed_without(api: Api) -> None:
    r = api.call("DELETE", "/api/products/1")  # the demo pack holds stock of product 1
    assert r.status_code == 422
    assert "deactivating" in r.json()["errors"][0]["meta"]["hint"]
    new = api.call("POST", "/api/products", PRODUCT).json()["data"]["id"]
    assert api.call("DELETE", f"/api/products/{new}").status_code == 204
    assert api.call("DELETE", f"/api/products/{new}").status_code == 404


def test_delete_many_is_all_or_nothing(api: Api) -> None:
    new = api.call("POST", "/api/products", PRODUCT).json()["data"]["id"]
    assert api.call("DELETE", f"/api/products?ids={new},1").status_code == 422
    assert api.record("products", new)["id"] == new
    assert api.call("DELETE", f"/api/products?ids={new}").status_code == 204
    assert api.call("DELETE", "/api/products?ids=x").status_code == 400


def test_account_product_bare_response(api: Api) -> None:
    r = api.call(
        "POST",
        "/api/products/2/account_products",
        {"data": {"type": "account_products", "attributes": {"account_id": 2}}},
    )
    assert r.status_code == 201
    assert r.json() == {"id": r.json()["id"], "account_id": 2, "product_id": 2}
    assert (
        api.call(
            "POST",
            "/api/products/999/account_products",
            {"data": {"type": "account_products", "attributes": {"account_id": 2}}},
        ).status_code
        == 404
    )


def test_account_warehouse_pair_is_unique(api: Api) -> None:
    body = {
        "data": {"type": "account_warehouses", "attributes": {"account_id": 1, "warehouse_id": 1}}
    }
    r = api.call("POST", "/api/account_warehouses", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "not_unique"


def test_master_data_create_and_update(api: Api) -> None:
    r = api.call(
        "POST",
        "/api/suppliers",
        {"data": {"type": "suppliers", "attributes": {"code": "SUP-NEW", "name": "New Supplier"}}},
    )
    assert r.status_code == 201, r.text
    supplier = r.json()["data"]
    assert supplier["id"] == str(supplier["id"])
    r = api.call(
        "PATCH",
        f"/api/suppliers/{supplier['id']}",
        {"data": {"type": "suppliers", "attributes": {"name": "Renamed"}}},
    )
    assert r.status_code == 200
    # Every attribute of the response schema, null where the record has no value.
    assert r.json()["data"]["attributes"] == {
        "code": "SUP-NEW",
        "name": "Renamed",
        "description": None,
        "active": None,
        "address": None,
    }
    r = api.call(
        "POST",
        "/api/locations",
        {
            "data": {
                "type": "locations",
                "attributes": {"code": "X-1", "warehouse_id": 99, "location_type_id": 1},
            }
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["source"]["pointer"] == "/data/attributes/warehouse_id"
