"""Automations fire real HTTP calls: body, headers, conditions, retries, chaos, the delivery log."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.api import Api, order, receipt
from tests.webhooks.automations import automation, email_automation, eventually


def received(httpserver: HTTPServer, count: int = 1) -> list[Request]:
    calls = eventually(lambda: len(httpserver.log) >= count and httpserver.log)
    assert calls, f"the receiver got {len(httpserver.log)} calls, expected {count}"
    return [request for request, _ in httpserver.log]


def deliveries(api: Api, **params: Any) -> list[dict[str, Any]]:
    r = api.http.get("/__mock/webhooks/deliveries", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


def test_an_order_created_calls_the_automations_url_with_the_full_record(
    server: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    r = server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    assert r.status_code == 201, r.text
    automation_id = r.json()["data"]["id"]
    created = server.call("POST", "/api/goods_outs", order(reference="SO-HOOK-1"))
    assert created.status_code == 201
    order_id = created.json()["data"]["id"]

    [call] = received(httpserver)
    body = json.loads(call.data)
    assert body["data"]["id"] == order_id
    assert body["data"]["reference"] == "SO-HOOK-1"
    assert body["data"]["goods_out_status_id"] == 2
    assert body["data"]["lines"][0]["product_id"] == 1  # lines embedded
    assert body["data"]["notes"] is None  # every attribute REST shows, null where unset
    assert call.headers["X-ClarusWMS-Subdomain"] == "demo"
    assert call.headers["X-ClarusWMS-Automation-ID"] == str(automation_id)
    assert call.headers["X-ClarusWMS-Integration-ID"] == ""
    assert call.headers["X-ClarusWMS-Domain"].startswith("http://")
    assert call.headers["X-ClarusWMS-API-Domain"]
    assert call.headers["Content-Type"] == "application/json"

    [logged] = eventually(lambda: [d for d in deliveries(server) if d["state"] == "delivered"])
    assert logged["automation_id"] == automation_id
    assert (logged["event"], logged["resource"], logged["record_id"]) == (
        "created",
        "goods_outs",
        order_id,
    )
    [attempt] = logged["attempts"]
    assert attempt["status_code"] == 200
    assert attempt["error"] is None
    assert attempt["latency_ms"] >= 0


def test_conditions_must_all_hold(server: Api, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    only_account_2 = [
        {
            "condition_code": "account",
            "source_path": "data.account_id",
            "operator": "eq",
            "value": "2",
        }
    ]
    server.call(
        "POST",
        "/api/automations",
        automation(httpserver.url_for("/hook"), conditions=only_account_2),
    )
    server.call("POST", "/api/goods_outs", order(reference="SO-ACC-1", account_id=1))
    server.call("POST", "/api/goods_outs", order(reference="SO-ACC-2", account_id=2))
    [call] = received(httpserver)
    assert json.loads(call.data)["data"]["reference"] == "SO-ACC-2"
    assert len(deliveries(server)) == 1


def test_a_condition_may_read_the_lines(server: Api, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    first_line_product_2 = [
        {
            "condition_code": "product",
            "source_path": "data.lines.0.product_id",
            "operator": "eq",
            "value": "2",
        }
    ]
    server.call(
        "POST",
        "/api/automations",
        automation(httpserver.url_for("/hook"), conditions=first_line_product_2),
    )
    for reference, product in (("SO-P1", 1), ("SO-P2", 2)):
        line = {"type": "ADD", "attributes": {"product_id": product, "order_quantity": 1}}
        server.call("POST", "/api/goods_outs", order(reference=reference, lines_changes=[line]))
    [call] = received(httpserver)
    sent = json.loads(call.data)["data"]
    assert sent["reference"] == "SO-P2"
    # Lines go out shaped like the header: every attribute, null where unset.
    assert sent["lines"][0]["product_id"] == 2
    assert "dispatch_quantity" in sent["lines"][0]


def test_a_disabled_automation_and_another_event_do_not_fire(
    server: Api, httpserver: HTTPServer
) -> None:
    disabled = automation(httpserver.url_for("/hook"))
    disabled["data"]["attributes"]["enabled"] = False
    server.call("POST", "/api/automations", disabled)
    server.call(
        "POST", "/api/automations", automation(httpserver.url_for("/hook"), event="cancelled")
    )
    server.call("POST", "/api/goods_outs", order(reference="SO-QUIET"))
    assert deliveries(server) == []


def test_an_order_updated_fires_updated(server: Api, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    server.call(
        "POST", "/api/automations", automation(httpserver.url_for("/hook"), event="updated")
    )
    order_id = server.call("POST", "/api/goods_outs", order(reference="SO-UPD")).json()["data"][
        "id"
    ]
    patch = {"data": {"type": "goods_outs", "attributes": {"notes": "leave at the door"}}}
    assert server.call("PATCH", f"/api/goods_outs/{order_id}", patch).status_code == 200
    [call] = received(httpserver)
    assert json.loads(call.data)["data"]["notes"] == "leave at the door"


def test_a_failing_receiver_is_retried_until_it_answers(
    server: Api, httpserver: HTTPServer
) -> None:
    answers = iter([500, 503])

    def handler(request: Request) -> Response:
        return Response("busy" if (status := next(answers, 200)) != 200 else "ok", status=status)

    httpserver.expect_request("/hook").respond_with_handler(handler)
    server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    server.call("POST", "/api/goods_outs", order(reference="SO-RETRY"))
    # Retries come 1 s, then 2 s later on the tenant's clock (realtime here).
    [done] = eventually(
        lambda: [d for d in deliveries(server) if d["state"] == "delivered"], timeout=15
    )
    assert [a["status_code"] for a in done["attempts"]] == [500, 503, 200]
    assert done["attempts"][0]["error"] == "the receiver answered 500"
    assert len(httpserver.log) == 3


def test_a_dead_receiver_fails_after_eight_attempts_then_redelivers(
    manual: Api, httpserver: HTTPServer
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    manual.call("POST", "/api/automations", automation(url))
    manual.call("POST", "/api/goods_outs", order(reference="SO-DEAD"))
    [pending] = eventually(lambda: [d for d in deliveries(manual) if d["attempts"]])
    assert pending["state"] == "pending"
    assert "Connect" in pending["attempts"][0]["error"]
    # The manual clock holds the retries back until it is advanced: 1+2+4+...+64 s. Each advance
    # waits for its attempt, so two advances never fold into one.
    for made in range(2, 9):
        manual.http.post("/__mock/clock/advance", json={"tenant": "demo", "by": "5m"})
        eventually(lambda made=made: len(deliveries(manual)[0]["attempts"]) >= made)
        eventually(lambda: not manual.state.worker.busy)
    [failed] = eventually(lambda: [d for d in deliveries(manual) if d["state"] == "failed"])
    assert len(failed["attempts"]) == 8
    # Redelivery by hand, to a receiver that now answers.
    httpserver.expect_request("/hook").respond_with_data("ok")
    store = manual.state.store
    delivery = store.delivery(failed["id"])
    delivery.target = httpserver.url_for("/hook")
    store.db.execute(
        "UPDATE deliveries SET target = ? WHERE id = ?", (delivery.target, delivery.id)
    )
    r = manual.http.post(f"/__mock/webhooks/deliveries/{failed['id']}/redeliver")
    assert r.status_code == 202
    [again] = eventually(lambda: [d for d in deliveries(manual) if d["state"] == "delivered"])
    assert again["attempts"][-1]["status_code"] == 200


def test_chaos_duplicates_reach_the_receiver_twice(server: Api, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    r = server.http.post("/__mock/webhooks/chaos", json={"duplicate_rate": 1, "seed": 7})
    assert r.json()["data"]["duplicate_rate"] == 1
    server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    server.call("POST", "/api/goods_outs", order(reference="SO-TWICE"))
    first, second = received(httpserver, 2)
    assert first.data == second.data
    [logged] = eventually(lambda: [d for d in deliveries(server) if d["state"] == "delivered"])
    assert [a.get("duplicate", False) for a in logged["attempts"]] == [False, True]


def test_chaos_switches_refuse_nonsense(server: Api) -> None:
    for body, names in (
        ({"duplicate_rate": 2}, "duplicate_rate"),
        ({"latency": 5}, "unknown switch"),
        ({"seed": "x"}, "seed"),
    ):
        r = server.http.post("/__mock/webhooks/chaos", json=body)
        assert r.status_code == 422
        assert names in r.json()["error"]


def test_email_actions_are_recorded_in_the_outbox(server: Api) -> None:
    body = email_automation("ops@example.com")
    r = server.call("POST", "/api/automations", body)
    assert r.status_code == 201
    automation_id = r.json()["data"]["id"]
    server.call("POST", "/api/goods_outs", order(reference="SO-MAIL"))
    [mail] = [
        m
        for m in server.http.get("/__mock/outbox").json()["data"]
        if m["automation_id"] == automation_id
    ]
    assert mail["to"] == "ops@example.com"
    assert mail["state"] == "recorded"
    assert mail["body"]["data"]["reference"] == "SO-MAIL"
    assert deliveries(server) == []


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_orders_life_arrives_in_order_created_processed_completed(
    manual: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    hook = httpserver.url_for("/hook")
    for event in ("created", "processed", "completed"):
        assert manual.call("POST", "/api/automations", automation(hook, event)).status_code == 201
    order_id = manual.call("POST", "/api/goods_outs", order(reference="SO-LIFE")).json()["data"][
        "id"
    ]
    manual.http.post("/__mock/clock/advance", json={"tenant": "demo", "by": "10m"})
    calls = received(httpserver, 3)
    bodies = [json.loads(call.data)["data"] for call in calls]
    assert [b["goods_out_status_id"] for b in bodies] == [2, 3, 6]  # PENDING, PICK, COMPLETED
    assert {b["id"] for b in bodies} == {order_id}
    completed = bodies[-1]
    assert completed["actual_date_of_dispatch"] is not None
    assert completed["lines"][0]["dispatch_quantity"] == completed["lines"][0]["order_quantity"]
    events = [d["event"] for d in reversed(deliveries(manual))]
    assert events == ["created", "processed", "completed"]


def test_a_receipt_completed_in_part_fires_moved_to_part(
    manual: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    hook = httpserver.url_for("/hook")
    for event in ("completed", "moved_to_part"):
        body = automation(hook, event, resource_name="goods_in")
        assert manual.call("POST", "/api/automations", body).status_code == 201
    posted = manual.call("POST", "/api/goods_in_receipts", receipt(reference="PO-PART"))
    receipt_id = posted.json()["data"]["id"]
    manual.call("POST", f"/api/goods_in_receipts/{receipt_id}/receive")
    [task] = manual.nodes("tasks", "id", {"goods_in_receipt_id": {"eq": str(receipt_id)}})
    short = {"data": {"type": "tasks", "attributes": {"confirmed_quantity": 4}}}
    assert manual.call("POST", f"/api/receive_tasks/{task['id']}/receive", short).status_code == 204
    [call] = received(httpserver)
    assert json.loads(call.data)["data"]["reference"] == "PO-PART"
    assert [d["event"] for d in deliveries(manual)] == ["moved_to_part"]


def test_stock_picked_and_dispatched_carry_the_stock_record(
    manual: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    hook = httpserver.url_for("/hook")
    event_of = {}
    for event in ("picked", "dispatched"):
        r = manual.call("POST", "/api/automations", automation(hook, event, resource_name="stock"))
        assert r.status_code == 201, r.text
        event_of[str(r.json()["data"]["id"])] = event
    created = manual.call("POST", "/api/goods_outs", order(reference="SO-STOCK-MOVES"))
    order_id = created.json()["data"]["id"]
    manual.http.post("/__mock/clock/advance", json={"tenant": "demo", "by": "10m"})

    tasks = manual.nodes("tasks", "id", {"goods_out_id": {"eq": str(order_id)}})
    stored = [manual.state.store.get("demo", "tasks", int(t["id"])) for t in tasks]
    picked_stock = {t.attributes["stock_id"] for t in stored if t.attributes.get("stock_id")}
    assert picked_stock, stored
    calls = received(httpserver, 2 * len(picked_stock))
    log = list(reversed(deliveries(manual)))
    assert [d["event"] for d in log] == ["picked"] * len(picked_stock) + ["dispatched"] * len(
        picked_stock
    )
    assert {d["resource"] for d in log} == {"stocks"}
    assert {d["record_id"] for d in log} == picked_stock
    by_event: dict[str, dict[int, float]] = {"picked": {}, "dispatched": {}}
    for call in calls:  # in the order they arrived, which may not be the order they were made
        body = json.loads(call.data)["data"]
        by_event[event_of[call.headers["X-ClarusWMS-Automation-ID"]]][body["id"]] = body["quantity"]
    # Picked stock leaves with its order: each record's dispatched call shows it smaller.
    assert set(by_event["picked"]) == set(by_event["dispatched"]) == picked_stock
    assert all(by_event["dispatched"][i] < by_event["picked"][i] for i in picked_stock), by_event


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    server: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook").respond_with_data(
        "", status=307, headers={"Location": httpserver.url_for("/elsewhere")}
    )
    httpserver.expect_request("/elsewhere").respond_with_data("ok")
    server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    server.call("POST", "/api/goods_outs", order(reference="SO-MOVED"))
    [attempt] = eventually(lambda: [a for d in deliveries(server) for a in d["attempts"]])
    assert attempt["status_code"] == 307
    assert attempt["error"] == "the receiver answered 307"
    assert [request.path for request, _ in httpserver.log] == ["/hook"]


def test_a_long_answer_is_not_kept(server: Api, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("x" * 5_000_000)
    server.call("POST", "/api/automations", automation(httpserver.url_for("/hook")))
    for number in range(2):  # the second call after a connection closed with its answer unread
        server.call("POST", "/api/goods_outs", order(reference=f"SO-LONG-{number}"))
    done = eventually(
        lambda: (
            len(delivered := [d for d in deliveries(server) if d["state"] == "delivered"]) == 2
            and delivered
        ),
        timeout=5,
    )
    assert [a["status_code"] for d in done for a in d["attempts"]] == [200, 200]


def test_a_redelivered_round_starts_the_schedule_again_with_eight_attempts() -> None:
    from mock_server.store import Delivery
    from mock_server.webhooks.worker import ATTEMPTS, current_round, retry_after

    failed = {
        "at": "2026-01-01T00:00:00Z",
        "status_code": 500,
        "error": "the receiver answered 500",
    }
    marker = {"at": "2026-01-01T01:00:00Z", "redelivery": True, "round": 1}
    delivery = Delivery(
        1, "t", "webhook", 1, 1, "created", "goods_outs", 1, "http://127.0.0.1:9/hook", {},
        "pending", [*[failed] * ATTEMPTS, marker, {**failed, "round": 1}], 0.0, 0.0,
    )  # fmt: skip
    # One attempt made in the new round: the next is due 1 s later, and 7 more may follow.
    assert len(current_round(delivery)) == 1
    assert retry_after(len(current_round(delivery))) == 1.0


def test_a_chaos_seed_repeats_its_run_in_a_fresh_tenant(
    manual: Api, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    switches = {"failure_rate": 0.5, "duplicate_rate": 0.5, "seed": 11}
    assert manual.http.post("/__mock/webhooks/chaos", json=switches).is_success

    def run() -> list[tuple[int, list[Any]]]:
        tenant = manual.another("demo")
        r = manual.call("POST", "/api/automations", automation(httpserver.url_for("/hook")), tenant)
        assert r.status_code == 201, r.text
        for number in range(12):
            made = manual.call("POST", "/api/goods_outs", order(reference=f"SO-S{number}"), tenant)
            assert made.status_code == 201, made.text
        log = eventually(
            lambda: (
                len(done := [d for d in deliveries(manual, tenant=tenant) if d["attempts"]]) == 12
                and done
            )
        )
        return sorted(
            (
                d["record_id"],
                [(a["error"] is None, bool(a.get("duplicate"))) for a in d["attempts"]],
            )
            for d in log
        )

    first, second = run(), run()
    assert first == second
    assert {outcome for _, attempts in first for outcome in attempts} > {(True, False)}


def test_a_2xx_whose_body_breaks_off_is_delivered(server: Api) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    calls: list[bytes] = []

    def answer_short() -> None:  # a 200 promising 100 bytes, sending 5, then hanging up
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                calls.append(connection.recv(65536))
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")

    threading.Thread(target=answer_short, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        server.call("POST", "/api/automations", automation(url))
        server.call("POST", "/api/goods_outs", order(reference="SO-SHORT-BODY"))
        [done] = eventually(lambda: [d for d in deliveries(server) if d["attempts"]])
        assert done["state"] == "delivered", done["attempts"]
        assert [a["status_code"] for a in done["attempts"]] == [200]
        assert len(calls) == 1
    finally:
        listener.close()


def _mails(api: Api, reference: str) -> list[str]:
    """The recipients of the recorded emails about the order ``reference``."""
    mails = api.http.get("/__mock/outbox", params={"limit": 1000}).json()["data"]
    return [m["to"] for m in mails if m["body"]["data"].get("reference") == reference]


def test_an_automation_changed_between_orders_fires_as_changed(manual: Api) -> None:
    """The outbox keeps what it read of the automations until one is written: every change to one
    (disabled, enabled, its action's parameter, a condition) holds from the next order on."""
    body = email_automation("first@example.com")
    made = manual.call("POST", "/api/automations", body).json()["data"]
    path = f"/api/automations/{made['id']}"

    def patch(**attributes: Any) -> None:
        r = manual.call("PATCH", path, {"data": {"type": "automations", "attributes": attributes}})
        assert r.status_code == 200, r.text

    def ordered(reference: str) -> list[str]:
        assert manual.call("POST", "/api/goods_outs", order(reference=reference)).status_code == 201
        return _mails(manual, reference)

    assert "first@example.com" in ordered("SO-M1")
    patch(enabled=False)
    assert "first@example.com" not in ordered("SO-M2")
    [stored_action] = made["attributes"]["actions"]
    [parameter] = stored_action["attributes"]["parameters"]
    patch(
        enabled=True,
        actions_changes=[
            {
                "type": "UPDATE",
                "id": stored_action["id"],
                "attributes": {
                    "parameters_changes": [
                        {
                            "type": "UPDATE",
                            "id": parameter["id"],
                            "attributes": {"value": "second@example.com"},
                        }
                    ]
                },
            }
        ],
    )
    assert "second@example.com" in ordered("SO-M3")
    account_2 = {
        "condition_code": "account",
        "source_path": "data.account_id",
        "operator": "eq",
        "value": "2",
    }
    patch(conditions_changes=[{"type": "ADD", "attributes": account_2}])
    assert "second@example.com" not in ordered("SO-M4")  # account 1


def test_bodies_of_creates_and_updates_hold_the_record_and_lines_as_stored(manual: Api) -> None:
    """The REST face hands the outbox the records a create or an update wrote: what the bodies
    carry must be what the store holds then, each line with its id, also after lines were added,
    changed and destroyed and the status moved in the same request."""
    for resource_name, event in (
        ("goods_out", "created"),
        ("goods_out", "updated"),
        ("goods_in", "created"),
    ):
        body = email_automation(f"{event}@example.com", event, resource_name)
        assert manual.call("POST", "/api/automations", body).status_code == 201
    line = {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 2}}
    made = manual.call(
        "POST", "/api/goods_outs", order(reference="SO-HELD", lines_changes=[line, line])
    )
    order_id = made.json()["data"]["id"]
    at_creation = _stored(manual, "goods_outs", order_id, "goods_out_lines")
    first, second = (line["id"] for line in at_creation[1])
    change = {
        "goods_out_status_id": 1,  # PENDING -> DRAFT: a transition in the same request
        "lines_changes": [
            {"type": "UPDATE", "id": first, "attributes": {"order_quantity": 5}},
            {"type": "DESTROY", "id": second},
            {"type": "ADD", "attributes": {"product_id": 3, "order_quantity": 1}},
        ],
    }
    patch = {"data": {"type": "goods_outs", "attributes": change}}
    assert manual.call("PATCH", f"/api/goods_outs/{order_id}", patch).status_code == 200
    posted = manual.call("POST", "/api/goods_in_receipts", receipt(reference="PO-HELD"))
    receipt_id = posted.json()["data"]["id"]

    for resource, record_id, event, expected in (
        ("goods_outs", order_id, "created", at_creation),
        (
            "goods_outs",
            order_id,
            "updated",
            _stored(manual, "goods_outs", order_id, "goods_out_lines"),
        ),
        (
            "goods_in_receipts",
            receipt_id,
            "created",
            _stored(manual, "goods_in_receipts", receipt_id, "goods_in_receipt_lines"),
        ),
    ):
        [sent] = [
            m["body"]["data"]
            for m in manual.http.get("/__mock/outbox", params={"limit": 1000}).json()["data"]
            if (m["resource"], m["record_id"], m["to"])
            == (resource, record_id, f"{event}@example.com")
        ]
        attributes, lines = expected
        assert {name: sent[name] for name in attributes} == attributes
        assert [
            {name: got[name] for name in want}
            for got, want in zip(sent["lines"], lines, strict=True)
        ] == lines


def _stored(
    api: Api, resource: str, record_id: int, line_resource: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A record's attributes and its lines (each with its id) as the store holds them now."""
    record = api.store.get("demo", resource, record_id)
    lines = api.store.children("demo", line_resource, record_id)
    return record.attributes, [{"id": line.id, **line.attributes} for line in lines]


def test_a_deleted_orders_cancelled_body_holds_its_lines(manual: Api) -> None:
    """Cancelling a PENDING order deletes it and its lines: the body says what was deleted."""
    body = email_automation("cancelled@example.com", "cancelled")
    assert manual.call("POST", "/api/automations", body).status_code == 201
    line = {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 2}}
    made = manual.call(
        "POST", "/api/goods_outs", order(reference="SO-GONE", lines_changes=[line, line])
    )
    order_id = made.json()["data"]["id"]
    attributes, lines = _stored(manual, "goods_outs", order_id, "goods_out_lines")
    assert manual.call("POST", f"/api/goods_outs/{order_id}/cancel").status_code == 200
    [sent] = [
        m["body"]["data"]
        for m in manual.http.get("/__mock/outbox", params={"limit": 1000}).json()["data"]
        if m["to"] == "cancelled@example.com"
    ]
    assert {name: sent[name] for name in attributes} == attributes
    assert "lines_changes" not in sent  # the REST echo is no part of the record
    assert [
        {name: got[name] for name in want} for got, want in zip(sent["lines"], lines, strict=True)
    ] == lines
