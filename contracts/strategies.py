"""Hypothesis strategies for valid and invalid payloads, derived from the same schemas.

``valid(operation)`` draws payloads the validator accepts without a single violation. The schema is
tuned for generation only: date-times with offsets, codes and names that look like a warehouse's,
positive whole quantities, short line lists, and unique line ids on update. ``invalid(operation)`` draws
a valid payload and applies one mutation; each example carries the violation it must produce.
"""

from __future__ import annotations

import copy
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from contracts.forms import strict_request_schema
from contracts.mutations import MUTATION_RULES, WARNING_RULES, Mutation, mutation_sites
from contracts.registry import get_operation

# Hypothesis and hypothesis-jsonschema come with the `hypothesis` extra only: `pip install
# clarus-mock` serves and checks payloads without them, and must not pin an integrator's Hypothesis.
_EXTRA_MODULES = frozenset({"hypothesis", "hypothesis_jsonschema"})
try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis_jsonschema import from_schema

    from contracts import _hypothesis_compat
except ModuleNotFoundError as error:
    if error.name not in _EXTRA_MODULES:
        raise
    raise ImportError(
        "contracts.valid, contracts.invalid and contracts.InvalidPayload need Hypothesis and "
        f"hypothesis-jsonschema, which a plain install leaves out ({error}); install them with: "
        "pip install 'clarus-mock[hypothesis]'",
        name=error.name,
    ) from error

# hypothesis-jsonschema 0.23.1, its newest release, calls many.more(), which Hypothesis 6.170.10
# removed; this gives it back to hypothesis-jsonschema alone, so no upper bound pins Hypothesis.
_hypothesis_compat.install()

_MAX_ITEMS = 4
_UPPER = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class InvalidPayload:
    """A payload built to break exactly one rule, and the violation it must yield first."""

    payload: Any
    pointer: str
    rule: str
    mutation: str
    severity: str = "error"
    original: Any = None  # the valid payload the mutation was applied to


def _datetimes() -> st.SearchStrategy[str]:
    offsets = st.sampled_from([0, 60, 120, -300, 330]).map(lambda m: timezone(timedelta(minutes=m)))
    moments = st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31), timezones=offsets)
    return moments.map(lambda d: d.replace(microsecond=0).isoformat().replace("+00:00", "Z"))


def _codes(max_len: int) -> st.SearchStrategy[str]:
    prefix = st.sampled_from(["SO", "PO", "SKU", "LOC", "ACC", "REF", "CUS", "SUP"])
    body = st.integers(1, 999_999).map(str)
    return st.builds(lambda p, n: f"{p}-{n}"[:max_len], prefix, body)


_WORDS = ["Red", "Widget", "Blue", "Box", "Large", "Pallet", "Standard", "Express", "North", "Bay"]


def _texts(max_len: int) -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4)
    return words.map(lambda w: " ".join(w)[:max_len])


_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "clarus-datetime": _datetimes(),
    "clarus-email": st.sampled_from(["ops@example.com", "jane.doe@example.org", "wh@example.net"]),
    "clarus-phone": st.sampled_from(["+44 20 7946 0958", "+32 2 555 12 34", "+49 30 901820"]),
    "clarus-postcode": st.sampled_from(["AB1 2CD", "1000", "10115", "SW1A 1AA"]),
}
_TEXT_FIELDS = ("name", "description", "notes", "note", "delivery_notes", "message", "title")


def _string_format(name: str, schema: dict[str, Any]) -> str:
    max_len = min(int(schema.get("maxLength", 40)), 40)
    for key in ("email", "phone", "postcode"):
        if key in name:
            return f"clarus-{key}"
    kind = "text" if any(name.endswith(t) for t in _TEXT_FIELDS) else "code"
    fmt = f"clarus-{kind}-{max_len}"
    if fmt not in _FORMATS:
        _FORMATS[fmt] = _texts(max_len) if kind == "text" else _codes(max_len)
    return fmt


def _choices(rule: dict[str, Any]) -> list[tuple[str, Any, dict[str, Any]]] | None:
    """``if K == V then properties ... else if ...`` as ``[(K, V, then_properties)]``, or None."""
    found = []
    node: Any = rule
    while isinstance(node, dict) and "if" in node:
        condition, then = node["if"], node.get("then", {})
        props = condition.get("properties", {})
        if (
            len(props) != 1
            or "const" not in next(iter(props.values()))
            or set(then) != {"properties"}
        ):
            return None
        key = next(iter(props))
        found.append((key, props[key]["const"], then["properties"]))
        node = node.get("else")
    return found if node is None else None


def _expand_choices(schema: dict[str, Any]) -> dict[str, Any]:
    """Turn an ``if/else`` chain keyed on one const into ``anyOf`` branches, for generation only.

    hypothesis-jsonschema explores every if/then combination; a chain of sixteen (an automation's
    event depends on its resource_name) never finishes. Branches accept the same payloads.
    """
    rules = schema.get("allOf", [])
    chains = [_choices(rule) for rule in rules]
    if not rules or any(chain is None for chain in chains) or len(chains) != 1:
        return schema
    base = {k: v for k, v in schema.items() if k != "allOf"}
    branches = []
    for key, value, then in chains[0] or []:
        branch = copy.deepcopy(base)
        branch["properties"][key] = {"const": value}
        branch["properties"].update(copy.deepcopy(then))
        branches.append(branch)
    return {"anyOf": branches}


def _const_path(condition: dict[str, Any]) -> tuple[list[str], Any] | None:
    """``{"properties": {"a": {"properties": {"b": {"const": V}}}}}`` -> ``(["a", "b"], V)``."""
    path: list[str] = []
    node = condition
    while True:
        props = node.get("properties", {})
        if len(props) != 1:
            return None
        key, node = next(iter(props.items()))
        path.append(key)
        if "const" in node:
            return path, node["const"]


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if key == "properties":
            for prop, sub in value.items():
                _deep_merge(base.setdefault("properties", {}).setdefault(prop, {}), sub)
        elif key == "required":
            base["required"] = list(dict.fromkeys([*base.get("required", []), *value]))
        else:
            base[key] = value


def _expand_condition(schema: dict[str, Any]) -> dict[str, Any]:
    """``if path == V then R`` as ``anyOf`` [path == V and R, path != V], for generation only.

    hypothesis-jsonschema handles a nested if/then by rejection; drawing a sales order (which needs
    an address) went from 2 s to 50 s for 25 examples.
    """
    found = _const_path(schema.get("if", {}))
    if (
        found is None
        or set(schema.get("then", {})) - {"required", "properties"}
        or "else" in schema
    ):
        return schema
    path, value = found
    base = {k: v for k, v in schema.items() if k not in ("if", "then")}
    when, otherwise = copy.deepcopy(base), copy.deepcopy(base)
    for branch, rule in ((when, {"const": value}), (otherwise, None)):
        node = branch
        for key in path[:-1]:
            node = node.setdefault("properties", {}).setdefault(key, {})
        leaf = node.setdefault("properties", {}).setdefault(path[-1], {})
        if rule is not None:
            leaf.clear()
            leaf.update(rule)
        elif isinstance(leaf.get("enum"), list):
            leaf["enum"] = [v for v in leaf["enum"] if v != value]
        else:
            leaf["not"] = {"const": value}
    _deep_merge(when, schema["then"])
    return {"anyOf": [when, otherwise]}


def _tune(schema: Any, name: str = "") -> Any:
    """A generation copy of a strict schema: same acceptance, realistic values."""
    if isinstance(schema, list):
        return [_tune(s, name) for s in schema]
    if not isinstance(schema, dict):
        return schema
    return _tune_object(schema, name)


def _tune_object(schema: dict[str, Any], name: str = "") -> dict[str, Any]:
    """:func:`_tune` for a schema object, which stays an object."""
    if "properties" in schema and "allOf" in schema:
        expanded = _expand_choices(schema)
        if expanded is not schema:
            return _tune_object(expanded, name)
    if "properties" in schema and "if" in schema:
        expanded = _expand_condition(schema)
        if expanded is not schema:
            return _tune_object(expanded, name)
    out = {k: (_tune(v, name) if k not in ("properties",) else v) for k, v in schema.items()}
    if "properties" in schema:
        out["properties"] = {k: _tune(v, k) for k, v in schema["properties"].items()}
    types = out.get("type")
    types = {types} if isinstance(types, str) else set(types or [])
    if out.get("format") == "date-time":
        out["format"] = "clarus-datetime"
    elif "string" in types and not ({"enum", "const", "pattern", "format"} & set(out)):
        out["format"] = _string_format(name, out)
    if "number" in types and "integer" not in types:
        out["type"] = [t if t != "number" else "integer" for t in sorted(types)] or "integer"
    if types & {"integer", "number"}:
        out.setdefault("maximum", 1000 if "quantity" in name else 999_999)
        if "exclusiveMinimum" in out:
            out["minimum"] = max(out.pop("exclusiveMinimum") + 1, out.get("minimum", 0))
        if "quantity" in name:
            out.setdefault("minimum", 1)
    if "array" in types and "items" in out:
        out.setdefault("maxItems", _MAX_ITEMS)
    if types == {"object"} and "properties" not in out and "additionalProperties" not in out:
        out["maxProperties"] = 3  # free-form objects (configuration): keep them small
    return out


def _unique_change_ids(payload: Any) -> Any:
    """Give every UPDATE/DESTROY item of a *_changes list its own id."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key.endswith("_changes") and isinstance(value, list):
                seen: set[int] = set()
                for item in value:
                    if isinstance(item, dict) and isinstance(item.get("id"), int):
                        while item["id"] in seen:
                            item["id"] += 1
                        seen.add(item["id"])
            _unique_change_ids(value)
    elif isinstance(payload, list):
        for item in payload:
            _unique_change_ids(item)
    return payload


@cache
def _generation_schema(name: str) -> dict[str, Any]:
    return _tune_object(copy.deepcopy(strict_request_schema(name)))


def valid(operation: str) -> st.SearchStrategy[Any]:
    """Payloads for ``operation`` that validate with no violation at all."""
    op = get_operation(operation)
    if op.request_schema is None:
        raise InvalidArgument(f"valid({operation!r}): {operation} takes no request body")
    return _valid_strategy(op.name)


@cache
def _valid_strategy(name: str) -> st.SearchStrategy[Any]:
    # Building the strategy canonicalises the schema, which is the slow part: do it once.
    strategy = from_schema(_generation_schema(name), custom_formats=_FORMATS)
    return strategy.map(_unique_change_ids)


def invalid(operation: str, rule: str | None = None) -> st.SearchStrategy[InvalidPayload]:
    """Payloads for ``operation`` that break one rule, each with the violation it must yield first.

    ``rule`` limits the mutations to one rule id (``required``, ``address_in_attributes``...).
    """
    op = get_operation(operation)
    if op.request_schema is None:
        raise InvalidArgument(f"invalid({operation!r}): {operation} takes no request body")
    if rule is not None and rule not in MUTATION_RULES:
        raise InvalidArgument(
            f"invalid({operation!r}, rule={rule!r}): no mutation makes that rule; "
            f"choose from {sorted(MUTATION_RULES)}"
        )
    return _invalid(op.name, rule)


@st.composite
def _invalid(draw: st.DrawFn, name: str, rule: str | None) -> InvalidPayload:
    payload = draw(valid(name))
    sites = [m for m in mutation_sites(get_operation(name), payload) if rule in (None, m.rule)]
    if not sites:
        # Some payloads offer no place for this rule (e.g. no optional field drawn); draw again.
        assume(False)
    mutation: Mutation = draw(st.sampled_from(sites))
    mutated, pointer = mutation.apply(copy.deepcopy(payload))
    severity = "warning" if mutation.rule in WARNING_RULES else "error"
    return InvalidPayload(mutated, pointer, mutation.rule, mutation.name, severity, payload)
