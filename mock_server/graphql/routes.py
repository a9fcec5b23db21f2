"""``/graphql``: GraphiQL for a browser (GET), queries for programs (POST).

Auth and tenants work as on REST (401, 400, 403 over HTTP); a body that is not a GraphQL request
(no ``query`` string or an empty one, ``variables`` not an object, ``operationName`` not a string)
is 400 with ``BAD_REQUEST``. A query the API refuses answers HTTP 200 with ``errors[]``, each with
``extensions.code`` (Apollo Server's codes), chosen by the step that refused it:

- ``GRAPHQL_PARSE_FAILED``: the text is not GraphQL;
- ``OPERATION_RESOLUTION_FAILURE``: no operation to run (none in the document, no operation of the
  ``operationName`` given, or several and no ``operationName``), in graphql-core's words;
- ``GRAPHQL_VALIDATION_FAILED``: the document breaks the schema's rules (an unknown field or type,
  a literal of the wrong type, a query nested too deep);
- ``BAD_USER_INPUT``: a variable graphql-core cannot coerce to its type (missing, null for a
  non-null type, a wrong type, an Int over 32 bits), text that is not Unicode (an unpaired
  surrogate escape, which REST refuses as ``invalid_unicode``), or a filter value, ``first`` or
  ``after`` the API cannot use;
- ``INTERNAL_SERVER_ERROR``: a stored value the field's type cannot show (an integer REST took
  that GraphQL's 32-bit Int cannot carry), saying which; or a surprise while resolving a field,
  named by its request id: only this logs a trace.
"""

from __future__ import annotations

import logging
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from contracts.explain import unrepresentable
from contracts.pointers import from_pointer
from mock_server import __version__
from mock_server.auth import tenant_of
from mock_server.errors import json_response
from mock_server.graphql.connection import Context
from mock_server.graphql.filters import QueryError, quoted
from mock_server.http_input import read_document

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLError

# Strawberry and the schema (half a second to import and build) load on the first GraphQL request,
# or in the background while `clarus-mock serve` starts (see warm_up), not before the server
# answers its first REST request.

log = logging.getLogger("clarus_mock")


async def graphiql(request: Request) -> Response:
    """GET /graphql: GraphiQL for a browser (its scripts load from unpkg.com; queries still need the
    headers); a program (no ``text/html`` in Accept, or a ``query`` parameter) gets a 400 naming
    POST, the one method the vendor documents for queries
    (https://documentation.claruswms.com/knowledgebase/integrations/api-polling-updates)."""
    if not _wants_html(request.headers.get("accept", "")) or "query" in request.query_params:
        return _errors(
            [
                "GET /graphql serves GraphiQL to a browser; send queries as POST /graphql with a "
                'JSON body {"query": ..., "variables": {...}}'
            ],
            "BAD_REQUEST",
        )
    from strawberry.http.ides import get_graphql_ide_html

    return HTMLResponse(
        get_graphql_ide_html(graphql_ide="graphiql"),
        headers={"X-Clarus-Mock-Version": __version__},
    )


_JSON_TYPES = ("application/json", "application/graphql-response+json")


def _wants_html(accept: str) -> bool:
    """Whether an Accept header asks for HTML (``text/html`` with a q above 0) at least as much as
    for JSON, as a browser's does (RFC 9110 12.5.1; media types compare case-insensitively)."""
    html = json = 0.0
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
                if not 0 <= weight <= 1:  # not a qvalue (RFC 9110 12.4.2): worth nothing
                    weight = 0.0
        if media.lower() == "text/html":
            html = max(html, weight)
        elif media.lower() in _JSON_TYPES or media in ("*/*", "application/*"):
            json = max(json, weight)
    return html > 0 and html >= json


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
    if not body["query"]:
        # Strawberry's own views answer 400 too ("No GraphQL query found in the request").
        return _errors(["the query is empty: send a GraphQL document in query"], "BAD_REQUEST")
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        return _errors(["variables must be a JSON object"], "BAD_REQUEST")
    operation = body.get("operationName")
    if operation is not None and not isinstance(operation, str):
        return _errors(["operationName must be a string"], "BAD_REQUEST")
    refused = _refused(body["query"], operation, variables)
    if refused:
        return json_response({"data": None, "errors": refused})
    from strawberry.types.execution import PreExecutionError

    from mock_server.graphql.schema import build

    result = await build().execute(
        body["query"],
        variable_values=variables,
        context_value=Context(app.store, tenant),
        operation_name=operation,
    )
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        # Strawberry answers a PreExecutionError when parsing or validation refused the document.
        executed = not isinstance(result, PreExecutionError)
        answer["errors"] = [_error(error, executed) for error in result.errors]
    return json_response(answer)


@lru_cache(maxsize=256)
def _parsed(text: str) -> DocumentNode:
    from graphql import parse

    return parse(text)


def _refused(text: str, name: str | None, variables: dict[str, Any]) -> list[dict[str, Any]]:
    """What graphql-core refuses before execution but Strawberry lets through or raises on.

    Strawberry raises (a 500) when the document has no operation of that name, runs the first of
    several operations when no ``operationName`` picks one, and graphql-core takes any Python
    string for a String, though one with an unpaired surrogate is no text the store can hold.
    A document that does not parse is left to Strawberry, which says where.
    """
    from graphql import GraphQLError, OperationDefinitionNode, get_operation_ast
    from graphql.pyutils import print_path_list

    try:
        document = _parsed(text)
    except GraphQLError:
        return []
    chosen = get_operation_ast(document, name)
    if chosen is None:
        if name is not None:
            message = f"Unknown operation named {quoted(name)}."
        elif any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
            message = "Must provide operation name if query contains multiple operations."
        else:
            message = "Must provide an operation."
        return [_refusal(message, "OPERATION_RESOLUTION_FAILURE")]
    declared = [d.variable.name.value for d in chosen.variable_definitions or ()]
    return [
        _refusal(
            f"Variable '${v}' has invalid value"
            f"{print_path_list(_path(violation.pointer))}: {violation.message}",
            "BAD_USER_INPUT",
        )
        for v in declared
        for violation in unrepresentable(variables.get(v))
    ]


def _path(pointer: str) -> list[str | int]:
    """A pointer into a variable as graphql-core's path (GraphQL names never start with a digit)."""
    return [int(token) if token.isdigit() else token for token in from_pointer(pointer)]


def _refusal(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


def _error(error: GraphQLError, executed: bool) -> dict[str, Any]:
    """The error as the answer shows it, with ``extensions.code`` for the step that refused it."""
    from graphql import GraphQLError, GraphQLSyntaxError

    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    if isinstance(original, QueryError):
        code = original.code
    elif isinstance(error, GraphQLSyntaxError):
        code = "GRAPHQL_PARSE_FAILED"
    elif error.path is None and (original is None or isinstance(original, GraphQLError)):
        # Not a field's: graphql-core's validation or, once executing, its variable coercion.
        code = "BAD_USER_INPUT" if executed else "GRAPHQL_VALIDATION_FAILED"
    elif isinstance(original, GraphQLError) and original.original_error is None:
        # graphql-core could not show a stored value as the field's type (REST takes any integer
        # for integer1, GraphQL's Int has 32 bits): the data's doing, not a fault, so no trace.
        field = error.path[-1] if error.path else "the field"
        formatted["message"] = (
            f"{field} holds a value its GraphQL type cannot show: {original.message}"
        )
        code = "INTERNAL_SERVER_ERROR"
    else:
        request_id = secrets.token_hex(8)
        log.error("GraphQL resolver error %s", request_id, exc_info=original or error)
        formatted["message"] = f"internal error; request id {request_id} (see the server log)"
        code = "INTERNAL_SERVER_ERROR"
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
