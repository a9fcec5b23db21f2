"""Turn an accepted payload into the one form the server's rules read, once, after validation.

A payload the published contract accepts can still carry a value in a second spelling: an id sent as
``"9"``, a whole number sent as ``7.0`` (JSON Schema counts it as an integer), ``""`` for an optional
field, a ``*_changes`` item without its ``type`` (the vendor's own update samples), a relationship
with ``"data": null``, and the top-level ``jsonapi`` and ``meta`` members that JSON:API clients add.
:func:`normalize` rewrites each to the canonical form, so the domain never sees a float where the
schema says integer, nor a string where it says id.
"""

from __future__ import annotations

from typing import Any

from contracts.forms import strict_request_schema
from contracts.pointers import branch_for, from_pointer
from contracts.registry import Operation, get_operation
from contracts.violations import Violation


def normalize(
    operation: str | Operation,
    payload: Any,
    violations: list[Violation],
    has_floats: bool = True,
) -> Any:
    """Rewrite ``payload`` in place to its canonical form and return it.

    ``violations`` are :func:`contracts.validate`'s answer for this payload (warnings only: an
    unaccepted payload is never normalised). ``has_floats=False`` (known from
    :class:`contracts.reader.Document`) skips looking for whole-number floats.
    """
    op = operation if isinstance(operation, Operation) else get_operation(operation)
    if not isinstance(payload, dict):
        return payload
    for v in violations:
        if v.rule == "empty_string":
            parent, key = _parent(payload, v.pointer)
            if isinstance(parent, dict):
                parent.pop(key, None)
        elif v.rule == "id_as_string":
            parent, key = _parent(payload, v.pointer)
            if parent is not None:
                parent[key] = int(parent[key])
        elif v.rule == "vendor_contradiction" and v.pointer.endswith("/type"):
            item = _at(payload, v.pointer.removesuffix("/type"))
            if isinstance(item, dict) and "type" not in item:
                item["type"] = "UPDATE" if "id" in item else "ADD"
    if op.envelope == "jsonapi":
        _jsonapi(payload)
    if has_floats:
        _integers(strict_request_schema(op.name), payload)
    return payload


def _parent(payload: Any, pointer: str) -> tuple[Any, Any]:
    """The container of the member at ``pointer`` and the member's key (None when it is gone)."""
    parts = from_pointer(pointer)
    if not parts:
        return None, None
    node = payload
    for part in parts[:-1]:
        node = _child(node, part)
        if node is None:
            return None, None
    last: Any = parts[-1]
    if isinstance(node, list):
        last = int(last)
        return (node, last) if 0 <= last < len(node) else (None, None)
    return (node, last) if isinstance(node, dict) and last in node else (None, None)


def _at(payload: Any, pointer: str) -> Any:
    """The value at ``pointer``, or None."""
    node = payload
    for part in from_pointer(pointer):
        node = _child(node, part)
    return node


def _child(node: Any, part: str) -> Any:
    if isinstance(node, list):
        return node[int(part)] if part.isdigit() and int(part) < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


def _jsonapi(payload: dict[str, Any]) -> None:
    """Drop what JSON:API says carries nothing here: top-level ``jsonapi``/``meta``, null links."""
    payload.pop("jsonapi", None)
    payload.pop("meta", None)
    data = payload.get("data")
    if not isinstance(data, dict):
        return
    relationships = data.get("relationships")
    if isinstance(relationships, dict):
        for name in [
            k for k, v in relationships.items() if isinstance(v, dict) and v.get("data") is None
        ]:
            del relationships[name]
        if not relationships:
            del data["relationships"]


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _integers(schema: dict[str, Any], value: Any) -> Any:
    """``value`` with every whole-number float under an integer-only schema turned into an int."""
    if "oneOf" in schema or "anyOf" in schema:
        picked = branch_for(schema, value)
        if picked is None:
            return value
        schema = picked[1]
    if isinstance(value, float):
        types = _types(schema)
        if "integer" in types and "number" not in types and value.is_integer():
            return int(value)
        if value.is_integer() and int(value) in schema.get("enum", ()):
            return int(value)  # an enum of integer ids (goods_out_status_id 2.0)
        return value
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key, child in value.items():
            if key in props and isinstance(child, (dict, list, float)):
                value[key] = _integers(props[key], child)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, child in enumerate(value):
            if isinstance(child, (dict, list, float)):
                value[index] = _integers(schema["items"], child)
    return value
