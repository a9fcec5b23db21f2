"""The store answers "which of these ids exist" for many resources and ids in one go."""

from __future__ import annotations

from mock_server.store import Store


def test_existing_answers_for_every_resource_and_every_id_even_past_the_batch_sizes() -> None:
    store = Store()
    with store.transaction():
        products = store.create_many("t", "products", [{"n": i} for i in range(1_200)])
        accounts = store.create_many("t", "accounts", [{"n": 1}, {"n": 2}])
        store.create_many("other", "products", [{"n": 0}] * 5)  # another tenant's ids
        many = [store.create("t", f"kind_{i}", {}) for i in range(60)]
    # 60 resources of one record each, and one never written: more SELECTs than one compound
    # statement may hold.
    wanted: dict[str, set[int]] = {r.resource: {r.id, r.id + 1} for r in many}
    wanted["never_written"] = {1}
    wanted["products"] = {p.id for p in products} | {5_000, -1, 2**70}
    wanted["accounts"] = {a.id for a in accounts} | {99}
    found = store.existing("t", wanted)
    assert found == (
        {("products", p.id) for p in products}
        | {("accounts", a.id) for a in accounts}
        | {(r.resource, r.id) for r in many}
    )
    assert store.existing("nobody", {"products": {1}}) == set()
    assert store.existing("t", {}) == set()
