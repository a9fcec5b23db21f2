"""Reading back through /graphql: filters, paging, errors, nested objects, tenants, the schema."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Any

import pytest
from graphql import (
    GraphQLSchema,
    build_client_schema,
    build_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)

from mock_server.graphql.schema import build
from tests.api import GraphQL, order


def product(gql: GraphQL, code: str, **attributes: Any) -> str:
    body = {
        "data": {
            "type": "products",
            "attributes": {
                "code": code,
                "description": f"Product {code}",
                "stock_unit_type_id": 1,
                **attributes,
            },
        }
    }
    r = gql.call("POST", "/api/products", body)
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def codes(gql: GraphQL, filter: dict[str, Any]) -> list[str]:
    return [node["code"] for node in gql.nodes("products", "code", filter)]


# Read-your-writes and round trips.


def test_a_rest_create_is_visible_in_the_very_next_request(gql: GraphQL) -> None:
    created = product(gql, "RYW-1", barcode="5000000000001", long_description="Long")
    [node] = gql.nodes(
        "products",
        "id code barcode long_description stock_unit_type { code }",
        {"code": {"eq": "RYW-1"}},
    )
    assert node == {
        "id": created,
        "code": "RYW-1",
        "barcode": "5000000000001",
        "long_description": "Long",
        "stock_unit_type": {"code": "EACH"},
    }


def test_the_integration_guide_reads_the_priority_0_storage_unit(gql: GraphQL) -> None:
    created = product(gql, "GUIDE-1")
    units = gql.nodes(
        "product_storage_units",
        "id priority product { id code } storage_unit_type { code }",
        {"product_id": {"eq": created}, "priority": {"eq": 0}},
    )
    assert [(u["priority"], u["product"]["id"]) for u in units] == [(0, created)]


def test_an_order_reads_back_with_lines_status_and_address(gql: GraphQL) -> None:
    r = gql.call("POST", "/api/goods_outs", order(reference="SO-RT-1"))
    assert r.status_code == 201, r.text
    [node] = gql.nodes(
        "goods_outs",
        "id reference goods_out_status { code name } account { code } "
        "address { name postcode country_code } lines { order_quantity product { id } }",
        {"reference": {"eq": "SO-RT-1"}},
    )
    assert node["goods_out_status"] == {"code": "PENDING", "name": "Pending"}
    assert node["address"] == {"name": "John Smith", "postcode": "AB1 2CD", "country_code": "GB"}
    assert node["lines"] == [{"order_quantity": 10, "product": {"id": "1"}}]
    assert node["account"] == {"code": "ACME"}


# Filter semantics.


def test_all_codes_matches_any_of_the_five_code_fields_exactly(gql: GraphQL) -> None:
    product(
        gql, "AC-1", barcode="B-AC", case_barcode="C-AC", inner_barcode="I-AC", outer_barcode="O-AC"
    )
    for value in ("AC-1", "B-AC", "C-AC", "I-AC", "O-AC"):
        assert codes(gql, {"all_codes": {"eq": value}}) == ["AC-1"], value
    assert codes(gql, {"all_codes": {"eq": "B-A"}}) == []  # exact, not a substring


def test_codes_that_look_like_numbers_stay_text(gql: GraphQL) -> None:
    product(gql, "0123", barcode="0123")
    product(gql, "123", barcode="123")  # not a duplicate of "0123"
    assert codes(gql, {"code": {"eq": "0123"}}) == ["0123"]
    assert codes(gql, {"barcode": {"between": ["0", "0124"]}}) == ["0123"]


def test_like_is_case_sensitive_and_ilike_is_not(gql: GraphQL) -> None:
    product(gql, "Case-Tee")
    assert codes(gql, {"code": {"like": "Case-T"}}) == ["Case-Tee"]
    assert codes(gql, {"code": {"like": "case-t"}}) == []
    assert codes(gql, {"code": {"ilike": "case-t"}}) == ["Case-Tee"]


@pytest.mark.parametrize(
    "text", ["50%", "a_b", "o'neil", 'say "hi"', "back\\slash", "x;--", "%", "_"]
)
def test_sql_metacharacters_are_plain_text_for_every_string_operator(
    gql: GraphQL, text: str
) -> None:
    product(gql, f"M{text}M")
    product(gql, "MzzzM")  # what a wildcard reading of % or _ would also match
    wanted = [f"M{text}M"]
    assert codes(gql, {"code": {"eq": f"M{text}M"}}) == wanted
    assert codes(gql, {"code": {"like": text}}) == wanted
    assert codes(gql, {"code": {"ilike": text.upper()}}) == wanted
    assert codes(gql, {"code": {"in": [f"M{text}M", "nope"]}}) == wanted
    assert codes(gql, {"code": {"between": [f"M{text}M", f"M{text}M"]}}) == wanted


def test_between_includes_both_ends_and_several_fields_are_anded(gql: GraphQL) -> None:
    for n in (1, 2, 3):
        product(gql, f"BT-{n}", shelf_life_min=n * 10)
    assert codes(gql, {"code": {"between": ["BT-1", "BT-2"]}}) == ["BT-1", "BT-2"]
    both = {"code": {"ilike": "BT-"}, "description": {"ilike": "BT-3"}}
    assert codes(gql, both) == ["BT-3"]


def test_datetimes_compare_by_the_instant(gql: GraphQL) -> None:
    for reference, when in (
        ("DT-1", "2026-12-01T09:00:00Z"),
        ("DT-2", "2026-12-01T12:00:00+02:00"),
    ):
        gql.call(
            "POST", "/api/goods_outs", order(reference=reference, expected_date_of_dispatch=when)
        )
    found = gql.nodes(
        "goods_outs",
        "reference expected_date_of_dispatch",
        {
            "expected_date_of_dispatch": {
                "from": "2026-12-01T09:30:00Z",
                "to": "2026-12-01T10:00:00Z",
            }
        },
    )
    assert found == [{"reference": "DT-2", "expected_date_of_dispatch": "2026-12-01T10:00:00Z"}]


def test_an_updated_at_read_back_finds_its_record(gql: GraphQL) -> None:
    for n in range(3):
        product(gql, f"US-{n}")
    nodes = gql.nodes("products", "id updated_at", {"code": {"like": "US-"}})
    for node in nodes:
        # Shown to the second; records written within that second all match it.
        same = gql.nodes("products", "id updated_at", {"updated_at": {"eq": node["updated_at"]}})
        assert node in same
        assert {n["updated_at"] for n in same} == {node["updated_at"]}
    since = gql.nodes("products", "id", {"updated_at": {"from": nodes[1]["updated_at"]}})
    assert {nodes[1]["id"], nodes[2]["id"]} <= {n["id"] for n in since}


def test_id_filters_and_filled(gql: GraphQL) -> None:
    found = gql.nodes("goods_outs", "id", {"id": {"in": ["1", "3"]}})
    assert [n["id"] for n in found] == ["1", "3"]
    with_carrier = gql.nodes("goods_outs", "id", {"carrier_id": {"filled": True}})
    assert with_carrier == []
    assert len(gql.nodes("goods_outs", "id", {"carrier_id": {"filled": False}})) >= 7


def test_status_words_per_interface(gql: GraphQL) -> None:
    [receipt] = gql.nodes("goods_in_receipts", "id status", {"status": {"eq": "receiving"}})
    assert receipt == {"id": "1", "status": "receiving"}
    assert gql.record("goods_in_receipts", 1)["attributes"]["status"] == "received"  # REST's word
    pending = gql.nodes("goods_outs", "id", {"goods_out_status_code": {"eq": "PENDING"}})
    assert [n["id"] for n in pending] == ["123"]
    # Every string operator tests the word shown, not the one stored.
    assert gql.nodes("goods_in_receipts", "id", {"status": {"like": "receiv"}}) == [{"id": "1"}]
    assert gql.nodes("goods_in_receipts", "id", {"status": {"eq": "received"}}) == []
    assert gql.nodes("goods_in_receipts", "id", {"status": {"between": ["r", "s"]}}) == [
        {"id": "1"}
    ]


# Paging and errors.


def test_paging_returns_every_record_once_in_id_order(gql: GraphQL) -> None:
    for n in range(7):
        product(gql, f"PG-{n}")
    seen: list[int] = []
    after = None
    while True:
        answer = gql.query(
            "query($after: String) { products { all(first: 3, after: $after) { "
            "edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }",
            {"after": after},
        )
        page = answer["data"]["products"]["all"]
        seen += [int(e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))
    assert len(seen) == len(gql.state.store.query("demo", "products"))


def error(answer: dict[str, Any]) -> tuple[str, str]:
    [first] = answer["errors"]
    return first["extensions"]["code"], first["message"]


@pytest.mark.parametrize("first", [0, 101, -1])
def test_first_out_of_range_is_an_error_not_a_clamp(gql: GraphQL, first: int) -> None:
    code, message = error(
        gql.query(f"{{ products {{ all(first: {first}) {{ edges {{ node {{ id }} }} }} }} }}")
    )
    assert code == "BAD_USER_INPUT"
    assert "first" in message


def test_a_garbled_or_foreign_cursor_names_after(gql: GraphQL) -> None:
    foreign = gql.query("{ accounts { all(first: 1) { pageInfo { endCursor } } } }")
    cursor = foreign["data"]["accounts"]["all"]["pageInfo"]["endCursor"]

    def made(text: str) -> str:  # a cursor of this API's shape holding any text
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    expected = {
        "garbage!": "is not a cursor this API gave out",
        made("products:" + "9" * 24): "is not a cursor this API gave out",  # past SQLite's range
        made("products:-1"): "is not a cursor this API gave out",
        made("products: 1"): "is not a cursor this API gave out",
        made("products:\uff11"): "is not a cursor this API gave out",  # a full-width 1
        "": "leave after out (or null) to start at the first record",
        cursor: "belongs to another connection, not products.all",
    }
    for value, wording in expected.items():
        answer = gql.query(
            "query($a: String) { products { all(after: $a) { edges { node { id } } } } }",
            {"a": value},
        )
        code, message = error(answer)
        assert (code, message.split(":")[0]) == ("BAD_USER_INPUT", "after"), message
        assert wording in message, message


def test_bad_filter_values_name_the_argument(gql: GraphQL) -> None:
    code, message = error(
        gql.query(
            '{ goods_outs { all(filter: {account_id: {eq: "x"}}) { edges { node { id } } } } }'
        )
    )
    assert (code, message.startswith("filter.account_id.eq")) == ("BAD_USER_INPUT", True)
    code, message = error(
        gql.query(
            '{ products { all(filter: {code: {between: ["a"]}}) { edges { node { id } } } } }'
        )
    )
    assert message.startswith("filter.code.between")
    code, message = error(
        gql.query(
            '{ goods_outs { all(filter: {expected_date_of_dispatch: {from: "soon"}}) { edges { node { id } } } } }'
        )
    )
    assert message.startswith("filter.expected_date_of_dispatch.from")


def test_unknown_fields_bad_syntax_and_deep_queries_are_errors(gql: GraphQL) -> None:
    assert (
        error(gql.query("{ products { all { edges { node { sku } } } } }"))[0]
        == "GRAPHQL_VALIDATION_FAILED"
    )
    assert error(gql.query("{ products { all { "))[0] == "GRAPHQL_PARSE_FAILED"
    deep = "{ goods_out_lines { all { edges { node { goods_out { lines { goods_out { lines { goods_out { lines { goods_out { id } } } } } } } } } } } }"
    assert error(gql.query(deep))[0] == "GRAPHQL_VALIDATION_FAILED"


# Auth, tenants and the schema.


def test_auth_and_tenants_answer_like_rest(gql: GraphQL) -> None:
    body = {"query": "{ products { all { edges { node { id } } } } }"}
    assert gql.http.post("/graphql", json=body).status_code == 401
    token = {"Authorization": f"Bearer {gql.token()}"}
    assert gql.http.post("/graphql", json=body, headers=token).status_code == 400
    other = {**token, "X-Clarus-Subdomain": "sandbox"}
    assert gql.http.post("/graphql", json=body, headers=other).status_code == 403
    r = gql.http.post(
        "/graphql",
        content=b"\xef\xbb\xbf{}",
        headers={**gql.headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400


def test_nothing_of_one_tenant_appears_in_another(gql: GraphQL) -> None:
    gql.call(
        "POST", "/api/goods_outs", order(reference="SBX-ONLY", lines_changes=[]), tenant="sandbox"
    )
    assert gql.nodes("goods_outs", "id", {"reference": {"eq": "SBX-ONLY"}}) == []
    demo_codes = {n["code"] for n in gql.nodes("products", "code")}
    sandbox_codes = {n["code"] for n in gql.nodes("products", "code", tenant="sandbox")}
    assert demo_codes.isdisjoint(sandbox_codes)
    # Nested objects resolve inside the tenant: sandbox orders name sandbox accounts.
    for node in gql.nodes(
        "goods_outs", "account { code } lines { product { code } }", tenant="sandbox"
    ):
        assert node["account"]["code"].startswith("SBX-")
        for line in node["lines"]:
            assert line["product"]["code"] in sandbox_codes


def test_graphiql_is_served_to_a_browser_without_a_token(gql: GraphQL) -> None:
    r = gql.http.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 200
    assert "graphiql" in r.text.lower()


def test_graphiql_goes_by_the_weights_in_accept(gql: GraphQL) -> None:
    for accept, html in [
        ("TEXT/HTML", True),
        ("application/json;q=0.5, text/html", True),
        ("text/html;q=0", False),
        ("application/json, text/html;q=0.9", False),
        ("text/htmlx", False),
        ("text/html;q=0.5, */*;q=0.9", False),
        ("text/html;q=1.5, application/json;q=0.5", False),
    ]:
        r = gql.http.get("/graphql", headers={"Accept": accept})
        assert (r.status_code == 200) is html, (accept, r.status_code)
        if html:
            assert r.headers["X-Clarus-Mock-Version"]


@pytest.mark.parametrize(
    ("accept", "params"),
    [("application/json", {}), ("*/*", {}), ("text/html", {"query": "{ __typename }"})],
)
def test_a_program_getting_graphql_is_told_to_post(
    gql: GraphQL, accept: str, params: dict[str, str]
) -> None:
    r = gql.http.get("/graphql", headers={"Accept": accept}, params=params)
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert "POST /graphql" in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def same(schema: GraphQLSchema) -> str:
    """The schema as SDL in name order, so two sources of one schema print alike."""
    return print_schema(lexicographic_sort_schema(schema))


def test_the_printed_sdl_is_the_served_schema(gql: GraphQL) -> None:
    answer = gql.query(get_introspection_query(specified_by_url=True))
    printed = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "graphql-schema"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert same(build_schema(printed)) == same(build_client_schema(answer["data"]))
    assert "ProductsFilterType" in printed
    assert "StringInputType" in printed


def test_every_filter_type_has_id_and_updated_at() -> None:
    schema = build()
    for name, kind in schema.schema_converter.type_map.items():
        if name.endswith("FilterType") and not name.endswith("InputType"):
            fields = kind.implementation.fields
            assert {"id", "updated_at"} <= set(fields), name


def test_no_n_plus_one_for_nested_objects(gql: GraphQL) -> None:
    """The statements a goods-out page takes do not grow with the page."""
    for n in range(30):
        lines = [
            {"type": "ADD", "attributes": {"product_id": p, "order_quantity": 1}}
            for p in (1, 2, 3, 4, 5)
        ]
        gql.call("POST", "/api/goods_outs", order(reference=f"NP-{n}", lines_changes=lines))
    query = (
        "query($n: Int) { goods_outs { all(first: $n) { edges { node { id account { code } "
        "warehouse { code } goods_out_status { code } address { postcode } "
        "lines { id product { code } } } } } } }"
    )
    store = gql.state.store
    counts = []
    for size in (3, 30):
        statements: list[str] = []
        store.db.set_trace_callback(statements.append)
        try:
            answer = gql.query(query, {"n": size})
        finally:
            store.db.set_trace_callback(None)
        assert len(answer["data"]["goods_outs"]["all"]["edges"]) == size
        # Reads of records only: the floor and the delivery worker poll their own tables (jobs,
        # deliveries) in the background, whenever they like.
        counts.append(
            len([s for s in statements if s.lstrip().upper().startswith("SELECT") and " r_" in s])
        )
    assert counts[0] == counts[1], counts


def test_vendor_example_json_loads() -> None:
    # A guard that the fixtures stay JSON the tests can read.
    from pathlib import Path

    for path in (Path(__file__).parent / "vendor_queries").glob("*.json"):
        assert json.loads(path.read_text())["root"]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ([], "query string"),
        ({"query": 5}, "query string"),
        ({"variables": {}}, "query string"),
        (
            {"query": "{ products { all { edges { node { id } } } } }", "variables": [1]},
            "variables",
        ),
        (
            {"query": "{ products { all { edges { node { id } } } } }", "operationName": 1},
            "operationName",
        ),
    ],
)
def test_a_body_that_is_not_a_graphql_request_is_400(gql: GraphQL, body: Any, names: str) -> None:
    r = gql.http.post("/graphql", json=body, headers=gql.headers())
    assert r.status_code == 400
    [problem] = r.json()["errors"]
    assert problem["extensions"]["code"] == "BAD_REQUEST"
    assert names in problem["message"]


def test_there_are_no_mutations_writes_go_through_rest(gql: GraphQL) -> None:
    code, message = error(gql.query('mutation { createProduct(code: "X") { id } }'))
    assert code == "GRAPHQL_VALIDATION_FAILED"
    assert "mutation" in message.lower()
