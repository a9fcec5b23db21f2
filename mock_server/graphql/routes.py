"""``/graphql``: GraphiQL for a browser (GET), queries for programs (POST).

Auth and tenants work as on REST (401, 400, 403 over HTTP); a body that is not a GraphQL request
(no ``query`` string, ``variables`` not an object) is 400 with ``BAD_REQUEST``. A query the API
refuses answers HTTP 200 with
``errors[]``, each with ``extensions.code``: ``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED``
(an unknown field, a query nested too deep), ``BAD_USER_INPUT`` (a filter value, ``first`` or ``after``
the API cannot use) or ``INTERNAL_SERVER_ERROR`` (a surprise, named by its request id, never a trace).
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from mock_server.auth import tenant_of
from mock_server.errors import json_response
from mock_server.graphql.connection import Context
from mock_server.graphql.filters import QueryError
from mock_server.http_input import read_document

if TYPE_CHECKING:
    from graphql import GraphQLError

# Strawberry and the schema (half a second to import and build) load on the first GraphQL request,
# or in the background while `clarus-mock serve` starts (see warm_up), not before the server
# answers its first REST request.

log = logging.getLogger("clarus_mock")


async def graphiql(request: Request) -> Response:
    """GET /graphql: GraphiQL (its scripts load from unpkg.com); queries still need the headers."""
    from strawberry.http.ides import get_graphql_ide_html

    return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))


async def query(request: Request) -> Response:
    """POST /graphql ``{"query", "variables"?, "operationName"?}``."""
    app = request.app.state.mock
    request.state.operation = "graphql"
    request.state.tenant = request.headers.get("x-clarus-subdomain") or None
    tenant = tenant_of(request)
    request.state.tenant = tenant
    body = (await read_document(request, app.settings.max_body_bytes)).value
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _errors(["the body must be a JSON object with a query string"], "BAD_REQUEST")
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        return _errors(["variables must be a JSON object"], "BAD_REQUEST")
    operation = body.get("operationName")
    if operation is not None and not isinstance(operation, str):
        return _errors(["operationName must be a string"], "BAD_REQUEST")
    from mock_server.graphql.schema import build

    result = await build().execute(
        body["query"],
        variable_values=variables,
        context_value=Context(app.store, tenant),
        operation_name=operation,
    )
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [_error(error) for error in result.errors]
    return json_response(answer)


def _error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    if isinstance(original, QueryError):
        code = original.code
    elif original is not None:
        request_id = secrets.token_hex(8)
        log.error("GraphQL resolver error %s", request_id, exc_info=original)
        formatted["message"] = f"internal error; request id {request_id} (see the server log)"
        code = "INTERNAL_SERVER_ERROR"
    elif error.message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif "Variable" in error.message or "argument" in error.message.lower():
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _errors(messages: list[str], code: str) -> Response:
    """HTTP 400: the body is not a GraphQL request at all (GraphQL over HTTP, "well-formed")."""
    return json_response(
        {"data": None, "errors": [{"message": m, "extensions": {"code": code}} for m in messages]},
        status=400,
    )


ROUTES = [
    Route("/graphql", graphiql, methods=["GET"]),
    Route("/graphql", query, methods=["POST"]),
]
