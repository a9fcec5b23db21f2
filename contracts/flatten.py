"""Turn a resource schema node into one self-contained, flat JSON Schema.

The files in ``contracts/schemas`` use 2020-12 composition (``$ref`` with sibling keywords, ``allOf`` of
mixins, ``unevaluatedProperties: false``) so that every field is written once. Downstream consumers want
something simpler: hypothesis-jsonschema does not understand ``unevaluatedProperties``, error messages are
clearer without ``allOf`` noise, and OpenAPI readers prefer inlined objects. Flattening merges the parts of
an object into one ``properties`` map with ``additionalProperties: false``; the result validates exactly
the same documents as the source for the shapes these files use.
"""

from __future__ import annotations

import copy
from typing import Any

_DROP = {"$defs", "$schema", "$id", "$comment"}
_SCHEMA_LISTS = ("oneOf", "anyOf", "prefixItems")
_SCHEMA_VALUES = ("items", "if", "then", "else", "not", "contains")


def flatten(node: Any, resolver: Any) -> Any:
    """Return ``node`` with every ``$ref`` inlined and every ``allOf`` merged."""
    return flatten_object(node, resolver) if isinstance(node, dict) else node


def flatten_object(node: dict[str, Any], resolver: Any) -> dict[str, Any]:
    """:func:`flatten` for a schema object, which stays an object."""
    parts: list[dict[str, Any]] = []
    local = dict(node)
    ref = local.pop("$ref", None)
    if ref is not None:
        resolved = resolver.lookup(ref)
        parts.append(flatten(resolved.contents, resolved.resolver))
    parts.extend(flatten(sub, resolver) for sub in local.pop("allOf", []))
    parts.append(_flatten_children(local, resolver))
    merged = _merge(parts)
    if merged.pop("unevaluatedProperties", None) is False:
        merged["additionalProperties"] = False
    return merged


def _flatten_children(node: dict[str, Any], resolver: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "properties":
            out[key] = {name: flatten(sub, resolver) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [flatten(sub, resolver) for sub in value]
        elif key in _SCHEMA_VALUES or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = flatten(value, resolver)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge object schemas; later parts win for scalar keywords, properties and required add up."""
    parts = [part for part in parts if part] or [{}]
    if len(parts) == 1:
        return parts[0]
    merged: dict[str, Any] = {}
    for part in parts:
        if "if" in part:
            # Conditionals cannot be merged key by key (two ``if``s would overwrite each other).
            merged.setdefault("allOf", []).append(part)
            continue
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {}).update(value)
            elif key == "allOf":
                merged.setdefault("allOf", []).extend(value)
            elif key == "required":
                required = merged.setdefault("required", [])
                required.extend(name for name in value if name not in required)
            else:
                merged[key] = value
    return merged
