"""/__mock/faults: add, list and remove the fault rules (the format is in :mod:`mock_server.faults`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.admin.control import json_body
from mock_server.errors import ApiError, json_response
from mock_server.faults import FaultError


async def rules(request: Request) -> Response:
    """GET /__mock/faults -> ``{"data": [rule...]}`` in the order they apply, each with ``fired``
    and ``spent``; POST one rule -> 201 ``{"data": rule}`` (422 naming a bad member);
    DELETE -> ``{"deleted": [ids]}``."""
    app = request.app.state.mock
    if request.method == "POST":
        try:
            rule = app.faults.add(await json_body(request), app.tenant_names())
        except FaultError as exc:
            raise ApiError(422, str(exc)) from None
        return json_response({"data": rule.to_dict()}, 201)
    if request.method == "DELETE":
        return json_response({"deleted": app.faults.clear()})
    return json_response({"data": [rule.to_dict() for rule in app.faults.rules]})


async def rule(request: Request) -> Response:
    """DELETE /__mock/faults/{id} -> ``{"deleted": [id]}``; 404 when no rule has that id."""
    app = request.app.state.mock
    rule_id = request.path_params["id"]
    if not app.faults.remove(rule_id):
        ids = ", ".join(str(r.id) for r in app.faults.rules) or "none"
        raise ApiError(404, f"no fault rule {rule_id}; the rules: {ids}")
    return json_response({"deleted": [rule_id]})


ROUTES = [
    Route("/faults", rules, methods=["GET", "POST", "DELETE"]),
    Route("/faults/{id:int}", rule, methods=["DELETE"]),
]
