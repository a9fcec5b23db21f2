"""Auth and tenant checks, and every error status the server answers, each as a JSON body."""

from __future__ import annotations

import pytest

from tests.api import SERVER_TESTS, Api, order
from tests.disk import no_room

pytestmark = SERVER_TESTS


@pytest.fixture
def api(api_over_both: Api) -> Api:
    """Over real HTTP and in process: each error as a client meets it on either transport."""
    return api_over_both


def test_missing_token_missing_subdomain_and_other_tenant(api: Api) -> None:
    r = api.http.post("/api/goods_outs", json=order())
    assert (r.status_code, r.headers["www-authenticate"]) == (401, 'Bearer error="invalid_token"')
    r = api.http.post(
        "/api/goods_outs", json=order(), headers={"Authorization": f"Bearer {api.token()}"}
    )
    assert r.status_code == 400
    assert "X-Clarus-Subdomain" in r.json()["error"]
    r = api.http.post(
        "/api/goods_outs",
        json=order(),
        headers={"Authorization": f"Bearer {api.token()}", "X-Clarus-Subdomain": api.another()},
    )
    assert r.status_code == 403
    r = api.http.post(
        "/api/goods_outs",
        json=order(),
        headers={"Authorization": "Bearer not-a-token", "X-Clarus-Subdomain": api.tenant},
    )
    assert r.status_code == 401


def test_no_read_or_write_crosses_tenants(api: Api) -> None:
    sandbox = api.another("sandbox")
    sandbox_ids = []
    for n in range(3):
        body = order(reference=f"SBX-{n}", lines_changes=[])
        r = api.call("POST", "/api/goods_outs", body, tenant=sandbox)
        assert r.status_code == 201, r.text
        sandbox_ids.append(r.json()["data"]["id"])
    store = api.store
    for record_id in sandbox_ids:  # every id of the other tenant
        # The test's tenant may have an order with the same id (the demo pack's 1, 2, 3): its
        # token then reaches that one, never the sandbox's.
        mine = store.get(api.tenant, "goods_outs", record_id) is not None
        r = api.call(
            "PATCH",
            f"/api/goods_outs/{record_id}",
            {"data": {"type": "goods_outs", "attributes": {"reference": "X"}}},
        )
        assert r.status_code == (200 if mine else 404)
        if not mine:
            assert api.call("POST", f"/api/goods_outs/{record_id}/cancel").status_code == 404
        assert api.record("goods_outs", record_id, sandbox)["attributes"]["reference"].startswith(
            "SBX-"
        )
    # sandbox has 3 products; a demo-only product id is unknown there
    r = api.call(
        "POST",
        "/api/goods_outs",
        order(
            lines_changes=[{"type": "ADD", "attributes": {"product_id": 6, "order_quantity": 1}}]
        ),
        tenant=sandbox,
    )
    assert r.status_code == 422
    assert (
        r.json()["errors"][0]["source"]["pointer"]
        == "/data/attributes/lines_changes/0/attributes/product_id"
    )


def test_malformed_json_names_line_and_column(api: Api) -> None:
    r = api.http.post(
        "/api/goods_outs",
        content=b'{\n  "data": ,\n}',
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert "line 2 column 11" in r.json()["error"]


def test_nan_and_infinity_are_not_json(api: Api) -> None:
    # Python's parser reads them; the vendor's would not, and no JSON encoder writes them back.
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        body = b'{"data": {"type": "products", "attributes": {"code": "X", "weight": %s}}}'
        r = api.http.post(
            "/api/products",
            content=body % constant,
            headers={**api.headers(), "Content-Type": "application/json"},
        )
        assert r.status_code == 400
        assert f"{constant.decode()} is not a JSON value" in r.json()["error"]


def test_wrong_content_type_is_415_and_big_body_413(api: Api) -> None:
    r = api.http.post(
        "/api/goods_outs",
        content=b"reference=SO-1",
        headers={**api.headers(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 415
    big = b'{"data": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = api.http.post(
        "/api/goods_outs",
        content=big,
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_unknown_route_and_wrong_method(api: Api) -> None:
    r = api.call("POST", "/api/goods_out", order())
    assert r.status_code == 404
    assert "did you mean /api/goods_outs" in r.json()["error"]
    r = api.call("GET", "/api/goods_outs")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST, OPTIONS"
    assert "allowed: POST, OPTIONS" in r.json()["error"]


def test_contract_violation_is_422_with_pointer_rule_and_hint(api: Api) -> None:
    body = order()
    body["data"]["attributes"]["address"] = body["data"].pop("relationships")["address"]["data"][
        "attributes"
    ]
    r = api.call("POST", "/api/goods_outs", body)
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/address"
    assert error["code"] == error["meta"]["rule"] == "address_in_attributes"
    assert "/data/relationships/address" in error["meta"]["hint"]
    assert r.json()["error"].startswith("/data/attributes/address")
    assert r.headers["x-clarus-mock-version"]


def test_v1_alias(api: Api) -> None:
    assert api.call("POST", "/api/v1/goods_outs", order()).status_code == 201


def test_unexpected_error_is_json_500_with_request_id(asgi: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(asgi.state.store, "create", boom)
    r = asgi.call("POST", "/api/goods_outs", order())
    assert r.status_code == 500
    body = r.json()
    assert body["request_id"] in body["error"]
    assert "Traceback" not in r.text


def test_a_full_disk_is_507_naming_it_and_the_server_goes_on(api: Api) -> None:
    with no_room(api.store):
        r = api.call("POST", "/api/goods_outs", order(reference="SO-NO-ROOM"))
    assert r.status_code == 507, r.text
    body = r.json()
    assert "no room left" in body["error"]
    assert body["request_id"] in body["error"]
    assert "SQLITE_TMPDIR" in body["error"]
    assert "Traceback" not in r.text
    kept = [r.attributes["reference"] for r in api.store.query(api.tenant, "goods_outs")]
    assert "SO-NO-ROOM" not in kept  # nothing of it was kept
    assert api.call("POST", "/api/goods_outs", order(reference="SO-ROOM")).status_code == 201


def test_ids_beyond_64_bits_are_unknown_not_a_crash(api: Api) -> None:
    huge = 2**80
    assert api.call("POST", f"/api/goods_outs/{huge}/cancel").status_code == 404
    r = api.call(
        "POST",
        "/api/account_warehouses",
        {
            "data": {
                "type": "account_warehouses",
                "attributes": {"account_id": 1, "warehouse_id": huge},
            }
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "unknown_reference"
