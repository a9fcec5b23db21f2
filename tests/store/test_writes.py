"""Batched writes store every row as given, whatever the batch's size."""

from __future__ import annotations

import pytest

from mock_server.store import Store


@pytest.mark.parametrize("count", [1, 2, 99, 100, 101, 250])
def test_create_many_stores_every_row_under_consecutive_ids(count: int) -> None:
    store = Store(indexes={"goods_out_lines": ("product_id",)})
    rows = [{"product_id": n % 7, "order_quantity": n, "note": f"line {n}"} for n in range(count)]
    with store.transaction():
        store.create("t", "goods_out_lines", {"product_id": 1}, parent_id=1)  # ids go on from 1
        made = store.create_many("t", "goods_out_lines", rows, parent_id=5)
    assert [r.id for r in made] == list(range(2, count + 2))
    stored = store.children("t", "goods_out_lines", 5)
    assert [(r.id, r.attributes, r.parent_id) for r in stored] == [
        (r.id, r.attributes, 5) for r in made
    ]
    # The indexed copy of product_id answers as the JSON does.
    sixes = store.find("t", "goods_out_lines", product_id=6)
    assert [r.attributes["order_quantity"] for r in sixes] == [
        n for n in range(count) if n % 7 == 6
    ]
