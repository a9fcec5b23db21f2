"""GraphQL fixtures: the demo server in process (``GraphQL``, the client, is in ``tests/api.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from tests.api import GraphQL


@pytest.fixture
def gql() -> Iterator[GraphQL]:
    app = create_app()
    with TestClient(app, base_url="http://testserver") as client:
        yield GraphQL(client, app.state.mock)
