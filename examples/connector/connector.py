"""A small Clarus connector, the kind clarus-mock exists to test: it syncs products, pushes sales
orders and takes Clarus's webhooks.

It talks to Clarus the way the vendor's integration guide says
(https://documentation.claruswms.com/knowledgebase/integrations/api-creating-records): REST to
create, GraphQL to read back (the priority 0 storage unit of each product), webhooks to hear that an
order was dispatched. Nothing here knows about clarus-mock: point ``base_url`` at a real tenant and
it works the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

PRIORITY_0_UNIT = (
    "query($code: String) { product_storage_units { all(filter: {product_code: {eq: $code}, "
    "priority: {eq: 0}}) { edges { node { id } } } } }"
)


@dataclass
class Shop:
    """What the shop knows: its SKUs' Clarus ids and its orders' dispatch state."""

    products: dict[str, int] = field(default_factory=dict)  # SKU -> Clarus product id
    storage_units: dict[str, int] = field(default_factory=dict)  # SKU -> priority 0 unit id
    orders: dict[str, int] = field(default_factory=dict)  # shop order number -> Clarus goods out id
    dispatched: dict[str, str] = field(default_factory=dict)  # order number -> dispatch date
    seen: set[tuple[str, int, Any]] = field(default_factory=set)  # webhook calls already handled


class Connector:
    """One shop connected to one Clarus tenant (``subdomain``) with client credentials."""

    def __init__(self, base_url: str, subdomain: str, client_id: str, client_secret: str) -> None:
        self.subdomain = subdomain
        self.shop = Shop()
        token = httpx.post(
            f"{base_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            },
        )
        token.raise_for_status()
        self.http = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"Bearer {token.json()['access_token']}",
                "X-Clarus-Subdomain": subdomain,
            },
        )

    def sync_product(self, sku: str, name: str) -> int:
        """Create the product in Clarus (once) and remember its id and priority 0 storage unit."""
        if sku in self.shop.products:
            return self.shop.products[sku]
        body = {
            "data": {
                "type": "products",
                "attributes": {"code": sku, "description": name, "stock_unit_type_id": 1},
            }
        }
        response = self.http.post("/api/products", json=body)
        response.raise_for_status()
        self.shop.products[sku] = int(response.json()["data"]["id"])
        found = self.http.post(
            "/graphql", json={"query": PRIORITY_0_UNIT, "variables": {"code": sku}}
        )
        [edge] = found.json()["data"]["product_storage_units"]["all"]["edges"]
        self.shop.storage_units[sku] = int(edge["node"]["id"])
        return self.shop.products[sku]

    def push_order(self, number: str, lines: dict[str, int], ship_to: dict[str, str]) -> int:
        """Send a shop order as a Clarus sales order; returns its goods out id."""
        body = {
            "data": {
                "type": "goods_outs",
                "attributes": {
                    "goods_out_type": "sales_order",
                    "account_id": 1,
                    "warehouse_id": 1,
                    "reference": number,
                    "expected_date_of_dispatch": "2026-12-01T10:00:00Z",
                    "lines_changes": [
                        {
                            "type": "ADD",
                            "attributes": {
                                "product_id": self.shop.products[sku],
                                "order_quantity": qty,
                            },
                        }
                        for sku, qty in lines.items()
                    ],
                },
                "relationships": {
                    "address": {"data": {"type": "addresses", "attributes": ship_to}}
                },
            }
        }
        response = self.http.post("/api/goods_outs", json=body)
        response.raise_for_status()
        self.shop.orders[number] = int(response.json()["data"]["id"])
        return self.shop.orders[number]

    def subscribe(self, url: str) -> None:
        """Ask Clarus to call ``url`` when an order is dispatched (goods_out / completed)."""
        action = {
            "destination_type": "webhook",
            "destination_code": "default",
            "parameters_changes": [
                {"type": "ADD", "attributes": {"parameter_code": "url", "value": url}}
            ],
        }
        body = {
            "data": {
                "type": "automations",
                "attributes": {
                    "resource_name": "goods_out",
                    "event": "completed",
                    "name": "shop: dispatched",
                    "enabled": True,
                    "conditions_changes": [],
                    "actions_changes": [{"type": "ADD", "attributes": action}],
                },
            }
        }
        self.http.post("/api/automations", json=body).raise_for_status()

    def handle_webhook(self, headers: dict[str, str], body: dict[str, Any]) -> bool:
        """Take one webhook call; True when it changed something. Calls for another tenant are
        refused (ValueError); a call seen before is ignored (Clarus may send one twice)."""
        if headers.get("x-claruswms-subdomain") != self.subdomain:
            raise ValueError("a webhook for another Clarus tenant")
        data = body["data"]
        key = (
            headers.get("x-claruswms-automation-id", ""),
            data["id"],
            data.get("goods_out_status_id"),
        )
        if key in self.shop.seen:
            return False
        self.shop.seen.add(key)
        if data.get("actual_date_of_dispatch"):
            self.shop.dispatched[data["reference"]] = data["actual_date_of_dispatch"]
        return True
