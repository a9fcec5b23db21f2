"""GraphQL read figures: an ``all_codes`` lookup among 100,000 products, and a 100-order page.

Run: `python bench/graphql_read.py [--products 100000] [--orders 150] [--queries 2000] [--pages 200]
[--seconds 10] [--no-http]` (`make bench` runs it with 20,000 products). Prints figures; not a test.

The products go into the demo tenant in one transaction, as REST stores them: each JSON:API body is
read, validated and normalised by the functions POST /api/products uses, and the product and its
priority 0 storage unit are written with the store's public API (one more product goes through REST
and must come out identical). The goods outs (5 lines and a delivery address each) are POSTed to
/api/goods_outs. Queries go through the app's /graphql route in process (httpx's ASGI transport, one
core) and, unless --no-http, over HTTP to ``clarus-mock serve --data`` on 127.0.0.1 (server on one
core, this client on the other, one keep-alive connection) serving a copy of the same database.

Rows: ``all_codes: {eq}`` on a random code or barcode of a random product (the five code fields are
indexed columns), and ``all_codes: {like}`` with the same value, which no index serves: the scan
baseline. Then the goods-out page: 100 orders with account, warehouse, status, address and lines with
their products (``after`` skips the demo pack's orders, so every node has 5 lines and an address),
and the SQL statements one page takes for 10 and for 100 nodes: they must not grow, nested objects
are batched. Last, the lookup again after ``ANALYZE``: not what the server does, but it shows what
SQLite's planner does with statistics, and the plans printed below the table say which indexes each
read used. A row runs --queries (or --pages) requests or --seconds, whichever ends first; queries/s
is one client sending one query at a time.

Targets: all_codes eq p99 < 5 ms; 100-node goods-out page p99 < 50 ms; statements per page flat.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from validate import goods_out

from contracts import get_operation
from contracts.normalize import normalize
from contracts.reader import read_json
from contracts.validate import validate_document
from mock_server.app import create_app
from mock_server.domain import records
from mock_server.domain.products import PSU, default_storage_unit
from mock_server.graphql.filters import cursor
from mock_server.graphql.schema import build
from mock_server.json_text import encode
from mock_server.store import Store

TENANT = "demo"
BIN = Path(sys.executable).parent
# Bytecode cached, as after an install (see bench/server.py).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CODE_FIELDS = ("code", "barcode", "case_barcode", "inner_barcode", "outer_barcode")
ALL_CODES = (
    "query($f: ProductsFilterType) { products { all(filter: $f) { edges { node { id code } } } } }"
)
PAGE = (
    "query($n: Int, $after: String) { goods_outs { all(first: $n, after: $after) { edges { node { "
    "id reference account { id code } warehouse { id code } goods_out_status { code name } "
    "address { name postcode country_code } "
    "lines { id order_quantity product { code } } } } } } }"
)


def product(i: int) -> dict[str, Any]:
    """The POST /api/products body of product ``i``: a code and four 13-digit barcodes, all unique.

    The barcodes share one length and differ in their first two digits, so no code is part of
    another and the ``like`` baseline finds exactly the product the ``eq`` lookup finds.
    """
    return {
        "data": {
            "type": "products",
            "attributes": {
                "code": f"BENCH-{i:07d}",
                "description": f"Bench product {i}",
                "stock_unit_type_id": 1,
                "product_type": "single",
                "barcode": f"50{i:011d}",
                "case_barcode": f"51{i:011d}",
                "inner_barcode": f"52{i:011d}",
                "outer_barcode": f"53{i:011d}",
            },
        }
    }


def stored_form(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Attributes and relationships as POST /api/products stores them.

    The route's own steps: read the JSON, validate it against the contract, normalise it, and drop
    ``*_changes`` lists (``records.plain``).
    """
    document = read_json(encode(body))
    op = get_operation("products.create")
    violations = validate_document(op, document)
    if any(v.severity == "error" for v in violations):
        raise SystemExit(f"the bench's product body is invalid: {violations}")
    data = normalize(op, document.value, violations, document.has_floats)["data"]
    return records.plain(data["attributes"]), dict(data.get("relationships") or {})


def storage_unit(store: Store, product_id: int) -> dict[str, Any]:
    """The priority 0 storage unit POST /api/products adds (mock_server.domain.products.create)."""
    return default_storage_unit(product_id, store.first_id(TENANT, "storage_unit_types"))


def load_products(store: Store, count: int) -> list[int]:
    """Store ``count`` products and their storage units in one transaction; return their ids."""
    rows = []
    for i in range(count):
        attributes, relationships = stored_form(product(i))
        if relationships:  # create_many writes none; REST would keep them
            raise SystemExit("the bench's product body has relationships; load them one by one")
        rows.append(attributes)
    with store.transaction():
        made = store.create_many(TENANT, "products", rows)
        units = [storage_unit(store, record.id) for record in made]
        store.create_many(TENANT, PSU, units)
    return [record.id for record in made]


async def check_same_as_rest(client: httpx.AsyncClient, store: Store, i: int) -> int:
    """POST product ``i`` through REST, check the loader stores the very same records; its id."""
    answer = await client.post("/api/products", json=product(i))
    if answer.status_code != 201:
        raise SystemExit(f"POST /api/products: {answer.status_code} {answer.text}")
    product_id = int(answer.json()["data"]["id"])
    by_rest = store.get(TENANT, "products", product_id)
    unit = store.find(TENANT, PSU, product_id=product_id)
    attributes, relationships = stored_form(product(i))
    same = (
        by_rest is not None
        and (by_rest.attributes, by_rest.relationships) == (attributes, relationships)
        and [u.attributes for u in unit] == [storage_unit(store, product_id)]
    )
    if not same:
        raise SystemExit("the loader stores products differently from POST /api/products")
    return product_id


async def create_orders(
    client: httpx.AsyncClient, count: int, product_ids: list[int], rng: random.Random
) -> int:
    """POST ``count`` goods outs of 5 lines (random products) and an address; the first new id."""
    first = 0
    for n in range(count):
        body = goods_out(lines=5)
        body["data"]["attributes"]["reference"] = f"BENCH-SO-{n:05d}"
        for change, product_id in zip(
            body["data"]["attributes"]["lines_changes"], rng.sample(product_ids, 5), strict=True
        ):
            change["attributes"]["product_id"] = product_id
        answer = await client.post("/api/goods_outs", json=body)
        if answer.status_code != 201:
            raise SystemExit(f"POST /api/goods_outs: {answer.status_code} {answer.text}")
        first = first or int(answer.json()["data"]["id"])
    return first


@dataclass
class Row:
    """One measured line of the table: latencies in ms and the wall time they took."""

    label: str
    where: str
    latencies: list[float]
    elapsed: float
    target_ms: float | None = None

    def line(self) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        verdict = ""
        if self.target_ms is not None:
            met = "met" if p99 < self.target_ms else "NOT met"
            verdict = f"p99 < {self.target_ms:g} ms: {met}"
        return (
            f"{self.label:42} {self.where:10} {len(ordered):6,} {p50:9.2f} {p99:9.2f} "
            f"{len(ordered) / self.elapsed:9,.0f}   {verdict}"
        )


HEADER = (
    f"{'query':42} {'via':10} {'n':>6} {'p50 ms':>9} {'p99 ms':>9} {'queries/s':>9}   target\n"
    + "-" * 112
)


async def measure(
    send: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    variables: list[dict[str, Any]],
    check: Callable[[dict[str, Any], dict[str, Any]], None],
    seconds: float,
) -> tuple[list[float], float]:
    """Latencies (ms) of sending each of ``variables`` in turn, stopping after ``seconds``."""
    latencies = []
    started = time.perf_counter()
    for values in variables:
        t = time.perf_counter()
        answer = await send(values)
        latencies.append((time.perf_counter() - t) * 1000)
        check(values, answer)
        if time.perf_counter() - started > seconds:
            break
    return latencies, time.perf_counter() - started


def lookups(product_ids: list[int], count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` all_codes variables: a random code field of a random product each."""
    first = product_ids[0]
    return [
        {"f": {"all_codes": {"eq": product(i - first)["data"]["attributes"][field]}}}
        for i, field in ((rng.choice(product_ids), rng.choice(CODE_FIELDS)) for _ in range(count))
    ]


def offset(value: str) -> int:
    """Which product (counting from 0) holds ``value``: the number in every code it has."""
    return int(value.removeprefix("BENCH-") if value.startswith("BENCH-") else value[2:])


def checker(first_id: int) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    """A check that an all_codes answer is exactly the one product that holds the value."""

    def check(values: dict[str, Any], answer: dict[str, Any]) -> None:
        value = next(iter(values["f"]["all_codes"].values()))
        edges = answer["data"]["products"]["all"]["edges"]
        if [int(e["node"]["id"]) for e in edges] != [first_id + offset(value)]:
            raise SystemExit(f"all_codes {value!r} answered {answer}")

    return check


def check_page(values: dict[str, Any], answer: dict[str, Any]) -> None:
    """A page must hold the asked number of orders, each with 5 lines and an address."""
    edges = answer["data"]["goods_outs"]["all"]["edges"]
    bad = [e for e in edges if len(e["node"]["lines"]) != 5 or not e["node"]["address"]]
    if len(edges) != values["n"] or bad or answer.get("errors"):
        raise SystemExit(f"goods-out page: {len(edges)} nodes, {len(bad)} incomplete: {answer}")


def as_like(variables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"f": {"all_codes": {"like": v["f"]["all_codes"]["eq"]}}} for v in variables]


def pin(core: int | None) -> None:
    """Run this process on one core (when the machine lets us choose)."""
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_copy(store: Store, folder: str, core: int | None) -> tuple[subprocess.Popen[bytes], str]:
    """``clarus-mock serve --data`` on a copy of the store's database; the process and its URL."""
    path = os.path.join(folder, "bench.db")
    copy = sqlite3.connect(path)
    store.db.backup(copy)
    copy.close()
    port = free_port()
    pinned = ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []
    argv = [str(BIN / "clarus-mock"), "serve", "--port", str(port), "--data", path]
    proc = subprocess.Popen(
        [*pinned, *argv, "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while True:
        try:
            urllib.request.urlopen(f"{base}/__mock/health", timeout=1)
            return proc, base
        except urllib.error.HTTPError:
            return proc, base
        except OSError:
            if proc.poll() is not None or time.perf_counter() - started > 60:
                raise SystemExit(f"server did not start: {argv}") from None
            time.sleep(0.05)


def token_over_http(base: str) -> str:
    form = b"grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"
    request = urllib.request.Request(
        f"{base}/oauth/token", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    with urllib.request.urlopen(request) as response:
        return str(json.loads(response.read())["access_token"])


class HttpClient:
    """One keep-alive connection POSTing GraphQL queries."""

    def __init__(self, base: str, query: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port))
        self.query = query
        self.headers = {
            "Authorization": f"Bearer {token_over_http(base)}",
            "X-Clarus-Subdomain": TENANT,
            "Content-Type": "application/json",
        }

    async def send(self, variables: dict[str, Any]) -> dict[str, Any]:
        """Blocking, but async to share :func:`measure` with the in-process client."""
        body = json.dumps({"query": self.query, "variables": variables})
        self.connection.request("POST", "/graphql", body, self.headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"/graphql over HTTP: {response.status} {data[:500]!r}")
        return dict(json.loads(data))


def token_form() -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": "demo-client",
        "client_secret": "demo-secret",
    }


async def traced(store: Store, run: Callable[[], Awaitable[Any]]) -> list[str]:
    """The SQL statements the store runs during ``run()`` (as tests/graphql/test_reading.py counts)."""
    seen: list[str] = []
    store.db.set_trace_callback(seen.append)
    try:
        await run()
    finally:
        store.db.set_trace_callback(None)
    return seen


def plan(store: Store, statements: list[str]) -> str:
    """How SQLite reads the products table for the products query among ``statements``."""
    sql = next(text for text in statements if "FROM r_products" in text)
    reads = []
    for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}"):
        step = re.match(r"(SEARCH|SCAN) r_products (USING )?(.*)", str(row[3]))
        if step:
            # An index's constraints are always (kind=? AND c_<its field>=?): its name says enough.
            reads.append(re.sub(r"^(INDEX \S+) \(.*\)$", r"\1", step.group(3)))
    return ", ".join(reads)


async def over_http(
    store: Store,
    cores: tuple[int | None, int | None],
    codes: list[dict[str, Any]],
    check: Callable[[dict[str, Any], dict[str, Any]], None],
    pages: list[dict[str, Any]],
    seconds: float,
) -> list[Row]:
    """The lookup and the page over HTTP: ``clarus-mock serve`` on a copy of the store's database."""
    rows = []
    server_core, client_core = cores
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with tempfile.TemporaryDirectory() as folder:
        server, base = serve_copy(store, folder, server_core)
        try:
            pin(client_core)
            for text, label, values, check_one, target in (
                (ALL_CODES, "all_codes eq", codes, check, 5.0),
                (PAGE, "goods_outs page, 100 nodes", pages, check_page, 50.0),
            ):
                client = HttpClient(base, text)
                for warm in values[:20]:
                    check_one(warm, await client.send(warm))
                latencies, elapsed = await measure(client.send, values, check_one, seconds)
                rows.append(Row(label, "HTTP", latencies, elapsed, target))
        finally:
            server.terminate()
            server.wait()
            if before is not None:
                os.sched_setaffinity(0, before)
    return rows


async def run(args: argparse.Namespace) -> None:
    """Load, measure, print."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin(cores[0] if cores else None)  # in process: one core
    rng = random.Random(20260)
    app = create_app()
    store: Store = app.state.mock.store
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = (await client.post("/oauth/token", data=token_form())).json()["access_token"]
        client.headers.update({"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": TENANT})

        started = time.perf_counter()
        product_ids = load_products(store, args.products - 1)
        loaded = time.perf_counter() - started
        product_ids.append(await check_same_as_rest(client, store, args.products - 1))
        print(
            f"loaded {args.products - 1:,} products and their storage units in {loaded:.1f} s "
            f"({(args.products - 1) / loaded:,.0f}/s, validated and normalised as REST does); "
            "1 more through POST /api/products: stored the same",
            flush=True,
        )
        started = time.perf_counter()
        first_order = await create_orders(client, args.orders, product_ids, rng)
        print(
            f"created {args.orders} goods outs (5 lines, an address) through POST /api/goods_outs "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # As `clarus-mock serve` does once started: what exists now lives as long as the server.
        build()
        gc.freeze()

        async def query(text: str, variables: dict[str, Any]) -> dict[str, Any]:
            answer = await client.post("/graphql", json={"query": text, "variables": variables})
            if answer.status_code != 200:
                raise SystemExit(f"/graphql: {answer.status_code} {answer.text[:500]}")
            return dict(answer.json())

        def ask(text: str) -> Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]:
            return lambda values: query(text, values)

        codes = lookups(product_ids, args.queries, rng)
        check = checker(product_ids[0])
        after = cursor("goods_outs", first_order - 1)  # the page holds the bench's orders only
        pages = [{"n": 100, "after": after}] * args.pages
        for values in codes[:20]:  # build the schema, warm the caches
            check(values, await query(ALL_CODES, values))
        check_page(pages[0], await query(PAGE, pages[0]))
        plans = [plan(store, await traced(store, lambda: query(ALL_CODES, codes[0])))]

        rows = []
        for label, values, target in (
            ("all_codes eq", codes, 5.0),
            ("all_codes like, same value (scan baseline)", as_like(codes), None),
        ):
            latencies, elapsed = await measure(ask(ALL_CODES), values, check, args.seconds)
            rows.append(Row(label, "in-process", latencies, elapsed, target))
        latencies, elapsed = await measure(ask(PAGE), pages, check_page, args.seconds)
        rows.append(Row("goods_outs page, 100 nodes", "in-process", latencies, elapsed, 50.0))
        counts = {}
        for size in (10, 100):
            values = {"n": size, "after": after}
            statements = await traced(store, lambda v=values: query(PAGE, v))
            counts[size] = len(statements)

        if not args.no_http:
            pair = (cores[0], cores[1]) if len(cores) > 1 else (None, None)
            rows += await over_http(store, pair, codes, check, pages, args.seconds)

        started = time.perf_counter()
        store.db.execute("ANALYZE")
        analyzed = time.perf_counter() - started
        plans.append(plan(store, await traced(store, lambda: query(ALL_CODES, codes[0]))))
        latencies, elapsed = await measure(ask(ALL_CODES), codes, check, args.seconds)
        rows.append(
            Row("all_codes eq, store ANALYZEd (not served)", "in-process", latencies, elapsed)
        )

    print()
    print(HEADER)
    for row in rows:
        print(row.line())
    print()
    print(f"{'SQLite reads products, as served:':44} {plans[0]}")
    print(f"{f'after ANALYZE (which took {analyzed * 1000:.0f} ms):':44} {plans[1]}")
    print(
        f"SQL statements per goods_outs page: {counts[10]} for 10 nodes, {counts[100]} for 100 "
        f"nodes ({'flat: no N+1' if counts[10] == counts[100] else 'GROWS with the page'}; "
        "the token lookup included)"
    )
    print(
        "queries/s: one client, one query at a time. "
        "Targets: all_codes eq p99 < 5 ms; 100-node goods-out page p99 < 50 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000, help="products in the tenant")
    parser.add_argument("--orders", type=int, default=150, help="goods outs (at least 100)")
    parser.add_argument("--queries", type=int, default=2000, help="all_codes lookups per row")
    parser.add_argument("--pages", type=int, default=200, help="goods-out pages per row")
    parser.add_argument("--seconds", type=float, default=10, help="longest a row may run")
    parser.add_argument("--no-http", action="store_true", help="measure in process only")
    args = parser.parse_args()
    if args.orders < 100:
        parser.error("--orders must be at least 100 (the page holds 100)")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
