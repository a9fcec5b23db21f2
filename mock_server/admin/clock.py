"""/__mock/clock: read, set and advance the tenants' clocks (the floor catches up as they move)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.admin.control import json_body, only, tenant_of
from mock_server.clock import ClockError, parse_duration
from mock_server.errors import ApiError, json_response

if TYPE_CHECKING:
    from mock_server.app import MockState


def _tenants(request: Request, body: dict[str, Any]) -> list[str]:
    """The tenant named (404 when the pack has none of that name), else every tenant."""
    # Starlette's State answers Any; create_app puts a MockState there.
    app: MockState = request.app.state.mock
    tenant = tenant_of(request, body)
    if tenant is None:
        return app.tenant_names()
    if not app.has_tenant(tenant):
        raise ApiError(404, f"no tenant {tenant!r} (tenants: {', '.join(app.tenant_names())})")
    return [tenant]


def _answer(app: Any, tenants: list[str], named: bool, extra: dict[str, Any]) -> Response:
    clocks = [app.clocks.describe(t) for t in tenants]
    if named:
        return json_response({**clocks[0], **extra})
    return json_response({"data": clocks, **extra})


async def clock(request: Request) -> Response:
    """GET /__mock/clock -> ``{tenant, now, mode, speed}`` (``{"data": [...]}`` for every tenant);
    POST it with ``{"mode"?, "now"?, "speed"?}`` to change them (``now``: ISO 8601 or epoch
    seconds, inside ``clock.RANGE``; ``speed`` at most ``clock.MAX_SPEED``; else 422, unchanged)."""
    app = request.app.state.mock
    body = await json_body(request) if request.method == "POST" else {}
    tenants = _tenants(request, body)
    only(body, "mode", "now", "speed", "tenant")
    transitions: list[dict[str, Any]] = []
    if request.method == "POST":
        try:
            for tenant in tenants:
                app.clocks.set(tenant, body.get("mode"), body.get("now"), body.get("speed"))
                transitions += app.floor.catch_up(tenant)
        except ClockError as exc:
            raise ApiError(422, str(exc)) from None
        app.worker.wake()
    extra = {"transitions": transitions} if request.method == "POST" else {}
    return _answer(app, tenants, tenant_of(request, body) is not None, extra)


async def advance(request: Request) -> Response:
    """POST /__mock/clock/advance ``{"by": "90s" | "2h" | seconds}``: the floor does every step that
    falls due on the way, each at its own time; answers the clocks and ``transitions``. A ``by``
    that would take any of the clocks past ``clock.LATEST`` is 422 and moves none of them."""
    app = request.app.state.mock
    body = await json_body(request)
    only(body, "by", "tenant")  # {"by": "2h", "tennant": ...} must not move every clock
    if "by" not in body:
        raise ApiError(422, 'say how far: {"by": "90s"} (or "2m", "2h", "1d", or seconds)')
    try:
        seconds = parse_duration(body["by"])
    except ClockError as exc:
        raise ApiError(422, f"by {exc}") from None
    tenants = _tenants(request, body)
    try:
        # Every tenant's target first: one clock that cannot go that far leaves them all as they were.
        targets = {tenant: app.clocks.target(tenant, seconds) for tenant in tenants}
    except ClockError as exc:
        raise ApiError(422, f"by {body['by']!r}: {exc}") from None
    transitions: list[dict[str, Any]] = []
    for tenant, target in targets.items():
        transitions += app.floor.advance_to(tenant, target)
    app.worker.wake()
    return _answer(app, tenants, tenant_of(request, body) is not None, {"transitions": transitions})


async def step(request: Request) -> Response:
    """POST /__mock/floor/step: the next floor step of each tenant (the clock moves to it)."""
    app = request.app.state.mock
    body = await json_body(request)
    only(body, "tenant")
    transitions: list[dict[str, Any]] = []
    for tenant in _tenants(request, body):
        transitions += app.floor.step(tenant)
    app.worker.wake()
    return json_response({"transitions": transitions})


ROUTES = [
    Route("/clock", clock, methods=["GET", "POST"]),
    Route("/clock/advance", advance, methods=["POST"]),
    Route("/floor/step", step, methods=["POST"]),
]
