"""GraphQL fixtures: the demo server in process, and a helper that posts a query for a tenant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from tests.server.conftest import Api


class GraphQL(Api):
    """An :class:`Api` that also posts GraphQL queries."""

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


@pytest.fixture
def gql() -> Iterator[GraphQL]:
    app = create_app()
    with TestClient(app, base_url="http://testserver") as client:
        yield GraphQL(client, app)
