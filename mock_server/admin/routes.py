"""/__mock: health, reset, snapshots, the request journal and a convenience record read."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts import operations
from mock_server.admin import clock, faults, tenants, webhooks
from mock_server.admin.control import json_body, limit_of, only, tenant_of, text_of
from mock_server.clock import iso
from mock_server.errors import ApiError, json_response
from mock_server.rest.render import resource_object

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


async def health(request: Request) -> Response:
    app = request.app.state.mock
    return json_response(
        {
            "status": "ok",
            "pack": app.pack.name,
            "tenants": app.tenant_names(),
            "operations": len(operations()),
        }
    )


async def reset(request: Request) -> Response:
    """POST /__mock/reset: everything, or one tenant, back to the fixture pack (everything also
    clears the fault rules)."""
    app = request.app.state.mock
    body = await json_body(request)
    only(body, "tenant")
    tenant = text_of(body, "tenant") or request.query_params.get("tenant")
    if tenant is not None and not app.has_tenant(tenant):
        raise ApiError(404, f"no tenant {tenant!r} (tenants: {', '.join(app.tenant_names())})")
    app.reset(tenant)
    return json_response({"reset": tenant or "all", "pack": app.pack.name})


async def save_snapshot(request: Request) -> Response:
    app = request.app.state.mock
    body = await json_body(request)
    only(body, "name")
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError(422, "name is required: 1-64 letters, digits, '_', '.' or '-'")
    app.snapshots[name] = app.store.snapshot()
    return json_response({"snapshot": name}, 201)


async def restore_snapshot(request: Request) -> Response:
    app = request.app.state.mock
    name = request.path_params["name"]
    if name not in app.snapshots:
        raise ApiError(
            404, f"no snapshot {name!r}; saved: {', '.join(sorted(app.snapshots)) or 'none'}"
        )
    app.restore(app.snapshots[name])
    return json_response({"restored": name})


async def journal(request: Request) -> Response:
    """GET /__mock/journal?limit=&tenant=: newest first."""
    app = request.app.state.mock
    tenant = request.query_params.get("tenant")
    limit = limit_of(request, 100)
    entries = [e for e in reversed(app.journal) if tenant is None or e["tenant"] == tenant]
    shown = [{**e, "at": iso(e["at"])} for e in entries[:limit]]
    return json_response({"data": shown})


async def record(request: Request) -> Response:
    """GET /__mock/records/{resource}/{id}: a read the vendor only offers through GraphQL."""
    app = request.app.state.mock
    tenant = tenant_of(request, {})
    if tenant is None:
        raise ApiError(400, "name the tenant: ?tenant= or X-Clarus-Subdomain")
    resource, record_id = request.path_params["resource"], request.path_params["id"]
    found = app.store.get(tenant, resource, record_id)
    if found is None:
        raise ApiError(404, f"{resource} {record_id} does not exist in tenant {tenant!r}")
    ops = [op for op in operations().values() if op.data_type == resource and op.response_schema]
    if resource == "goods_outs":
        from mock_server.domain.goods_outs import LINES

        lines = app.store.children(tenant, LINES, found.id)
        found.attributes["lines_changes"] = [
            {"id": x.id, "attributes": x.attributes} for x in lines
        ]
    data = (
        resource_object(ops[0], found)
        if ops
        else {"id": found.id, "type": resource, "attributes": found.attributes}
    )
    data["relationships"] = found.relationships
    return json_response({"data": data, "meta": {"non_vendor": True}})


ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/snapshots", save_snapshot, methods=["POST"]),
    Route("/snapshots/{name}/restore", restore_snapshot, methods=["POST"]),
    Route("/journal", journal, methods=["GET"]),
    Route("/records/{resource}/{id:int}", record, methods=["GET"]),
    *clock.ROUTES,
    *faults.ROUTES,
    *tenants.ROUTES,
    *webhooks.ROUTES,
]
