"""/__mock/tenants: make a tenant at run time (a copy of another, with its own OAuth client)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.admin.control import json_body, only, text_of
from mock_server.auth import client_credentials_token
from mock_server.errors import ApiError, TenantError, json_response
from mock_server.store import RuntimeTenant


def shown(tenant: RuntimeTenant) -> dict[str, Any]:
    return {
        "subdomain": tenant.name,
        "copied_from": tenant.source,
        "client_id": tenant.client_id,
        "client_secret": tenant.client_secret,
    }


async def tenants(request: Request) -> Response:
    """GET: every tenant (``{"data": [{subdomain, pack?, copied_from?, client_id?...}]}``).

    POST ``{"from"?: "demo", "subdomain"?: "shop-a", "clock"?: "manual"}``: a new tenant, a copy
    of ``from`` as it is now, with its own client and a first ``access_token`` (201). Without
    ``subdomain`` a name is made up.
    """
    app = request.app.state.mock
    if request.method == "GET":
        made = [shown(t) for t in app.runtime.values()]
        packed = [{"subdomain": name, "pack": app.pack.name} for name in sorted(app.pack.tenants)]
        return json_response({"data": [*packed, *made]})
    body = await json_body(request)
    only(body, "from", "subdomain", "clock")
    source = text_of(body, "from") or "demo"
    mode = text_of(body, "clock")
    if mode not in (None, "instant", "realtime", "manual"):
        raise ApiError(422, f"clock {mode!r}: instant, realtime or manual")
    try:
        tenant = app.add_tenant(source, text_of(body, "subdomain"))
    except TenantError as exc:
        raise ApiError(422, str(exc)) from None
    if mode is not None:
        app.clocks.set(tenant.name, mode)
    # A token too, so a test needs one request, not two, before its first call.
    token = client_credentials_token(app, app.oauth.clients[tenant.client_id])
    return json_response({"data": {**shown(tenant), "access_token": token["access_token"]}}, 201)


async def tenant(request: Request) -> Response:
    """DELETE /__mock/tenants/{subdomain}: forget a tenant made at run time (204)."""
    try:
        request.app.state.mock.drop_tenant(request.path_params["name"])
    except TenantError as exc:
        raise ApiError(404 if "no tenant" in str(exc) else 409, str(exc)) from None
    return Response(status_code=204)


ROUTES = [
    Route("/tenants", tenants, methods=["GET", "POST"]),
    Route("/tenants/{name}", tenant, methods=["DELETE"]),
]
