"""API test fixtures: a fresh tenant per test on the plugin's server, or a whole server reset.

- ``api``: the test's own tenant (a copy of the pack's ``demo``, so the demo pack's ids hold) on the
  plugin's session server (``clarus_server``), over real HTTP. Options by the plugin's marker:
  ``@pytest.mark.clarus(strict=True, ...)`` puts the test on the session's strict server.
- ``api_over_both``: the same, parametrized over real HTTP and in process (ASGI, a session server
  of its own); a module whose tests are about how a request travels takes ``api`` from it.
- ``live`` and ``asgi``: the whole of a session server (over HTTP, or in process), reset to the
  pack before each test, for what reaches past one tenant: fault rules, reset of everything,
  snapshots, the tenant list, the pack's own clients, a patched handler. Only a test that needs
  Settings of its own (an admin token, a data file) still makes an app. ``whole_over_both`` is
  either, parametrized.

Every test module here marks itself ``SERVER_TESTS`` (``tests/api.py``): contract reports off, as
the tests send bad payloads on purpose, and realtime clocks, as ``clarus-mock serve`` has.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from mock_server.settings import Settings
from mock_server.testing import Server, Tenant, in_process, local_server, transport
from tests.api import Api


@contextmanager
def _over_http(server: Server, tenant: Tenant) -> Iterator[Api]:
    with httpx.Client(base_url=server.url, timeout=10, transport=transport()) as http:
        api = Api(http, server.state, tenant)
        yield api
        api.close()


@pytest.fixture
def api(clarus_server: Server, clarus_tenant: Tenant) -> Iterator[Api]:
    """The test's tenant on the plugin's server, over real HTTP."""
    with _over_http(clarus_server, clarus_tenant) as api:
        yield api


@pytest.fixture(scope="session")
def _asgi_server() -> Iterator[Server]:
    with in_process(Settings()) as server:
        yield server


@pytest.fixture(params=["http", "asgi"])
def api_over_both(request: pytest.FixtureRequest) -> Iterator[Api]:
    """The test's tenant over real HTTP (the plugin's) and in process (a fresh copy of demo on a
    session server reached through ASGI). A module takes it as its ``api``::

        @pytest.fixture
        def api(api_over_both: Api) -> Api:
            return api_over_both
    """
    if request.param == "http":
        plugin = request.getfixturevalue("clarus_server")
        with _over_http(plugin, request.getfixturevalue("clarus_tenant")) as api:
            yield api
        return
    server: Server = request.getfixturevalue("_asgi_server")
    tenant = server.new_tenant("demo", clock="realtime")
    api = Api(server.http, server.state, tenant)
    yield api
    api.close()
    tenant.drop()


@pytest.fixture(scope="session")
def _live_server() -> Iterator[Server]:
    with local_server(Settings()) as server:
        yield server


@pytest.fixture
def live(_live_server: Server) -> Iterator[Api]:
    """The whole of a server over real HTTP, back to the pack (``/__mock/reset``: no tenant made
    at run time, no fault rule) before and after the test; for programs that talk to a running
    server."""
    with (
        _reset(_live_server),
        httpx.Client(base_url=_live_server.url, timeout=10, transport=transport()) as http,
    ):
        yield Api(http, _live_server.state)


@pytest.fixture
def asgi(_asgi_server: Server) -> Iterator[Api]:
    """The whole of a server in process, back to the pack before and after the test; errors the
    app raises answer 500."""
    with _reset(_asgi_server):
        yield Api(_asgi_server.http, _asgi_server.state)


@contextmanager
def _reset(server: Server) -> Iterator[None]:
    """The server back to the pack before and after: ``api_over_both`` copies its demo tenant."""
    server.control("POST", "/reset")
    yield
    server.control("POST", "/reset")


@pytest.fixture(params=["http", "asgi"])
def whole_over_both(request: pytest.FixtureRequest) -> Api:
    """``live`` and ``asgi`` in turn."""
    api: Api = request.getfixturevalue("live" if request.param == "http" else "asgi")
    return api
