"""RFC 6901 JSON pointers and walking a flat schema alongside a payload."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def to_pointer(path: Iterable[str | int]) -> str:
    """``["data", "attributes", "lines_changes", 0]`` -> ``/data/attributes/lines_changes/0``."""
    parts = list(map(str, path))
    if not parts:
        return ""
    joined = "/".join(parts)
    # Rare: a token holding "~" or "/" (one more "/" than the joins put in) is escaped (RFC 6901).
    if "~" in joined or joined.count("/") != len(parts) - 1:
        joined = "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + joined


def from_pointer(pointer: str) -> list[str]:
    """The reference tokens of a pointer (array indexes stay strings)."""
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def branch_for(schema: Mapping[str, Any], instance: Any) -> tuple[int, dict[str, Any]] | None:
    """The ``oneOf``/``anyOf`` branch whose ``type`` const matches ``instance["type"]``.

    ``*_changes`` items are discriminated by their ``type`` (ADD, UPDATE, DESTROY); reporting only the
    matching branch's errors keeps one mistake from turning into a dozen.
    """
    branches = schema.get("oneOf") or schema.get("anyOf") or []
    if not isinstance(instance, dict):
        return None
    for index, branch in enumerate(branches):
        const = branch.get("properties", {}).get("type", {}).get("const")
        if const is not None and const == instance.get("type"):
            return index, branch
    return None


def subschema(
    schema: dict[str, Any], instance: Any, path: list[str | int]
) -> dict[str, Any] | None:
    """The flat schema that applies at ``path`` of ``instance``, or None where none does."""
    node: Any = schema
    value = instance
    for part in path:
        if not isinstance(node, dict):
            return None
        if "oneOf" in node or "anyOf" in node:
            picked = branch_for(node, value)
            if picked is None:
                return None
            node = picked[1]
        if isinstance(part, int) or (isinstance(value, list) and str(part).isdigit()):
            node = node.get("items")
            value = value[int(part)] if isinstance(value, list) and int(part) < len(value) else None
        else:
            node = node.get("properties", {}).get(str(part))
            value = value.get(str(part)) if isinstance(value, dict) else None
    return node if isinstance(node, dict) else None


def is_optional(schema: dict[str, Any], instance: Any, path: list[str | int]) -> bool:
    """Whether the member at ``path`` is an optional property of its parent object."""
    if not path or isinstance(path[-1], int):
        return False
    parent = subschema(schema, instance, path[:-1])
    if parent is None:
        return False
    if "oneOf" in parent or "anyOf" in parent:
        container = instance
        for part in path[:-1]:
            if isinstance(container, dict):
                container = container[part]
            elif isinstance(container, list):
                container = container[int(part)]  # an array index may come as text ("0")
            else:
                container = None
        picked = branch_for(parent, container)
        parent = picked[1] if picked else parent
    return path[-1] in parent.get("properties", {}) and path[-1] not in parent.get("required", [])
