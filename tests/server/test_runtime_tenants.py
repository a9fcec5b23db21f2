"""Tenants made at run time: a copy of another tenant with its own OAuth client, isolated."""

from __future__ import annotations

from typing import Any

from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


def make(api: Api, **body: Any) -> dict[str, Any]:
    r = api.http.post("/__mock/tenants", json=body)
    assert r.status_code == 201, r.text
    api.made.append(r.json()["data"]["subdomain"])  # dropped after the test
    return dict(r.json()["data"])


def token(api: Api, tenant: dict[str, Any]) -> dict[str, str]:
    r = api.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": tenant["client_id"],
            "client_secret": tenant["client_secret"],
        },
    )
    assert r.status_code == 200, r.text
    return {
        "Authorization": f"Bearer {r.json()['access_token']}",
        "X-Clarus-Subdomain": tenant["subdomain"],
    }


def test_a_copy_has_the_sources_records_and_its_own_client(api: Api) -> None:
    shop = make(api, subdomain="shop-a")
    assert shop["copied_from"] == "demo"
    headers = token(api, shop)
    # The demo pack's order 123 exists in the copy, under the same id.
    r = api.http.post(
        "/graphql",
        json={
            "query": '{ goods_outs { all(filter: {id: {eq: "123"}}) { edges { node { reference } } } } }'
        },
        headers=headers,
    )
    assert r.json()["data"]["goods_outs"]["all"]["edges"], r.text
    created = api.http.post("/api/goods_outs", json=order(reference="SO-SHOP-A"), headers=headers)
    assert created.status_code == 201
    # Ids go on from the source's sequence, and nothing leaks back into demo (the pack's: the
    # copy's source when none is named).
    demo_refs = {n["reference"] for n in api.nodes("goods_outs", "reference", tenant="demo")}
    assert "SO-SHOP-A" not in demo_refs
    # A demo token is not valid for the copy.
    r = api.http.post(
        "/api/goods_outs",
        json=order(),
        headers={**api.headers("demo"), "X-Clarus-Subdomain": "shop-a"},
    )
    assert r.status_code == 403


def test_names_are_made_up_checked_and_unique(api: Api) -> None:
    made = make(api)
    assert made["subdomain"].startswith("t-")
    for body, status, words in (
        ({"subdomain": made["subdomain"]}, 422, "exists already"),
        ({"subdomain": "Bad Name"}, 422, "lowercase"),
        ({"from": "nowhere"}, 422, "no tenant 'nowhere'"),
        ({"form": "demo"}, 422, "unknown member"),
        ({"clock": "fast"}, 422, "clock"),
    ):
        r = api.http.post("/__mock/tenants", json=body)
        assert r.status_code == status, r.text
        assert words in r.json()["error"]


# From here, a server of the test's own: these read or reset the whole server's tenant list.


def test_reset_makes_it_a_copy_again_and_delete_forgets_it(asgi: Api) -> None:
    shop = make(asgi, subdomain="shop-b", clock="manual")
    headers = token(asgi, shop)
    assert asgi.http.get("/__mock/clock", params={"tenant": "shop-b"}).json()["mode"] == "manual"
    asgi.http.post("/api/goods_outs", json=order(reference="SO-GONE"), headers=headers)
    assert asgi.http.post("/__mock/reset", json={"tenant": "shop-b"}).status_code == 200
    refs = {n["reference"] for n in asgi.nodes("goods_outs", "reference", tenant="demo")}
    assert "SO-GONE" not in refs
    listed = [t["subdomain"] for t in asgi.http.get("/__mock/tenants").json()["data"]]
    assert listed == ["demo", "sandbox", "shop-b"]
    assert asgi.http.delete("/__mock/tenants/shop-b").status_code == 204
    assert asgi.http.delete("/__mock/tenants/shop-b").status_code == 404
    assert asgi.http.delete("/__mock/tenants/demo").status_code == 409
    r = asgi.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": shop["client_id"],
            "client_secret": shop["client_secret"],
        },
    )
    assert r.status_code == 401


def test_a_full_reset_forgets_runtime_tenants(asgi: Api) -> None:
    make(asgi, subdomain="shop-c")
    assert asgi.http.post("/__mock/reset").status_code == 200
    assert [t["subdomain"] for t in asgi.http.get("/__mock/tenants").json()["data"]] == [
        "demo",
        "sandbox",
    ]


def test_many_copies_each_have_their_own_client(asgi: Api) -> None:
    made = [make(asgi) for _ in range(50)]
    assert len({t["subdomain"] for t in made}) == 50
    assert len({t["client_id"] for t in made}) == 50
    assert len(asgi.http.get("/__mock/tenants").json()["data"]) == 52
    token(asgi, made[-1])
