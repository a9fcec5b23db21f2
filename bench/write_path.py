"""The write path in process: CPU per POST /api/goods_outs without sockets, and the bytes SQLite
keeps per order, table by table.

Run: `python bench/write_path.py [--orders 3000] [--rounds 3]`. The app is called as ASGI, with
its lifespan (the floor and the webhook worker) running and every tenant's clock on manual, so a
figure is the request's own work: auth, validation, references, the transaction, the outbox and the
echo. The bare Starlette handler of bench/server.py, called the same way, is the baseline. Prints
figures; not a test. bench/server.py measures the same requests over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bare_app import app as bare_app
from validate import goods_out, with_mistakes

from mock_server.app import create_app
from mock_server.settings import Settings

Headers = list[tuple[str, str]]


async def call(
    app: Any, method: str, path: str, body: bytes, headers: Headers
) -> tuple[int, bytes]:
    """One request straight into the ASGI app; its status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8765),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def per_request(app: Any, body: bytes, headers: Headers, count: int, expect: int) -> float:
    """Microseconds per POST /api/goods_outs over ``count`` requests, each answered ``expect``."""
    started = time.perf_counter()
    for _ in range(count):
        status, _ = await call(app, "POST", "/api/goods_outs", body, headers)
        if status != expect:
            raise SystemExit(f"answered {status}, expected {expect}")
    return (time.perf_counter() - started) / count * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=3000, help="creates per timed run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each")
    args = parser.parse_args()
    valid = json.dumps(goods_out()).encode()
    invalid = json.dumps(with_mistakes(goods_out())).encode()
    app = create_app(Settings(clock="manual", log_level="warning"))
    async with app.router.lifespan_context(app):
        form = b"grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"
        kind = [("Content-Type", "application/x-www-form-urlencoded")]
        _, answer = await call(app, "POST", "/oauth/token", form, kind)
        token = json.loads(answer)["access_token"]
        headers = [
            ("Authorization", f"Bearer {token}"),
            ("X-Clarus-Subdomain", "demo"),
            ("Content-Type", "application/json"),
        ]
        await per_request(app, valid, headers, 200, 201)  # warm up
        await per_request(bare_app, valid, headers, 200, 201)
        made, figures = 201, {"validated": [], "rejected": [], "bare": []}
        for round_ in range(args.rounds):
            figures["validated"].append(await per_request(app, valid, headers, args.orders, 201))
            made += args.orders
            figures["rejected"].append(await per_request(app, invalid, headers, args.orders, 422))
            figures["bare"].append(await per_request(bare_app, valid, headers, args.orders, 201))
            print(
                f"round {round_ + 1}/{args.rounds}: "
                + ", ".join(f"{name} {runs[-1]:.0f} us" for name, runs in figures.items()),
                flush=True,
            )
        bare = statistics.median(figures["bare"])
        for name, runs in figures.items():
            median = statistics.median(runs)
            print(
                f"{name + ' create:':18s} {median:7.0f} us per request in process "
                f"({1e6 / median:,.0f}/s; {bare / median:.0%} of bare)"
            )
        _bytes_per_order(app.state.mock.store.db, made)


def _bytes_per_order(db: Any, orders: int) -> None:
    """SQLite's pages per order, by table and index (dbstat), after ``orders`` creates."""
    rows = db.execute(
        "SELECT name, sum(pgsize), sum(payload), sum(unused) FROM dbstat GROUP BY name "
        "ORDER BY 2 DESC"
    ).fetchall()
    total = sum(row[1] for row in rows)
    print(f"SQLite after {orders:,} orders: {total / orders:,.0f} bytes per order")
    for name, size, payload, unused in rows[:8]:
        print(
            f"  {name:34s} {size / orders:6,.0f} B (payload {payload / orders:5,.0f}, "
            f"free in pages {unused / orders:4,.0f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
