"""Webhook fixtures: the server in process with its delivery worker (helpers in ``automations.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.api import Api


@pytest.fixture
def server() -> Iterator[Api]:
    """The demo server with its worker running, clocks in realtime."""
    app = create_app(Settings())
    with TestClient(app, base_url="http://testserver") as client:
        yield Api(client, app.state.mock)


@pytest.fixture
def manual() -> Iterator[Api]:
    """The demo server with every tenant's clock on manual."""
    app = create_app(Settings(clock="manual"))
    with TestClient(app, base_url="http://testserver") as client:
        yield Api(client, app.state.mock)
