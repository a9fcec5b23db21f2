"""Floor fixtures: the demo server with every tenant's clock on manual or instant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.api import Api


def _server(clock: str) -> Iterator[Api]:
    app = create_app(Settings(clock=clock))
    with TestClient(app, base_url="http://testserver") as client:
        yield Api(client, app.state.mock)


@pytest.fixture
def manual() -> Iterator[Api]:
    """Nothing moves until the test advances the clock or steps the floor."""
    yield from _server("manual")


@pytest.fixture
def instant() -> Iterator[Api]:
    """Every floor step runs as soon as the write that causes it commits."""
    yield from _server("instant")
