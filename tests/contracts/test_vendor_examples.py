"""Every request example the vendor publishes validates clean, except where the vendor contradicts itself.

Each fixture in ``vendor_examples/`` is one documented request body (file name = operation, ``-2`` for a
page's second example). Where the example breaks the vendor's own schema or Key Fields, the decision is
written below with the violation the mock reports, so the contradiction is visible and tested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import validate

EXAMPLES = sorted((Path(__file__).parent / "vendor_examples").glob("*.json"))

# file -> (pointer, the contradiction and the decision). Each is accepted with the warning
# `vendor_contradiction` at the pointer (an error under --strict); every other example is clean.
CONTRADICTIONS = {
    "goods_outs.update.json": (
        "/data/attributes/lines_changes/0/type",
        "The update sample's line has only attributes, while the goods-out schema says lines_changes "
        "items are ADD/UPDATE/DESTROY changes. Decision: an item without type is ADD, or UPDATE when "
        "it has an id.",
    ),
    "goods_in_receipts.update.json": (
        "/data/attributes/lines_changes/0/type",
        "The update sample's line has an id and attributes but no type: read as UPDATE.",
    ),
    "integrations.create.json": (
        "/data/attributes/integration_type",
        "The curl sample omits integration_type; the Key Fields table requires it.",
    ),
    "product_storage_units.create.json": (
        "/data/attributes/total",
        "The curl sample sends total, which no field list of the request documents (it is in the "
        "response). Decision: accepted and ignored; the server computes per_layer x "
        "number_of_layers.",
    ),
    "product_storage_units.update.json": (
        "/data/attributes/total",
        "Same sample as create; total is read-only.",
    ),
    "products.update.json": (
        "/data/attributes/country_of_manufacture",
        "The schema-generated sample puts the 8-character placeholder '<string>' in "
        "country_of_manufacture, whose documented maximum is 6.",
    ),
    "storage_units.create.json": (
        "/data/attributes/warehouse_id",
        "The schema sample has no warehouse_id; the Key Fields mark it required. Decision: the "
        "unit takes the warehouse of its location.",
    ),
}


# file -> (errors, why): examples whose stored copy is cut off before fields the contract needs.
TRUNCATED = {
    "goods_outs.update.json": (
        [
            "/data/attributes/lines_changes/0/attributes/order_quantity",
            "/data/attributes/lines_changes/0/attributes/product_id",
        ],
        "The stored page breaks off inside the line's datetime5_from; the sample lists fields "
        "alphabetically, so order_quantity and product_id would follow. The item has no id, so it "
        "is read as ADD, which needs them.",
    ),
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_is_an_example_for_most_operations() -> None:
    operations = {_load(p)["operation"] for p in EXAMPLES}
    assert len(EXAMPLES) >= 80
    assert {"goods_outs.create", "goods_in_receipts.create", "products.create"} <= operations


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_vendor_example(path: Path) -> None:
    example = _load(path)
    violations = validate(example["operation"], example["payload"])
    errors = sorted(v.pointer for v in violations if v.severity == "error")
    assert errors == TRUNCATED.get(path.name, ([], ""))[0]
    warnings = [(v.pointer, v.rule) for v in violations if v.severity == "warning"]
    if path.name in CONTRADICTIONS:
        pointer, _why = CONTRADICTIONS[path.name]
        assert (pointer, "vendor_contradiction") in warnings
        assert {rule for _, rule in warnings} == {"vendor_contradiction"}
    else:
        assert warnings == []


def test_every_contradiction_names_an_existing_example() -> None:
    names = {p.name for p in EXAMPLES}
    assert set(CONTRADICTIONS) <= names
    assert set(TRUNCATED) <= names
