"""A memo is rebuilt after any write to the resources it names, and after anything that replaces
rows wholesale; writes elsewhere keep it."""

from __future__ import annotations

import pytest

from mock_server.store import Record, Store


def _memo(store: Store) -> list[int]:
    """The ids of tenant t's automations, counting each build."""
    builds.append(1)
    return [r.id for r in store.query("t", "automations")]


builds: list[int] = []


@pytest.fixture
def store() -> Store:
    builds.clear()
    found = Store()
    with found.transaction():
        found.create("t", "automations", {"name": "first"})
    return found


def ids(store: Store) -> list[int]:
    return store.memo("ids", ("automations",), lambda: _memo(store))


def test_kept_until_its_resources_are_written(store: Store) -> None:
    assert ids(store) == [1]
    with store.transaction():
        store.create("t", "goods_outs", {"reference": "A"})  # another resource
    assert ids(store) == [1]
    assert len(builds) == 1
    with store.transaction():
        store.create("u", "automations", {"name": "another tenant's"})  # any tenant's write
    assert ids(store) == [1]
    assert len(builds) == 2


@pytest.mark.parametrize("write", ["create", "create_many", "insert", "save", "delete"])
def test_every_kind_of_write_rebuilds_it(store: Store, write: str) -> None:
    assert ids(store) == [1]
    with store.transaction():
        if write == "create":
            store.create("t", "automations", {})
        elif write == "create_many":
            store.create_many("t", "automations", [{}, {}])
        elif write == "insert":
            store.insert("t", Record("automations", 9, {}, {}))
        elif write == "save":
            store.save("t", store.query("t", "automations")[0])
        else:
            store.delete("t", "automations", 1)
    expected = {"create": [1, 2], "create_many": [1, 2, 3], "insert": [1, 9], "save": [1]}
    assert ids(store) == expected.get(write, [])
    assert len(builds) == 2


def test_a_rolled_back_write_leaves_no_trace(store: Store) -> None:
    seen: list[list[int]] = []

    def failing() -> None:
        with store.transaction():
            store.create("t", "automations", {"name": "never committed"})
            seen.append(ids(store))  # built from the transaction's own rows
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing()
    assert seen == [[1, 2]]
    assert ids(store) == [1]


@pytest.mark.parametrize("wholesale", ["clear", "copy", "restore"])
def test_rows_replaced_wholesale_rebuild_it(store: Store, wholesale: str) -> None:
    snapshot = store.snapshot()
    with store.transaction():
        store.create("t", "automations", {"name": "second"})
    assert ids(store) == [1, 2]
    if wholesale == "clear":
        store.clear("t")
        assert ids(store) == []
    elif wholesale == "copy":
        store.clear("t")
        store.copy_tenant("u", "t")  # u has none
        assert ids(store) == []
    else:
        store.restore(snapshot)
        assert ids(store) == [1]
