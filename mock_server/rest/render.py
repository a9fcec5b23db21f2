"""Render a record as the vendor returns it: JSON:API, a bare object, or 204."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from contracts import Operation
from mock_server import __version__
from mock_server.errors import json_response
from mock_server.store import Record


def _allowed(schema: dict[str, Any] | None) -> set[str] | None:
    if schema is None or "properties" not in schema:
        return None
    return set(schema["properties"])


def resource_object(op: Operation, record: Record) -> dict[str, Any]:
    """``{"id", "type", "attributes"}`` with only the fields the response contract names."""
    data_schema = (op.response_schema or {}).get("properties", {}).get("data", {})
    attr_schema = data_schema.get("properties", {}).get("attributes")
    names = _allowed(attr_schema)
    attributes = {k: v for k, v in record.attributes.items() if names is None or k in names}
    ident: int | str = str(record.id) if op.id_type == "string" else record.id
    data_type = data_schema.get("properties", {}).get("type", {}).get("const", record.resource)
    return {"id": ident, "type": data_type, "attributes": attributes}


def render(
    op: Operation, record: Record | None, meta: dict[str, Any] | None = None, pretty: bool = True
) -> Response:
    """The success response of ``op`` for ``record``."""
    status = op.response_status
    if op.response_schema is None or record is None:
        return Response(status_code=204, headers={"X-Clarus-Mock-Version": __version__})
    if "data" in op.response_schema.get("properties", {}):
        body: dict[str, Any] = {"data": resource_object(op, record)}
        if meta:
            body["meta"] = meta
        return json_response(body, status, pretty=pretty)
    names = _allowed(op.response_schema)
    bare = {"id": record.id, **record.attributes}
    shown = {k: v for k, v in bare.items() if names is None or k in names}
    return json_response(shown, status, pretty=pretty)
