"""Turn jsonschema errors into ranked, de-duplicated :class:`Violation`s with hints.

Only reached when the compiled validator has already said "invalid", so nothing here is on the fast
path. One formatter per JSON Schema keyword; known mistakes (the ones integrators really make) are recognised in
those formatters and given their own rule ids so that they rank first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import orjson
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from contracts.forms import ID_PATTERN, contradiction, strict_request_schema
from contracts.locate import Broken, locate, surely_valid
from contracts.names import nearest
from contracts.pointers import branch_for, is_optional, subschema, to_pointer
from contracts.ranking import rank
from contracts.reader import json_type
from contracts.registry import Operation, vendor_errors
from contracts.violations import Violation

Error = ValidationError | Broken
"""A broken keyword: from :func:`~contracts.locate.locate`, or from the Python walk."""

_CHANGE_TYPE = re.compile(r"/[a-z_]+_changes/\d+/type$")
_ID = re.compile(ID_PATTERN)
_ADDRESS_FIELDS = frozenset(
    ["address", "address_1", "address_2", "address_3", "address_4", "postcode", "country_code"]
)


class _Context:
    """What every formatter needs: the operation, its schema and the whole payload."""

    def __init__(self, op: Operation, payload: Any) -> None:
        self.op = op
        self.payload = payload
        self.schema = strict_request_schema(op.name)

    def optional(self, path: list[Any]) -> bool:
        return is_optional(self.schema, self.payload, path)

    def known_fields(self, path: list[Any]) -> list[str]:
        node = subschema(self.schema, self.payload, path) or {}
        return list(node.get("properties", {}))


_ORIGINAL_ITEMS = Draft202012Validator.VALIDATORS["items"]


def _properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """``properties``, descending only into members the compiled validator rejects.

    Why: the Python walk costs a millisecond on a 20-line order and nearly all of it is spent
    confirming members that are fine; the errors it yields are the same.
    """
    if not isinstance(instance, dict):
        return
    for name, member in properties.items():
        if name in instance and not surely_valid(member, instance[name]):
            yield from validator.descend(instance[name], member, path=name, schema_path=name)


def _items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """``items``, descending only into the items the compiled validator rejects."""
    if not isinstance(instance, list) or not isinstance(items, dict):
        yield from _ORIGINAL_ITEMS(validator, items, instance, schema)
        return
    for index in range(len(schema.get("prefixItems", [])), len(instance)):
        if not surely_valid(items, instance[index]):
            yield from validator.descend(instance[index], items, path=index)


# The stubs leave ``extend`` unannotated; it returns a validator class like the one it extends.
_Explainer: Any = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"properties": _properties, "items": _items}
)


@cache
def _python_validator(name: str) -> Any:
    schema = strict_request_schema(name)
    return _Explainer(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def explain(op: Operation, payload: Any, invalid: bool = False) -> list[Violation]:
    """Every violation of ``payload`` against ``op``'s request schema, most useful first.

    ``invalid``: the compiled validator of the strict request schema already refused it (the
    walk then does not ask again).
    """
    envelope = _envelope_mistake(op, payload)
    if envelope is not None:
        return [envelope]
    ctx = _Context(op, payload)
    found: list[Violation] = list(unrepresentable(payload))
    located = locate(ctx.schema, payload, invalid)
    errors: list[Error] = (
        list(located)
        if located is not None
        # a keyword only the Python walk explains (anyOf, oneOf, ...)
        else list(_python_validator(op.name).iter_errors(payload))
    )
    for error in errors:
        found.extend(_violations(error, ctx))
    if not found:
        # The compiled validator and jsonschema disagree; say so rather than pass silently.
        found.append(Violation("", "invalid", "the payload breaks the contract", schema_path=""))
    return rank(_suppress(found))


def unrepresentable(payload: Any) -> Iterator[Violation]:
    """Values JSON cannot carry: numbers that are not finite, text with unpaired surrogates.

    ``1E400`` parses to infinity and ``"\\ud800"`` to a lone surrogate; Python callers can pass
    ``float("nan")`` directly. The vendor cannot store either, so each is an error at its member.
    """
    if _plainly_representable(payload):
        return
    stack: list[tuple[Any, list[Any]]] = [(payload, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            yield Violation(
                to_pointer(path),
                "not_finite",
                f"{node} is not a finite number (JSON numbers are finite; {node} overflowed or "
                "is not a number)",
                hint="send a number between -1.7e308 and 1.7e308, or null",
                instance=None,
            )
        elif isinstance(node, str) and not _is_unicode(node):
            yield Violation(
                to_pointer(path),
                "invalid_unicode",
                "the text holds an unpaired UTF-16 surrogate (an escape such as \\ud800 without "
                "its pair), which is not a character",
                hint="send valid Unicode text: escape a character outside the BMP as a "
                "surrogate pair, or send it as UTF-8",
                instance=None,
            )
        elif isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and not _is_unicode(key):
                    yield Violation(
                        to_pointer([*path, key]),
                        "invalid_unicode",
                        "the member name holds an unpaired UTF-16 surrogate",
                        hint="send valid Unicode member names",
                        instance=None,
                    )
                stack.append((child, [*path, key]))
        elif isinstance(node, list):
            stack.extend((child, [*path, index]) for index, child in enumerate(node))


def _plainly_representable(payload: Any) -> bool:
    """True when orjson writes ``payload`` without a ``null``: there is nothing to look for.

    Why: walking a 20-line order in Python cost more than everything else the explanation does.
    orjson refuses lone surrogates (and integers wider than 64 bits, which the walk then clears)
    and writes a non-finite number as ``null``; without a ``null`` in its output, there is none.
    """
    try:
        return b"null" not in orjson.dumps(payload)
    except (orjson.JSONEncodeError, TypeError):
        return False


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _vendor_contradiction(
    pointer: str, what: str, relax: dict[str, Any], error: Error, instance: Any = None
) -> Violation:
    """A warning for a form the vendor's own pages show both ways (accepted, or 422 under strict)."""
    pages = "; ".join(f"{page['says']} ({page['url']})" for page in relax.get("pages", []))
    return Violation(
        pointer,
        "vendor_contradiction",
        f"{what}: the vendor's pages contradict each other here",
        hint=f"{relax.get('note', '')} Pages: {pages}".strip(),
        severity="warning",
        instance=instance,
        **_base(error),
    )


def _envelope_mistake(op: Operation, payload: Any) -> Violation | None:
    if not isinstance(payload, dict):
        return None
    # Top-level jsonapi and meta are JSON:API's own members: they say nothing about the envelope.
    members = set(payload) - {"jsonapi", "meta"}
    if op.envelope == "jsonapi" and "data" not in payload and members:
        example = f'{{"data": {{"type": "{op.data_type}", "attributes": {{...}}}}}}'
        return Violation(
            "/data",
            "jsonapi_envelope_required",
            f"{op.name} takes a JSON:API body; the fields were sent at the top level",
            hint=f"wrap them: {example}",
            instance=sorted(members)[:10],
        )
    known = (op.request_schema or {}).get("properties", {})
    if op.envelope == "flat" and "data" in payload and "data" not in known:
        fields = ", ".join(sorted(known)) or "no fields"
        return Violation(
            "/data",
            "flat_body_required",
            f"{op.name} takes a flat JSON body, not a JSON:API one",
            hint=f"send the fields at the top level ({fields})",
            instance=None,
        )
    return None


def _violations(error: Error, ctx: _Context) -> list[Violation]:
    formatter = _FORMATTERS.get(str(error.validator), _fallback)
    return list(formatter(error, ctx))


def _base(error: Error) -> dict[str, Any]:
    found = error.__dict__.get("_clarus_schema_pointer")
    if found is None:  # formatters ask several times per error; the pointer is worked out once
        found = _schema_pointer(tuple(error.absolute_schema_path))
        error.__dict__["_clarus_schema_pointer"] = found
    return {"schema_path": found}


@lru_cache(maxsize=4096)
def _schema_pointer(path: tuple[str | int, ...]) -> str:
    """A schema location as a pointer: the same few locations break again and again."""
    return to_pointer(path)


def _schema(error: Error) -> Mapping[str, Any]:
    """The schema object whose keyword ``error`` broke.

    ``iter_errors`` always sets it; the one that is not a mapping is a boolean schema (``false``),
    which has no keywords to read.
    """
    schema = error.schema
    return schema if isinstance(schema, Mapping) else {}


def _keyword_values(error: Error) -> list[Any]:
    """The broken keyword's value as a list.

    ``required``'s names, ``enum``'s values and ``type``'s one or several names; ``const``'s one
    value, even when it is itself a list.
    """
    value = error.validator_value
    if isinstance(value, list) and error.validator != "const":
        return value
    return [value]


def _length(error: Error) -> int:
    """How many characters the value has (``maxLength`` and ``minLength`` test only strings)."""
    return len(error.instance) if isinstance(error.instance, str) else 0


def _where(error: Error) -> tuple[list[Any], str]:
    found = error.__dict__.get("_clarus_where")
    if found is None:  # formatters ask several times per error; the pointer is worked out once
        path = list(error.absolute_path)
        found = error.__dict__["_clarus_where"] = (path, to_pointer(path))
    return list(found[0]), found[1]


def _empty_string(error: Error, ctx: _Context) -> Violation | None:
    path, pointer = _where(error)
    if error.instance == "" and ctx.optional(path):
        return Violation(
            pointer,
            "empty_string",
            f"`{path[-1]}` is an empty string",
            hint="omit the field instead of sending an empty string (accepted, treated as omitted)",
            severity="warning",
            **_base(error),
        )
    return None


def _required(error: Error, ctx: _Context) -> Iterator[Violation]:
    path, _ = _where(error)
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in _keyword_values(error):
        if name in instance:
            continue
        target = [*path, name]
        member = _schema(error).get("properties", {}).get(name, {})
        # A conditional requirement (a sales order needs relationships.address): point at the
        # member the condition asks for, where the user must add it.
        if "then" in error.absolute_schema_path and len(member.get("required", [])) == 1:
            target.append(member["required"][0])
        relax = contradiction(_schema(error), "required", name)
        if relax is not None:
            yield _vendor_contradiction(to_pointer(target), f"`{name}` is missing", relax, error)
            continue
        yield Violation(
            to_pointer(target),
            "required",
            f"`{target[-1]}` is required",
            hint=_required_hint(target, ctx),
            **_base(error),
        )


def _required_hint(target: list[Any], ctx: _Context) -> str | None:
    if target[-1] == "id" and len(target) >= 2 and isinstance(target[-2], int):
        return "UPDATE and DESTROY items need the existing child record's id"
    if target[-1] == "address" and "relationships" in target:
        return (
            'send the delivery address as data.relationships.address = {"data": {"type": '
            '"addresses", "attributes": {...}}}'
        )
    return None


def _additional(error: Error, ctx: _Context) -> Iterator[Violation]:
    path, _ = _where(error)
    known = list(_schema(error).get("properties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in instance:
        if name in known:
            continue
        pointer = to_pointer([*path, name])
        if _address_misplaced(path, name, ctx):
            yield Violation(
                pointer,
                "address_in_attributes",
                f"`{name}` is part of the address, which does not go in attributes",
                hint='send it in /data/relationships/address: {"data": {"type": "addresses", '
                '"attributes": {...}}}',
                instance=instance[name],
                **_base(error),
            )
            continue
        relax = contradiction(_schema(error), "additionalProperties", name)
        if relax is not None:
            what = f"`{name}` is not a request field"
            yield _vendor_contradiction(pointer, what, relax, error, instance[name])
            continue
        if not path and name == "included":
            yield Violation(
                pointer,
                "jsonapi_included",
                "`included` (JSON:API compound documents) is not accepted: the vendor creates one "
                "resource per request",
                hint="create each related record with its own request, then send its id",
                instance=None,
                **_base(error),
            )
            continue
        yield Violation(
            pointer,
            "unknown_field",
            f"`{name}` is not a known field here",
            hint=_unknown_hint(name, _schema(error).get("properties", {}), instance),
            instance=instance[name],
            **_base(error),
        )


def _address_misplaced(path: list[Any], name: str, ctx: _Context) -> bool:
    if name not in _ADDRESS_FIELDS or path != ["data", "attributes"]:
        return False
    data = ctx.schema.get("properties", {}).get("data", {})
    relationships = data.get("properties", {}).get("relationships", {})
    return "address" in relationships.get("properties", {})


def _unknown_hint(name: str, props: dict[str, Any], instance: dict[str, Any]) -> str | None:
    if instance.get("type") == "DESTROY" and name == "attributes":
        return "DESTROY items carry only type and id"
    known = list(props)
    lowered = name.lower()
    for field, schema in props.items():
        if lowered in schema.get("x-clarus-synonyms", ()) and field not in instance:
            return f"did you mean `{field}`? (`{name}` is another name for it)"
    near = nearest(name, known)
    if near:
        return f"did you mean `{near[0]}`?"
    return f"known fields: {', '.join(known[:12])}{', ...' if len(known) > 12 else ''}"


def _type(error: Error, ctx: _Context) -> Iterator[Violation]:
    empty = _empty_string(error, ctx)
    if empty is not None:
        yield empty
        return
    path, pointer = _where(error)
    wanted = _keyword_values(error)
    value = error.instance
    if not path and not isinstance(value, dict):
        yield Violation(
            "", "type", f"the body must be a JSON object, not {json_type(value)}", **_base(error)
        )
        return
    if "integer" in wanted and isinstance(value, str):
        if _schema(error).get("x-clarus-id") and _ID.match(value):
            yield _id_as_string(pointer, value, _base(error))
            return
        if value.strip().isascii() and value.strip().isdigit():
            yield _quoted_number(pointer, value, "type", _base(error))
            return
    names = " or ".join(t for t in wanted)
    yield Violation(
        pointer,
        "type",
        f"expected {names}, got {json_type(value)}",
        instance=value,
        **_base(error),
    )


def _enum(error: Error, ctx: _Context) -> Iterator[Violation]:
    empty = _empty_string(error, ctx)
    if empty is not None:
        yield empty
        return
    path, pointer = _where(error)
    allowed = _keyword_values(error)
    value = error.instance
    special = _enum_mistake(pointer, path, value, allowed, ctx, error)
    if special is not None:
        yield special
        return
    shown = ", ".join(_show(a) for a in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    yield Violation(
        pointer,
        "enum",
        f"{_show(value)} is not one of {shown}",
        hint=_enum_hint(value, allowed),
        instance=value,
        **_base(error),
    )


def _enum_mistake(
    pointer: str,
    path: list[Any],
    value: Any,
    allowed: list[Any],
    ctx: _Context,
    error: Error,
) -> Violation | None:
    base = _base(error)
    if _CHANGE_TYPE.search(pointer):
        return _change_type(pointer, value, allowed, ctx, base)
    if pointer == "/data/type":
        return Violation(
            pointer,
            "data_type",
            f"data.type {_show(value)} does not match {ctx.op.name}",
            hint=f'send "type": "{ctx.op.data_type}"',
            instance=value,
            **base,
        )
    if path and path[-1] == "country_code" and isinstance(value, str):
        return _country(pointer, value, allowed, error, base)
    if (
        isinstance(value, str)
        and _ID.match(value)
        and int(value) in allowed
        and _schema(error).get("x-clarus-id")
    ):
        # An id whose schema lists its values (a status id): the quotes are accepted.
        return _id_as_string(pointer, value, base)
    quoted = isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()
    if quoted and int(value) in allowed:
        return _quoted_number(pointer, value, "type", base)
    return None


def _id_as_string(pointer: str, value: str, base: dict[str, Any]) -> Violation:
    return Violation(
        pointer,
        "id_as_string",
        f"the id {value!r} is a string; request bodies take integer ids",
        hint=f"send the number without quotes: {value} (accepted as it is; an error under --strict)",
        severity="warning",
        instance=value,
        **base,
    )


def _quoted_number(pointer: str, value: str, rule: str, base: dict[str, Any]) -> Violation:
    return Violation(
        pointer,
        rule,
        f"expected an integer, got the string {value!r}",
        hint=f"send the number without quotes: {value.strip()}",
        instance=value,
        **base,
    )


def _change_type(
    pointer: str, value: Any, allowed: list[Any], ctx: _Context, base: dict[str, Any]
) -> Violation:
    if isinstance(value, str) and value.upper() in allowed:
        return Violation(
            pointer,
            "change_type_case",
            f"{_show(value)} must be upper case",
            hint=f'use "{value.upper()}"',
            instance=value,
            **base,
        )
    if value in ("UPDATE", "DESTROY") and ctx.op.action == "create":
        return Violation(
            pointer,
            "change_type_on_create",
            f"{value} is not allowed on create",
            hint="create takes only ADD items; change existing lines with PATCH and the line id",
            instance=value,
            **base,
        )
    shown = ", ".join(_show(a) for a in allowed)
    return Violation(
        pointer,
        "enum",
        f"{_show(value)} is not one of {shown}",
        hint=_enum_hint(value, allowed),
        instance=value,
        **base,
    )


def _country(
    pointer: str, value: str, allowed: list[Any], error: Error, base: dict[str, Any]
) -> Violation:
    alpha3 = _schema(error).get("x-clarus-alpha3", {})
    if value.upper() in allowed:
        hint = f'use upper case: "{value.upper()}"'
    elif value.upper() in alpha3:
        hint = f'use the two-letter code: "{alpha3[value.upper()]}" (not the alpha-3 "{value}")'
    else:
        hint = "use an ISO 3166-1 alpha-2 code such as GB, BE or DE"
    return Violation(
        pointer,
        "country_code",
        f"{value!r} is not an ISO 3166-1 alpha-2 country code",
        hint=hint,
        instance=value,
        **base,
    )


def _enum_hint(value: Any, allowed: list[Any]) -> str | None:
    if not isinstance(value, str):
        return None
    strings = [a for a in allowed if isinstance(a, str)]
    for option in strings:
        if option.lower() == value.lower():
            return f'values are case-sensitive: use "{option}"'
    near = nearest(value, strings)
    return f'did you mean "{near[0]}"?' if near else None


def _show(value: Any) -> str:
    return (
        '"' + value + '"' if isinstance(value, str) else ("null" if value is None else str(value))
    )


def _format(error: Error, ctx: _Context) -> Iterator[Violation]:
    empty = _empty_string(error, ctx)
    if empty is not None:
        yield empty
        return
    _, pointer = _where(error)
    value = error.instance
    if error.validator_value == "date-time" and _naive_datetime(value):
        yield Violation(
            pointer,
            "datetime_timezone",
            f"{value!r} has no timezone",
            hint=f"add Z or an offset, e.g. {value}Z",
            instance=value,
            **_base(error),
        )
        return
    yield Violation(
        pointer,
        "format",
        f"{value!r} is not a valid {error.validator_value}",
        hint="ISO 8601 with a timezone, e.g. 2026-01-20T10:00:00Z"
        if error.validator_value == "date-time"
        else None,
        instance=value,
        **_base(error),
    )


def _naive_datetime(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is None
    except ValueError:
        return False


def _limit(rule: str, text: Callable[[Error], str]) -> Callable[..., Iterator[Violation]]:
    def formatter(error: Error, ctx: _Context) -> Iterator[Violation]:
        empty = _empty_string(error, ctx)
        if empty is not None:
            yield empty
            return
        path, pointer = _where(error)
        relax = contradiction(_schema(error), str(error.validator))
        if relax is not None:
            what = f"`{path[-1] if path else 'the body'}` {text(error)}"
            yield _vendor_contradiction(pointer, what, relax, error, error.instance)
            return
        # The vendor's number for this failure (``{"ids": []}`` is its 36), named in the schema.
        code = _schema(error).get("x-clarus-vendor-codes", {}).get(str(error.validator))
        vendor = vendor_errors()[code] if code is not None else None
        yield Violation(
            pointer,
            rule,
            text(error),
            instance=error.instance,
            code=vendor.code if vendor else None,
            symbol=vendor.symbol if vendor else None,
            **_base(error),
        )

    return formatter


def _one_of(error: Error, ctx: _Context) -> Iterator[Violation]:
    path, pointer = _where(error)
    value = error.instance
    picked = branch_for(_schema(error), value)
    if picked is not None:
        index, _ = picked
        for sub in error.context or []:
            if sub.relative_schema_path and sub.relative_schema_path[0] == index:
                yield from _violations(sub, ctx)
        return
    if not isinstance(value, dict):
        yield Violation(
            pointer,
            "type",
            f"expected object, got {json_type(value)}",
            instance=value,
            **_base(error),
        )
        return
    consts = [
        b.get("properties", {}).get("type", {}).get("const")
        for b in _schema(error).get("oneOf") or _schema(error).get("anyOf") or []
    ]
    consts = [c for c in consts if c is not None]
    if "type" not in value:
        inferred = "UPDATE" if "id" in value else "ADD"
        branches = _schema(error).get("oneOf") or _schema(error).get("anyOf") or []
        for index, branch in enumerate(branches):
            relax = contradiction(branch, "required", "type")
            if branch.get("properties", {}).get("type", {}).get("const") != inferred or not relax:
                continue
            what = f"the item has no `type`; read as {inferred}"
            yield _vendor_contradiction(to_pointer([*path, "type"]), what, relax, error)
            for sub in error.context or []:
                if sub.relative_schema_path and sub.relative_schema_path[0] == index:
                    yield from _violations(sub, ctx)
            return
        yield Violation(
            to_pointer([*path, "type"]),
            "required",
            "`type` is required",
            hint=f"each item needs a type: {', '.join(consts)}",
            **_base(error),
        )
        return
    yield _change_type(to_pointer([*path, "type"]), value["type"], consts, ctx, _base(error))


def _contains(error: Error, ctx: _Context) -> Iterator[Violation]:
    _, pointer = _where(error)
    parent = subschema(ctx.schema, ctx.payload, list(error.absolute_path)) or {}
    text = (
        _schema(error).get("description")
        or parent.get("description")
        or "a required item is missing"
    )
    yield Violation(pointer, "missing_item", text, instance=None, **_base(error))


def _fallback(error: Error, ctx: _Context) -> Iterator[Violation]:
    _, pointer = _where(error)
    yield Violation(
        pointer,
        "invalid",
        f"breaks the `{error.validator}` rule of this field",
        instance=error.instance,
        **_base(error),
    )


_FORMATTERS: dict[str, Callable[[Error, _Context], Iterator[Violation]]] = {
    "required": _required,
    "additionalProperties": _additional,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "format": _format,
    "oneOf": _one_of,
    "anyOf": _one_of,
    "contains": _contains,
    "maxLength": _limit(
        "max_length", lambda e: f"is {_length(e)} characters, at most {e.validator_value}"
    ),
    "minLength": _limit(
        "min_length", lambda e: f"is {_length(e)} characters, at least {e.validator_value}"
    ),
    "minimum": _limit(
        "minimum", lambda e: f"{e.instance} is below the minimum {e.validator_value}"
    ),
    "exclusiveMinimum": _limit(
        "minimum", lambda e: f"{e.instance} must be greater than {e.validator_value}"
    ),
    "maximum": _limit(
        "maximum", lambda e: f"{e.instance} is above the maximum {e.validator_value}"
    ),
    "exclusiveMaximum": _limit(
        "maximum", lambda e: f"{e.instance} must be less than {e.validator_value}"
    ),
    "minItems": _limit("min_items", lambda e: f"needs at least {e.validator_value} item(s)"),
    "maxItems": _limit("max_items", lambda e: f"takes at most {e.validator_value} items"),
    "uniqueItems": _limit("unique_items", lambda e: "has duplicate items"),
    "pattern": _limit("pattern", lambda e: f"does not match {e.validator_value}"),
    "minProperties": _limit(
        "min_properties",
        lambda e: f"needs at least one of: {', '.join(_schema(e).get('properties', {}))}",
    ),
}


def _suppress(found: list[Violation]) -> list[Violation]:
    """Drop violations that only repeat a better one."""
    empty = {v.pointer for v in found if v.rule == "empty_string"}
    misplaced = any(v.rule == "address_in_attributes" for v in found)
    # An item whose change type is wrong was checked against the wrong branch: only the type counts.
    wrong_items = {
        v.pointer.rsplit("/", 1)[0] + "/"
        for v in found
        if v.rule in ("change_type_on_create", "change_type_case")
    }
    # A list that lacks a required item because one of its items is broken: the item says why.
    broken_lists = {
        v.pointer
        for v in found
        if v.rule == "missing_item" and any(o.pointer.startswith(v.pointer + "/") for o in found)
    }
    # A value JSON cannot carry breaks its type and format too: its own rule says why.
    unreadable = {v.pointer for v in found if v.rule in ("not_finite", "invalid_unicode")}
    kept = []
    for v in found:
        if v.pointer in empty and v.rule != "empty_string":
            continue
        if v.pointer in unreadable and v.rule not in ("not_finite", "invalid_unicode"):
            continue
        if v.rule == "missing_item" and v.pointer in broken_lists:
            continue
        if any(
            v.pointer.startswith(item) and not v.pointer.endswith("/type") for item in wrong_items
        ):
            continue
        if misplaced and v.rule == "required" and v.pointer.startswith("/data/relationships"):
            continue
        kept.append(v)
    return kept
