"""The schema files themselves: valid 2020-12, consistent marks, one definition per field."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contracts import operations
from contracts.registry import schema_documents
from contracts.rules import RULES

FILES = sorted(schema_documents())


@pytest.mark.parametrize("name", FILES)
def test_file_is_valid_2020_12(name: str) -> None:
    doc = schema_documents()[name]
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].endswith("/" + name)
    Draft202012Validator.check_schema(doc)


def _marks(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["x-clarus-source"]] if "x-clarus-source" in node else []
        return found + [m for value in node.values() for m in _marks(value)]
    if isinstance(node, list):
        return [m for value in node for m in _marks(value)]
    return []


def test_source_marks_use_the_three_words() -> None:
    marks = {m for doc in schema_documents().values() for m in _marks(doc)}
    assert marks <= {"documented", "inferred", "contradictory"}
    assert {"inferred", "contradictory"} <= marks


@pytest.mark.parametrize("name", sorted(operations()))
def test_operation_schemas_check(name: str) -> None:
    op = operations()[name]
    for schema in (op.request_schema, op.response_schema):
        if schema is not None:
            Draft202012Validator.check_schema(schema)
    assert op.method in {"GET", "POST", "PATCH", "DELETE"}
    assert op.path.startswith("/")


def test_create_and_update_differ_in_change_types() -> None:
    create = operations()["goods_outs.create"].file_request_schema
    update = operations()["goods_outs.update"].file_request_schema
    assert create is not None
    assert update is not None

    def lines(s: dict) -> dict:
        return s["properties"]["data"]["properties"]["attributes"]["properties"]["lines_changes"]

    assert lines(create)["items"]["properties"]["type"] == {"const": "ADD"}
    assert [b["properties"]["type"]["const"] for b in lines(update)["items"]["oneOf"]] == [
        "ADD",
        "UPDATE",
        "DESTROY",
    ]


def test_every_rule_has_docs_text() -> None:
    for rule in RULES.values():
        assert rule.title
        assert rule.cause
        assert rule.fix
