"""Property tests: products created over REST, read back through GraphQL with random filters.

A small Python oracle states the filter semantics the README lists; for any records and any
filter, /graphql must return exactly the records the oracle picks, each once, in id order, at
any page size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mock_server.app import create_app
from tests.graphql.conftest import GraphQL

# Few letters, in both cases, with SQL wildcards and letters whose case folding is not
# one-to-one, so filters hit, miss and nearly hit.
LETTERS = "aAbB%_ßẞıİ"
CODE_FIELDS = ("code", "barcode", "case_barcode", "inner_barcode", "outer_barcode")
short_text = st.text(LETTERS, min_size=0, max_size=4)


@pytest.fixture(scope="module")
def shared() -> Iterator[GraphQL]:
    """One server for the whole property run; the oracle reads what the store really holds."""
    app = create_app()
    with TestClient(app, base_url="http://testserver") as client:
        yield GraphQL(client, app)


@st.composite
def product_payload(draw: st.DrawFn) -> dict[str, Any]:
    """A create payload whose codes come from a few letters, so they overlap."""
    attributes: dict[str, Any] = {
        "description": draw(st.text(LETTERS, min_size=1, max_size=6)),
        "stock_unit_type_id": 1,  # exists in the demo pack
    }
    for field in CODE_FIELDS:
        attributes[field] = draw(st.none() | st.text(LETTERS, min_size=1, max_size=6))
    return {"data": {"type": "products", "attributes": attributes}}


def stored(gql: GraphQL) -> list[dict[str, Any]]:
    """Every product of the demo tenant as the oracle sees it: its id and attributes."""
    return [
        {"id": record.id, **record.attributes}
        for record in gql.app.state.mock.store.query("demo", "products")
    ]


def text_test(operator: str, value: Any) -> Callable[[Any], bool]:
    """The oracle's reading of one string operator (no wildcards; both ends of between)."""
    if operator == "eq":
        return lambda field: field == value
    if operator == "like":
        return lambda field: field is not None and value in field
    if operator == "ilike":
        return lambda field: field is not None and value.casefold() in field.casefold()
    if operator == "in":
        return lambda field: field in value
    low, high = value
    return lambda field: field is not None and low <= field <= high


def id_test(operator: str, value: Any) -> Callable[[int], bool]:
    """The oracle's reading of one id operator."""
    if operator == "in":
        return lambda ident: ident in {int(v) for v in value}
    compare: dict[str, Callable[[int, int], bool]] = {
        "eq": lambda a, b: a == b,
        "gt": lambda a, b: a > b,
        "gteq": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lteq": lambda a, b: a <= b,
    }
    return lambda ident: compare[operator](ident, int(value))


@st.composite
def text_operator(draw: st.DrawFn, seen: list[str]) -> tuple[str, Any]:
    """A string operator with a value near the stored ones: one of them, a piece, or a stranger."""
    nearby = st.sampled_from(seen) if seen else short_text
    piece = nearby.flatmap(
        lambda text: st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
            lambda ends: text[min(ends) : max(ends)]
        )
    )
    value = nearby | piece | short_text
    operator = draw(st.sampled_from(["eq", "like", "ilike", "in", "between"]))
    if operator == "in":
        return operator, draw(st.lists(value, max_size=3))
    if operator == "between":
        return operator, sorted(draw(st.lists(value, min_size=2, max_size=2)))
    return operator, draw(value)


@st.composite
def product_filter(
    draw: st.DrawFn, records: list[dict[str, Any]]
) -> tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]:
    """A GraphQL products filter of one to three fields, and the oracle's test for it."""
    ids = [record["id"] for record in records]
    chosen = draw(
        st.lists(
            st.sampled_from(["code", "barcode", "description", "all_codes", "id"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    given_filter: dict[str, Any] = {}
    tests: list[Callable[[dict[str, Any]], bool]] = []
    for name in chosen:
        if name == "id":
            operator = draw(st.sampled_from(["eq", "gt", "gteq", "lt", "lteq", "in"]))
            near = st.sampled_from(ids) if ids else st.integers(1, 10)
            value: Any = (
                [str(v) for v in draw(st.lists(near, max_size=3))]
                if operator == "in"
                else str(draw(near))
            )
            test = id_test(operator, value)
            tests.append(lambda record, test=test: test(record["id"]))
        else:
            fields = CODE_FIELDS if name == "all_codes" else (name,)
            seen = sorted({r[f] for r in records for f in fields if r.get(f) is not None})
            operator, value = draw(text_operator(seen))
            test = text_test(operator, value)
            tests.append(
                lambda record, test=test, fields=fields: any(test(record.get(f)) for f in fields)
            )
        given_filter[name] = {operator: value}
    return given_filter, lambda record: all(test(record) for test in tests)


def read_all(gql: GraphQL, given_filter: dict[str, Any], first: int) -> list[int]:
    """The ids /graphql returns for ``given_filter``, following cursors ``first`` at a time."""
    ids: list[int] = []
    after = None
    while True:
        answer = gql.query(
            "query($f: ProductsFilterType, $first: Int, $after: String) { products { "
            "all(filter: $f, first: $first, after: $after) { edges { node { id } } "
            "pageInfo { hasNextPage endCursor } } } }",
            {"f": given_filter, "first": first, "after": after},
        )
        assert "errors" not in answer, answer["errors"]
        page = answer["data"]["products"]["all"]
        assert len(page["edges"]) <= first
        ids += [int(edge["node"]["id"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


@settings(
    max_examples=150,
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
    for payload in data.draw(st.lists(product_payload(), max_size=4), label="created"):
        r = shared.call("POST", "/api/products", payload)
        # A code another product already holds is refused; the rest must be created.
        assert r.status_code in (201, 422), r.text
    records = stored(shared)
    given_filter, picks = data.draw(product_filter(records), label="filter")
    first = data.draw(st.integers(1, 100), label="first")
    expected = [record["id"] for record in records if picks(record)]
    assert read_all(shared, given_filter, first) == expected
