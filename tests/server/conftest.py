"""API test fixtures: one app per test, reached in-process and over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from mock_server.testing import free_port, serving


class Api:
    """A client with a token for one tenant, plus helpers the tests share."""

    def __init__(self, http: httpx.Client, app: Any) -> None:
        self.http = http
        self.app = app
        self.tokens: dict[str, str] = {}

    def token(self, tenant: str = "demo") -> str:
        if tenant not in self.tokens:
            r = self.http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": f"{tenant}-client",
                    "client_secret": f"{tenant}-secret",
                },
            )
            assert r.status_code == 200, r.text
            self.tokens[tenant] = r.json()["access_token"]
        return self.tokens[tenant]

    def headers(self, tenant: str = "demo") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(tenant)}", "X-Clarus-Subdomain": tenant}

    def call(
        self, method: str, path: str, body: Any = None, tenant: str = "demo"
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {"headers": self.headers(tenant)}
        if body is not None:
            kwargs["json"] = body
        return self.http.request(method, path, **kwargs)

    def record(self, resource: str, record_id: int, tenant: str = "demo") -> dict[str, Any]:
        r = self.http.get(f"/__mock/records/{resource}/{record_id}", params={"tenant": tenant})
        assert r.status_code == 200, r.text
        return r.json()["data"]

    def query(
        self, text: str, variables: dict[str, Any] | None = None, tenant: str = "demo"
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
        self, root: str, selection: str, filter: dict[str, Any] | None = None, tenant: str = "demo"
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


_free_port = free_port


@pytest.fixture(params=["asgi", "http"])
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    app = create_app(Settings())
    if request.param == "asgi":
        with TestClient(app, base_url="http://testserver") as client:
            yield Api(client, app)
        return
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield Api(client, app)


@pytest.fixture
def live() -> Iterator[Api]:
    """Over real HTTP only, for tests of programs that talk to a running server."""
    app = create_app(Settings())
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield Api(client, app)


@pytest.fixture
def asgi() -> Iterator[Api]:
    """In-process only, for tests that reach into the app (clock, handlers)."""
    app = create_app(Settings())
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield Api(client, app)


def order(**attributes: Any) -> dict[str, Any]:
    """A sales order as the vendor's example sends it, for the demo tenant."""
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
