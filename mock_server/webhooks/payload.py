"""What a webhook call carries: the full record as ``{"data": {...}}`` and five headers.

The vendor says the body is "the full payload of the affected record, not just an ID"
(https://documentation.claruswms.com/knowledgebase/integrations/webhook-events) and that conditions
address it as ``data.account_id`` (https://documentation.claruswms.com/api-reference/automations/
create-an-automation). So the body is ``{"data": {"id": ..., <every attribute the REST response
shows, null where unset>, "lines": [...]}}``, lines embedded for orders and receipts. The headers are
the five of https://documentation.claruswms.com/knowledgebase/integrations/validate-a-webhook-request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from contracts import operations
from contracts.graphql_spec import spec
from mock_server.rest.render import Shaper, shaper
from mock_server.store import Record, Store


def _attributes_schema(resource: str) -> dict[str, Any] | None:
    for op in operations().values():
        schema = op.response_schema
        if op.data_type != resource or schema is None or "data" not in schema["properties"]:
            continue
        attributes = schema["properties"]["data"]["properties"]["attributes"]
        if attributes.get("properties"):
            return dict(attributes)
    return None


@cache
def _shapers(resource: str) -> tuple[Shaper | None, Shaper | None]:
    """The record's and its lines' shapers, made once per resource (a shaper is compiled per
    schema object, so the schemas built here must be built once too)."""
    schema = _attributes_schema(resource)
    if schema is None:
        return None, None
    changes = schema["properties"].get("lines_changes", {})
    lines_schema = (changes.get("items") or {}).get("properties", {}).get("attributes")
    schema = {
        **schema,
        "properties": {k: v for k, v in schema["properties"].items() if k != "lines_changes"},
    }
    return shaper(schema), shaper(lines_schema) if lines_schema else None


@cache
def _lines_of(resource: str) -> tuple[tuple[str, str], ...]:
    """The record's embedded children (``lines``) as ``(member name, stored resource)``, once
    per resource."""
    root = spec().root_of(resource)
    found = (
        ((child.name, spec().roots[child.root].resource) for child in root.children) if root else ()
    )
    return tuple((name, child) for name, child in found if child is not None)


def kept(
    store: Store,
    tenant: str,
    record: Record,
    children: Mapping[str, Sequence[Record]] | None = None,
) -> dict[str, Any]:
    """What the outbox keeps of a change: ``{"data": {"id", <stored attributes>, "lines": [...]}}``.

    ``children`` maps a child resource (``goods_out_lines``) to all of the record's children as
    stored, when the caller already holds them; the others are read from the store.

    :func:`present` turns it into the body sent. Kept unshaped because the shaped body of a
    20-line order is 19 KB of mostly nulls against 3.5 KB stored, and shaping is a pure function of
    the schemas, so doing it when the body is sent gives the same bytes.
    """
    data: dict[str, Any] = {"id": record.id, **record.attributes}
    for name, child_resource in _lines_of(record.resource):
        held = (children or {}).get(child_resource)
        lines = store.children(tenant, child_resource, record.id) if held is None else held
        data[name] = [{"id": line.id, **line.attributes} for line in lines]
    return {"data": data}


def present(resource: str, kept_body: dict[str, Any], lines: bool = True) -> dict[str, Any]:
    """The body a webhook carries, from what :func:`kept` stored for a record of ``resource``:
    the id, every attribute REST shows (null where unset) and the lines, shaped the same way
    (left out when not ``lines``: conditions that read only the header need not shape them)."""
    shape_record, shape_line = _shapers(resource)
    data = kept_body.get("data", {})
    children = [name for name, _ in _lines_of(resource)]
    attributes = {k: v for k, v in data.items() if k != "id" and k not in children}
    found: dict[str, Any] = {
        "id": data.get("id"),
        **(shape_record(attributes) if shape_record else attributes),
    }
    for name in children if lines else ():
        if name in data:
            found[name] = [
                {"id": line.get("id"), **(shape_line(line) if shape_line else line)}
                for line in data[name]
            ]
    return {"data": found}


def headers(
    base_url: str, tenant: str, automation_id: int, integration_id: int | None
) -> dict[str, str]:
    """The five ``X-ClarusWMS-*`` headers; the integration id is empty when none is linked."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "clarus-mock webhooks",
        "X-ClarusWMS-Domain": base_url,
        "X-ClarusWMS-API-Domain": base_url,
        "X-ClarusWMS-Subdomain": tenant,
        "X-ClarusWMS-Automation-ID": str(automation_id),
        "X-ClarusWMS-Integration-ID": "" if integration_id is None else str(integration_id),
    }


def at_path(document: Any, path: str) -> Any:
    """The value at a dotted ``source_path`` (``data.account_id``, ``data.lines.0.product_id``)."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


OPERATORS = (
    "eq",
    "not_eq",
    "gt",
    "gteq",
    "lt",
    "lteq",
    "in",
    "not_in",
    "contains",
    "present",
    "blank",
)
"""Condition operators the mock evaluates. The vendor shows only ``eq``; the rest follow the names
of the GraphQL filter operators (``gteq``...). A condition with another operator never holds."""


def holds(document: Any, source_path: str, operator: str, value: str) -> bool:
    """Whether one automation condition holds on the payload. Values compare as text (the vendor
    sends ``"42"`` for an id), numerically when both sides are numbers; ``in`` takes a comma list."""
    actual = at_path(document, source_path)
    if operator == "present":
        return actual not in (None, "", [])
    if operator == "blank":
        return actual in (None, "", [])
    if actual is None:
        return operator in ("not_eq", "not_in")
    text = _text(actual)
    if operator == "eq":
        return text == value
    if operator == "not_eq":
        return text != value
    if operator in ("in", "not_in"):
        inside = text in [part.strip() for part in value.split(",")]
        return inside if operator == "in" else not inside
    if operator == "contains":
        return value in text
    left, right = _number(text), _number(value)
    pair = (left, right) if left is not None and right is not None else (text, value)
    compare = {
        "gt": lambda a, b: a > b,
        "gteq": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lteq": lambda a, b: a <= b,
    }.get(operator)
    return bool(compare(*pair)) if compare else False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def reads_lines(resource: str, source_paths: list[str]) -> bool:
    """Whether any ``source_path`` (``data.lines.0.product_id``) reaches into a record's lines."""
    children = {name for name, _ in _lines_of(resource)}
    return any(path.split(".")[1:2] and path.split(".")[1] in children for path in source_paths)
