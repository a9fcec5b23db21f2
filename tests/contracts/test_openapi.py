"""The generated OpenAPI document is valid 3.1, complete, and loadable by schemathesis."""

from __future__ import annotations

import schemathesis
from openapi_spec_validator import validate as validate_spec

from contracts import operations
from contracts.openapi import openapi_document


def test_document_is_valid_openapi_31() -> None:
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    validate_spec(document)


def test_every_operation_is_in_the_document() -> None:
    document = openapi_document()
    ids = {spec["operationId"] for item in document["paths"].values() for spec in item.values()}
    assert ids == set(operations())


def test_auth_and_tenant_header() -> None:
    document = openapi_document()
    create = document["paths"]["/api/goods_outs"]["post"]
    assert create["security"] == [{"BearerAuth": []}]
    assert {"$ref": "#/components/parameters/ClarusSubdomain"} in create["parameters"]
    assert "/api/v1/goods_outs" in create["description"]
    assert "422" in create["responses"]
    assert "201" in create["responses"]
    token = document["paths"]["/oauth/token"]["post"]
    assert token["security"] == []
    assert set(token["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }


def test_request_schemas_are_the_validators_schemas() -> None:
    document = openapi_document()
    for name, op in operations().items():
        if op.request_schema is not None:
            assert document["components"]["schemas"][f"{name}.request"] == op.request_schema


def test_schemathesis_loads_it() -> None:
    schema = schemathesis.openapi.from_dict(openapi_document())
    names = {result.ok().label for result in schema.get_all_operations()}
    assert "POST /api/goods_outs" in names
