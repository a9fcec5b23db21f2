"""The worker shares the API's loop: it waits for a quiet moment, and one receiver cannot block it."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from mock_server.traffic import Traffic
from mock_server.webhooks.worker import PER_RECEIVER
from tests.api import Api, order
from tests.webhooks.automations import automation, eventually


def test_quiet_waits_for_the_requests_in_progress_to_end() -> None:
    async def scenario() -> list[str]:
        traffic, seen = Traffic(), []
        traffic.enter()

        async def background() -> None:
            await traffic.quiet(patience=5)
            seen.append("worker")

        task = asyncio.create_task(background())
        await asyncio.sleep(0.05)
        seen.append("request ends")
        traffic.leave()
        await task
        return seen

    assert asyncio.run(scenario()) == ["request ends", "worker"]


def test_quiet_gives_up_waiting_after_its_patience() -> None:
    async def scenario() -> float:
        traffic = Traffic()
        traffic.enter()  # a request that never ends (an injected latency, a slow upload)
        started = time.perf_counter()
        await traffic.quiet(patience=0.05)
        return time.perf_counter() - started

    assert 0.04 <= asyncio.run(scenario()) < 1


def test_a_request_whose_bytes_have_arrived_goes_before_background_work() -> None:
    async def scenario() -> list[str]:
        traffic, seen = Traffic(), []

        async def background() -> None:
            await traffic.quiet(patience=5)
            seen.append("worker")

        async def request() -> None:  # as uvicorn runs one: a task made when its bytes arrive
            traffic.enter()
            seen.append("request")
            traffic.leave()

        worker = asyncio.create_task(background())  # queued first
        traffic.arrive()
        answer = asyncio.create_task(request())
        await asyncio.gather(worker, answer)
        return seen

    assert asyncio.run(scenario()) == ["request", "worker"]


def test_bytes_that_never_become_a_request_do_not_hold_background_work() -> None:
    async def scenario() -> float:
        traffic = Traffic()
        traffic.arrive()  # half a request line, or one uvicorn refuses itself
        started = time.perf_counter()
        await traffic.quiet(patience=5)
        return time.perf_counter() - started

    assert asyncio.run(scenario()) < 1


def test_the_served_app_tells_its_traffic_when_a_request_arrives() -> None:
    from mock_server.app import create_app
    from mock_server.settings import Settings
    from mock_server.testing import serving

    app = create_app(Settings())
    traffic = app.state.mock.traffic
    arrivals: list[None] = []
    arrive = traffic.arrive
    traffic.arrive = lambda: (arrivals.append(None), arrive())[1]
    with serving(app) as url:
        assert httpx.get(f"{url}/__mock/health").status_code == 200
    assert arrivals
    assert not traffic.count


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A URL whose connections are accepted by the kernel and never answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        listener.close()


def test_a_receiver_that_never_answers_holds_up_only_its_own_calls(
    server: Api, httpserver: HTTPServer, black_hole: str
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    for url in (black_hole, httpserver.url_for("/hook")):
        r = server.call("POST", "/api/automations", automation(url))
        assert r.status_code == 201, r.text
    orders = 40  # more calls to the silent receiver than it may make at once, and than 32
    for number in range(orders):
        created = server.call("POST", "/api/goods_outs", order(reference=f"SO-PACE-{number}"))
        assert created.status_code == 201, created.text

    # Every call to the live receiver arrives while the silent one's wait for their 10 s timeout.
    assert eventually(lambda: len(httpserver.log) >= orders, timeout=5), len(httpserver.log)
    pending = server.http.get("/__mock/webhooks/deliveries", params={"state": "pending"})
    assert {d["url"] for d in pending.json()["data"]} == {black_hole}


def test_chaos_latency_does_not_hold_the_receivers_places(
    server: Api, httpserver: HTTPServer
) -> None:
    _hook(server, httpserver, latency_ms=500)
    orders = 40  # 10 rounds of 0.5 s if each call held one of the receiver's 4 places meanwhile
    for number in range(orders):
        created = server.call("POST", "/api/goods_outs", order(reference=f"SO-LATE-{number}"))
        assert created.status_code == 201, created.text
    assert eventually(lambda: len(httpserver.log) >= orders, timeout=2.5), len(httpserver.log)


def test_a_receiver_that_never_answers_hides_no_later_delivery(
    manual: Api, httpserver: HTTPServer, black_hole: str
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    r = manual.call("POST", "/api/automations", automation(black_hole))
    assert r.status_code == 201, r.text
    for number in range(510):  # more than the worker looks at in one go (500)
        created = manual.call("POST", "/api/goods_outs", order(reference=f"SO-HIDE-{number}"))
        assert created.status_code == 201, created.text
    r = manual.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    assert r.status_code == 201, r.text
    assert manual.call("POST", "/api/goods_outs", order(reference="SO-SEEN")).status_code == 201
    assert eventually(lambda: httpserver.log, timeout=3), "the live receiver got nothing"


def test_a_reset_drops_the_attempts_in_flight(
    server: Api, httpserver: HTTPServer, black_hole: str
) -> None:
    def one_order_to(url: str) -> None:
        r = server.call("POST", "/api/automations", automation(url))
        assert r.status_code == 201, r.text
        assert (
            server.call("POST", "/api/goods_outs", order(reference="SO-RESET")).status_code == 201
        )

    one_order_to(black_hole)
    assert eventually(lambda: server.state.worker.busy)
    before = [d["id"] for d in server.http.get("/__mock/webhooks/deliveries").json()["data"]]
    assert server.http.post("/__mock/reset").status_code == 200
    server.tokens.clear()  # the reset revoked them
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    one_order_to(httpserver.url_for("/hook"))

    # The new delivery reuses the old one's id; the old attempt must neither hold it back nor
    # write its timeout onto it.
    log = eventually(
        lambda: [
            d
            for d in server.http.get("/__mock/webhooks/deliveries").json()["data"]
            if d["state"] == "delivered"
        ],
        timeout=3,
    )
    assert log, "the delivery made after the reset was not sent"
    [delivered] = log
    assert delivered["id"] in before
    assert delivered["url"] == httpserver.url_for("/hook")
    assert [a["status_code"] for a in delivered["attempts"]] == [200]


def test_redelivering_an_attempt_in_flight_is_refused(server: Api, black_hole: str) -> None:
    r = server.call("POST", "/api/automations", automation(black_hole))
    assert r.status_code == 201, r.text
    assert server.call("POST", "/api/goods_outs", order(reference="SO-TWICE")).status_code == 201
    assert eventually(lambda: server.state.worker.busy)
    [delivery] = server.http.get("/__mock/webhooks/deliveries", params={"state": "pending"}).json()[
        "data"
    ]
    r = server.http.post(f"/__mock/webhooks/deliveries/{delivery['id']}/redeliver")
    assert r.status_code == 409, r.text
    assert "in flight" in r.json()["error"]


def test_switching_chaos_latency_off_releases_the_calls_it_delayed(
    server: Api, httpserver: HTTPServer
) -> None:
    _hook(server, httpserver, latency_ms=600_000)
    assert server.call("POST", "/api/goods_outs", order(reference="SO-LATE")).status_code == 201
    assert eventually(lambda: server.state.worker.busy)
    assert server.http.post("/__mock/webhooks/chaos", json={"latency_ms": 0}).is_success
    assert eventually(lambda: httpserver.log, timeout=3), "the call waited out the old delay"


def test_a_full_reset_switches_chaos_off(server: Api) -> None:
    switches = {"duplicate_rate": 0.5, "latency_ms": 10, "failure_rate": 0.2, "seed": 9}
    assert server.http.post("/__mock/webhooks/chaos", json=switches).is_success
    assert server.http.post("/__mock/reset").status_code == 200
    after = server.http.get("/__mock/webhooks/chaos").json()["data"]
    assert after == {**after, "duplicate_rate": 0, "latency_ms": 0, "failure_rate": 0, "seed": 0}


def _hook(server: Api, httpserver: HTTPServer, latency_ms: int) -> None:
    """An automation calling ``httpserver``'s /hook on orders created, and chaos latency on."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    r = server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    assert r.status_code == 201, r.text
    assert server.http.post("/__mock/webhooks/chaos", json={"latency_ms": latency_ms}).is_success


def test_deliveries_due_stay_due_when_the_clock_is_set_back(manual: Api, black_hole: str) -> None:
    r = manual.call("POST", "/api/automations", automation(black_hole))
    assert r.status_code == 201, r.text
    for number in range(30):  # more than wait on one receiver: the rest stay in the store
        created = manual.call("POST", "/api/goods_outs", order(reference=f"SO-BACK-{number}"))
        assert created.status_code == 201, created.text
    earlier = "2020-01-01T00:00:00Z"
    r = manual.http.post("/__mock/clock", json={"tenant": "demo", "now": earlier})
    assert r.status_code == 200, r.text
    pending = manual.http.get(
        "/__mock/webhooks/deliveries", params={"state": "pending", "limit": 100}
    ).json()["data"]
    assert len(pending) == 30
    assert all(d["due"] <= earlier for d in pending), [d["due"] for d in pending]


def test_chaos_delays_hold_a_bounded_number_of_calls_per_url(manual: Api, black_hole: str) -> None:
    assert manual.http.post("/__mock/webhooks/chaos", json={"latency_ms": 600_000}).is_success
    r = manual.call("POST", "/api/automations", automation(black_hole))
    assert r.status_code == 201, r.text
    for number in range(100):
        created = manual.call("POST", "/api/goods_outs", order(reference=f"SO-HELD-{number}"))
        assert created.status_code == 201, created.text
    time.sleep(0.5)  # several looks at the store
    held = manual.state.worker.in_flight
    assert 0 < held <= 16 * PER_RECEIVER, held


def test_redelivering_a_call_already_due_is_refused(manual: Api, black_hole: str) -> None:
    r = manual.call("POST", "/api/automations", automation(black_hole))
    assert r.status_code == 201, r.text
    for number in range(30):  # more than wait on one receiver: some are due and not in flight
        created = manual.call("POST", "/api/goods_outs", order(reference=f"SO-DUE-{number}"))
        assert created.status_code == 201, created.text
    pending = manual.http.get(
        "/__mock/webhooks/deliveries", params={"state": "pending", "limit": 100}
    ).json()["data"]
    waiting = [d for d in pending if not manual.state.worker.attempting(d["id"])]
    assert waiting
    r = manual.http.post(f"/__mock/webhooks/deliveries/{waiting[0]['id']}/redeliver")
    assert r.status_code == 409, r.text
    assert "due already" in r.json()["error"]


def test_a_turn_does_all_the_work_asked_by_then_in_one_query_and_one_transaction() -> None:
    from mock_server.clock import Clocks
    from mock_server.store import Delivery, Store
    from mock_server.webhooks.worker import Worker, _Answer

    store = Store()
    body = {"data": {"id": 1, "reference": "SO-1"}}

    def pending() -> Delivery:  # due far ahead: the worker's own search finds none
        return Delivery(
            0, "t", "webhook", 1, 1, "created", "goods_outs", 1, "http://127.0.0.1:9/hook",
            body, "pending", [], 4e9, 0.0,
        )  # fmt: skip

    ids = [store.add_delivery(pending()).id for _ in range(10)]
    worker = Worker(store, Clocks(store, mode="manual"), "http://127.0.0.1:8000")
    statements: list[str] = []

    async def scenario() -> None:
        worker.start()
        try:
            store.db.set_trace_callback(statements.append)
            loaded = await asyncio.gather(*(worker._ask(i) for i in ids))
            assert [delivery.id for delivery, _ in loaded] == ids
            assert all(b'"SO-1"' in shaped for _, shaped in loaded)
            attempt = {"at": "2026-01-01T00:00:00Z", "status_code": 200, "error": None}
            answers = [_Answer(delivery, [attempt], True) for delivery, _ in loaded]
            await asyncio.gather(*(worker._ask(a.delivery.id, a) for a in answers))
            store.db.set_trace_callback(None)
        finally:
            await worker.stop()

    asyncio.run(scenario())
    reads = [s for s in statements if s.startswith("SELECT * FROM deliveries WHERE id")]
    assert len(reads) == 1, statements
    assert statements.count("BEGIN IMMEDIATE") == 1, statements
    assert {d.state for d in store.deliveries(limit=20)} == {"delivered"}


def test_the_places_of_a_url_are_forgotten_when_its_calls_are_done(
    server: Api, httpserver: HTTPServer
) -> None:
    paths = [f"/hook/{number}" for number in range(5)]
    for path in paths:
        httpserver.expect_request(path, method="POST").respond_with_data("ok")
        r = server.call("POST", "/api/automations", automation(httpserver.url_for(path)))
        assert r.status_code == 201, r.text
    assert server.call("POST", "/api/goods_outs", order(reference="SO-URLS")).status_code == 201
    assert eventually(lambda: len(httpserver.log) >= len(paths), timeout=3), len(httpserver.log)
    assert eventually(lambda: not server.state.worker.busy), "attempts still in flight"
    assert server.state.worker.urls_in_use == 0


def test_a_deleted_tenants_calls_do_not_go_out(server: Api, httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.2)
        return Response("ok")

    httpserver.expect_request("/slow", method="POST").respond_with_handler(slow)
    gone = server.another("demo")
    r = server.call("POST", "/api/automations", automation(httpserver.url_for("/slow")), gone)
    assert r.status_code == 201, r.text
    for number in range(20):  # more than the receiver's places: the rest wait, bodies loaded
        created = server.call("POST", "/api/goods_outs", order(reference=f"SO-GONE-{number}"), gone)
        assert created.status_code == 201, created.text
    assert eventually(lambda: server.state.worker.in_flight > PER_RECEIVER)
    assert server.http.delete(f"/__mock/tenants/{gone}").status_code == 204
    sent = len(httpserver.log) + PER_RECEIVER  # the calls already on the wire may still land
    assert eventually(lambda: not server.state.worker.in_flight, timeout=1)
    time.sleep(1)
    assert len(httpserver.log) <= sent, "calls of the deleted tenant went out after its deletion"
