"""``validate(operation, payload) -> list[Violation]``: the contract check every part of the kit uses.

The compiled validator (jsonschema-rs) answers accept/reject; only a rejected payload is explained,
so the valid path pays for nothing else. ``validate`` never raises for anything in the payload.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import orjson

from contracts.forms import compiled, compiled_published
from contracts.reader import Document
from contracts.registry import Operation, get_operation, operations
from contracts.violations import ContractError, Violation

_PREFIX = re.compile(r"^/api(?:/v1)?(?=/)")


class UndetectableOperationError(ContractError):
    """The operation cannot be told from the payload (or from the method and path given).

    Cause: an unknown ``data.type``, a flat body several operations accept, or a path no operation has.
    Fix: name the operation (``--operation goods_outs.update`` on the CLI).
    """


def validate(operation: str | Operation, payload: Any) -> list[Violation]:
    """Check ``payload`` against the request contract of ``operation``.

    Returns the violations, most useful first; an empty list means the payload is clean. Warnings
    (``severity == "warning"``) do not make a payload invalid. Raises
    :class:`~contracts.registry.UnknownOperationError` only for an operation name no schema defines.
    """
    op = operation if isinstance(operation, Operation) else get_operation(operation)
    if op.request_schema is None:
        return _bodiless(op, payload)
    try:
        invalid = not compiled(op.name).is_valid(payload)
        if not invalid and _representable(payload):
            return []
    except UnicodeError:
        # jsonschema-rs cannot read a member name with an unpaired surrogate: say which one.
        from contracts.explain import unrepresentable

        return list(unrepresentable(payload)) or [_not_json(UnicodeError())]
    except RecursionError:
        return [_too_deep()]
    except (ValueError, OverflowError, TypeError) as exc:
        return [_not_json(exc)]
    try:
        # Imported here: the explainer loads python-jsonschema, a tenth of the server's start-up,
        # and only a rejected payload needs it.
        from contracts.explain import explain

        found = explain(op, payload, invalid)
    except RecursionError:
        return [_too_deep()]
    except (ValueError, OverflowError, TypeError) as exc:
        return [_not_json(exc)]
    if not any(v.severity == "error" for v in found) and not _accepted(op, payload):
        # The published form refuses what the explanation calls warnings only; trust the schema.
        found.append(Violation("", "invalid", "the payload breaks the contract"))
    return found


def validate_document(operation: str | Operation, document: Document) -> list[Violation]:
    """:func:`validate` for a document read by :func:`contracts.reader.read_json`.

    The reader's own warnings (``duplicate_key``) come first, then the contract's violations.
    """
    violations = validate(operation, document.value)
    return [*document.warnings, *violations] if document.warnings else violations


def _representable(payload: Any) -> bool:
    """Whether every string is real Unicode (jsonschema-rs accepts unpaired surrogates)."""
    try:
        orjson.dumps(payload)
    except orjson.JSONEncodeError:
        # Also raised for integers wider than 64 bits, which JSON allows: look closer.
        from contracts.explain import unrepresentable

        return next(unrepresentable(payload), None) is None
    return True


def _accepted(op: Operation, payload: Any) -> bool:
    try:
        return bool(compiled_published(op.name).is_valid(payload))
    except (ValueError, OverflowError, TypeError):
        return False


def is_valid(operation: str | Operation, payload: Any) -> bool:
    """True when ``payload`` has no error-severity violation (warnings allowed)."""
    return not any(v.severity == "error" for v in validate(operation, payload))


def _bodiless(op: Operation, payload: Any) -> list[Violation]:
    if payload in (None, {}, ""):
        return []
    return [
        Violation(
            "",
            "unknown_field",
            f"{op.name} takes no request body",
            hint="send the request without a body",
            instance=None,
        )
    ]


def _too_deep() -> Violation:
    return Violation(
        "",
        "nesting_too_deep",
        "the document is nested too deeply to be a Clarus payload",
        hint="send the documented shape",
    )


def _not_json(exc: Exception) -> Violation:
    return Violation(
        "",
        "type",
        f"the payload holds a value JSON cannot carry ({type(exc).__name__})",
        hint="pass plain JSON values: dict, list, str, int, float, bool, None",
    )


def detect_operation(payload: Any, method: str | None = None, path: str | None = None) -> Operation:
    """Find the operation a payload is for: from method and path, else from ``data.type`` or keys."""
    if method and path:
        return _by_route(method.upper(), path)
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        return _by_data_type(payload["data"])
    if isinstance(payload, dict):
        return _by_keys(payload)
    raise UndetectableOperationError(
        "cannot detect the operation of a payload that is not a JSON object; name it"
    )


@cache
def _route_regex(template: str) -> re.Pattern[str]:
    # Every path parameter is a record id, a whole number, as the server routes it: /api/tasks/abc
    # is no operation (the server answers 404 no route), not tasks.update.
    return re.compile("^" + re.sub(r"\{[^/]+\}", "[0-9]+", template) + "/?$")


def operations_at(path: str) -> list[Operation]:
    """Every operation whose route matches ``path`` (under ``/api``, ``/api/v1``, or neither)."""
    bare = _PREFIX.sub("", path.split("?", 1)[0])
    return [op for op in operations().values() if _route_regex(op.path).match(bare)]


def _by_route(method: str, path: str) -> Operation:
    for op in operations_at(path):
        if op.method == method:
            return op
    raise UndetectableOperationError(f"no operation serves {method} {path}")


def _by_data_type(data: dict[str, Any]) -> Operation:
    kind = data.get("type")
    candidates = [
        op for op in operations().values() if op.data_type == kind and op.envelope == "jsonapi"
    ]
    if not candidates:
        known = sorted({op.data_type for op in operations().values() if op.data_type})
        from contracts.names import nearest

        near = nearest(str(kind), known)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise UndetectableOperationError(f"no operation takes data.type {kind!r}{hint}")
    if len(candidates) == 1:
        return candidates[0]
    wanted = "update" if _looks_like_update(data) else "create"
    for op in candidates:
        if op.action == wanted:
            return op
    names = ", ".join(op.name for op in candidates)
    raise UndetectableOperationError(f"data.type {kind!r} fits several operations: {names}")


def _looks_like_update(data: dict[str, Any]) -> bool:
    if "id" in data:
        return True
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        return False
    return any(
        key.endswith("_changes")
        and isinstance(value, list)
        and any(isinstance(i, dict) and i.get("type") in ("UPDATE", "DESTROY") for i in value)
        for key, value in attributes.items()
    )


def _by_keys(payload: dict[str, Any]) -> Operation:
    keys = set(payload)
    fits = []
    for op in operations().values():
        schema = op.request_schema or {}
        if op.envelope != "flat" or not schema.get("properties"):
            continue
        if set(schema.get("required", [])) <= keys <= set(schema["properties"]):
            fits.append(op)
    if len(fits) == 1:
        return fits[0]
    if fits:
        names = ", ".join(op.name for op in fits)
        raise UndetectableOperationError(f"a flat body with {sorted(keys)} fits {names}")
    raise UndetectableOperationError(f"no operation takes a flat body with keys {sorted(keys)}")
