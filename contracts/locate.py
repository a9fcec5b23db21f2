"""Where a payload breaks its request schema: the broken keywords, found with jsonschema-rs.

:func:`locate` walks the schema and the payload together and goes down only where the compiled
validator says a subtree is invalid, so the 19 good lines of a 20-line order cost a microsecond
each. At an invalid node it asks the compiled validator about each keyword on its own and reports
the broken ones as jsonschema :class:`~jsonschema.exceptions.ValidationError` objects, exactly what
the Python walk (``Draft202012Validator.iter_errors``) reports: keyword, its value, the instance,
the schema object, and both paths. The explanation's formatters cannot tell them apart.

Why not the Python walk: it costs about 150 µs on a 20-line order with three mistakes, and
jsonschema-rs's own error iterator about 70 µs, most of it copying the instance of each error (a
missing member of ``attributes`` copies all 20 lines). This walk costs a few dozen microseconds.

Keywords whose errors need every branch's errors (``anyOf``, ``oneOf``, ``not``, ``contains``) or
that the request schemas do not use make :func:`locate` return None: the caller then uses the
Python walk, which handles everything.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from jsonschema.exceptions import ValidationError

# Keywords that only describe: nothing to check.
_ANNOTATIONS = frozenset(
    [
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
    ]
)
# Keywords checked on the node alone; an error names the keyword, its value and the node.
_ON_THE_NODE = frozenset(
    [
        "type",
        "enum",
        "const",
        "format",
        "required",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "dependentRequired",
    ]
)


_SKIPPED = _ANNOTATIONS | {"then", "else"}


class _Unsupported(Exception):
    """A keyword this walk leaves to the Python walk."""


_compiled: dict[int, tuple[Any, jsonschema_rs.Validator]] = {}
_keywords: dict[tuple[int, str], tuple[Any, jsonschema_rs.Validator]] = {}


def _validator(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    entry = _compiled.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _compiled[id(schema)] = (schema, _compile(schema))
    return entry[1]


def _keyword_validator(schema: dict[str, Any], keyword: str) -> jsonschema_rs.Validator:
    key = (id(schema), keyword)
    entry = _keywords.get(key)
    if entry is None or entry[0] is not schema:
        entry = _keywords[key] = (schema, _compile({keyword: schema[keyword]}))
    return entry[1]


def _compile(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=True)
    except (ValueError, TypeError) as exc:
        raise _Unsupported from exc


def _valid(validator: jsonschema_rs.Validator, instance: Any) -> bool:
    try:
        return bool(validator.is_valid(instance))
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        raise _Unsupported from exc  # surrogates, integers wider than 64 bits: the Python walk


def surely_valid(schema: Any, instance: Any) -> bool:
    """Whether jsonschema-rs says ``instance`` passes ``schema``; False when it says not, or
    cannot tell (a false schema, an uncompilable one, a value it cannot read), so that the
    caller looks closer. Compiled once per schema object, shared with :func:`locate`."""
    try:
        return _fits(schema, instance)
    except (_Unsupported, RecursionError):
        return False


def locate(schema: dict[str, Any], payload: Any) -> list[ValidationError] | None:
    """Every broken keyword of ``payload`` against ``schema`` (a request schema: no ``$ref``), as
    the Python walk reports them; None when a keyword needs the Python walk."""
    found: list[ValidationError] = []
    try:
        if not _fits(schema, payload):
            _walk(schema, payload, [], [], found)
    except (_Unsupported, RecursionError):
        return None
    return found


def _fits(schema: Any, instance: Any) -> bool:
    """Whether ``instance`` is valid against ``schema`` (a schema object or a boolean)."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        raise _Unsupported  # a false schema: its error reads differently
    return _valid(_validator(schema), instance)


def _walk(
    schema: dict[str, Any],
    instance: Any,
    path: list[Any],
    schema_path: list[Any],
    found: list[ValidationError],
) -> None:
    """Report the broken keywords of ``schema``, which ``instance`` is known to break."""
    for keyword, value in _checked(schema):
        if keyword in _ON_THE_NODE:
            if not _valid(_keyword_validator(schema, keyword), instance):
                found.append(_error(keyword, value, instance, schema, path, schema_path))
        elif keyword == "properties":
            if isinstance(instance, dict):
                # The payload's members, not the schema's hundred: most are not sent.
                for name, child in instance.items():
                    member = value.get(name)
                    if member is not None and not _fits(member, child):
                        where = [*schema_path, keyword, name]
                        _walk(member, child, [*path, name], where, found)
        elif keyword == "items":
            if isinstance(instance, list):
                if "prefixItems" in schema or not isinstance(value, dict):
                    raise _Unsupported
                each = _validator(value)  # one lookup for every item
                for index, item in enumerate(instance):
                    if not _valid(each, item):
                        _walk(value, item, [*path, index], [*schema_path, keyword], found)
        elif keyword == "additionalProperties":
            _additional(schema, value, instance, path, schema_path, found)
        elif keyword == "if":
            branch = "then" if _fits(value, instance) else "else"
            if branch in schema and not _fits(schema[branch], instance):
                _walk(schema[branch], instance, path, [*schema_path, branch], found)
        elif keyword == "allOf":
            for index, part in enumerate(value):
                if not _fits(part, instance):
                    _walk(part, instance, path, [*schema_path, keyword, index], found)
        else:
            raise _Unsupported


_plans: dict[int, tuple[Any, list[tuple[str, Any]]]] = {}


def _checked(schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """The keywords of ``schema`` that check something, once per schema object: ``then`` and
    ``else`` go with ``if``; annotations, ``$schema``, ``$comment`` and ``x-clarus-*`` check
    nothing."""
    entry = _plans.get(id(schema))
    if entry is None or entry[0] is not schema:
        keep = [
            (keyword, value)
            for keyword, value in schema.items()
            if keyword not in _SKIPPED and not keyword.startswith(("$", "x-"))
        ]
        entry = _plans[id(schema)] = (schema, keep)
    return entry[1]


def _additional(
    schema: dict[str, Any],
    value: Any,
    instance: Any,
    path: list[Any],
    schema_path: list[Any],
    found: list[ValidationError],
) -> None:
    if not isinstance(instance, dict):
        return
    if "patternProperties" in schema:
        raise _Unsupported
    known = schema.get("properties", {})
    extra = [name for name in instance if name not in known]
    if not extra:
        return
    if value is False:
        found.append(_error("additionalProperties", value, instance, schema, path, schema_path))
    elif isinstance(value, dict):
        for name in extra:
            if not _fits(value, instance[name]):
                where = [*schema_path, "additionalProperties"]
                _walk(value, instance[name], [*path, name], where, found)
    elif value is not True:
        raise _Unsupported


def _error(
    keyword: str,
    value: Any,
    instance: Any,
    schema: dict[str, Any],
    path: list[Any],
    schema_path: list[Any],
) -> ValidationError:
    return ValidationError(
        f"breaks {keyword}",  # the formatters write the message
        validator=keyword,
        validator_value=value,
        instance=instance,
        schema=schema,
        path=path,
        schema_path=[*schema_path, keyword],
    )
