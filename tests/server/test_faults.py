"""Fault injection: /__mock/faults rules and what a client meets, in process and over a socket."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


@pytest.fixture
def api(whole_over_both: Api) -> Api:
    """The whole server, over real HTTP and in process: fault rules apply to every tenant."""
    return whole_over_both


def add(api: Api, **rule: Any) -> dict[str, Any]:
    """Add a rule; its listing as the server answers it."""
    r = api.http.post("/__mock/faults", json=rule)
    assert r.status_code == 201, r.text
    return dict(r.json()["data"])


def rules(api: Api) -> list[dict[str, Any]]:
    return list(api.http.get("/__mock/faults").json()["data"])


def last_entry(api: Api) -> dict[str, Any]:
    return dict(api.http.get("/__mock/journal", params={"limit": 1}).json()["data"][0])


def test_429_with_retry_after_for_the_next_two_posts_then_normal(api: Api) -> None:
    api.token()  # before the rule, so the token request is not what it counts
    rule = add(api, method="POST", path="/api/goods_outs*", respond={"status": 429}, times=2)
    assert rule["respond"] == {"status": 429, "retry_after": 1}  # the default for 429
    for _ in range(2):
        r = api.call("POST", "/api/goods_outs", order())
        assert r.status_code == 429
        assert r.headers["retry-after"] == "1"
        assert r.headers["x-clarus-mock-fault"] == str(rule["id"])
        body = r.json()
        assert body["meta"] == {"fault": rule["id"]}
        assert "injected" in body["error"]
        assert body["errors"][0]["status"] == "429"
        assert body["errors"][0]["title"] == "Too many requests"
        entry = last_entry(api)
        assert (entry["status"], entry["fault"], entry["tenant"]) == (429, rule["id"], "demo")
    r = api.call("POST", "/api/goods_outs", order())
    assert r.status_code == 201, r.text
    assert "x-clarus-mock-fault" not in r.headers
    assert last_entry(api)["fault"] is None
    (listed,) = rules(api)
    assert (listed["fired"], listed["spent"]) == (2, True)


@pytest.mark.parametrize(
    ("respond", "retry_after"),
    [({"status": 503}, "1"), ({"status": 500}, None), ({"status": 502, "retry_after": 30}, "30")],
)
def test_each_status_and_its_retry_after(
    api: Api, respond: dict[str, Any], retry_after: str | None
) -> None:
    add(api, path="/graphql", respond=respond)
    r = api.http.post("/graphql", json={"query": "{ __typename }"}, headers=api.headers())
    assert r.status_code == respond["status"]
    assert r.headers.get("retry-after") == retry_after
    assert r.json()["errors"][0]["status"] == str(respond["status"])


def statuses(api: Api, count: int) -> list[int]:
    """Send ``count`` bad orders (422 unless faulted); the statuses in order."""
    return [api.call("POST", "/api/goods_outs", {}).status_code for _ in range(count)]


def test_a_seeded_fraction_fails_the_same_requests_again(api: Api) -> None:
    api.token()
    add(api, path="/api/goods_outs", respond={"status": 503}, fraction=0.5, seed=7)
    first = statuses(api, 20)
    assert set(first) == {422, 503}  # a share, neither none nor all
    assert rules(api)[0]["fired"] == first.count(503)
    api.http.delete("/__mock/faults")
    add(api, path="/api/goods_outs", respond={"status": 503}, fraction=0.5, seed=7)
    assert statuses(api, 20) == first
    api.http.delete("/__mock/faults")
    add(api, path="/api/goods_outs", respond={"status": 503}, fraction=0.5, seed=8)
    assert statuses(api, 20) != first


def test_a_fraction_rule_draws_the_same_whatever_fires_before_it(api: Api) -> None:
    api.token()
    add(api, path="/api/goods_outs", respond={"status": 503}, fraction=0.5, seed=3)
    alone = statuses(api, 12)
    api.http.delete("/__mock/faults")
    add(api, path="/api/goods_outs", respond={"status": 500}, times=3)
    add(api, path="/api/goods_outs", respond={"status": 503}, fraction=0.5, seed=3)
    behind = statuses(api, 12)
    assert behind == [500, 500, 500, *alone[3:]]


def test_tenant_and_method_matching(api: Api) -> None:
    api.token("demo"), api.token("sandbox")
    add(api, method="patch", tenant="sandbox", path="/api/goods_outs/*", respond={"status": 500})
    assert api.call("PATCH", "/api/goods_outs/999", {}, tenant="demo").status_code != 500
    assert api.call("POST", "/api/goods_outs/999/cancel", tenant="sandbox").status_code != 500
    assert api.call("PATCH", "/api/goods_outs/999", {}, tenant="sandbox").status_code == 500
    # /api/v1 paths meet the rules written for /api, and the other way round.
    assert api.call("PATCH", "/api/v1/goods_outs/999", {}, tenant="sandbox").status_code == 500
    api.http.delete("/__mock/faults")
    add(api, path="/api/v1/goods_outs", respond={"status": 502})
    assert api.call("POST", "/api/goods_outs/", order()).status_code == 502


def test_oauth_rules_match_the_clients_tenant(api: Api) -> None:
    add(api, path="/oauth/token", tenant="sandbox", respond={"status": 503}, times=2)
    form = {"grant_type": "client_credentials"}
    demo = {**form, "client_id": "demo-client", "client_secret": "demo-secret"}
    sandbox = {**form, "client_id": "sandbox-client", "client_secret": "sandbox-secret"}
    assert api.http.post("/oauth/token", data=demo).status_code == 200
    assert api.http.post("/oauth/token", json=sandbox).status_code == 503  # the body, read twice
    basic = api.http.post("/oauth/token", data=form, auth=("sandbox-client", "sandbox-secret"))
    assert basic.status_code == 503
    assert last_entry(api)["tenant"] == "sandbox"
    assert api.http.post("/oauth/token", data=sandbox).status_code == 200  # spent


def test_a_rule_may_name_a_tenant_made_at_run_time(api: Api) -> None:
    made = api.http.post("/__mock/tenants", json={"from": "demo", "subdomain": "shop-a"})
    assert made.status_code == 201, made.text
    client = made.json()["data"]
    add(api, path="/oauth/token", tenant="shop-a", respond={"status": 503})
    own = {"grant_type": "client_credentials"}
    r = api.http.post("/oauth/token", data=own, auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 503
    assert api.http.post("/oauth/token", data=own, auth=("demo-client", "demo-secret")).is_success


def test_latency_adds_at_least_the_delay_then_the_request_is_handled(api: Api) -> None:
    api.token()
    rule = add(api, path="/api/goods_outs", latency_ms=300)
    started = time.monotonic()
    r = api.call("POST", "/api/goods_outs", order())
    assert time.monotonic() - started >= 0.3
    assert r.status_code == 201, r.text
    assert r.headers["x-clarus-mock-fault"] == str(rule["id"])
    entry = last_entry(api)
    assert (entry["fault"], entry["operation"]) == (rule["id"], "goods_outs.create")
    assert entry["duration_ms"] >= 300


def test_latency_before_an_error(api: Api) -> None:
    add(api, path="/api/*", latency_ms=200, respond={"status": 504})
    started = time.monotonic()
    assert api.call("POST", "/api/goods_outs", order()).status_code == 504
    assert time.monotonic() - started >= 0.2


def test_a_timeout_in_seconds_answers_504_after_them(api: Api) -> None:
    rule = add(api, path="/graphql", timeout=0.2)
    started = time.monotonic()
    r = api.http.post("/graphql", json={"query": "{ __typename }"})
    assert time.monotonic() - started >= 0.2
    assert r.status_code == 504
    assert r.headers["x-clarus-mock-fault"] == str(rule["id"])
    assert "retry-after" not in r.headers


def test_drop_makes_httpx_raise(live: Api) -> None:
    live.token()
    rule = add(live, path="/api/goods_outs", drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
        live.call("POST", "/api/goods_outs", order())
    entry = last_entry(live)
    assert (entry["fault"], entry["status"]) == (rule["id"], 200)
    # The request was never handled, and the next one goes through on a new connection.
    assert live.call("POST", "/api/goods_outs", order()).status_code == 201


def test_drop_after_a_large_body_is_still_a_body_cut_short(live: Api) -> None:
    # The server reads the body before it closes: unread bytes would turn the close into a reset
    # (httpx ReadError), often before the half body arrives.
    add(live, path="/api/goods_outs", drop=True)
    for _ in range(10):
        with pytest.raises(httpx.RemoteProtocolError):
            live.http.post(
                "/api/goods_outs",
                content=b" " * 200_000,
                headers={"Content-Type": "application/json"},
            )


def test_drop_in_process_is_a_body_cut_short(asgi: Api) -> None:
    add(asgi, path="/graphql", drop=True)
    r = asgi.http.post("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 200
    assert len(r.content) < int(r.headers["content-length"])


def test_timeout_holds_the_request_until_the_client_gives_up(live: Api) -> None:
    live.token()
    rule = add(live, path="/api/goods_outs", timeout=True)
    with pytest.raises(httpx.ReadTimeout):
        live.http.post("/api/goods_outs", json=order(), headers=live.headers(), timeout=0.5)
    # The server stops holding when the client disconnects, long before the 60 s cap.
    deadline = time.monotonic() + 10
    while (entry := last_entry(live))["fault"] != rule["id"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (entry["fault"], entry["status"]) == (rule["id"], 504)
    assert 400 <= entry["duration_ms"] < 10_000


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ({"respond": {"status": 503}}, "path is required"),
        ({"path": "api/goods_outs", "drop": True}, "path must be"),
        ({"path": "/api/goods_outs"}, "at least one of respond, latency_ms, drop, timeout"),
        ({"path": "/api", "respond": {"status": 404}}, "respond.status must be one of 429, 500"),
        ({"path": "/api", "respond": {}}, "respond.status is required"),
        ({"path": "/api", "respond": 503}, "respond must be an object"),
        ({"path": "/api", "respond": {"status": 429, "retry_after": -1}}, "respond.retry_after"),
        (
            {"path": "/api", "respond": {"status": 429, "retryAfter": 2}},
            "did you mean 'retry_after'",
        ),
        ({"path": "/api", "status": 503}, "status goes inside respond"),
        ({"pth": "/api", "drop": True}, "did you mean 'path'"),
        ({"path": "/api", "drop": True, "method": "FETCH"}, "method must be one of DELETE, GET"),
        ({"path": "/api", "drop": True, "tenant": "dmeo"}, "did you mean 'demo'"),
        ({"path": "/api", "drop": "yes"}, "drop must be true or false"),
        ({"path": "/api", "timeout": -1}, "timeout must be true"),
        ({"path": "/api", "latency_ms": "slow"}, "latency_ms must be a number from 0 to 600000"),
        ({"path": "/api", "drop": True, "times": 0}, "times must be a whole number"),
        ({"path": "/api", "drop": True, "fraction": 1.5}, "fraction must be a number from 0 to 1"),
        ({"path": "/api", "drop": True, "fraction": 0.5, "seed": "x"}, "seed must be"),
        ({"path": "/api", "drop": True, "seed": 3}, "seed goes with fraction"),
        ({"path": "/api", "drop": True, "timeout": True}, "drop and timeout exclude each other"),
        ({"path": "/__mock/*", "drop": True}, "/__mock is never faulted"),
    ],
)
def test_bad_rules_are_422_naming_the_member(api: Api, rule: dict[str, Any], named: str) -> None:
    r = api.http.post("/__mock/faults", json=rule)
    assert r.status_code == 422, r.text
    assert named in r.json()["error"]
    assert rules(api) == []


def test_mock_is_never_faulted(api: Api) -> None:
    add(api, path="*", respond={"status": 503})
    assert api.http.get("/__mock/health").status_code == 200
    assert api.http.get("/__mock/faults").status_code == 200
    assert api.http.post("/graphql", json={}).status_code == 503
    assert rules(api)[0]["fired"] == 1


def test_reset_clears_the_rules_and_delete_removes_them(api: Api) -> None:
    one = add(api, path="/graphql", respond={"status": 500})
    two = add(api, path="/oauth/*", respond={"status": 500})
    assert [r["id"] for r in rules(api)] == [one["id"], two["id"]]
    assert api.http.delete(f"/__mock/faults/{one['id']}").json() == {"deleted": [one["id"]]}
    assert api.http.delete(f"/__mock/faults/{one['id']}").status_code == 404
    assert api.http.post("/__mock/reset", json={"tenant": "demo"}).status_code == 200
    assert [r["id"] for r in rules(api)] == [two["id"]]  # a tenant's reset keeps them
    assert api.http.post("/__mock/reset").status_code == 200
    assert rules(api) == []
    api.token()  # /oauth is no longer faulted
    three = add(api, path="/graphql", respond={"status": 500})
    assert three["id"] > two["id"]  # ids are not reused, so journal entries stay unambiguous
    assert api.http.delete("/__mock/faults").json() == {"deleted": [three["id"]]}


def post_with_retries(
    client: httpx.Client,
    path: str,
    body: Any,
    headers: dict[str, str],
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """POST; on 429 or 503 wait as Retry-After says (1 s without one) and try again."""
    for _ in range(attempts - 1):
        response = client.post(path, json=body, headers=headers)
        if response.status_code not in (429, 503):
            return response
        sleep(float(response.headers.get("retry-after", "1")))
    return client.post(path, json=body, headers=headers)


def test_a_client_that_honours_retry_after(api: Api) -> None:
    api.token()
    add(
        api,
        method="POST",
        path="/api/goods_outs",
        respond={"status": 429, "retry_after": 2},
        times=2,
    )
    waits: list[float] = []
    r = post_with_retries(api.http, "/api/goods_outs", order(), api.headers(), sleep=waits.append)
    assert r.status_code == 201
    assert waits == [2.0, 2.0]
    add(api, path="/api/goods_outs", respond={"status": 429}, times=5)
    r = post_with_retries(api.http, "/api/goods_outs", order(), api.headers(), sleep=waits.append)
    assert r.status_code == 429  # it gives up after its attempts
