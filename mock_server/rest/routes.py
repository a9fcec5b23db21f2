"""Routes for every contract operation: auth, parse, validate, domain handler, render.

Handlers stay thin; the rules live in ``mock_server/domain``. Routes are built from the operation table,
so a new schema operation gets a route (answering 501 until a handler exists).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts import Operation, Violation, operations, validate
from contracts.pointers import from_pointer
from mock_server.auth import tenant_of
from mock_server.domain import (
    goods_in,
    goods_outs,
    integrations,
    master_data,
    processes,
    products,
    records,
    shipments,
    stock,
    tasks,
)
from mock_server.errors import ApiError
from mock_server.rest.body import read_body
from mock_server.rest.context import Ctx
from mock_server.rest.render import render
from mock_server.store import Record

Handler = Callable[[Ctx], Record | None]
HANDLERS: dict[str, Handler] = {
    **goods_outs.HANDLERS,
    **products.HANDLERS,
    **master_data.HANDLERS,
    **goods_in.HANDLERS,
    **tasks.HANDLERS,
    **stock.HANDLERS,
    **processes.HANDLERS,
    **integrations.HANDLERS,
    **shipments.HANDLERS,
}


def handler_for(op: Operation) -> Handler | None:
    """The domain handler of an operation; generic create/update for plain resources."""
    if op.name in HANDLERS:
        return HANDLERS[op.name]
    if op.envelope == "jsonapi" and op.action in ("create", "update"):
        return records.create if op.action == "create" else records.update
    return None


def _starlette_path(path: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", r"{\1:int}", path)


def _drop_empty_strings(body: Any, warnings: list[Violation]) -> None:
    """Optional fields sent as "" are accepted and treated as omitted (a warning says so)."""
    for v in warnings:
        if v.rule != "empty_string":
            continue
        *parents, last = from_pointer(v.pointer)
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node.pop(last, None)


_PEOPLE = ("curl/", "httpie/", "wget/", "mozilla/")


def _for_people(request: Request) -> bool:
    """Indent JSON for command-line tools and browsers; programs get it compact."""
    agent = request.headers.get("user-agent", "").lower()
    return agent.startswith(_PEOPLE) or "pretty" in request.query_params


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of one operation."""
    handler = handler_for(op)

    async def handle(request: Request) -> Response:
        app = request.app.state.mock
        request.state.operation = op.name
        request.state.tenant = request.headers.get("x-clarus-subdomain") or None
        tenant = tenant_of(request)
        request.state.tenant = tenant
        body = await read_body(request, op, app.settings.max_body_bytes) if op.has_body else None
        violations = validate(op, body) if op.has_body else []
        request.state.violations = violations
        errors = [v for v in violations if v.severity == "error"]
        if errors:
            raise ApiError(422, f"{errors[0].pointer or '/'}: {errors[0].message}", violations)
        if handler is None:
            raise ApiError(501, f"{op.name} is in the contract but not served by this version yet")
        _drop_empty_strings(body, violations)
        ctx = Ctx(
            op,
            tenant,
            app.store,
            app.clock,
            dict(request.path_params),
            body,
            dict(request.query_params),
        )
        with app.store.transaction():
            record = handler(ctx)
        return render(op, record, ctx.meta or None, pretty=_for_people(request))

    return handle


def rest_routes() -> list[Route]:
    """Every /api route; literal paths sort before parameterised ones."""
    ops = [op for op in operations().values() if op.prefix == "/api"]
    ops.sort(key=lambda op: (op.path.count("{"), op.path))
    return [
        Route(_starlette_path(op.path), endpoint(op), methods=[op.method], name=op.name)
        for op in ops
    ]
