"""The /__mock control API: health, reset, snapshots, journal, record reads."""

from __future__ import annotations

from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


def test_health(asgi: Api) -> None:
    body = asgi.http.get("/__mock/health").json()
    assert body["status"] == "ok"
    assert body["tenants"] == ["demo", "sandbox"]


def test_reset_one_tenant_keeps_the_other(api: Api) -> None:
    other = api.another("sandbox")
    mine = api.call("POST", "/api/goods_outs", order()).json()["data"]["id"]
    sandbox = api.call("POST", "/api/goods_outs", order(lines_changes=[]), tenant=other).json()[
        "data"
    ]["id"]
    assert api.http.post("/__mock/reset", json={"tenant": api.tenant}).status_code == 200
    assert (
        api.http.get(
            f"/__mock/records/goods_outs/{mine}", params={"tenant": api.tenant}
        ).status_code
        == 404
    )
    assert api.record("goods_outs", sandbox, other)["id"] == sandbox
    assert api.http.post("/__mock/reset", json={"tenant": "nope"}).status_code == 404


def test_a_tenant_member_that_is_null_or_empty_resets_nothing(api: Api) -> None:
    mine = api.call("POST", "/api/goods_outs", order()).json()["data"]["id"]
    for sent in (None, "", 7):
        r = api.http.post("/__mock/reset", json={"tenant": sent})
        assert r.status_code == 422, r.text
        assert "leave it out" in r.json()["error"]
    assert api.record("goods_outs", mine)["id"] == mine


def test_reset_all_restores_the_pack_and_tokens_go(asgi: Api) -> None:
    asgi.call("POST", "/api/goods_outs", order())
    assert asgi.http.post("/__mock/reset", json={}).status_code == 200
    assert asgi.call("POST", "/api/goods_outs/999/cancel").status_code == 401
    asgi.tokens.clear()
    assert asgi.call("POST", "/api/goods_outs/999/cancel").status_code == 404


def test_snapshot_and_restore(asgi: Api) -> None:
    assert asgi.http.post("/__mock/snapshots", json={"name": "empty"}).status_code == 201
    created = asgi.call("POST", "/api/goods_outs", order()).json()["data"]["id"]
    assert asgi.http.post("/__mock/snapshots/empty/restore").status_code == 200
    assert (
        asgi.http.get(
            f"/__mock/records/goods_outs/{created}", params={"tenant": "demo"}
        ).status_code
        == 404
    )
    assert asgi.http.post("/__mock/snapshots/missing/restore").status_code == 404


def test_journal_records_verdicts_even_for_accepted_requests(api: Api) -> None:
    api.call("POST", "/api/goods_outs", order(delivery_notes=""))
    api.call("POST", "/api/goods_outs", order(account_id="1"))
    api.call("POST", "/api/goods_outs", order(account_id="one"))
    entries = api.journal(3)
    rejected, quoted, accepted = entries
    assert (rejected["status"], rejected["violations"][0]["rule"]) == (422, "type")
    # An id sent as a string is accepted with a warning (an error only under --strict).
    assert (quoted["status"], quoted["violations"][0]["rule"]) == (201, "id_as_string")
    assert quoted["violations"][0]["severity"] == "warning"
    assert (accepted["status"], accepted["violations"][0]["rule"]) == (201, "empty_string")
    assert accepted["operation"] == "goods_outs.create"
    assert set(accepted) == {
        "id",
        "at",
        "method",
        "path",
        "tenant",
        "status",
        "duration_ms",
        "operation",
        "violations",
        "fault",
    }


def test_records_read_is_flagged_non_vendor(api: Api) -> None:
    body = api.http.get("/__mock/records/products/1", params={"tenant": api.tenant}).json()
    assert body["meta"] == {"non_vendor": True}
    assert api.http.get("/__mock/records/products/1").status_code == 400


HUGE = 10**21  # wider than SQLite's 64-bit integers


def test_ids_too_wide_for_the_store_are_not_found(api: Api) -> None:
    for method, path, expected in (
        ("GET", f"/__mock/records/goods_outs/{HUGE}?tenant={api.tenant}", 404),
        ("GET", f"/__mock/webhooks/deliveries/{HUGE}", 404),
        ("POST", f"/__mock/webhooks/deliveries/{HUGE}/redeliver", 404),
        ("DELETE", f"/__mock/faults/{HUGE}", 404),
    ):
        r = api.http.request(method, path)
        assert r.status_code == expected, (method, path, r.text)
    for method, path in (
        ("POST", f"/api/goods_outs/{HUGE}/cancel"),
        ("PATCH", f"/api/tasks/{HUGE}"),
        ("DELETE", f"/api/products?ids={HUGE}"),
    ):
        r = api.call(method, path)
        assert r.status_code in (400, 404, 422), (method, path, r.text)


def test_a_misspelt_member_is_refused_not_ignored(api: Api) -> None:
    mine = api.call("POST", "/api/goods_outs", order()).json()["data"]["id"]
    r = api.http.post("/__mock/reset", json={"tennant": api.tenant})
    assert r.status_code == 422, r.text
    assert "unknown member 'tennant' (did you mean 'tenant'?)" in r.json()["error"]
    assert api.record("goods_outs", mine)["id"] == mine  # nothing was reset
    r = api.http.post("/__mock/snapshots", json={"name": "s1", "nmae": "x"})
    assert r.status_code == 422, r.text


def test_the_clock_endpoints_refuse_a_member_they_do_not_take(api: Api) -> None:
    before = api.http.get("/__mock/clock", params={"tenant": api.tenant}).json()
    for path, body in (
        ("/__mock/clock", {"tenant": api.tenant, "mood": "manual"}),
        ("/__mock/clock/advance", {"by": "2h", "tennant": api.tenant}),
        ("/__mock/floor/step", {"tennant": api.tenant}),
    ):
        r = api.http.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        assert "unknown member" in r.json()["error"]
    assert api.http.get("/__mock/clock", params={"tenant": api.tenant}).json() == before


def test_a_log_limit_outside_0_to_a_million_is_a_400(api: Api) -> None:
    for path in ("/__mock/journal", "/__mock/webhooks/deliveries", "/__mock/outbox"):
        for limit in ("9999999999999999999", "99999999999999999999999", "1000001", "-1", "abc"):
            r = api.http.get(path, params={"limit": limit})
            assert r.status_code == 400, (path, limit, r.text)
            assert "from 0 to 1000000" in r.json()["error"]
        assert api.http.get(path, params={"limit": "1000000"}).status_code == 200
