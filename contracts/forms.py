"""The request schema of an operation in its two forms, derived from the one in ``contracts/schemas``.

- **published** (:attr:`Operation.request_schema`, the OpenAPI document): everything the server
  accepts, warnings included. It widens the schema files where the mock accepts more than the vendor's
  field tables say: an integer id also as a numeric string (``"9"``: the vendor hands many ids out as
  strings), ``""`` for any optional member (read as omitted), and every documented contradiction
  between a vendor example and its field table (``x-clarus-contradictions``).
- **strict** (:func:`strict_request_schema`): a payload with no violation at all, not even a warning.
  It is the schema files' own form, plus ``minLength: 1`` on optional plain strings (the mock accepts
  ``""`` there, with a warning, and treats it as omitted).

A payload valid in the strict form is clean; one valid only in the published form carries warnings
(``id_as_string``, ``empty_string``, ``vendor_contradiction``); one valid in neither is refused. The
compiled strict validator is the fast path: a clean payload costs one call and nothing else.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

import jsonschema_rs

ID_PATTERN = "^[1-9][0-9]*$"
_PLAIN_STRING_KEYWORDS = {"minLength", "enum", "const", "format", "pattern"}


def _types(schema: dict[str, Any]) -> set[str]:
    value = schema.get("type", [])
    return {value} if isinstance(value, str) else set(value)


def _with_type(schema: dict[str, Any], added: str) -> None:
    types = _types(schema)
    if types and added not in types:
        schema["type"] = sorted(types | {added})


def strictify(schema: Any) -> Any:
    """Copy of ``schema`` where optional plain strings must not be empty."""
    if isinstance(schema, list):
        return [strictify(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strictify(value) for key, value in schema.items()}
    required = set(out.get("required", []))
    for name, prop in out.get("properties", {}).items():
        plain = not (_PLAIN_STRING_KEYWORDS & set(prop))
        if name not in required and "string" in _types(prop) and plain:
            prop["minLength"] = 1
    return out


def publish(schema: Any) -> Any:
    """Copy of a flat request schema widened to everything the server accepts (warnings included)."""
    if isinstance(schema, list):
        return [publish(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: publish(value) for key, value in schema.items()}
    if out.get("x-clarus-id"):
        _widen_id(out)
    required = set(out.get("required", []))
    for name, prop in out.get("properties", {}).items():
        if name not in required:
            out["properties"][name] = _or_empty(prop)
    for relax in out.get("x-clarus-contradictions", []):
        _relax(out, relax)
    return out


def _or_empty(schema: Any) -> Any:
    """An optional member's schema that also takes ``""`` (accepted as omitted, with a warning)."""
    if not isinstance(schema, dict):
        return schema
    types = _types(schema)
    if (
        types <= {"string", "null"}
        and "string" in types
        and not (_PLAIN_STRING_KEYWORDS & set(schema))
    ):
        return schema
    if isinstance(schema.get("enum"), list):
        return {**schema, "enum": [*schema["enum"], ""]} if "" not in schema["enum"] else schema
    return {"anyOf": [schema, {"const": ""}]}


def _widen_id(schema: dict[str, Any]) -> None:
    """An integer id also as its decimal string: ``9`` or ``"9"``."""
    if isinstance(schema.get("enum"), list):
        schema["enum"] = [
            *schema["enum"],
            *(str(v) for v in schema["enum"] if isinstance(v, int) and not isinstance(v, bool)),
        ]
        return
    _with_type(schema, "string")
    schema["pattern"] = ID_PATTERN


def _relax(schema: dict[str, Any], relax: dict[str, Any]) -> None:
    """Accept what one vendor example sends against its own field table."""
    keyword, field = relax["keyword"], relax.get("field")
    if keyword == "required":
        schema["required"] = [name for name in schema.get("required", []) if name != field]
    elif keyword == "additionalProperties":
        schema.setdefault("properties", {})[field] = copy.deepcopy(relax["schema"])
    else:
        target = schema["properties"][field] if field else schema
        target.pop(keyword, None)


def contradiction(schema: Mapping[str, Any], keyword: str, field: str | None = None) -> Any:
    """The ``x-clarus-contradictions`` entry of ``schema`` that relaxes ``keyword`` (for ``field``)."""
    for relax in schema.get("x-clarus-contradictions", []):
        if relax["keyword"] == keyword and relax.get("field") == field:
            return relax
    return None


@cache
def strict_request_schema(name: str) -> dict[str, Any]:
    """The strict request schema of an operation (``{}`` for none; never mutate it)."""
    from contracts.registry import get_operation

    schema = get_operation(name).file_request_schema
    return strictify(copy.deepcopy(schema)) if schema is not None else {}


@cache
def compiled(name: str) -> jsonschema_rs.Validator:
    """A jsonschema-rs validator for the strict request schema: the accept-clean fast path."""
    return jsonschema_rs.validator_for(strict_request_schema(name), validate_formats=True)


@cache
def compiled_published(name: str) -> jsonschema_rs.Validator:
    """A jsonschema-rs validator for the published request schema: accepted, warnings or not.

    Like :func:`compiled`, an operation without a body gets the empty schema (``validate`` never
    asks for one: it answers a bodiless operation itself).
    """
    from contracts.registry import get_operation

    schema = get_operation(name).request_schema
    return jsonschema_rs.validator_for(schema if schema is not None else {}, validate_formats=True)
