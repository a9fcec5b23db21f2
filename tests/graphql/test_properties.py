"""Property tests: records made through REST, read back through GraphQL with random filters.

Products, goods-in receipts (received, so they make stock) and goods outs are created through REST.
Then, for every root, filters of 1 to 3 of its documented fields with random operators and values
are drawn; a plain-Python oracle, written from the semantics docs/graphql.md states, picks the records over
the rows the store holds. /graphql must return exactly those, each once, in id order, at any page
size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from contracts.graphql_spec import Filter, Root, spec
from mock_server.app import create_app
from mock_server.store import Record
from tests.api import GraphQL

# Few letters, in both cases, with SQL wildcards and letters whose case folding is not
# one-to-one, so filters hit, miss and nearly hit.
LETTERS = "aAbB%_ßẞıİ"
CODE_FIELDS = ("code", "barcode", "case_barcode", "inner_barcode", "outer_barcode")
ROOTS = ("products", "goods_outs", "goods_out_lines", "stocks", "goods_in_receipts")
PRODUCTS = range(1, 7)  # demo products with a priority 0 storage unit: product + 1
short_text = st.text(LETTERS, min_size=0, max_size=4)
Test = Callable[[Any], bool]


@pytest.fixture(scope="module")
def shared() -> Iterator[GraphQL]:
    """One server for the whole property run; each example resets the demo tenant."""
    app = create_app()
    with TestClient(app, base_url="http://testserver") as client:
        yield GraphQL(client, app.state.mock)


# Records through REST.

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 3), timezones=st.just(UTC)
)
offsets = st.sampled_from([0, 60, -300, 330]).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def written(moment: datetime, offset: timezone) -> str:
    """The same instant in another offset, as a client might send it."""
    return moment.astimezone(offset).isoformat().replace("+00:00", "Z")


@st.composite
def product(draw: st.DrawFn) -> dict[str, Any]:
    """A product whose codes come from a few letters, so they overlap."""
    attributes: dict[str, Any] = {
        "description": draw(st.text(LETTERS, min_size=1, max_size=6)),
        "stock_unit_type_id": 1,  # exists in the demo pack
    }
    for field in CODE_FIELDS:
        attributes[field] = draw(st.none() | st.text(LETTERS, min_size=1, max_size=6))
    return {"data": {"type": "products", "attributes": attributes}}


@st.composite
def goods_out(draw: st.DrawFn) -> dict[str, Any]:
    lines = draw(st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 9)), max_size=3))
    attributes = {
        "goods_out_type": "sales_order",
        "account_id": draw(st.sampled_from([1, 2])),
        "warehouse_id": 1,
        "reference": draw(st.text(LETTERS, min_size=1, max_size=5)),
        "expected_date_of_dispatch": written(draw(moments), draw(offsets)),
        "lines_changes": [
            {"type": "ADD", "attributes": {"product_id": p, "order_quantity": q}} for p, q in lines
        ],
    }
    address = {
        "name": draw(st.text(LETTERS, min_size=1, max_size=5)),
        "address_1": "1 High Street",
        "postcode": "LS1 1AA",
        "country_code": "GB",
    }
    return {
        "data": {
            "type": "goods_outs",
            "attributes": attributes,
            "relationships": {"address": {"data": {"type": "addresses", "attributes": address}}},
        }
    }


@st.composite
def receipt(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A goods-in receipt, and how far it goes: created, received, or its tasks done (stock)."""
    lines = draw(
        st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 30)), min_size=1, max_size=3)
    )
    attributes = {
        "account_id": 1,
        "warehouse_id": 1,
        "reference": draw(st.text(LETTERS, min_size=1, max_size=5)),
        "expected_date_of_arrival": written(draw(moments), draw(offsets)),
        "lines_changes": [
            {
                "type": "ADD",
                "attributes": {
                    "product_id": p,
                    "expected_quantity": q,
                    "product_storage_unit_id": p + 1,
                },
            }
            for p, q in lines
        ],
    }
    body = {"data": {"type": "goods_in_receipts", "attributes": attributes}}
    return body, draw(st.sampled_from(["created", "received", "stocked"]))


def make(gql: GraphQL, data: st.DataObject) -> None:
    """Draw and create records through REST; the REST answers must be successes."""
    for body in data.draw(st.lists(product(), max_size=3), label="products"):
        r = gql.call("POST", "/api/products", body)
        assert r.status_code in (201, 422), r.text  # 422: a code another product holds
    for body, stage in data.draw(st.lists(receipt(), max_size=2), label="receipts"):
        r = gql.call("POST", "/api/goods_in_receipts", body)
        assert r.status_code == 201, r.text
        receipt_id = r.json()["data"]["id"]
        if stage == "created":
            continue
        assert gql.call("POST", f"/api/goods_in_receipts/{receipt_id}/receive").status_code == 200
        if stage == "received":
            continue
        tasks = gql.nodes("tasks", "id start_quantity", {"goods_in_receipt_id": {"eq": receipt_id}})
        for task in tasks:
            done = {
                "data": {
                    "type": "tasks",
                    "attributes": {"confirmed_quantity": task["start_quantity"]},
                }
            }
            r = gql.call("POST", f"/api/receive_tasks/{task['id']}/receive", done)
            assert r.status_code == 204, r.text
    for body in data.draw(st.lists(goods_out(), max_size=3), label="goods outs"):
        r = gql.call("POST", "/api/goods_outs", body)
        assert r.status_code == 201, r.text


# The oracle.


def instant(value: Any) -> datetime | None:
    """A date-time (ISO text, or seconds since the epoch) as an aware datetime, to the second:
    the precision GraphQL shows and compares."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).replace(microsecond=0)
    moment = datetime.fromisoformat(str(value)).replace(microsecond=0)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Rows:
    """The tenant's stored records, by resource and id, as the oracle reads them."""

    def __init__(self, gql: GraphQL) -> None:
        store = gql.state.store
        self.by_id: dict[str, dict[int, Record]] = {}
        for resource in {"products", "locations", *(spec().roots[r].resource for r in ROOTS)}:
            assert resource is not None
            self.by_id[resource] = {r.id: r for r in store.query("demo", resource)}

    def value(self, record: Record, name: str) -> Any:
        """A stored field or column of a record."""
        if name == "parent_id":
            return record.parent_id
        if name in ("id", "created_at", "updated_at"):
            return getattr(record, name)
        return record.attributes.get(name)

    def values(self, f: Filter, record: Record) -> list[Any]:
        """What the filter's operator tests for a record: one value, or several for any_of."""
        if f.kind == "any_of":
            return [self.value(record, name) for name in f.fields]
        if f.kind == "via":
            target = self.by_id[f.resource or ""].get(self.value(record, f.source))
            return [None if target is None else self.value(target, f.target)]
        stored = self.value(record, f.source)
        if f.kind == "status":
            return [next((s["code"] for s in f.statuses if s["id"] == stored), None)]
        if f.values:
            return [dict(f.values).get(stored, stored)]
        return [stored]


def oracle_test(f: Filter, operator: str, value: Any) -> Test:
    """The oracle's reading of one operator of one input type (docs/graphql.md)."""
    kind = "datetime" if f.input_type == "DatetimeInputType" else f.input_type
    if kind == "datetime":
        low, high = value if operator == "between" else [value, value]
        low, high = instant(low), instant(high)
        bounds = {
            "eq": (low, high),
            "from": (low, None),
            "to": (None, high),
            "between": (low, high),
        }
        start, end = bounds[operator]
        return lambda v: (
            v is not None
            and (start is None or instant(v) >= start)
            and (end is None or instant(v) <= end)
        )
    if f.input_type == "IdInputType":
        if operator == "filled":
            return lambda v: (v is not None) == value
        if operator == "in":
            return lambda v: v in {int(x) for x in value}
        value = int(value)
    if operator == "like":
        return lambda v: v is not None and value in v
    if operator == "ilike":
        return lambda v: v is not None and value.casefold() in v.casefold()
    if operator == "in":
        return lambda v: v is not None and v in value
    if operator == "between":
        return lambda v: v is not None and value[0] <= v <= value[1]
    compare: dict[str, Test] = {
        "eq": lambda v: v == value,
        "gt": lambda v: v > value,
        "gteq": lambda v: v >= value,
        "lt": lambda v: v < value,
        "lteq": lambda v: v <= value,
    }
    return lambda v: v is not None and compare[operator](v)


# Filters near the data.


def seen_values(rows: Rows, root: Root, f: Filter) -> list[Any]:
    records = rows.by_id[root.resource or ""].values()
    return sorted(
        {v for r in records for v in rows.values(f, r) if v is not None}, key=lambda v: str(v)
    )


@st.composite
def operand(draw: st.DrawFn, f: Filter, operator: str, seen: list[Any]) -> Any:
    """A value for ``operator`` near the stored ones: one of them, a piece, or a stranger."""
    if f.input_type == "IdInputType":
        near: st.SearchStrategy[Any] = (
            st.sampled_from(seen) if seen else st.just(1)
        ) | st.integers(1, 400)
        if operator == "filled":
            return draw(st.booleans())
        if operator == "in":
            return [str(v) for v in draw(st.lists(near, max_size=3))]
        return str(draw(near))
    if f.input_type == "DatetimeInputType":
        stored = [instant(v) for v in seen]
        near = (st.sampled_from(stored) if stored else moments) | moments
        near = st.tuples(near, st.sampled_from([0, 0, 1, -1])).map(
            lambda pair: pair[0] + timedelta(seconds=pair[1])
        )
        texts = st.tuples(near, offsets).map(lambda pair: written(*pair))
        if operator == "between":
            ends = draw(st.lists(near, min_size=2, max_size=2))
            return [written(moment, draw(offsets)) for moment in sorted(ends)]
        return draw(texts)
    if f.input_type in ("DecimalInputType", "IntegerInputType"):
        numbers = (st.sampled_from(seen) if seen else st.just(0)) | st.integers(0, 40)
        if operator == "between":
            return sorted(draw(st.lists(numbers, min_size=2, max_size=2)))
        return draw(numbers)
    words = st.sampled_from(seen) if seen else short_text
    piece = words.flatmap(
        lambda text: st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
            lambda ends: text[min(ends) : max(ends)]
        )
    )
    # The same letters in another case, to tell like from ilike.
    recased = piece.flatmap(
        lambda text: st.sampled_from([text.swapcase(), text.upper(), text.lower()])
    )
    text = st.one_of(words, piece, recased, recased, short_text)
    if operator == "in":
        return draw(st.lists(text, max_size=3))
    if operator == "between":
        return sorted(draw(st.lists(text, min_size=2, max_size=2)))
    return draw(text)


@st.composite
def a_filter(draw: st.DrawFn, rows: Rows, root: Root) -> tuple[dict[str, Any], Test]:
    """A filter of one to three of the root's fields, and the oracle's test of a record."""
    usable = [f for f in root.filters if f.kind != "back"]
    chosen = draw(
        st.lists(st.sampled_from(usable), min_size=1, max_size=3, unique_by=lambda f: f.name)
    )
    given_filter: dict[str, Any] = {}
    tests: list[Callable[[Record], bool]] = []
    for f in chosen:
        operator = draw(st.sampled_from(f.operators))
        value = draw(operand(f, operator, seen_values(rows, root, f)))
        given_filter[f.name] = {operator: value}
        test = oracle_test(f, operator, value)
        tests.append(lambda r, f=f, test=test: any(test(v) for v in rows.values(f, r)))
    return given_filter, lambda record: all(test(record) for test in tests)


def read_all(gql: GraphQL, root: Root, given_filter: dict[str, Any], first: int) -> list[int]:
    """The ids /graphql returns for ``given_filter``, following cursors ``first`` at a time."""
    ids: list[int] = []
    after = None
    while True:
        answer = gql.query(
            f"query($f: {root.filter_type}, $first: Int, $after: String) {{ {root.name} {{ "
            "all(filter: $f, first: $first, after: $after) { edges { node { id } } "
            "pageInfo { hasNextPage endCursor } } } }",
            {"f": given_filter, "first": first, "after": after},
        )
        assert "errors" not in answer, answer["errors"]
        page = answer["data"][root.name]["all"]
        assert len(page["edges"]) <= first
        ids += [int(edge["node"]["id"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_graphql_returns_exactly_what_the_oracle_picks(
    shared: GraphQL, data: st.DataObject
) -> None:
    # Each example starts from the pack, so a replayed example sees the same records.
    assert shared.http.post("/__mock/reset", params={"tenant": "demo"}).status_code == 200
    shared.tokens.clear()  # a reset revokes the tenant's tokens
    make(shared, data)
    rows = Rows(shared)
    # Several filters of every root per example: making the records is the slow part.
    for name in ROOTS:
        root = spec().roots[name]
        for _ in range(3):
            given_filter, picks = data.draw(a_filter(rows, root), label=f"{name} filter")
            first = data.draw(st.integers(1, 100), label="first")
            records = sorted(rows.by_id[root.resource or ""].items())
            expected = [i for i, record in records if picks(record)]
            assert read_all(shared, root, given_filter, first) == expected, (name, given_filter)
