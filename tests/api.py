"""What the HTTP tests share: ``Api``, a client of one server with a tenant of the test's own, and
``order()``, the vendor's example sales order.

The fixtures that make an ``Api`` live in the conftest files of each folder (``tests/server``:
the plugin's server and a fresh tenant per test).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_server.testing import Tenant

SERVER_TESTS = pytest.mark.clarus(clock="realtime", contract=False)
"""The mark of the server tests: they send bad payloads on purpose (no contract report), and their
tenants' clocks run in realtime, as ``clarus-mock serve`` starts them."""


class Api:
    """A client of one server, for the test's tenant (``tenant``) unless a call names another.

    ``state`` is the server's in-process state (``store``, ``clocks``...). A pack tenant's client is
    ``<tenant>-client`` / ``<tenant>-secret``; a tenant made at run time (the plugin's, or one of
    :meth:`another`) brings its own.
    """

    def __init__(self, http: httpx.Client, state: Any, tenant: Tenant | str = "demo") -> None:
        self.http = http
        self.state = state
        self.tokens: dict[str, str] = {}
        self.clients: dict[str, tuple[str, str]] = {}
        self.made: list[str] = []
        if isinstance(tenant, Tenant):
            self.clients[tenant.subdomain] = (tenant.client_id, tenant.client_secret)
            self.tokens[tenant.subdomain] = tenant.token()  # given when the tenant was made
            tenant = tenant.subdomain
        self.tenant = tenant

    @property
    def store(self) -> Any:
        return self.state.store

    def credentials(self, tenant: str | None = None) -> tuple[str, str]:
        """(client_id, client_secret) of a tenant."""
        tenant = tenant or self.tenant
        return self.clients.get(tenant, (f"{tenant}-client", f"{tenant}-secret"))

    def another(self, source: str = "sandbox", **body: Any) -> str:
        """A tenant made for this test (a copy of ``source``); its subdomain. :meth:`close` drops it."""
        r = self.http.post("/__mock/tenants", json={"from": source, **body})
        assert r.status_code == 201, r.text
        made = r.json()["data"]
        self.clients[made["subdomain"]] = (made["client_id"], made["client_secret"])
        self.made.append(made["subdomain"])
        return str(made["subdomain"])

    def close(self) -> None:
        """Drop the tenants :meth:`another` made (one a test deleted itself is gone already)."""
        for name in self.made:
            r = self.http.delete(f"/__mock/tenants/{name}")
            assert r.status_code in (204, 404), r.text

    def token(self, tenant: str | None = None) -> str:
        tenant = tenant or self.tenant
        if tenant not in self.tokens:
            client_id, client_secret = self.credentials(tenant)
            r = self.http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": client_secret,
                },
            )
            assert r.status_code == 200, r.text
            self.tokens[tenant] = r.json()["access_token"]
        return self.tokens[tenant]

    def headers(self, tenant: str | None = None) -> dict[str, str]:
        tenant = tenant or self.tenant
        return {"Authorization": f"Bearer {self.token(tenant)}", "X-Clarus-Subdomain": tenant}

    def call(
        self, method: str, path: str, body: Any = None, tenant: str | None = None
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {"headers": self.headers(tenant)}
        if body is not None:
            kwargs["json"] = body
        return self.http.request(method, path, **kwargs)

    def record(self, resource: str, record_id: int, tenant: str | None = None) -> dict[str, Any]:
        r = self.http.get(
            f"/__mock/records/{resource}/{record_id}", params={"tenant": tenant or self.tenant}
        )
        assert r.status_code == 200, r.text
        return r.json()["data"]

    def journal(self, limit: int = 1, tenant: str | None = None) -> list[dict[str, Any]]:
        """The tenant's last ``limit`` journal entries, newest first."""
        r = self.http.get(
            "/__mock/journal", params={"limit": limit, "tenant": tenant or self.tenant}
        )
        assert r.status_code == 200, r.text
        return list(r.json()["data"])

    def query(
        self, text: str, variables: dict[str, Any] | None = None, tenant: str | None = None
    ) -> dict[str, Any]:
        """The whole answer (``data`` and maybe ``errors``); the HTTP status must be 200."""
        r = self.http.post(
            "/graphql",
            json={"query": text, "variables": variables or {}},
            headers=self.headers(tenant),
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def nodes(
        self,
        root: str,
        selection: str,
        filter: dict[str, Any] | None = None,
        tenant: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every node of a root matching ``filter``, following the cursors page by page."""
        found: list[dict[str, Any]] = []
        after = None
        while True:
            answer = self.query(
                f"query($f: {self.filter_type(root)}, $after: String) {{ {root} {{ "
                f"all(filter: $f, first: 100, after: $after) {{ edges {{ node {{ {selection} }} }} "
                "pageInfo { hasNextPage endCursor } } } }",
                {"f": filter, "after": after},
                tenant,
            )
            assert "errors" not in answer, answer["errors"]
            page = answer["data"][root]["all"]
            found += [edge["node"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    @staticmethod
    def filter_type(root: str) -> str:
        from contracts.graphql_spec import spec

        return spec().roots[root].filter_type


GraphQL = Api
"""The same client: the GraphQL tests read better with the name."""


def order(**attributes: Any) -> dict[str, Any]:
    """A sales order as the vendor's example sends it, for a copy of the demo tenant."""
    base = {
        "goods_out_type": "sales_order",
        "account_id": 1,
        "warehouse_id": 1,
        "reference": "SO-001",
        "expected_date_of_dispatch": "2026-11-24T10:00:00Z",
        "lines_changes": [{"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 10}}],
    }
    return {
        "data": {
            "type": "goods_outs",
            "attributes": {**base, **attributes},
            "relationships": {
                "address": {
                    "data": {
                        "type": "addresses",
                        "attributes": {
                            "name": "John Smith",
                            "address_1": "123 Main Street",
                            "postcode": "AB1 2CD",
                            "country_code": "GB",
                        },
                    }
                }
            },
        }
    }


def receipt(**attributes: Any) -> dict[str, Any]:
    """A goods-in receipt of one line (7 of demo product 2), for a copy of the demo tenant."""
    base = {
        "account_id": 1,
        "warehouse_id": 1,
        "reference": "PO-001",
        "lines_changes": [{"type": "ADD", "attributes": {"product_id": 2, "expected_quantity": 7}}],
    }
    return {"data": {"type": "goods_in_receipts", "attributes": {**base, **attributes}}}
