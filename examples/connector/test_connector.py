"""The connector's tests, written against the clarus-mock pytest plugin: a fresh Clarus tenant per
test, its clock on manual, a webhook receiver, and every request checked against the contract."""

from __future__ import annotations

from typing import Any

import pytest
from connector import Connector

SHIP_TO = {
    "name": "Jane Doe",
    "address_1": "1 High Street",
    "postcode": "LS1 1AA",
    "country_code": "GB",
}


@pytest.fixture
def connector(clarus_server: Any, clarus_tenant: Any) -> Connector:
    return Connector(
        clarus_server.url,
        clarus_tenant.subdomain,
        clarus_tenant.client_id,
        clarus_tenant.client_secret,
    )


def test_a_product_is_created_once_with_its_priority_0_storage_unit(connector: Connector) -> None:
    first = connector.sync_product("MUG-RED", "Red mug")
    assert connector.sync_product("MUG-RED", "Red mug") == first
    assert connector.shop.storage_units["MUG-RED"] > 0


def test_an_order_is_dispatched_and_the_shop_hears_it_once(
    connector: Connector, clarus_clock: Any, clarus_webhooks: Any
) -> None:
    connector.subscribe(clarus_webhooks.url)
    connector.sync_product("MUG-RED", "Red mug")
    # Stock arrives through a receipt the warehouse receives (the floor completes its tasks).
    receipt = {
        "data": {
            "type": "goods_in_receipts",
            "attributes": {
                "account_id": 1,
                "warehouse_id": 1,
                "reference": "PO-1",
                "lines_changes": [
                    {
                        "type": "ADD",
                        "attributes": {
                            "product_id": connector.shop.products["MUG-RED"],
                            "expected_quantity": 5,
                        },
                    }
                ],
            },
        }
    }
    receipt_id = connector.http.post("/api/goods_in_receipts", json=receipt).json()["data"]["id"]
    connector.http.post(f"/api/goods_in_receipts/{receipt_id}/receive").raise_for_status()
    clarus_clock.advance("5m")

    order_id = connector.push_order("#1001", {"MUG-RED": 2}, SHIP_TO)
    clarus_clock.advance("10m")
    call = clarus_webhooks.wait_for("completed", record_id=order_id)

    assert connector.handle_webhook(call.headers, call.json()) is True
    assert (
        connector.handle_webhook(call.headers, call.json()) is False
    )  # a duplicate changes nothing
    assert "#1001" in connector.shop.dispatched


def test_a_webhook_for_another_tenant_is_refused(connector: Connector) -> None:
    with pytest.raises(ValueError, match="another Clarus tenant"):
        connector.handle_webhook({"x-claruswms-subdomain": "someone-else"}, {"data": {"id": 1}})
