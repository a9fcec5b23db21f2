"""Where a payload breaks its request schema: the broken keywords, found with jsonschema-rs.

:func:`locate` walks the schema and the payload together and goes down only where the compiled
validator says a subtree is invalid, so the 19 good lines of a 20-line order cost a microsecond
each. At an invalid node it asks the compiled validator about each keyword on its own and reports
the broken ones as :class:`Broken` objects with exactly what the Python walk
(``Draft202012Validator.iter_errors``) reports in its ValidationErrors: keyword, its value, the
instance, the schema object, and both paths. The explanation's formatters cannot tell them apart.

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


def _validator(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    entry = _compiled.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _compiled[id(schema)] = (schema, _compile(schema))
    return entry[1]


def _compile(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=True)
    except (ValueError, TypeError) as exc:
        raise _Unsupported from exc


class _Refused:
    """Stands where a validator cannot be had (a false schema, one jsonschema-rs cannot compile):
    asking it raises :class:`_Unsupported`, so the Python walk explains, as when it is reached."""

    def is_valid(self, instance: Any) -> bool:
        raise _Unsupported


_REFUSED = _Refused()
_ALWAYS = jsonschema_rs.validator_for(True)


def _checker(schema: Any) -> Any:
    """The compiled validator of a subschema, made when its parent's plan is made."""
    if schema is True:
        return _ALWAYS
    if not isinstance(schema, dict):
        return _REFUSED  # a false schema: its error reads differently
    try:
        return _validator(schema)
    except _Unsupported:
        return _REFUSED


# What _walk does with each keyword of a schema object, decided once per object.
_NODE, _PROPERTIES, _ITEMS, _ADDITIONAL, _IF, _ALL_OF, _UNSUPPORTED = range(7)
_Step = tuple[Any, ...]
_plans: dict[int, tuple[Any, list[_Step]]] = {}


def _plan(schema: dict[str, Any]) -> list[_Step]:
    """The checking keywords of ``schema`` with their validators compiled, once per schema object.

    ``then`` and ``else`` go with ``if``; annotations, ``$schema``, ``$comment`` and
    ``x-clarus-*`` check nothing. A keyword this walk does not handle becomes a step that hands the
    payload to the Python walk when it is reached.
    """
    entry = _plans.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    steps: list[_Step] = []
    for keyword, value in schema.items():
        if keyword in _SKIPPED or keyword.startswith(("$", "x-")):
            continue
        if keyword in _ON_THE_NODE:
            checker: Any = _plain_check(keyword, value)
            if checker is None:
                try:
                    checker = _compile({keyword: value})
                except _Unsupported:
                    checker = _REFUSED
            steps.append((_NODE, keyword, value, checker))
        elif keyword == "properties":
            members = {name: (member, _checker(member)) for name, member in value.items()}
            steps.append((_PROPERTIES, members))
        elif keyword == "items":
            plain = "prefixItems" not in schema and isinstance(value, dict)
            steps.append((_ITEMS, value, _checker(value) if plain else _REFUSED))
        elif keyword == "additionalProperties":
            steps.append((_ADDITIONAL, value))
        elif keyword == "if":
            branches = {
                branch: (schema[branch], _checker(schema[branch]))
                for branch in ("then", "else")
                if branch in schema
            }
            steps.append((_IF, _checker(value), branches))
        elif keyword == "allOf":
            steps.append((_ALL_OF, [(part, _checker(part)) for part in value]))
        else:
            steps.append((_UNSUPPORTED,))
    _plans[id(schema)] = (schema, steps)
    return steps


class _Required:
    """``required`` in Python: a name lookup is cheaper than a call into jsonschema-rs, and the
    rule is exact (it tests objects only: anything else passes)."""

    def __init__(self, names: list[str]) -> None:
        self.names = frozenset(names)

    def is_valid(self, instance: Any) -> bool:
        return not isinstance(instance, dict) or instance.keys() >= self.names


class _Type:
    """``type`` ``object``, ``array`` or ``string`` in Python (exact: JSON has one Python type for
    each); numbers, integers, booleans and null keep the compiled check."""

    def __init__(self, python_type: type) -> None:
        self.python_type = python_type

    def is_valid(self, instance: Any) -> bool:
        return isinstance(instance, self.python_type)


_PYTHON_TYPES: dict[str, type] = {"object": dict, "array": list, "string": str}


def _plain_check(keyword: str, value: Any) -> Any:
    """A Python check as exact as the compiled one for the commonest node keywords, or None."""
    if keyword == "required" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _Required(value)
    if keyword == "type" and isinstance(value, str) and value in _PYTHON_TYPES:
        return _Type(_PYTHON_TYPES[value])
    return None


def surely_valid(schema: Any, instance: Any) -> bool:
    """Whether jsonschema-rs says ``instance`` passes ``schema``; False when it says not, or
    cannot tell (a false schema, an uncompilable one, a value it cannot read), so that the
    caller looks closer. Compiled once per schema object, shared with :func:`locate`."""
    try:
        return bool(_checker(schema).is_valid(instance))
    except _CANNOT_TELL:
        return False


# jsonschema-rs cannot read surrogates or integers wider than 64 bits (ValueError, OverflowError,
# TypeError); a keyword or a schema this walk leaves alone raises _Unsupported.
_CANNOT_TELL = (_Unsupported, ValueError, OverflowError, TypeError, RecursionError)


def locate(schema: dict[str, Any], payload: Any, invalid: bool = False) -> list[Broken] | None:
    """Every broken keyword of ``payload`` against ``schema`` (a request schema: no ``$ref``), as
    the Python walk reports them; None when a keyword needs the Python walk. ``invalid``: the
    caller's own compiled validator of ``schema`` already refused the payload (not asked again)."""
    found: list[Broken] = []
    try:
        if invalid or not _checker(schema).is_valid(payload):
            _walk(schema, payload, [], [], found)
    except _CANNOT_TELL:
        return None
    return found


def _walk(
    schema: dict[str, Any],
    instance: Any,
    path: list[Any],
    schema_path: list[Any],
    found: list[Broken],
) -> None:
    """Report the broken keywords of ``schema``, which ``instance`` is known to break."""
    for step in _plan(schema):
        kind = step[0]
        if kind == _NODE:
            _, keyword, value, checker = step
            if not checker.is_valid(instance):
                found.append(_error(keyword, value, instance, schema, path, schema_path))
        elif kind == _PROPERTIES:
            if isinstance(instance, dict):
                members = step[1]
                # The payload's members, not the schema's hundred: most are not sent.
                for name, child in instance.items():
                    known = members.get(name)
                    if known is not None and not known[1].is_valid(child):
                        where = [*schema_path, "properties", name]
                        _walk(known[0], child, [*path, name], where, found)
        elif kind == _ITEMS:
            if isinstance(instance, list):
                _, value, each = step
                if each is _REFUSED:
                    raise _Unsupported  # prefixItems, or items that is not a schema object
                for index, item in enumerate(instance):
                    if not each.is_valid(item):
                        _walk(value, item, [*path, index], [*schema_path, "items"], found)
        elif kind == _ADDITIONAL:
            _additional(schema, step[1], instance, path, schema_path, found)
        elif kind == _IF:
            _, condition, branches = step
            branch = "then" if condition.is_valid(instance) else "else"
            if branch in branches:
                part, checker = branches[branch]
                if not checker.is_valid(instance):
                    _walk(part, instance, path, [*schema_path, branch], found)
        elif kind == _ALL_OF:
            for index, (part, checker) in enumerate(step[1]):
                if not checker.is_valid(instance):
                    _walk(part, instance, path, [*schema_path, "allOf", index], found)
        else:
            raise _Unsupported


def _additional(
    schema: dict[str, Any],
    value: Any,
    instance: Any,
    path: list[Any],
    schema_path: list[Any],
    found: list[Broken],
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
        checker = _checker(value)
        for name in extra:
            if not checker.is_valid(instance[name]):
                where = [*schema_path, "additionalProperties"]
                _walk(value, instance[name], [*path, name], where, found)
    elif value is not True:
        raise _Unsupported


class Broken:
    """One broken keyword, as the explanation reads it: the attributes of jsonschema's
    :class:`~jsonschema.exceptions.ValidationError` it uses, under the same names, so that a
    formatter takes either. Made here by the thousand, so it is a plain object (a
    ValidationError builds deques, a message and a context for each)."""

    context: list[ValidationError] | None = None

    def __init__(
        self,
        keyword: str,
        value: Any,
        instance: Any,
        schema: dict[str, Any],
        path: tuple[Any, ...],
        schema_path: tuple[Any, ...],
    ) -> None:
        self.validator = keyword
        self.validator_value = value
        self.instance = instance
        self.schema = schema
        self.absolute_path = path
        self.absolute_schema_path = schema_path


def _error(
    keyword: str,
    value: Any,
    instance: Any,
    schema: dict[str, Any],
    path: list[Any],
    schema_path: list[Any],
) -> Broken:
    return Broken(keyword, value, instance, schema, tuple(path), (*schema_path, keyword))
