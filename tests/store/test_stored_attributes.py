"""Rows hold attributes under short keys, defaults left out; no reader or filter can tell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.store import Cond, Store

DEFAULTS = {"allocated_quantity": 0, "short_status": "", "ratio": 1.5}
# Names that look like keys ("a", "aa"), default names, and names the store never saw before.
NAMES = st.sampled_from(
    ["a", "aa", "b", "product_id", "allocated_quantity", "short_status", "ratio"]
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.5, -2.25]),
    st.sampled_from(["", "0", "a", "x'y"]),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["a", "k"]), st.integers(0, 2), max_size=2),
)
RECORDS = st.lists(st.dictionaries(NAMES, VALUES, max_size=7), min_size=1, max_size=8)


def _read(attributes: dict[str, Any]) -> dict[str, Any]:
    """What a reader must get back: the attributes, each default where none was given."""
    return {**attributes, **{k: v for k, v in DEFAULTS.items() if k not in attributes}}


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None)
@given(rows=RECORDS, name=NAMES, value=VALUES)
def test_reads_and_filters_see_the_attributes_as_given(
    rows: list[dict[str, Any]], name: str, value: Any
) -> None:
    store = Store(indexes={"lines": ("product_id",)}, defaults={"lines": DEFAULTS})
    with store.transaction():
        made = store.create_many("t", "lines", rows, parent_id=1)
        store.save("t", made[0])  # a save writes the same way
    stored = store.query("t", "lines")
    assert [r.attributes for r in stored] == [_read(row) for row in rows]

    if isinstance(value, list | dict):
        return  # filters compare scalars
    if value is None:
        expected = [r.id for r, row in zip(made, rows, strict=True) if _read(row).get(name) is None]
        assert [r.id for r in store.query("t", "lines", [Cond(name, "null")])] == expected
        return

    # SQL compares numbers by value (true is 1) and text by text, as json_extract gives them.
    def equal(given: Any) -> bool:
        if isinstance(value, str) or isinstance(given, str):
            return _same(given, value)
        if given is None or isinstance(given, list | dict):
            return False
        return float(given) == float(value)

    expected = [r.id for r, row in zip(made, rows, strict=True) if equal(_read(row).get(name))]
    assert [r.id for r in store.query("t", "lines", [Cond(name, "eq", value)])] == expected


def test_a_default_is_left_out_of_the_row_and_a_different_value_kept() -> None:
    store = Store(defaults={"lines": DEFAULTS})
    with store.transaction():
        store.create_many(
            "t", "lines", [{"product_id": 1, "allocated_quantity": 0, "short_status": False}]
        )
        store.create("t", "lines", {"allocated_quantity": False, "ratio": 1.5})
    [stored, _] = [row[0] for row in store.db.execute("SELECT attributes FROM r_lines")]
    assert "allocated_quantity" not in stored  # left out
    assert "product_id" not in stored  # a key, not the name
    assert len(stored) < len('{"product_id":1,"short_status":false}')
    record, other = store.query("t", "lines")
    assert record.attributes["short_status"] is False  # false is no ""
    assert record.attributes["allocated_quantity"] == 0
    assert other.attributes["allocated_quantity"] is False  # nor is it 0


def test_a_key_given_in_a_rolled_back_transaction_is_taken_back() -> None:
    store = Store()

    def failing() -> None:
        with store.transaction():
            store.create("t", "lines", {"first": 1})
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing()
    with store.transaction():
        store.create("t", "lines", {"second": 2})  # gets the key "first" had for a moment
    assert [r.attributes for r in store.query("t", "lines")] == [{"second": 2}]
    assert store.db.execute("SELECT name FROM names").fetchall() == [("second",)]


def test_names_live_with_the_rows_in_a_file_and_a_snapshot(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    store = Store(path, defaults={"lines": DEFAULTS})
    with store.transaction():
        store.create("t", "lines", {"zeta": 1, "alpha": "x", "allocated_quantity": 2})
    snapshot = store.snapshot()
    store.db.close()

    reopened = Store(path, defaults={"lines": DEFAULTS})
    expected = {"zeta": 1, "alpha": "x", "allocated_quantity": 2, "short_status": "", "ratio": 1.5}
    assert [r.attributes for r in reopened.query("t", "lines")] == [expected]

    other = Store(defaults={"lines": DEFAULTS})
    with other.transaction():
        other.create("u", "lines", {"alpha": "first in this store", "beta": 0})
    other.restore(snapshot)  # keys of the snapshot, not of the store it replaces
    assert [r.attributes for r in other.query("t", "lines")] == [expected]
    assert other.query("t", "lines", [Cond("zeta", "eq", 1)])
