"""``create_app(settings)``: the Starlette app behind ``clarus-mock serve`` and in-process tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts import operations
from contracts.graphql_spec import index_plan
from contracts.names import nearest
from contracts.registry import status_names
from mock_server import __version__, auth
from mock_server.admin.routes import ROUTES as ADMIN_ROUTES
from mock_server.auth import Client, OAuth, bearer
from mock_server.clock import Clocks, iso
from mock_server.domain.errors import DomainError
from mock_server.domain.floor import STEPS
from mock_server.domain.goods_outs import LINE_PROGRESS, LINES
from mock_server.errors import ApiError, TenantError, error_response, json_response
from mock_server.fault_injection import InjectFaults
from mock_server.faults import Faults
from mock_server.fixtures import Pack, load_pack, seed
from mock_server.floor import Floor, durations
from mock_server.graphql.routes import ROUTES as GRAPHQL_ROUTES
from mock_server.rest.routes import rest_routes
from mock_server.settings import Settings
from mock_server.store import Job, RuntimeTenant, Store, Transition
from mock_server.traffic import Traffic
from mock_server.unit import change
from mock_server.webhooks.chaos import Chaos
from mock_server.webhooks.worker import Worker

log = logging.getLogger("clarus_mock")


@dataclass
class MockState:
    """Everything one server holds: settings, store, clock, OAuth clients, journal, snapshots,
    fault rules."""

    settings: Settings
    pack: Pack
    store: Store
    clocks: Clocks
    worker: Worker
    floor: Floor
    oauth: OAuth = field(default_factory=OAuth)
    journal: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=10_000))
    snapshots: dict[str, Any] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    seeded: Any = None
    traffic: Traffic = field(default_factory=Traffic)  # requests in progress (the worker waits)
    _runtime: dict[str, RuntimeTenant] | None = None  # cached: the journal asks on every request

    @property
    def runtime(self) -> dict[str, RuntimeTenant]:
        """The tenants made at run time, by name."""
        if self._runtime is None:
            self._runtime = {t.name: t for t in self.store.runtime_tenants()}
        return self._runtime

    def reset(self, tenant: str | None = None) -> None:
        """Back to the fixture pack: everything (a snapshot restore, which also forgets the
        tenants made at run time, and no fault rules) or one tenant (a runtime one becomes a copy of
        its source again).
        """
        if tenant is None:
            self.restore(self.seeded)
            self.faults.clear()
            self.worker.chaos.reset()
            return
        runtime = self.runtime
        with self.store.transaction():
            self.store.clear(tenant)
            self.clocks.forget(tenant)
            if tenant in runtime:
                self.store.copy_tenant(runtime[tenant].source, tenant)
            else:
                seed(self.store, self.pack, tenant)
        self.worker.forget(tenant)

    def restore(self, snapshot: Any) -> None:
        """Put a store snapshot back: records, tokens, clocks and runtime tenants as they were."""
        self.store.restore(snapshot)  # replaces the whole database
        self.worker.forget()  # a delivery made from now on may reuse an id in flight
        self.clocks.forget()
        self._runtime = None
        self.oauth.clients = {c.client_id: c for c in self.pack.clients}
        self.oauth.clients |= {t.client_id: _client(t) for t in self.runtime.values()}

    def tenant_names(self) -> list[str]:
        """The pack's tenants, then those made at run time."""
        return [*sorted(self.pack.tenants), *self.runtime]

    def has_tenant(self, name: str) -> bool:
        return name in self.pack.tenants or name in self.runtime

    def add_tenant(self, source: str, name: str | None = None) -> RuntimeTenant:
        """A new tenant copied from ``source`` as it is now, with its own OAuth client.

        Raises :class:`TenantError` when ``source`` does not exist, ``name`` is taken or is not a
        subdomain (lowercase letters, digits and ``-``, at most 63).
        """
        if not self.has_tenant(source):
            raise TenantError(
                f"no tenant {source!r} to copy (tenants: {', '.join(self.tenant_names())})"
            )
        name = name or f"t-{secrets.token_hex(4)}"
        if not _SUBDOMAIN.fullmatch(name):
            raise TenantError(
                f"subdomain {name!r}: lowercase letters, digits and '-', starting with a letter "
                "or digit, at most 63"
            )
        if self.has_tenant(name):
            raise TenantError(f"tenant {name!r} exists already")
        tenant = RuntimeTenant(
            name, source, f"{name}-client", secrets.token_urlsafe(16), self.clocks.wall()
        )
        with self.store.transaction():
            self.store.copy_tenant(source, name)
            self.store.add_tenant(tenant)
        self.oauth.clients[tenant.client_id] = _client(tenant)
        self.runtime[name] = tenant
        return tenant

    def drop_tenant(self, name: str) -> None:
        """Forget a tenant made at run time; raises :class:`TenantError` for a pack tenant."""
        runtime = self.runtime
        if name not in runtime:
            raise TenantError(
                f"{name!r} is a fixture pack tenant; reset it instead"
                if name in self.pack.tenants
                else f"no tenant {name!r}"
            )
        with self.store.transaction():
            self.store.drop_tenant(name)
        self.worker.forget(name)  # its attempts hold bodies already loaded: they must not go out
        self.clocks.forget(name)
        self.oauth.clients.pop(runtime.pop(name).client_id, None)


_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _client(tenant: RuntimeTenant) -> Client:
    return Client(tenant.client_id, tenant.client_secret, tenant.name)


@lru_cache(maxsize=1)
def _known_paths() -> list[str]:
    return sorted({op.prefix + op.path for op in operations().values()})


@lru_cache(maxsize=1024)
def _nearest_route(path: str) -> str | None:
    """The route most like ``path``, if one is close: scoring every route costs a millisecond,
    and a client that sends one wrong path sends it again and again."""
    near = nearest(path.replace("/api/v1/", "/api/"), _known_paths(), limit=1, cutoff=0.5)
    return near[0] if near else None


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """Every method some route serves at the scope's path (mounts included)."""
    methods: set[str] = set()
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.NONE:
            continue
        if isinstance(route, Mount):
            methods |= allowed_methods(route.routes, {**scope, **child})
        elif isinstance(route, Route) and route.methods:
            methods |= route.methods
    return methods


async def _not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    if status == 405:
        # Routing rewrote the scope for the mount it entered; match from the top again.
        scope = request.scope
        top = {**scope, "root_path": scope.get("app_root_path", ""), "path_params": {}}
        # Every route answers OPTIONS (below), so the Allow header names it too (RFC 9110 10.2.1).
        allowed = ", ".join([*sorted(allowed_methods(request.app.routes, top)), "OPTIONS"])
        if request.method == "OPTIONS":
            return Response(
                status_code=204, headers={"Allow": allowed, "X-Clarus-Mock-Version": __version__}
            )
        return error_response(
            ApiError(
                405,
                f"{request.method} is not allowed here; allowed: {allowed}",
                headers={"Allow": allowed},
            )
        )
    near = _nearest_route(request.url.path)
    hint = f"; did you mean {near}?" if near else ""
    return error_response(ApiError(404, f"no route {request.method} {request.url.path}{hint}"))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


# Request ids name a journal entry; they need not be secret, and drawing them from the OS
# (secrets.token_hex) made a system call per request.
_REQUEST_IDS = random.Random()


class Journal:
    """ASGI middleware: request id, version header, the journal entry, and a JSON 500 for surprises."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"{_REQUEST_IDS.getrandbits(64):016x}"
        started = time.perf_counter()
        # Made here so that the middlewares inside, which copy the scope, write to this one dict.
        scope.setdefault("state", {})
        status = {"code": 500}

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        mock = scope["app"].state.mock
        traffic = mock.traffic
        traffic.enter()
        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            full = mock.store.storage_error(exc)
            if full is not None:
                # Not the client's fault nor a bug: the machine's; say so, and no trace.
                log.error("request %s: %s", request_id, full)
                body = {"error": f"{full}; request id {request_id}", "request_id": request_id}
                response = json_response(body, 507, {"X-Request-Id": request_id})
            else:
                log.exception("unexpected error in request %s", request_id)
                body = {
                    "error": f"internal error; request id {request_id} (see the server log)",
                    "request_id": request_id,
                }
                response = json_response(body, 500, {"X-Request-Id": request_id})
            await response(scope, receive, send)
        finally:
            traffic.leave()
        self._record(scope, request_id, status["code"], started)

    def _record(self, scope: Scope, request_id: str, status: int, started: float) -> None:
        path = scope["path"]
        if path.startswith("/__mock"):
            return
        state = scope.get("state", {})
        mock = scope["app"].state.mock
        tenant = state.get("tenant")
        # The tenant's time when the request named a known tenant; formatted when read.
        at = mock.clocks.now(tenant) if tenant and mock.has_tenant(tenant) else time.time()
        mock.journal.append(
            {
                "id": request_id,
                "at": at,
                "method": scope["method"],
                "path": path,
                "tenant": tenant,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "operation": state.get("operation"),
                "violations": [v.to_dict() for v in state.get("violations", [])],
                "fault": state.get("fault"),  # the id of the /__mock/faults rule that fired
            }
        )


class SameRouteWithSlash:
    """ASGI middleware: ``/api/products/`` is ``/api/products``, as in the vendor's routing.

    Starlette would answer a 307 redirect with an empty body, which most HTTP clients do not follow
    for a POST.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}
        await self.app(scope, receive, send)


class AdminGuard:
    """With --admin-token, /__mock needs ``Authorization: Bearer <admin token>``."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token and scope["type"] == "http" and scope["path"].startswith("/__mock"):
            header = dict(scope["headers"]).get(b"authorization", b"")
            # Compared as bytes: a header that is not UTF-8 is a wrong token, not a crash.
            given = (bearer(header.decode("latin-1")) or "").encode("latin-1")
            if not secrets.compare_digest(given, self.token.encode("utf-8")):
                await error_response(ApiError(401, "admin token required for /__mock"))(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the server: load the fixture pack, seed the store, mount every route."""
    settings = settings or Settings()
    pack = load_pack(settings.fixtures)
    store = _store(settings.data, now=lambda tenant: clocks.now(tenant))
    clocks = Clocks(store, settings.clock)
    traffic = Traffic()
    worker = Worker(
        store,
        clocks,
        base_url=f"http://{settings.host}:{settings.port}",
        chaos=Chaos(seed=settings.chaos_seed or 0),
        traffic=traffic,
    )
    floor = Floor(
        store, clocks, lambda tenant, job: run_job(state, tenant, job), durations(pack.floor)
    )
    state = MockState(settings, pack, store, clocks, worker, floor, traffic=traffic)
    state.oauth.clients = {c.client_id: c for c in pack.clients}
    state.oauth.clients |= {t.client_id: _client(t) for t in store.runtime_tenants()}
    state.oauth.lifetime = pack.token_lifetime
    if store.tenants():  # a persistent file keeps its state across restarts
        state.seeded = _seed_snapshot(pack)
    else:
        with store.transaction():
            seed(store, pack)
        state.seeded = store.snapshot()  # the pack as seeded: what a full reset returns to
    api = rest_routes()
    app = Starlette(
        routes=[
            *auth.ROUTES,
            *GRAPHQL_ROUTES,
            Mount("/api/v1", routes=api),
            Mount("/api", routes=api),
            Mount("/__mock", routes=ADMIN_ROUTES),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _not_found},
        lifespan=_lifespan,
        middleware=[
            Middleware(Journal),
            Middleware(SameRouteWithSlash),
            Middleware(InjectFaults),  # inside the journal, which records the fault
            Middleware(AdminGuard, token=settings.admin_token),
        ],
    )
    app.state.mock = state
    log.info(
        "clarus-mock: %d routes under /api and /api/v1, %d operations validated",
        len(api),
        len(operations()),
    )
    return app


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """Start the delivery worker and the floor with the server; stop them with it."""
    mock = app.state.mock
    mock.worker.start()
    tasks = [asyncio.create_task(mock.floor.run(mock.worker.wake), name="floor")]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await mock.worker.stop()


def run_job(state: MockState, tenant: str, job: Job) -> list[dict[str, Any]]:
    """One floor step in its own change (transaction, next steps, outbox); answers the transitions
    it made. A step the domain refuses (the order was cancelled meanwhile) is dropped quietly; one
    that fails is logged and dropped, so the floor goes on. One the store could not write (a full
    disk) is kept for the next try, and its StorageError raised."""
    step = STEPS.get(job.kind)
    try:
        with change(state, tenant) as unit:
            state.store.delete_job(job.id)
            if step is None:
                log.warning("floor of %s: no step %r", tenant, job.kind)
            else:
                state.floor.follow(tenant, step(unit.env, int(job.payload["id"])))
        return [shown_transition(t) for t in unit.transitions]
    except DomainError as exc:
        log.info("floor of %s: %s %s skipped: %s", tenant, job.kind, job.payload, exc)
    except Exception as exc:
        failure = state.store.storage_error(exc)
        if failure is not None:  # not the job's fault: it stays due
            raise failure from exc
        log.exception("floor of %s: job %s (%s) failed and was dropped", tenant, job.id, job.kind)
    state.store.delete_job(job.id)
    return []


def shown_transition(t: Transition) -> dict[str, Any]:
    """``{resource, id, from, to, at}``; statuses stored as ids show as their codes (PENDING)."""
    codes = status_names(t.resource)
    return {
        "resource": t.resource,
        "id": t.id,
        "from": codes.get(t.from_, t.from_),
        "to": codes.get(t.to, t.to),
        "at": iso(t.at),
    }


def _store(path: str | None = None, now: Callable[[str], float] | None = None) -> Store:
    """The server's store: filtered fields indexed (from the schemas), and the values a new order
    line starts with left out of its row (40% of a 20-line order's bytes)."""
    return Store(path, indexes=index_plan(), now=now, defaults={LINES: LINE_PROGRESS})


def _seed_snapshot(pack: Pack) -> Any:
    fresh = _store()
    with fresh.transaction():
        seed(fresh, pack)
    return fresh.snapshot()
