"""The vendor's integration guide, end to end: products first, receive stock, then sell it.

token -> product -> its priority 0 storage unit (read through GraphQL) -> goods-in receipt ->
receive -> receive tasks -> stock (GraphQL) -> goods out with a delivery address -> pick
processing -> order status (GraphQL) -> cancel. REST writes, GraphQL reads, as the guide says
(https://documentation.claruswms.com/knowledgebase/integrations/api-creating-records and
.../api-polling-updates). Runs in-process and over real HTTP (the ``api`` fixture).
"""

from __future__ import annotations

from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


def test_receive_stock_then_pick_and_cancel_an_order(api: Api) -> None:
    # 1. Create the product first and keep its Clarus id.
    product = api.call(
        "POST",
        "/api/products",
        {
            "data": {
                "type": "products",
                "attributes": {
                    "code": "LAMP-01",
                    "description": "Desk lamp",
                    "stock_unit_type_id": 1,
                    "external_system_reference1": "shop-123",
                },
            }
        },
    )
    assert product.status_code == 201, product.text
    product_id = product.json()["data"]["id"]

    # 2. Read its priority 0 storage unit back through GraphQL: it goes on the receipt line.
    [unit] = api.nodes(
        "product_storage_units",
        "id priority product { code }",
        {"product_id": {"eq": product_id}, "priority": {"eq": 0}},
    )
    assert unit["product"] == {"code": "LAMP-01"}

    # 3. Post the goods-in receipt.
    receipt = api.call(
        "POST",
        "/api/goods_in_receipts",
        {
            "data": {
                "type": "goods_in_receipts",
                "attributes": {
                    "account_id": 1,
                    "warehouse_id": 1,
                    "reference": "PO-7001",
                    "expected_date_of_arrival": "2026-11-25T08:00:00Z",
                    "lines_changes": [
                        {
                            "type": "ADD",
                            "attributes": {
                                "product_id": product_id,
                                "expected_quantity": 12,
                                "product_storage_unit_id": int(unit["id"]),
                            },
                        }
                    ],
                },
            }
        },
    )
    assert receipt.status_code == 201, receipt.text
    receipt_id = receipt.json()["data"]["id"]
    assert receipt.json()["data"]["attributes"]["status"] == "pending"

    # 4. The warehouse receives it: one RCV task per line, no stock yet.
    received = api.call("POST", f"/api/goods_in_receipts/{receipt_id}/receive")
    assert received.status_code == 200
    assert received.json()["data"]["attributes"]["status"] == "received"
    [task] = api.nodes("tasks", "id", {"goods_in_receipt_id": {"eq": receipt_id}})
    assert api.nodes("stocks", "id", {"product_id": {"eq": product_id}}) == []

    # 5. Completing the receive task creates the stock; the receipt completes.
    r = api.call(
        "POST",
        f"/api/receive_tasks/{task['id']}/receive",
        {"data": {"type": "tasks", "attributes": {"confirmed_quantity": 12}}},
    )
    assert r.status_code == 204, r.text
    [stock] = api.nodes("stocks", "quantity", {"product_id": {"eq": product_id}})
    assert stock["quantity"] == 12
    [done] = api.nodes("goods_in_receipts", "status", {"id": {"eq": receipt_id}})
    assert done["status"] == "completed"

    # 6. A sales order with its delivery address in data.relationships.address.
    created = api.call(
        "POST",
        "/api/goods_outs",
        order(
            reference="SO-7001",
            lines_changes=[
                {"type": "ADD", "attributes": {"product_id": product_id, "order_quantity": 5}}
            ],
        ),
    )
    assert created.status_code == 201, created.text
    order_id = created.json()["data"]["id"]
    assert created.json()["data"]["attributes"]["goods_out_status_id"] == 2

    # 7. Pick processing allocates the received stock.
    processed = api.call(
        "POST", "/api/goods_out_processes/process_picks_async", {"ids": [order_id]}
    )
    assert processed.status_code == 200, processed.text
    assert len(processed.json()["process_references"]) == 1
    [allocated] = api.nodes(
        "goods_outs",
        "goods_out_status { code } lines { allocated_quantity }",
        {"id": {"eq": order_id}},
    )
    assert allocated == {
        "goods_out_status": {"code": "PICK"},  # allocated, ready to pick
        "lines": [{"allocated_quantity": 5}],
    }
    again = api.call("POST", "/api/goods_out_processes/process_picks_async", {"ids": [order_id]})
    assert (again.status_code, again.json()["code"], again.json()["symbol"]) == (
        422,
        59,
        "goods_out_already_allocated",
    )

    # 8. Cancel: the order is cancelled and its stock is free for the next order.
    cancelled = api.call("POST", f"/api/goods_outs/{order_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["data"]["attributes"]["goods_out_status_id"] == 8
    second = api.call(
        "POST",
        "/api/goods_outs",
        order(
            reference="SO-7002",
            lines_changes=[
                {"type": "ADD", "attributes": {"product_id": product_id, "order_quantity": 12}}
            ],
        ),
    )
    second_id = second.json()["data"]["id"]
    assert (
        api.call(
            "POST", "/api/goods_out_processes/process_picks_async", {"ids": [second_id]}
        ).status_code
        == 200
    )


def test_lines_of_an_allocated_order_cannot_change(api: Api) -> None:
    created = api.call("POST", "/api/goods_outs", order()).json()["data"]
    assert (
        api.call(
            "POST", "/api/goods_out_processes/process_picks_async", {"ids": [created["id"]]}
        ).status_code
        == 200
    )
    line = created["attributes"]["lines_changes"][0]["id"]
    r = api.call(
        "PATCH",
        f"/api/goods_outs/{created['id']}",
        {
            "data": {
                "type": "goods_outs",
                "attributes": {"lines_changes": [{"type": "DESTROY", "id": line}]},
            }
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "invalid_state"
