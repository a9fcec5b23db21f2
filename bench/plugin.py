"""The pytest plugin's overhead: a fresh tenant per test against a restart or a reset per test.

Run: `python bench/plugin.py [--tests 200] [--rounds 200]`. Prints figures; not a test.

1. Per test: a fresh tenant (a copy of ``demo``), its token and an httpx client, then dropping the
   tenant, as the ``clarus_tenant`` and ``clarus_client`` fixtures do: p50 and p99 (target < 5 ms).
2. A sample suite of N tests (each creates a product and reads it back through GraphQL), run by
   pytest three ways: with the plugin's fresh tenant per test; with a server started per test; with
   one server reset per test (all three with the same client settings). Wall time of each run,
   pytest's own start-up included.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mock_server.testing import local_server

BODY = (
    '{"data": {"type": "products", "attributes": '
    '{"code": "B-%d", "description": "bench", "stock_unit_type_id": 1}}}'
)
READ = '{ products { all(filter: {code: {eq: "B-%d"}}) { edges { node { id } } } } }'

PLUGIN = """
import json, pytest

@pytest.mark.parametrize("n", range({tests}))
def test_one(n, clarus_client):
    assert clarus_client.post("/api/products", content=BODY % n, headers={{"Content-Type": "application/json"}}).status_code == 201
    r = clarus_client.post("/graphql", json={{"query": READ % n}})
    assert r.json()["data"]["products"]["all"]["edges"]
"""

RESTART = """
import httpx, pytest
from mock_server.testing import Tenant, local_server, transport

@pytest.fixture
def client():
    with local_server() as server:
        tenant = Tenant(server, "demo", "demo-client", "demo-secret")
        with httpx.Client(base_url=server.url, headers=tenant.headers(), transport=transport()) as c:
            yield c

@pytest.mark.parametrize("n", range({tests}))
def test_one(n, client):
    assert client.post("/api/products", content=BODY % n, headers={{"Content-Type": "application/json"}}).status_code == 201
    r = client.post("/graphql", json={{"query": READ % n}})
    assert r.json()["data"]["products"]["all"]["edges"]
"""

RESET = """
import httpx, pytest
from mock_server.testing import Tenant, local_server, transport

@pytest.fixture(scope="session")
def server():
    with local_server() as s:
        yield s

@pytest.fixture
def client(server):
    server.control("POST", "/reset", {{"tenant": "demo"}})
    tenant = Tenant(server, "demo", "demo-client", "demo-secret")
    with httpx.Client(base_url=server.url, headers=tenant.headers(), transport=transport()) as c:
        yield c

@pytest.mark.parametrize("n", range({tests}))
def test_one(n, client):
    assert client.post("/api/products", content=BODY % n, headers={{"Content-Type": "application/json"}}).status_code == 201
    r = client.post("/graphql", json={{"query": READ % n}})
    assert r.json()["data"]["products"]["all"]["edges"]
"""


def per_test(rounds: int) -> list[float]:
    """Milliseconds for tenant + token + client + drop, ``rounds`` times."""
    times = []
    with local_server() as server:
        for _ in range(10):  # warm up
            server.new_tenant().drop()
        for _ in range(rounds):
            started = time.perf_counter()
            tenant = server.new_tenant()
            with tenant.client():
                pass
            tenant.drop()
            times.append((time.perf_counter() - started) * 1000)
    return times


def suite(template: str, tests: int) -> float:
    """Seconds pytest takes to run ``tests`` tests written from ``template``."""
    folder = Path(tempfile.mkdtemp())
    header = f"BODY = {BODY!r}\nREAD = {READ!r}\n"
    (folder / "test_bench.py").write_text(header + template.format(tests=tests), encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    times = sorted(per_test(args.rounds))
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    print(
        f"fresh tenant + token + client + drop: p50 {statistics.median(times):.1f} ms, "
        f"p99 {p99:.1f} ms over {args.rounds}   (target < 5 ms)"
    )
    for name, template in (
        ("plugin, a fresh tenant", PLUGIN),
        ("a reset per test", RESET),
        ("a server per test", RESTART),
    ):
        seconds = suite(template, args.tests)
        print(
            f"{args.tests} tests, {name:24} {seconds:6.1f} s   ({seconds / args.tests * 1000:.0f} ms a test, pytest start-up included)"
        )


if __name__ == "__main__":
    main()
