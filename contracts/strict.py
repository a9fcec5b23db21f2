"""The request schemas as the validator and the strategies use them.

The published (OpenAPI) schema accepts ``""`` for an optional string, because the server does. The strict
form adds ``minLength: 1`` there, so that the compiled validator sends such a payload down the slow path,
where the explainer reports the empty string as a warning. Payloads without empty strings never pay for it.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema_rs

from contracts.registry import get_operation


def _types(schema: dict[str, Any]) -> set[str]:
    value = schema.get("type", [])
    return {value} if isinstance(value, str) else set(value)


def strictify(schema: Any) -> Any:
    """Copy of ``schema`` where optional plain strings must not be empty."""
    if isinstance(schema, list):
        return [strictify(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strictify(value) for key, value in schema.items()}
    required = set(out.get("required", []))
    for name, prop in out.get("properties", {}).items():
        plain = not ({"minLength", "enum", "const", "format", "pattern"} & set(prop))
        if name not in required and "string" in _types(prop) and plain:
            prop["minLength"] = 1
    return out


@cache
def strict_request_schema(name: str) -> dict[str, Any]:
    """The strict request schema of an operation (``{}``-free copy; never mutate it)."""
    schema = get_operation(name).request_schema
    return strictify(copy.deepcopy(schema)) if schema is not None else {}


@cache
def compiled(name: str) -> Any:
    """A jsonschema-rs validator for the strict request schema: the accept/reject fast path."""
    return jsonschema_rs.validator_for(strict_request_schema(name), validate_formats=True)
