"""Round trips: what a REST create or update answers is what GraphQL reads back, field by field.

Each vendor request example whose answer is a record of a resource with a GraphQL root is sent
as pasted (as ``tests/server/test_vendor_examples_as_pasted.py`` does); then the record is read
through its root by id, selecting every scalar node field, and each must equal the REST answer's
attribute: ids as strings, date-times as the same instant, values the GraphQL pages show in other
words (``receiving``) as those words.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contracts import get_operation
from contracts.graphql_spec import NodeField, Root, spec
from tests.api import GraphQL
from tests.server.test_vendor_examples_as_pasted import EXAMPLES, TRUNCATED, _url

SCALARS = ("id", "string", "integer", "number", "boolean", "datetime", "json", "object")


def _root_of(operation: str) -> Root | None:
    op = get_operation(operation)
    if op.response_schema is None:  # nothing answered to compare with
        return None
    return spec().root_of(op.resource_type or op.resource)


def _record(operation: str, body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The id and attributes of an answer: JSON:API ``data`` (each relationship as the id field
    the contract says it comes from), or the flat record some pages show."""
    if not isinstance(body.get("data"), dict):
        return body["id"], {k: v for k, v in body.items() if k != "id"}
    data = body["data"]
    attributes = dict(data["attributes"])
    schema = get_operation(operation).response_schema or {}
    related = schema["properties"]["data"]["properties"]["relationships"].get("properties", {})
    for name, link in related.items():
        linkage = data["relationships"][name]["data"]
        attributes[link["x-clarus-from"]] = None if linkage is None else linkage["id"]
    return data["id"], attributes


def _cases() -> list[Any]:
    cases = []
    for path in EXAMPLES:
        operation = json.loads(path.read_text())["operation"]
        if operation in TRUNCATED or _root_of(operation) is None:
            continue
        cases.append(pytest.param(path, id=path.stem))
    return cases


def _compared(field: NodeField) -> bool:
    return not field.hidden and not field.column and field.kind in SCALARS


def _expected(field: NodeField, value: Any) -> Any:
    """The REST attribute as GraphQL shows it."""
    for stored, shown in field.values:
        if stored == value:
            return shown
    if value is None:
        return field.default
    if field.kind == "id":
        return str(value)
    return value


def _same(field: NodeField, expected: Any, got: Any) -> bool:
    if field.kind == "datetime" and isinstance(expected, str) and isinstance(got, str):
        return datetime.fromisoformat(expected) == datetime.fromisoformat(got)
    if field.kind == "number" and expected is not None and got is not None:
        return float(expected) == float(got)
    return bool(expected == got)


def _selection(fields: list[NodeField]) -> str:
    parts = []
    for field in fields:
        if field.kind == "object":
            parts.append(f"{field.name} {{ {' '.join(p.name for p in field.properties)} }}")
        else:
            parts.append(field.name)
    return " ".join(parts)


@pytest.mark.parametrize("path", _cases())
def test_graphql_reads_back_what_rest_answered(gql: GraphQL, path: Path) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    op = get_operation(example["operation"])
    root = _root_of(op.name)
    assert root is not None
    r = gql.call(op.method, _url(op.name), example["payload"])
    assert r.status_code == op.response_status, r.text
    ident, attributes = _record(op.name, r.json())
    fields = [f for f in root.fields if _compared(f) and f.source in attributes]
    assert fields, f"{root.name}: no field to compare"
    [node] = gql.nodes(root.name, f"id {_selection(fields)}", {"id": {"eq": str(ident)}})
    assert node["id"] == str(ident)
    differ = {
        f.name: (_expected(f, attributes[f.source]), node[f.name])
        for f in fields
        if not _same(f, _expected(f, attributes[f.source]), node[f.name])
    }
    assert differ == {}, f"{root.name}: (REST, GraphQL) per field"


def test_the_round_trips_cover_every_create_with_a_root() -> None:
    creates = {
        json.loads(p.read_text())["operation"]
        for p in EXAMPLES
        if json.loads(p.read_text())["operation"].endswith(".create")
    }
    covered = {p.values[0].stem.split("-")[0] for p in _cases()}
    missing = {c for c in creates if _root_of(c) is not None} - covered
    assert missing == set()
