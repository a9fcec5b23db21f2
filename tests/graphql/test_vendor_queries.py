"""The vendor's documented example queries, with their filter variables, against the demo pack.

Each fixture in ``vendor_queries/`` is one GraphQL list page's example (query, variables, response).
Pasted into /graphql as it is, it must run without errors and answer in the shape the vendor's own
response example shows: the same members at every level, ids as strings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api import GraphQL

EXAMPLES = sorted((Path(__file__).parent / "vendor_queries").glob("*.json"))
# Roots whose examples find records in the demo pack; the others (charging, mappings, groups...) hold
# nothing the REST side or the demo pack creates, and answer an empty page.
WITH_DATA = {
    "account_products", "account_warehouses", "accounts", "automations", "carrier_services",
    "carriers", "customers", "external_entities", "goods_in_receipts", "goods_out_lines",
    "goods_outs", "integrations", "locations", "order_types", "product_storage_units", "products",
    "reason_codes", "sites", "stock_balances", "stocks", "storage_unit_types", "storage_units",
    "tasks", "warehouses",
}  # fmt: skip


def _shape(value: Any) -> Any:
    """The members of a JSON value at every level (lists by their first item), types of scalars."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if value is None:
        return None
    return type(value).__name__


def _same_shape(ours: Any, theirs: Any, where: str = "") -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) or ours is None, where
        if ours is None:
            return
        assert set(ours) == set(theirs), (where, set(ours) ^ set(theirs))
        for key in theirs:
            _same_shape(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        if theirs and ours:
            _same_shape(ours[0], theirs[0], where + "[0]")
    elif theirs == "str" and ours is not None:
        assert ours == "str", (where, ours)  # ids and texts are strings


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_vendor_query_answers_in_the_documented_shape(gql: GraphQL, path: Path) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    answer = gql.query(example["query"], example["variables"])
    assert "errors" not in answer, answer["errors"]
    edges = answer["data"][example["root"]]["all"]["edges"]
    if example["root"] in WITH_DATA:
        assert edges, f"{example['root']}: the demo pack should hold what the example finds"
    if example["response"] and edges:
        vendor = example["response"]["data"]
        _same_shape(_shape(answer["data"]), _shape(vendor))
