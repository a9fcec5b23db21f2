"""Every entry point reads a body the same way, and no input breaks the server.

Each kind of fault found against earlier versions has its reported instance and at least two more:
whole-number floats that skipped the id checks, client text that crashed a comparison or a decoder,
three JSON readers that disagreed, non-finite numbers without a pointer, and HTTP framing (encodings,
size limits while streaming).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import zlib
from typing import Any

import pytest

from mock_server.app import create_app
from mock_server.settings import Settings
from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


@pytest.fixture
def api(api_over_both: Api) -> Api:
    """Over real HTTP and in process: bodies, encodings and framing as each transport sends them."""
    return api_over_both


JSON = {"Content-Type": "application/json"}


def product(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "products", "attributes": {"description": "Tee", **attributes}}}


def post(api: Api, path: str, raw: bytes, **headers: str) -> Any:
    return api.http.post(path, content=raw, headers={**api.headers(), **JSON, **headers})


# Whole-number floats: normalised once after validation, so the domain checks integers.


def test_a_float_id_is_checked_like_the_integer(api: Api) -> None:
    r = post(api, "/api/products", json.dumps(product(stock_unit_type_id=424242.0)).encode())
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert (error["source"]["pointer"], error["code"]) == (
        "/data/attributes/stock_unit_type_id",
        "unknown_reference",
    )


def test_a_float_id_is_stored_as_an_integer(api: Api) -> None:
    r = post(api, "/api/products", json.dumps(product(stock_unit_type_id=1.0)).encode())
    assert r.status_code == 201, r.text
    stored = api.record("products", r.json()["data"]["id"])["attributes"]["stock_unit_type_id"]
    assert (stored, type(stored)) == (1, int)


def test_float_ids_in_lines_status_and_flat_bodies(api: Api) -> None:
    body = order(account_id=1.0, goods_out_status_id=1.0)
    body["data"]["attributes"]["lines_changes"][0]["attributes"]["product_id"] = 1.0
    r = post(api, "/api/goods_outs", json.dumps(body).encode())
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    assert created["attributes"]["goods_out_status_id"] == 1
    line = api.record("goods_outs", created["id"])["attributes"]["lines_changes"][0]
    assert isinstance(line["attributes"]["product_id"], int)
    # A flat body's ids: 2.0 names order 2 like 2 does (not "no such order").
    pending = api.call("POST", "/api/goods_outs", order(reference="SO-F")).json()["data"]["id"]
    raw = json.dumps({"ids": [float(pending)]}).encode()
    r = post(api, "/api/goods_out_processes/process_picks_async", raw)
    assert r.status_code == 200, r.text


# Client text reaches no comparison, SQLite or strict decoder that can raise.


@pytest.mark.parametrize("how", ["form", "json", "basic"])
def test_a_non_ascii_client_secret_is_a_wrong_secret(api: Api, how: str) -> None:
    client_id = api.credentials()[0]
    fields = {"grant_type": "client_credentials", "client_id": client_id}
    if how == "form":
        r = api.http.post("/oauth/token", data={**fields, "client_secret": "démo"})
    elif how == "json":
        r = api.http.post("/oauth/token", json={**fields, "client_secret": "démo"})
    else:
        basic = base64.b64encode(f"{client_id}:démo".encode()).decode()
        r = api.http.post("/oauth/token", data=fields, headers={"Authorization": f"Basic {basic}"})
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


def test_basic_credentials_that_do_not_decode_are_wrong_credentials(api: Api) -> None:
    fields = {"grant_type": "client_credentials"}
    for header in ("Basic ZGVtby1jbGllbnQ6\xff", "Basic not base64!", "basic " + "é" * 8):
        r = api.http.post(
            "/oauth/token", data=fields, headers={"Authorization": header.encode("latin-1")}
        )
        assert (r.status_code, r.json()["error"]) == (401, "invalid_client"), header


def test_numbers_in_query_strings_are_ascii_digits(api: Api) -> None:
    for ids in ("²", "٣", "1,²"):
        r = api.call("DELETE", f"/api/products?ids={ids}")
        assert r.status_code == 400, (ids, r.text)
        assert "ids" in r.json()["error"]
    assert api.http.get("/__mock/journal", params={"limit": "²"}).status_code == 400


def test_control_api_takes_only_strings_where_it_wants_names(api: Api) -> None:
    for tenant in ([api.tenant], {"x": 1}, 5):
        r = api.http.post("/__mock/reset", json={"tenant": tenant})
        assert r.status_code == 422, (tenant, r.text)


def test_admin_token_compared_as_bytes_and_scheme_in_any_case() -> None:
    from starlette.testclient import TestClient

    app = create_app(Settings(admin_token="sécret"))
    with TestClient(app) as client:
        assert client.get("/__mock/health").status_code == 401
        bad = {"Authorization": b"Bearer \xff\xfe"}
        assert client.get("/__mock/health", headers=bad).status_code == 401
        good = {"Authorization": "bearer sécret".encode()}
        assert client.get("/__mock/health", headers=good).status_code == 200


def test_bearer_scheme_matches_in_any_case(api: Api) -> None:
    token = api.token()
    for scheme in ("bearer", "BEARER", "Bearer"):
        headers = {"Authorization": f"{scheme} {token}", "X-Clarus-Subdomain": api.tenant}
        r = api.http.post("/api/products", json=product(stock_unit_type_id=1), headers=headers)
        assert r.status_code == 201, scheme


def test_a_lone_surrogate_is_422_at_its_member(api: Api) -> None:
    raw = b'{"data": {"type": "products", "attributes": {"description": "Tee \\ud800", '
    raw += b'"stock_unit_type_id": 1}}}'
    r = post(api, "/api/products", raw)
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert (error["source"]["pointer"], error["code"]) == (
        "/data/attributes/description",
        "invalid_unicode",
    )
    key = b'{"data": {"type": "products", "attributes": {"description": "x", '
    key += b'"stock_unit_type_id": 1, "\\udfff": 1}}}'
    assert post(api, "/api/products", key).json()["errors"][0]["code"] == "invalid_unicode"


# One reader: the same bytes mean the same thing at /api, /oauth/token and /__mock.

TOKEN_FORM = b'{"grant_type": "client_credentials", "client_id": "demo-client", '
TOKEN_FORM += b'"client_secret": "demo-secret"}'


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf" + TOKEN_FORM,
        TOKEN_FORM.replace(b'"demo-secret"', b"NaN"),
        TOKEN_FORM.replace(b'"demo-secret"', b"Infinity"),
        TOKEN_FORM[:-1],
        b"",
        TOKEN_FORM.replace(b"demo-secret", b"demo-secret\xff"),
        TOKEN_FORM.replace(b'"demo-secret"', b"9" * 5000),
    ],
    ids=["bom", "nan", "infinity", "truncated", "empty", "not-utf8", "too-many-digits"],
)
def test_what_is_not_json_is_400_everywhere(api: Api, raw: bytes) -> None:
    r = api.http.post("/oauth/token", content=raw, headers=JSON)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request"), r.text
    assert post(api, "/api/products", raw).status_code == 400
    # ?tenant= names the test's tenant, so the empty body (no tenant in it) resets that one only.
    reset = f"/__mock/reset?tenant={api.tenant}"
    assert api.http.post(reset, content=raw or b" ", headers=JSON).status_code in (
        400,
        200,  # an empty body is {} for the control API
    )
    if raw:
        assert api.http.post(reset, content=raw, headers=JSON).status_code == 400


@pytest.mark.parametrize(
    "content_type",
    ["Application/JSON", "application/json; charset=utf-8", "APPLICATION/JSON;charset=UTF-8"],
)
def test_media_types_match_case_insensitively_with_parameters(api: Api, content_type: str) -> None:
    client_id, client_secret = api.credentials()
    form = {"grant_type": "client_credentials", "client_id": client_id}
    raw = json.dumps({**form, "client_secret": client_secret}).encode()
    r = api.http.post("/oauth/token", content=raw, headers={"Content-Type": content_type})
    assert r.status_code == 200, r.text
    raw = json.dumps(product(stock_unit_type_id=1)).encode()
    assert post(api, "/api/products", raw, **{"Content-Type": content_type}).status_code == 201


def test_json_api_media_type_is_json(api: Api) -> None:
    raw = json.dumps(product(stock_unit_type_id=1)).encode()
    headers = {"Content-Type": "application/vnd.api+json"}
    assert post(api, "/api/products", raw, **headers).status_code == 201


def test_a_repeated_member_keeps_the_last_value_with_a_warning(api: Api) -> None:
    raw = b'{"data": {"type": "products", "attributes": {"description": "first", '
    raw += b'"description": "last", "stock_unit_type_id": 1}}}'
    r = post(api, "/api/products", raw)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["attributes"]["description"] == "last"
    entry = api.journal()[0]
    assert [(v["pointer"], v["rule"], v["severity"]) for v in entry["violations"]] == [
        ("/data/attributes/description", "duplicate_key", "warning")
    ]


def test_an_empty_body_is_400_not_json(api: Api) -> None:
    for raw in (b"", b"   \n"):
        r = post(api, "/api/products", raw)
        assert r.status_code == 400
        assert "empty input" in r.json()["error"]


# Non-finite numbers: 422 at the member, with their own rule.


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        (
            b'{"description": "x", "stock_unit_type_id": 1, "specific_gravity": 1E400}',
            "specific_gravity",
        ),
        (
            b'{"description": "x", "stock_unit_type_id": 1, "specific_gravity": -1e999}',
            "specific_gravity",
        ),
        (b'{"description": "x", "stock_unit_type_id": 1, "integer1": 1e400}', "integer1"),
    ],
)
def test_a_number_that_overflows_is_422_at_its_member(api: Api, raw: bytes, pointer: str) -> None:
    body = b'{"data": {"type": "products", "attributes": ' + raw + b"}}"
    r = post(api, "/api/products", body)
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert (error["source"]["pointer"], error["code"]) == (
        f"/data/attributes/{pointer}",
        "not_finite",
    )


def test_a_line_quantity_that_overflows_names_the_line(api: Api) -> None:
    raw = json.dumps(order()).replace('"order_quantity": 10', '"order_quantity": 1e400').encode()
    error = post(api, "/api/goods_outs", raw).json()["errors"][0]
    assert (
        error["source"]["pointer"] == "/data/attributes/lines_changes/0/attributes/order_quantity"
    )
    assert error["code"] == "not_finite"


# HTTP framing: encodings and the size limit.

PRODUCT = json.dumps(product(stock_unit_type_id=1)).encode()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("GZIP", gzip.compress),
        ("deflate", zlib.compress),
        ("identity", lambda raw: raw),
    ],
)
def test_gzip_and_deflate_bodies_are_decoded(api: Api, encoding: str, encode: Any) -> None:
    r = post(api, "/api/products", encode(PRODUCT), **{"Content-Encoding": encoding})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress"])
def test_other_encodings_are_415_with_accept_encoding(api: Api, encoding: str) -> None:
    r = post(api, "/api/products", PRODUCT, **{"Content-Encoding": encoding})
    assert r.status_code == 415
    assert r.headers["accept-encoding"] == "gzip, deflate"


def test_a_body_labelled_gzip_that_is_not_is_400(api: Api) -> None:
    r = post(api, "/api/products", PRODUCT, **{"Content-Encoding": "gzip"})
    assert r.status_code == 400
    assert "gzip" in r.json()["error"]


def test_the_limit_holds_for_the_decoded_body(api: Api) -> None:
    bomb = gzip.compress(b'{"data": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    assert len(bomb) < 1024 * 1024
    r = post(api, "/api/products", bomb, **{"Content-Encoding": "gzip"})
    assert r.status_code == 413
    assert "decoded" in r.json()["error"]


def test_a_large_chunked_body_is_cut_off_at_the_limit_not_buffered() -> None:
    """300 MiB offered in 64 KiB chunks: the server stops reading just past 1 MiB."""
    app = create_app(Settings())
    chunk = b"x" * 65536
    offered = 300 * 1024 * 1024 // len(chunk)
    read = {"chunks": 0}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        read["chunks"] += 1
        return {"type": "http.request", "body": chunk, "more_body": read["chunks"] < offered}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    from starlette.testclient import TestClient

    with TestClient(app) as client:
        token = Api(client, app.state.mock).token()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/products",
        "raw_path": b"/api/products",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"x-clarus-subdomain", b"demo"),
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "scheme": "http",
        "http_version": "1.1",
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert read["chunks"] * len(chunk) <= 1024 * 1024 + 2 * len(chunk)
