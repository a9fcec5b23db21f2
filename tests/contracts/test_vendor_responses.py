"""Each response schema holds every attribute the vendor's response example for it shows, lines included.

The examples (``vendor_responses/``) are the success bodies the vendor's API reference pages publish.
The server renders exactly the response schema's attributes, so an attribute missing here would be
missing from every answer the mock gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contracts import get_operation

RESPONSES = sorted((Path(__file__).parent / "vendor_responses").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _missing(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """Members of ``value`` that ``schema`` does not name, at every depth."""
    if isinstance(value, dict) and "properties" in schema:
        found = []
        for name, sub in value.items():
            props = schema["properties"]
            if name not in props:
                found.append(f"{where}/{name}")
            else:
                found += _missing(props[name], sub, f"{where}/{name}")
        return found
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [m for item in value for m in _missing(schema["items"], item, f"{where}/0")]
    return []


def test_there_is_a_response_example_for_most_operations() -> None:
    assert len(RESPONSES) >= 40


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.stem)
def test_response_schema_holds_every_vendor_attribute(path: Path) -> None:
    example = _load(path)
    op = get_operation(example["operation"])
    assert op.response_schema is not None, "the vendor shows a body; the contract answers none"
    body = example["body"]
    props = op.response_schema["properties"]
    if "data" in props and isinstance(body.get("data"), dict):
        data = body["data"]
        attributes = props["data"]["properties"]["attributes"]
        assert _missing(attributes, data.get("attributes") or {}, "/data/attributes") == []
        if data.get("type") != "<string>":  # the generic action wrapper carries no real type
            assert isinstance(data["id"], str if op.id_type == "string" else int)
    else:
        assert _missing(op.response_schema, body, "") == []


def test_goods_out_record_has_the_attributes_of_the_vendors_create_response() -> None:
    # The stored page cuts the example off; these come after the cut on the vendor's page.
    attributes = get_operation("goods_outs.create").response_schema["properties"]["data"][
        "properties"
    ]["attributes"]["properties"]
    assert {
        "order_notes",
        "original_delivery_address_id",
        "pack_strategy",
        "packing_notes",
        "pick_notes",
        "pick_reference",
        "pick_type",
        "short_order_lines_description",
        "short_order_lines_reason_code_id",
    } <= set(attributes)
