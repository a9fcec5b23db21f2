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

# file -> (pointer, rule, the contradiction and the decision)
CONTRADICTIONS = {
    "goods_outs.update.json": (
        "/data/attributes/lines_changes/0/type",
        "required",
        "The update sample's line has only attributes, while the goods-out schema says lines_changes "
        "items are ADD/UPDATE/DESTROY changes. Decision: every item needs its type.",
    ),
    "goods_in_receipts.update.json": (
        "/data/attributes/lines_changes/0/type",
        "required",
        "The update sample's line has an id and attributes but no type. Decision: as goods outs.",
    ),
    "integrations.create.json": (
        "/data/attributes/integration_type",
        "required",
        "The curl sample omits integration_type; the Key Fields table requires it. DESIGN.md: the "
        "Key Fields table wins.",
    ),
    "product_storage_units.create.json": (
        "/data/attributes/total",
        "unknown_field",
        "The curl sample sends total, which no field list of the request documents (it is in the "
        "response). Decision: total is read-only (per_layer x number_of_layers).",
    ),
    "product_storage_units.update.json": (
        "/data/attributes/total",
        "unknown_field",
        "Same sample as create; total is read-only.",
    ),
    "products.update.json": (
        "/data/attributes/country_of_manufacture",
        "max_length",
        "The schema-generated sample puts the 8-character placeholder '<string>' in "
        "country_of_manufacture, whose documented maximum is 6. Decision: keep the documented limit.",
    ),
    "storage_units.create.json": (
        "/data/attributes/warehouse_id",
        "required",
        "The schema sample has no warehouse_id; the Key Fields mark it required. Decision: required.",
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
    violations = [
        v for v in validate(example["operation"], example["payload"]) if v.severity == "error"
    ]
    if path.name in CONTRADICTIONS:
        pointer, rule, _why = CONTRADICTIONS[path.name]
        assert [(v.pointer, v.rule) for v in violations][:1] == [(pointer, rule)]
    else:
        assert violations == [], [v.render() for v in violations]


def test_every_contradiction_names_an_existing_example() -> None:
    names = {p.name for p in EXAMPLES}
    assert set(CONTRADICTIONS) <= names
