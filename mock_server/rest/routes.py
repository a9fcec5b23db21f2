"""Routes for every contract operation: auth, parse, validate, REST handler, render.

Handlers (:mod:`mock_server.rest.handlers`) stay thin; the rules live in ``mock_server/domain``, whose
errors are mapped here. Routes are built from the operation table, so a new schema operation gets a
route (answering 501 until a handler exists).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts import Operation, Violation, operations
from contracts.normalize import normalize
from contracts.validate import validate_document
from mock_server.auth import tenant_of
from mock_server.domain.errors import DomainError
from mock_server.domain.records import WithLines
from mock_server.errors import ApiError, contract_error, from_domain
from mock_server.http_input import read_document
from mock_server.rest.context import Ctx
from mock_server.rest.handlers import handler_for
from mock_server.rest.render import render
from mock_server.store import Record
from mock_server.unit import change
from mock_server.webhooks.events import Action, Change

__all__ = ["endpoint", "handler_for", "rest_routes"]


def _starlette_path(path: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", r"{\1:int}", path)


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
        body = await _checked_body(request, op) if op.has_body else _query_body(request, op)
        if handler is None:
            raise ApiError(501, f"{op.name} is in the contract but not served by this version yet")
        ctx = Ctx(
            op,
            tenant,
            app.store,
            app.clocks.of(tenant),
            dict(request.path_params),
            body,
            dict(request.query_params),
        )
        with change(app, tenant) as unit:
            try:
                record = handler(ctx)
            except DomainError as exc:
                raise from_domain(exc) from exc  # and the transaction rolls back
            if record is not None and ctx.meta.get("deleted"):
                unit.changes.append(_change(record, "delete", ctx.held))
            elif record is not None and op.action in ("create", "update"):
                action: Action = "create" if op.action == "create" else "update"
                unit.changes.append(_change(record, action, ctx.held))
            if ctx.warnings:
                # Rules the server checks beyond the schema can warn too (a vendor contradiction).
                request.state.violations = [
                    *getattr(request.state, "violations", []),
                    *ctx.warnings,
                ]
                if app.settings.strict:
                    raise contract_error(ctx.warnings, ctx.warnings)  # rolls the change back
        # The answer is the state before any floor step; an instant clock then runs them all.
        if unit.transitions and app.clocks.state(tenant).mode == "instant":
            app.floor.catch_up(tenant)
        return render(op, record, ctx.meta or None, pretty=_for_people(request))

    return handle


def _change(record: Record, action: Action, held: WithLines | None) -> Change:
    """The change a create, update or delete made; with the record and lines the handler holds,
    if any (for a delete, as they were: the outbox can no longer read them)."""
    if held is None:
        return Change(
            record.resource, record.id, action, snapshot=record if action == "delete" else None
        )
    children: dict[str, list[Record]] = {}
    for line in held.lines:
        children.setdefault(line.resource, []).append(line)
    return Change(record.resource, record.id, action, snapshot=held.record, children=children)


def _query_body(request: Request, op: Operation) -> dict[str, Any] | None:
    """Query parameters an operation declares, checked, as the body its handler reads.

    ``DELETE /api/products?ids=1,2,3`` reaches the domain as ``{"ids": [1, 2, 3]}``.
    """
    if not op.query:
        return None
    found: dict[str, Any] = {}
    for name, spec in op.query.items():
        value = request.query_params.get(name)
        if value is None:
            if spec.get("required"):
                raise ApiError(
                    400, f"the {name} query parameter is required: {spec['description']}"
                )
            continue
        pattern = spec.get("schema", {}).get("pattern")
        if pattern and not re.fullmatch(pattern, value, flags=re.ASCII):
            raise ApiError(
                400, f"the {name} query parameter {value!r} is malformed: {spec['description']}"
            )
        found[name] = [int(part) for part in value.split(",")] if name == "ids" else value
    return found


async def _checked_body(request: Request, op: Operation) -> Any:
    """The body read, checked against the contract and normalised; raises the 400/409/413/415/422."""
    settings = request.app.state.mock.settings
    document = await read_document(request, settings.max_body_bytes)
    violations = validate_document(op, document)
    request.state.violations = violations
    failing = [v for v in violations if v.severity == "error" or settings.strict]
    if failing:
        raise contract_error(failing, violations)
    body = normalize(op, document.value, violations, document.has_floats)
    _same_id(op, body, request.path_params)
    return body


def _same_id(op: Operation, body: Any, params: dict[str, Any]) -> None:
    """JSON:API: an update body's ``data.id`` must name the record of the path (409 otherwise)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or "id" not in data or "id" not in params:
        return
    if str(data["id"]) != str(params["id"]):
        raise ApiError(
            409,
            f"data.id {data['id']!r} does not match the id in the path ({params['id']}); "
            "nothing was changed",
            [
                Violation(
                    "/data/id",
                    "id_mismatch",
                    f"data.id {data['id']!r} is not the id of the record in the path "
                    f"({params['id']})",
                    hint=f"send data.id {params['id']} or leave it out",
                )
            ],
        )


def rest_routes() -> list[Route]:
    """Every /api route; literal paths sort before parameterised ones."""
    ops = [op for op in operations().values() if op.prefix == "/api"]
    ops.sort(key=lambda op: (op.path.count("{"), op.path))
    return [
        Route(_starlette_path(op.path), endpoint(op), methods=[op.method], name=op.name)
        for op in ops
    ]
