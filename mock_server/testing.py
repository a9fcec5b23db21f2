"""Test helpers: a server on a loopback port, a fresh tenant, its clock, a webhook receiver.

The pytest plugin (:mod:`mock_server.pytest_plugin`) builds its fixtures from these, and they work
without pytest too::

    with local_server() as server:
        tenant = server.new_tenant()
        with tenant.client() as client:
            client.post("/api/products", json={...})

:func:`local_server` listens on a loopback port; :func:`in_process` reaches the app without a socket
(Starlette's ``TestClient``), for tests of what the app does with a request only ASGI can send.

Everything goes through HTTP (the API and ``/__mock``), so the same code drives a server on a loopback
port, one already running elsewhere (``Server("http://127.0.0.1:8765")``, the Docker image...), or
one reached without a socket (:func:`in_process`, Starlette's ``TestClient``).
"""

from __future__ import annotations

import functools
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

# Without TCP_NODELAY a POST's body waits for the ACK of its headers, which the server delays by
# 40 ms: every control request and every test request would pay it.
NO_DELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


def transport() -> httpx.HTTPTransport:
    """An httpx transport that sends small requests at once (TCP_NODELAY) and shares one TLS
    context: building one takes 20 ms, longer than a whole test's requests to a local server."""
    return httpx.HTTPTransport(socket_options=NO_DELAY, verify=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class ServerError(RuntimeError):
    """The server refused a control request, or is not there; the message says which."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve an ASGI ``app`` with uvicorn in a thread; yield its base URL; stop it on exit."""
    import uvicorn

    from mock_server.traffic import protocol_for

    port = port or free_port(host)
    mock = getattr(getattr(app, "state", None), "mock", None)  # clarus-mock's app, or any other
    http = protocol_for(mock.traffic) if mock is not None else "auto"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", http=http)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"clarus-mock:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ServerError(f"the server did not start on {host}:{port}")
        time.sleep(0.005)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Server:
    """A clarus-mock server reached over HTTP; ``state`` is its in-process state when local."""

    def __init__(
        self,
        url: str,
        state: Any = None,
        admin_token: str | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.state = state
        headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self.http = http or httpx.Client(
            base_url=self.url, headers=headers, timeout=30, transport=transport()
        )
        # In process the clients share the TestClient's transport: it runs the app on the event
        # loop its lifespan started, where a second TestClient would start another.
        self._transport: httpx.BaseTransport | None = http._transport if http else None

    def transport(self) -> httpx.BaseTransport:
        """The transport a new client of this server uses."""
        return self._transport or transport()

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """A ``/__mock`` request; the JSON answer, or :class:`ServerError` with the server's words."""
        try:
            response = self.http.request(method, "/__mock" + path, json=body)
        except httpx.HTTPError as exc:
            raise ServerError(f"no clarus-mock at {self.url}: {exc}") from None
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise ServerError(f"{method} /__mock{path}: {response.status_code} {message}")
        return response.json() if response.content else None

    def new_tenant(self, source: str = "demo", clock: str | None = "manual") -> Tenant:
        """A fresh tenant: a copy of ``source`` with its own OAuth client (milliseconds)."""
        body: dict[str, Any] = {"from": source}
        if clock:
            body["clock"] = clock
        made = self.control("POST", "/tenants", body)["data"]
        return Tenant(
            self, made["subdomain"], made["client_id"], made["client_secret"], made["access_token"]
        )

    def close(self) -> None:
        self.http.close()


@contextmanager
def local_server(settings: Any = None) -> Iterator[Server]:
    """A server in this process on a free loopback port (``create_app(settings)``)."""
    from mock_server.app import create_app

    app = create_app(settings)
    with serving(app) as url:
        server = Server(url, app.state.mock)
        try:
            yield server
        finally:
            server.close()


@contextmanager
def in_process(settings: Any = None) -> Iterator[Server]:
    """A server reached without a socket: ``create_app(settings)`` behind Starlette's
    ``TestClient`` (its lifespan running, so the floor and the webhook worker too). ``url`` is
    ``http://testserver``; ``http`` answers errors the app raises as 500s, as uvicorn would."""
    from starlette.testclient import TestClient

    from mock_server.app import create_app

    app = create_app(settings)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield Server(str(client.base_url), app.state.mock, http=client)


class RenewedBearer(httpx.Auth):
    """Bearer auth for a :class:`Tenant` that fetches a new token when the server answers 401, as
    an OAuth client-credentials client does when its token expires.

    Tokens expire after two hours of the tenant's time, and an instant clock moves the tenant
    five and a half minutes ahead with every order the floor completes: a test that makes a few
    dozen orders outlives its first token.
    """

    requires_request_body = True  # the request is sent again after a renewal

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.tenant.token()}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self.tenant.renew()}"
            yield request


@dataclass
class Tenant:
    """One tenant of a server: its subdomain and OAuth client."""

    server: Server
    subdomain: str
    client_id: str
    client_secret: str
    _token: str | None = field(default=None, repr=False)

    def token(self) -> str:
        """A bearer token (client credentials), fetched once."""
        if self._token is None:
            response = self.server.http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            if response.status_code != 200:
                raise ServerError(f"no token for {self.client_id}: {response.text}")
            self._token = str(response.json()["access_token"])
        return self._token

    def headers(self) -> dict[str, str]:
        """``Authorization`` and ``X-Clarus-Subdomain`` for this tenant."""
        return {"Authorization": f"Bearer {self.token()}", "X-Clarus-Subdomain": self.subdomain}

    def renew(self) -> str:
        """Forget the token and fetch a new one (the old one expired on the tenant's clock)."""
        self._token = None
        return self.token()

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client with the server's URL, the subdomain and a token that is renewed when
        the server says it expired (and TCP_NODELAY, unless ``transport`` is given)."""
        kwargs.setdefault("transport", self.server.transport())
        headers = {"X-Clarus-Subdomain": self.subdomain, **kwargs.pop("headers", {})}
        return httpx.Client(
            base_url=self.server.url, headers=headers, auth=RenewedBearer(self), **kwargs
        )

    def query(self, text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A GraphQL query's ``data``; raises :class:`ServerError` when it answers ``errors``."""
        body = {"query": text, "variables": variables or {}}
        response = self.server.http.post("/graphql", json=body, headers=self.headers())
        if response.status_code == 401:  # expired on the tenant's clock: renew once
            self.renew()
            response = self.server.http.post("/graphql", json=body, headers=self.headers())
        answer = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise ServerError(f"GraphQL: {answer.get('errors') or response.text}")
        return dict(answer["data"])

    @property
    def clock(self) -> Clock:
        return Clock(self.server, self.subdomain)

    def journal(self) -> list[dict[str, Any]]:
        """The requests this tenant received, oldest first, each with its contract verdict."""
        found = self.server.control("GET", f"/journal?tenant={self.subdomain}&limit=10000")
        return list(reversed(found["data"]))

    def deliveries(self) -> list[dict[str, Any]]:
        """The tenant's webhook deliveries, oldest first."""
        found = self.server.control(
            "GET", f"/webhooks/deliveries?tenant={self.subdomain}&limit=10000"
        )
        return list(reversed(found["data"]))

    def drop(self) -> None:
        """Forget the tenant on the server."""
        self.server.control("DELETE", f"/tenants/{self.subdomain}")


@dataclass(frozen=True)
class Clock:
    """A tenant's clock: read it, set it, advance it, step the floor."""

    server: Server
    tenant: str

    def now(self) -> str:
        return str(self.server.control("GET", f"/clock?tenant={self.tenant}")["now"])

    def set(
        self, mode: str | None = None, now: str | None = None, speed: float | None = None
    ) -> dict[str, Any]:
        """Change mode, time or speed; answers the clock and the transitions on the way."""
        body = {"tenant": self.tenant, "mode": mode, "now": now, "speed": speed}
        return dict(
            self.server.control("POST", "/clock", {k: v for k, v in body.items() if v is not None})
        )

    def advance(self, by: str | float) -> list[dict[str, Any]]:
        """Move forward (``"90s"``, ``"2h"``, seconds); the transitions the floor made meanwhile."""
        answer = self.server.control("POST", "/clock/advance", {"tenant": self.tenant, "by": by})
        return list(answer["transitions"])

    def step(self) -> list[dict[str, Any]]:
        """The floor's next step (the clock moves to it); its transitions."""
        answer = self.server.control("POST", "/floor/step", {"tenant": self.tenant})
        return list(answer["transitions"])


@dataclass(frozen=True)
class Call:
    """One webhook call the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def automation_id(self) -> str | None:
        return self.headers.get("x-claruswms-automation-id")


class Receiver:
    """A webhook receiver on a loopback port (standard library HTTP server in a thread).

    ``url`` goes into an automation's ``url`` parameter; ``calls`` lists what arrived, with
    ``called``, ``call_count`` and ``last`` as respx has them. ``status`` is what it answers.
    """

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[Call] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                call = Call(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._arrived:
                    receiver.calls.append(call)
                    receiver._arrived.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test reads calls, not logs

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def called(self) -> bool:
        return bool(self.calls)

    @property
    def call_count(self) -> int:
        return len(self.calls)

    @property
    def last(self) -> Call:
        if not self.calls:
            raise AssertionError("the receiver got no call")
        return self.calls[-1]

    def wait(self, check: Callable[[list[Call]], Any], timeout: float = 5.0) -> Any:
        """Until ``check(calls)`` is truthy (its value is returned); AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = check(list(self.calls))
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no matching webhook call within {timeout:g} s ({len(self.calls)} arrived)"
                    )
                self._arrived.wait(left)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Webhooks(Receiver):
    """A receiver tied to a tenant, so it can wait for an event by name."""

    def __init__(self, tenant: Tenant, status: int = 200) -> None:
        super().__init__(status)
        self.tenant = tenant

    def wait_for(self, event: str, record_id: int | None = None, timeout: float = 5.0) -> Call:
        """The call of the first delivery of ``event`` (for ``record_id``, when given) to this
        receiver; AssertionError naming what arrived when none comes within ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            for delivery in self.tenant.deliveries():
                if delivery.get("url") != self.url or delivery["event"] != event:
                    continue
                if record_id is not None and delivery["record_id"] != record_id:
                    continue
                matching = self._call_of(delivery)
                if matching is not None:
                    return matching
            if time.monotonic() > deadline:
                seen = [(d["event"], d["record_id"], d["state"]) for d in self.tenant.deliveries()]
                raise AssertionError(
                    f"no {event!r} webhook within {timeout:g} s; deliveries: {seen}"
                )
            time.sleep(0.01)

    def _call_of(self, delivery: dict[str, Any]) -> Call | None:
        for call in self.calls:
            try:
                data = call.json().get("data", {})
            except ValueError:
                continue
            if (
                call.automation_id == str(delivery["automation_id"])
                and data.get("id") == delivery["record_id"]
            ):
                return call
        return None
