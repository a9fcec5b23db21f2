"""Render a record as the vendor returns it: JSON:API, a bare object, or 204.

Every attribute the operation's response schema names is in the answer, ``null`` where the record has
no value, as in the vendor's response examples; a client reading ``data.attributes.long_description``
gets null, not a missing key. Attributes the schema does not name are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from contracts import Operation
from mock_server import __version__
from mock_server.errors import json_response
from mock_server.store import Record

Shaper = Callable[[Any], Any]


def shape(schema: dict[str, Any] | None, value: Any) -> Any:
    """``value`` with exactly the members ``schema`` names, at every depth (null where absent)."""
    return shaper(schema)(value)


def shaper(schema: dict[str, Any] | None) -> Shaper:
    """The function that shapes values for ``schema``, made once per schema.

    Walking a 20-line order's schema for every response cost more than validating the request.
    """
    key = id(schema)
    found = _SHAPERS.get(key)
    if found is None or found[0] is not schema:
        found = _SHAPERS[key] = (schema, _compile(schema))
    return found[1]


_SHAPERS: dict[int, tuple[Any, Shaper]] = {}


def _same(value: Any) -> Any:
    return value


def _compile(schema: Any) -> Shaper:
    if not isinstance(schema, dict):
        return _same
    closed = "properties" in schema or schema.get("additionalProperties") is False
    items = schema.get("items")
    item = _compile(items) if isinstance(items, dict) else None
    names = list(schema.get("properties", {})) if closed else None
    nested = [
        (name, inner)
        for name, sub in schema.get("properties", {}).items()
        if closed and (inner := _compile(sub)) is not _same
    ]
    if names is None and item is None:
        return _same

    template = dict.fromkeys(names or ())  # every member, null, in the schema's order
    known = frozenset(template)

    def shaped(value: Any) -> Any:
        if names is not None and isinstance(value, dict):
            # Copy-and-update runs in C; a comprehension over a hundred names did not.
            out = template.copy()
            present = value.keys() & known
            if len(present) == len(value):
                out.update(value)
            else:
                out.update({name: value[name] for name in present})
            for name, inner in nested:
                out[name] = inner(out[name])
            return out
        if item is not None and isinstance(value, list):
            return [item(element) for element in value]
        return value

    return shaped


def resource_object(op: Operation, record: Record) -> dict[str, Any]:
    """``{"id", "type", "attributes"}`` with every attribute the response contract names, and
    ``relationships`` where the contract names them (an account-warehouse's account and warehouse)."""
    data_schema = (op.response_schema or {}).get("properties", {}).get("data", {})
    props = data_schema.get("properties", {})
    attributes = shape(props.get("attributes"), record.attributes)
    ident: int | str = str(record.id) if op.id_type == "string" else record.id
    data_type = props.get("type", {}).get("const", record.resource)
    found: dict[str, Any] = {"id": ident, "type": data_type, "attributes": attributes}
    related = props.get("relationships", {}).get("properties", {})
    if related:
        found["relationships"] = {
            name: {"data": _linkage(spec, record.attributes.get(spec["x-clarus-from"]))}
            for name, spec in related.items()
        }
    return found


def _linkage(spec: dict[str, Any], value: Any) -> dict[str, str] | None:
    """A JSON:API resource identifier (string id, the referenced type), or None when unset."""
    if value is None:
        return None
    data_type = spec["properties"]["data"]["properties"]["type"]["const"]
    return {"id": str(value), "type": data_type}


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
    return json_response(
        shape(op.response_schema, {"id": record.id, **record.attributes}), status, pretty=pretty
    )
