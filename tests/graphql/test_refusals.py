"""Bad client input to /graphql is the client's error: never a 500, INTERNAL_SERVER_ERROR or a trace.

Each case is a raw body (bytes, so escapes such as ``\\ud800`` reach the server as sent), the status,
the ``extensions.code`` of every error and words the first message must hold to name the problem.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api import GraphQL, order

FIRST = "query($n: Int) { products { all(first: $n) { edges { node { id } } } } }"
REQUIRED = "query($n: Int!) { products { all(first: $n) { edges { node { id } } } } }"
FILTER = "query($f: ProductsFilterType) { products { all(filter: $f) { edges { node { id } } } } }"
CODE_EQ = (
    "query($c: String) { products { all(filter: {code: {eq: $c}}) { edges { node { id } } } } }"
)
CODE_LIKE = (
    "query($c: String) { products { all(filter: {code: {like: $c}}) { edges { node { id } } } } }"
)
AFTER = "query($c: String) { products { all(after: $c) { edges { node { id } } } } }"


def body(query: Any, variables: Any = None, **more: Any) -> bytes:
    sent = {"query": query, **more}
    if variables is not None:
        sent["variables"] = variables
    return json.dumps(sent).encode()


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"eq": "x"}
    for _ in range(depth):
        value = {"code": value}
    return value


CASES = [
    # Not a GraphQL request: 400.
    pytest.param(body(""), 400, "BAD_REQUEST", "empty", id="empty-query"),
    pytest.param(body(5), 400, "BAD_REQUEST", "query string", id="query-not-a-string"),
    pytest.param(body("{ __typename }", [1]), 400, "BAD_REQUEST", "variables", id="variables-list"),
    pytest.param(body("{ __typename }", "x"), 400, "BAD_REQUEST", "variables", id="variables-text"),
    pytest.param(
        body("{ __typename }", operationName=5),
        400,
        "BAD_REQUEST",
        "operationName",
        id="operation-name-not-a-string",
    ),
    # No operation to run.
    pytest.param(
        body("query A { __typename }", operationName="Z"),
        200,
        "OPERATION_RESOLUTION_FAILURE",
        "Unknown operation named 'Z'",
        id="unknown-operation-name",
    ),
    pytest.param(
        b'{"query": "query A { __typename }", "operationName": "\\ud800"}',
        200,
        "OPERATION_RESOLUTION_FAILURE",
        "Unknown operation",
        id="operation-name-lone-surrogate",
    ),
    pytest.param(
        body("fragment F on Product { id }"),
        200,
        "OPERATION_RESOLUTION_FAILURE",
        "Must provide an operation",
        id="only-a-fragment",
    ),
    pytest.param(
        body("query A { __typename } query B { __typename }"),
        200,
        "OPERATION_RESOLUTION_FAILURE",
        "Must provide operation name",
        id="two-operations-no-name",
    ),
    # The document breaks the schema's rules.
    pytest.param(
        body("query($n: Foo) { __typename }"),
        200,
        "GRAPHQL_VALIDATION_FAILED",
        "$n",
        id="unknown-variable-type",
    ),
    pytest.param(
        body("{ products { all(first: 1099511627776) { edges { node { id } } } } }"),
        200,
        "GRAPHQL_VALIDATION_FAILED",
        "32-bit",
        id="int-literal-over-32-bits",
    ),
    # Variables graphql-core cannot coerce.
    pytest.param(
        body(FIRST, {"n": 1099511627776}), 200, "BAD_USER_INPUT", "$n", id="int-over-32-bits"
    ),
    pytest.param(body(REQUIRED, {}), 200, "BAD_USER_INPUT", "$n", id="missing-required-variable"),
    pytest.param(body(REQUIRED, {"n": None}), 200, "BAD_USER_INPUT", "$n", id="null-for-non-null"),
    pytest.param(body(FIRST, {"n": "x"}), 200, "BAD_USER_INPUT", "$n", id="wrong-type"),
    pytest.param(body(FIRST, {"n": 1.5}), 200, "BAD_USER_INPUT", "$n", id="fraction-for-int"),
    pytest.param(
        b'{"query": "' + FIRST.encode() + b'", "variables": {"n": 1E400}}',
        200,
        "BAD_USER_INPUT",
        "$n",
        id="number-that-overflows",
    ),
    pytest.param(
        body(FILTER, {"f": {"nope": 1}}), 200, "BAD_USER_INPUT", "nope", id="unknown-input-field"
    ),
    pytest.param(
        body(FILTER, {"f": {"code": {"eq": nested(50)}}}),
        200,
        "BAD_USER_INPUT",
        "$f",
        id="deeply-nested-input-objects",
    ),
    pytest.param(
        body(FILTER, {"f": {"code": {"in": [[[[[["x"]]]]]]}}}),
        200,
        "BAD_USER_INPUT",
        "$f",
        id="deeply-nested-lists",
    ),
    # Text that is not Unicode: a lone surrogate escape, wherever the variable goes.
    *(
        pytest.param(
            b'{"query": "' + query.encode() + b'", "variables": {"c": "\\ud800"}}',
            200,
            "BAD_USER_INPUT",
            "$c",
            id=f"lone-surrogate-{name}",
        )
        for name, query in (("eq", CODE_EQ), ("like", CODE_LIKE), ("after", AFTER))
    ),
    pytest.param(
        b'{"query": "' + FILTER.encode() + b'", "variables": '
        b'{"f": {"code": {"between": ["a", "\\udfff"]}}}}',
        200,
        "BAD_USER_INPUT",
        "$f' has invalid value at .code.between[1]",
        id="lone-surrogate-in-a-list",
    ),
    # Enormous strings (under the body limit) are read, or refused with a short message.
    pytest.param(
        body(AFTER, {"c": "x" * 500_000}), 200, "BAD_USER_INPUT", "after", id="enormous-cursor"
    ),
    pytest.param(
        body(
            "query($f: GoodsOutsFilterType) { goods_outs { all(filter: $f) "
            "{ edges { node { id } } } } }",
            {"f": {"id": {"eq": "1" * 500_000}}},
        ),
        200,
        "BAD_USER_INPUT",
        "filter.id.eq",
        id="enormous-id",
    ),
]


@pytest.fixture
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """What the server logs at ERROR (its traces), without pytest's logging plugin."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("clarus_mock")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize(("raw", "status", "code", "names"), CASES)
def test_bad_input_is_a_client_error_that_names_the_problem(
    gql: GraphQL,
    errors_logged: list[logging.LogRecord],
    raw: bytes,
    status: int,
    code: str,
    names: str,
) -> None:
    headers = {**gql.headers(), "Content-Type": "application/json"}
    r = gql.http.post("/graphql", content=raw, headers=headers)
    assert r.status_code == status, r.text
    answer = r.json()
    assert answer["data"] is None
    assert [e["extensions"]["code"] for e in answer["errors"]] == [code] * len(answer["errors"])
    assert names in answer["errors"][0]["message"]
    assert len(answer["errors"][0]["message"]) < 1000  # a message, not the value sent back
    assert errors_logged == []


def test_a_number_python_cannot_read_is_400_not_json(gql: GraphQL) -> None:
    raw = b'{"query": "' + FIRST.encode() + b'", "variables": {"n": ' + b"9" * 5000 + b"}}"
    headers = {**gql.headers(), "Content-Type": "application/json"}
    r = gql.http.post("/graphql", content=raw, headers=headers)
    assert r.status_code == 400, r.text
    assert "digits" in r.json()["errors"][0]["detail"]


def test_an_enormous_string_filter_is_read(gql: GraphQL) -> None:
    answer = gql.query(CODE_LIKE, {"c": "x" * 500_000})
    assert answer == {"data": {"products": {"all": {"edges": []}}}}


def test_an_operation_name_picks_one_of_several(gql: GraphQL) -> None:
    r = gql.http.post(
        "/graphql",
        json={
            "query": "query A { a: __typename } query B { b: __typename }",
            "operationName": "B",
        },
        headers=gql.headers(),
    )
    assert r.json() == {"data": {"b": "Query"}}


def test_a_resolver_surprise_is_still_internal_and_logged(
    gql: GraphQL, errors_logged: list[logging.LogRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side of the line: a fault of the server's own is named by a request id."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the store broke")

    monkeypatch.setattr(gql.state.store, "query", broken)
    answer = gql.query("{ products { all { edges { node { id } } } } }")
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "the store broke" not in error["message"]
    assert [record.getMessage().split()[-1] in error["message"] for record in errors_logged] == [
        True
    ]


def test_a_stored_integer_past_32_bits_is_named_not_an_internal_surprise(
    gql: GraphQL, errors_logged: list[logging.LogRecord]
) -> None:
    """REST takes any integer for integer1; GraphQL's Int has 32 bits. The field's error says
    which value it cannot show, the other lines still come, and no trace is logged."""
    line = {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 2, "integer1": 2**40}}
    made = gql.call("POST", "/api/goods_outs", order(reference="SO-BIG", lines_changes=[line]))
    assert made.status_code == 201, made.text
    [line_id] = [c["id"] for c in made.json()["data"]["attributes"]["lines_changes"]]
    answer = gql.query("{ goods_out_lines { all(first: 100) { edges { node { id integer1 } } } } }")
    [error] = answer["errors"]
    assert error["path"][-1] == "integer1"
    assert "1099511627776" in error["message"]
    assert "request id" not in error["message"]
    nodes = [edge["node"] for edge in answer["data"]["goods_out_lines"]["all"]["edges"]]
    assert {"id": str(line_id), "integer1": None} in nodes
    assert len(nodes) > 1
    assert errors_logged == []
