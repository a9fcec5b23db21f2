"""Mutations that break one rule of a valid payload, each knowing the violation it must cause.

``mutation_sites(op, payload)`` walks the payload beside its strict schema and lists every place a
mutation can go; :func:`contracts.strategies.invalid` draws one. Like schemathesis's negative mutations,
but each site names the exact pointer and rule the validator must report first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from contracts.forms import contradiction, strict_request_schema
from contracts.pointers import branch_for, to_pointer
from contracts.registry import Operation

Path = list[str | int]
_ADDRESS = {
    "name": "Jane Doe",
    "address_1": "1 High Street",
    "address_3": "Leeds",
    "postcode": "LS1 1AA",
    "country_code": "GB",
}
_ADDRESS_KEYS = {
    "address",
    "address_1",
    "address_2",
    "address_3",
    "address_4",
    "postcode",
    "country_code",
}
_ALPHA3 = {"GB": "GBR", "DE": "DEU", "BE": "BEL", "FR": "FRA", "NL": "NLD", "US": "USA"}


@dataclass(frozen=True)
class Mutation:
    """One way to break a payload at one place."""

    name: str
    rule: str
    pointer: str
    change: Callable[[Any], None]

    def apply(self, payload: Any) -> tuple[Any, str]:
        """Mutate ``payload`` in place (pass a copy) and return it with the expected pointer."""
        self.change(payload)
        return payload, self.pointer


@dataclass(frozen=True)
class _Node:
    path: Path
    schema: dict[str, Any]
    value: Any


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _walk(schema: dict[str, Any], value: Any, path: Path) -> Iterator[_Node]:
    if "oneOf" in schema or "anyOf" in schema:
        picked = branch_for(schema, value)
        if picked is None:
            return
        schema = picked[1]
    yield _Node(path, schema, value)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key, sub in value.items():
            if key in props:
                yield from _walk(props[key], sub, [*path, key])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _walk(schema["items"], item, [*path, index])


def _getter(payload: Any, path: Path) -> Any:
    for part in path:
        payload = payload[part]
    return payload


def _setter(path: Path, value: Any) -> Callable[[Any], None]:
    def change(payload: Any) -> None:
        _getter(payload, path[:-1])[path[-1]] = value

    return change


def _deleter(path: Path) -> Callable[[Any], None]:
    def change(payload: Any) -> None:
        del _getter(payload, path[:-1])[path[-1]]

    return change


def _is_change_type(path: Path) -> bool:
    return len(path) >= 3 and path[-1] == "type" and str(path[-3]).endswith("_changes")


def mutation_sites(op: Operation, payload: Any) -> list[Mutation]:
    """Every single-rule mutation that can be applied to ``payload`` for ``op``."""
    schema = strict_request_schema(op.name)
    sites: list[Mutation] = []
    for node in _walk(schema, payload, []):
        if isinstance(node.value, dict):
            sites += _object_sites(node)
        else:
            sites += _leaf_sites(op, node)
    sites += _envelope_sites(op, payload)
    return sites


def _object_sites(node: _Node) -> Iterator[Mutation]:
    props = node.schema.get("properties", {})
    required = node.schema.get("required", [])
    for key in required:
        # A member the vendor's own examples leave out is accepted with a warning, not required.
        if key in node.value and contradiction(node.schema, "required", key) is None:
            path = [*node.path, key]
            yield Mutation("missing_required", "required", to_pointer(path), _deleter(path))
    if node.schema.get("additionalProperties") is False and props:
        known = next(iter(props))
        typo = _typo(known, props)
        if typo:
            path = [*node.path, typo]
            yield Mutation("unknown_field", "unknown_field", to_pointer(path), _setter(path, 1))
    for key in props:
        if key not in required and key != "data":
            path = [*node.path, key]
            yield Mutation("empty_string", "empty_string", to_pointer(path), _setter(path, ""))


def _typo(known: str, props: dict[str, Any]) -> str | None:
    for candidate in (known + "s", known[:-1] if len(known) > 3 else "", known.replace("_", "")):
        if candidate and candidate not in props and candidate not in _ADDRESS_KEYS | {"data"}:
            return candidate
    return None


def _leaf_sites(op: Operation, node: _Node) -> Iterator[Mutation]:
    path, schema, value = node.path, node.schema, node.value
    if not path:
        return
    pointer = to_pointer(path)
    name = str(path[-1])
    types = _types(schema)
    if types and not types & {"array", "object"}:
        yield Mutation("wrong_type", "type", pointer, _setter(path, [1, 2]))
    if _is_change_type(path):
        yield from _change_type_sites(op, path, value)
    elif path == ["data", "type"]:
        yield Mutation("data_type", "data_type", pointer, _setter(path, value.rstrip("s") + "_x"))
    elif name == "country_code" and isinstance(value, str):
        wrong = value.lower() if value not in _ALPHA3 else _ALPHA3[value]
        yield Mutation("country_code", "country_code", pointer, _setter(path, wrong))
    elif isinstance(schema.get("enum"), list) and isinstance(value, str):
        typo = value.upper() if value.upper() not in schema["enum"] else value + "_x"
        if typo not in schema["enum"]:
            yield Mutation("enum_typo", "enum", pointer, _setter(path, typo))
    if schema.get("format") == "date-time" and isinstance(value, str):
        naive = "2026-01-20T10:00:00"
        yield Mutation("datetime_timezone", "datetime_timezone", pointer, _setter(path, naive))
    yield from _range_sites(path, schema, value)
    if isinstance(value, int) and not isinstance(value, bool) and schema.get("x-clarus-id"):
        yield Mutation("id_as_string", "id_as_string", pointer, _setter(path, str(value)))


def _change_type_sites(op: Operation, path: Path, value: Any) -> Iterator[Mutation]:
    pointer = to_pointer(path)
    yield Mutation(
        "change_type_case", "change_type_case", pointer, _setter(path, str(value).lower())
    )
    if op.action == "create" and value == "ADD":

        def to_update(payload: Any) -> None:
            item = _getter(payload, path[:-1])
            item["type"], item["id"] = "UPDATE", 1

        yield Mutation("change_type_on_create", "change_type_on_create", pointer, to_update)


def _range_sites(path: Path, schema: dict[str, Any], value: Any) -> Iterator[Mutation]:
    pointer = to_pointer(path)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema:
            below = schema["minimum"] - 1
            yield Mutation("below_minimum", "minimum", pointer, _setter(path, below))
        elif "exclusiveMinimum" in schema:
            at = schema["exclusiveMinimum"]
            yield Mutation("below_minimum", "minimum", pointer, _setter(path, at))
    if isinstance(value, str) and "maxLength" in schema and not contradiction(schema, "maxLength"):
        long = "X" * (schema["maxLength"] + 1)
        yield Mutation("too_long", "max_length", pointer, _setter(path, long))


def _envelope_sites(op: Operation, payload: Any) -> Iterator[Mutation]:
    if not isinstance(payload, dict):
        return
    data = payload.get("data")
    if op.envelope == "jsonapi" and isinstance(data, dict):
        attributes = data.get("attributes")
        if isinstance(attributes, dict) and attributes:

            def unwrap(p: Any) -> None:
                flat = p.pop("data")["attributes"]
                p.update(flat)

            yield Mutation("flat_body", "jsonapi_envelope_required", "/data", unwrap)
        yield from _address_sites(op, payload)
    elif op.envelope == "flat" and "data" not in (op.request_schema or {}).get("properties", {}):

        def wrap(p: Any) -> None:
            fields = dict(p)
            p.clear()
            p["data"] = {"type": op.resource, "attributes": fields}

        yield Mutation("jsonapi_body", "flat_body_required", "/data", wrap)


def _address_sites(op: Operation, payload: Any) -> Iterator[Mutation]:
    data_schema = strict_request_schema(op.name)["properties"]["data"]
    relationships = data_schema["properties"].get("relationships", {})
    if "address" not in relationships.get("properties", {}):
        return

    def misplace(p: Any) -> None:
        data = p["data"]
        rel = data.get("relationships", {})
        block = rel.pop("address", None)
        if not rel:
            data.pop("relationships", None)
        attributes = (block or {}).get("data", {}).get("attributes") or dict(_ADDRESS)
        data["attributes"]["address"] = attributes

    yield Mutation(
        "address_in_attributes", "address_in_attributes", "/data/attributes/address", misplace
    )


# Mutations whose violation is a warning: the server accepts the payload and reports it.
WARNING_RULES = frozenset({"empty_string", "id_as_string"})
MUTATION_RULES = frozenset(
    {
        "required",
        "unknown_field",
        "empty_string",
        "type",
        "change_type_case",
        "change_type_on_create",
        "data_type",
        "country_code",
        "enum",
        "datetime_timezone",
        "minimum",
        "max_length",
        "id_as_string",
        "jsonapi_envelope_required",
        "flat_body_required",
        "address_in_attributes",
    }
)
