"""Webhook fan-out figures: deliveries per second, end-to-end latency, the API while it drains.

Run: `python bench/webhooks.py [--orders 1000] [--automations 3] [--event created]`. Prints figures;
not a test. A `clarus-mock serve` (core 0) has N automations on the event; ORDERS goods outs are
created through REST, each firing N deliveries to a receiver in another process (core 1) that notes
when each call arrives. Figures:

- deliveries per second: from the first order to the last call received (target >= 1,000/s);
- end-to-end latency: from the REST answer of the order to the call's arrival, p50 and p99;
- the API's own p99 (a small GraphQL read) idle, and while the outbox drains (target: at most 20%
  above idle). Both are pooled over ``--rounds`` backlogs (the idle reads just before each is
  released), after 200 reads to warm up.

With ``--event completed`` the orders go through the floor (allocation, picking, dispatch; stock is
received first) and the automations fire when they complete: on an instant clock while orders are
created, and for each backlog in one clock step of an hour.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from server import ENV, free_port, start

BIN = Path(sys.executable).parent
# The receiver shares core 1 with this client, at the lowest priority: the client's reads of the
# API must not wait for the receiver's turn on the core, or the figure is the receiver's, not the
# server's.
RECEIVER_CORE = ["nice", "-n", "19", "taskset", "-c", "1"]

RECEIVER = """
import asyncio, sys, time
out = open(sys.argv[2], "w", buffering=1)  # a line per call, written as it arrives
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length = 0
            for line in head.split(b"\\r\\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length)
            out.write(f"{time.time()} {body.decode()}\\n")
            writer.write(b"HTTP/1.1 200 OK\\r\\ncontent-length: 0\\r\\n\\r\\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def order(reference: str) -> dict:
    return {
        "data": {
            "type": "goods_outs",
            "attributes": {
                "goods_out_type": "sales_order",
                "account_id": 1,
                "warehouse_id": 1,
                "reference": reference,
                "expected_date_of_dispatch": "2026-12-01T10:00:00Z",
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 1}}
                ],
            },
            "relationships": {
                "address": {
                    "data": {
                        "type": "addresses",
                        "attributes": {
                            "name": "Jane Doe",
                            "address_1": "1 High Street",
                            "postcode": "LS1 1AA",
                            "country_code": "GB",
                        },
                    }
                }
            },
        }
    }


def automation(url: str, event: str, number: int) -> dict:
    return {
        "data": {
            "type": "automations",
            "attributes": {
                "resource_name": "goods_out",
                "event": event,
                "name": f"fan-out {number}",
                "enabled": True,
                "conditions_changes": [],
                "actions_changes": [
                    {
                        "type": "ADD",
                        "attributes": {
                            "destination_type": "webhook",
                            "destination_code": "default",
                            "parameters_changes": [
                                {
                                    "type": "ADD",
                                    "attributes": {"parameter_code": "url", "value": url},
                                }
                            ],
                        },
                    }
                ],
            },
        }
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Bearer(httpx.Auth):
    """The demo client's token, renewed on a 401: with ``--event completed`` the instant clock
    runs the tenant's time past the token's two hours while the bench works."""

    def __init__(self, base: str) -> None:
        self.base, self.token = base, ""

    def renew(self) -> None:
        form = {"grant_type": "client_credentials", "client_id": "demo-client"}
        form["client_secret"] = "demo-secret"
        answer = httpx.post(f"{self.base}/oauth/token", data=form)
        self.token = answer.json()["access_token"]

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        if not self.token:
            self.renew()
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers["X-Clarus-Subdomain"] = "demo"
        response = yield request
        if response.status_code == 401:
            self.renew()
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


def api_reads(client: httpx.Client, bearer: Bearer, n: int) -> list[float]:
    """Times in ms of ``n`` small GraphQL reads, one after the other."""
    query = {"query": QUERY}
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.post("/graphql", json=query, auth=bearer)
        times.append((time.perf_counter() - started) * 1000)
    return times


def spread(times: list[float]) -> str:
    return f"p50 {pct(times, 0.5):.2f}, p90 {pct(times, 0.9):.2f}, p99 {pct(times, 0.99):.2f} ms"


def wait_drained(client: httpx.Client, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        pending = client.get(
            "/__mock/webhooks/deliveries", params={"limit": 1, "state": "pending"}
        ).json()["data"]
        if not pending:
            return
        time.sleep(0.02)
    raise SystemExit("deliveries still pending after 5 minutes")


def stock_up(client: httpx.Client, bearer: Bearer, quantity: int) -> None:
    """Receive ``quantity`` of the orders' product (the demo pack holds 320), so that every order
    can be allocated, picked, dispatched and completed."""
    receipt = {
        "data": {
            "type": "goods_in_receipts",
            "attributes": {
                "account_id": 1,
                "warehouse_id": 1,
                "reference": "PO-BENCH",
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": 1, "expected_quantity": quantity}}
                ],
            },
        }
    }
    r = client.post("/api/goods_in_receipts", json=receipt, auth=bearer)
    assert r.status_code == 201, r.text
    r = client.post(f"/api/goods_in_receipts/{r.json()['data']['id']}/receive", auth=bearer)
    assert r.status_code == 200, r.text


def create_orders(client: httpx.Client, bearer: Bearer, prefix: str, n: int) -> dict[str, float]:
    """n orders through REST; reference -> when its answer came."""
    sent = {}
    for number in range(n):
        reference = f"{prefix}-{number}"
        r = client.post("/api/goods_outs", json=order(reference), auth=bearer)
        assert r.status_code == 201, r.text
        sent[reference] = time.time()
    return sent


def main() -> None:
    # This client shares core 1 with the receiver; the server has core 0 to itself.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {1})
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--automations", type=int, default=3)
    parser.add_argument("--event", default="created", choices=["created", "completed"])
    parser.add_argument("--rounds", type=int, default=3, help="backlogs drained, samples pooled")
    args = parser.parse_args()
    expected = args.orders * args.automations

    port, hook_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    clock = "instant" if args.event == "completed" else "realtime"
    serve = ["serve", "--port", str(port), "--log-level", "warning", "--clock", clock]
    mock, _ = start([str(BIN / "clarus-mock"), *serve], f"{base}/__mock/health")
    arrivals = Path(tempfile.mkdtemp()) / "arrivals.txt"
    receiver = subprocess.Popen(
        [*RECEIVER_CORE, sys.executable, "-c", RECEIVER, str(hook_port), str(arrivals)],
        env=ENV,
    )
    idle: list[float] = []
    during: list[float] = []
    drains: list[tuple[float, str]] = []  # (released at, reference prefix) per round
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            bearer = Bearer(base)
            hook = f"http://127.0.0.1:{hook_port}/hook"
            for number in range(args.automations):
                body = automation(hook, args.event, number)
                r = client.post("/api/automations", json=body, auth=bearer)
                assert r.status_code == 201, r.text
            api_reads(client, bearer, 200)  # warm up: the first reads fill caches
            if args.event == "completed":  # the instant clock's floor receives it at once
                stock_up(client, bearer, args.orders * (args.rounds + 1))

            # 1. Live: each order's calls go out while the next orders are created.
            started = time.time()
            sent = create_orders(client, bearer, "LIVE", args.orders)
            created = time.time() - started
            wait_drained(client)

            # 2. Backlogs: every first attempt is held (chaos fails it unsent, and the manual
            # clock holds the retry), then one clock step makes all of them due at once. The API
            # is read just before (idle, the same records stored) and while they drain; rounds
            # pool the samples, since one p99 of a few hundred reads moves with the machine.
            client.post("/__mock/clock", json={"tenant": "demo", "mode": "manual"})
            for round_no in range(args.rounds):
                client.post("/__mock/webhooks/chaos", json={"failure_rate": 1})
                create_orders(client, bearer, f"BACKLOG{round_no}", args.orders)
                if args.event == "completed":  # the floor completes them all in one step
                    r = client.post("/__mock/clock/advance", json={"tenant": "demo", "by": "1h"})
                    assert r.status_code == 200, r.text
                wait_started = time.time()
                while True:  # the worker has made every first attempt
                    log = client.get("/__mock/webhooks/deliveries", params={"limit": 1})
                    newest = log.json()["data"]
                    if (newest and newest[0]["attempts"]) or time.time() - wait_started > 60:
                        break
                    time.sleep(0.05)
                time.sleep(0.5)
                client.post("/__mock/webhooks/chaos", json={"failure_rate": 0})
                idle += api_reads(client, bearer, 400)
                released = time.time()
                client.post("/__mock/clock/advance", json={"tenant": "demo", "by": "1s"})
                while client.get(
                    "/__mock/webhooks/deliveries", params={"limit": 1, "state": "pending"}
                ).json()["data"]:
                    during += api_reads(client, bearer, 1)
                wait_drained(client)
                drains.append((released, f"BACKLOG{round_no}-"))
    finally:
        mock.terminate()
        mock.wait(10)
        time.sleep(0.3)
        receiver.terminate()
        receiver.wait(10)
    lines = arrivals.read_text().splitlines() if arrivals.exists() else []
    received = [(float(line.split(" ", 1)[0]), json.loads(line.split(" ", 1)[1])) for line in lines]
    live = [(at, body) for at, body in received if body["data"]["reference"].startswith("LIVE")]
    # A call can arrive before the client has noted the REST answer: count that as 0 ms.
    latencies = [max(0.0, (at - sent[body["data"]["reference"]]) * 1000) for at, body in live]
    print(f"{args.orders} orders x {args.automations} automations on goods_out {args.event}")
    print(
        f"live: orders created at {args.orders / created:,.0f}/s through REST; calls received "
        f"{len(live):,} of {expected:,}"
    )
    print(
        f"  end-to-end latency (REST answer -> call arrives): p50 "
        f"{statistics.median(latencies):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms"
    )
    rates, backlog = [], 0
    for released, prefix in drains:
        arrived = [at for at, body in received if body["data"]["reference"].startswith(prefix)]
        backlog += len(arrived)
        rates.append(len(arrived) / (max(arrived) - released) if arrived else 0.0)
    print(
        f"backlog: {expected:,} calls due at once, {args.rounds} rounds: "
        + ", ".join(f"{rate:,.0f}" for rate in rates)
        + " deliveries/s   (target >= 1,000/s)"
    )
    ratio = pct(during, 0.99) / pct(idle, 0.99) - 1 if during else float("nan")
    print(f"API (a GraphQL read), {len(idle):,} idle reads: {spread(idle)}")
    print(f"  {len(during):,} reads while the backlogs drain: {spread(during)}")
    print(f"  p99 {ratio * 100:+.0f}% over idle (target at most +20%)")
    if len(live) < expected or backlog < expected * args.rounds:
        raise SystemExit("calls were lost")


QUERY = "{ products { all(first: 5) { edges { node { id code } } } } }"


if __name__ == "__main__":
    main()
