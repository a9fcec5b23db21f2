"""Server figures: cold start, validated POST /api/goods_outs vs a bare handler, reset, memory.

Run: `python bench/server.py [--seconds 5] [--rounds 3] [--orders 100000]` (needs `wrk`: apt-get install wrk).
Servers are pinned to core 0 and wrk to core 1, so "one core" means one core. Prints figures; not a test.
Targets: validated >= 60% of bare with p99 < 10 ms, rejected >= 30% of bare; cold start < 0.5 s;
reset p99 < 10 ms after 10,000 orders; RSS < 400 MiB after 100,000 orders.

A third server, bench/minimal_app.py, does only what no create can skip: it writes the same rows in
one transaction and answers the same echo, checking nothing. Its ratio bounds the validated one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from validate import goods_out, with_mistakes

BIN = Path(sys.executable).parent
# "After install" means bytecode is cached, as pip leaves it; some sandboxes turn caching off.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    argv: list[str], url: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server pinned to core 0 (``env`` added to its environment); return it and the
    seconds to its first answer."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["taskset", "-c", "0", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**ENV, **(env or {})},
    )
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return proc, time.perf_counter() - started
        except urllib.error.HTTPError:  # any HTTP answer means the server is up
            return proc, time.perf_counter() - started
        except OSError:
            if proc.poll() is not None or time.perf_counter() - started > 30:
                raise SystemExit(f"server did not start: {argv}") from None
            time.sleep(0.005)


def post(url: str, body: dict, headers: dict[str, str] | None = None, form: bool = False) -> dict:
    data = (urllib.parse.urlencode(body) if form else json.dumps(body)).encode()
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    request = urllib.request.Request(url, data, {"Content-Type": kind, **(headers or {})})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def wrk(
    url: str, headers: dict[str, str], body: str, seconds: float, rejected: bool = False
) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of wrk POSTing ``body`` (one thread, 16
    connections, core 1). Every answer must be 2xx, or with ``rejected`` every one must not be.
    """
    lua = (
        "wrk.method = 'POST'\nwrk.body = [["
        + body
        + "]]\n"
        + "".join(f"wrk.headers['{k}'] = '{v}'\n" for k, v in headers.items())
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    out = subprocess.run(
        [
            "taskset",
            "-c",
            "1",
            "wrk",
            "-t1",
            "-c16",
            "--latency",
            f"-d{max(1, round(seconds))}s",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    refused = int(non_2xx.group(1)) if non_2xx else 0
    if refused != (answered if rejected else 0):
        raise SystemExit(f"{refused} of {answered} requests were refused:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rate, float(p99) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def token(base: str) -> str:
    """A fresh demo-tenant access token."""
    body = {
        "grant_type": "client_credentials",
        "client_id": "demo-client",
        "client_secret": "demo-secret",
    }
    return post(f"{base}/oauth/token", body, form=True)["access_token"]


def rss_mib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating validated/bare runs")
    parser.add_argument("--orders", type=int, default=100_000, help="for the memory figure")
    parser.add_argument("--reset-orders", type=int, default=10_000)
    parser.add_argument("--reset-cycles", type=int, default=5)
    parser.add_argument(
        "--clock",
        default="realtime",
        choices=["realtime", "manual", "instant"],
        help="the server's clock; realtime (the default) lets the floor allocate each order 30 s "
        "after it was made, on the same core; manual measures the write path alone",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/server.py needs wrk: apt-get install wrk")
    body = json.dumps(goods_out())
    invalid = json.dumps(with_mistakes(goods_out()))
    warm = "import mock_server.cli, mock_server.app, uvicorn"
    subprocess.run([sys.executable, "-c", warm], env=ENV, check=True)  # write the bytecode once

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    mock, cold = start(
        [
            *(str(BIN / "clarus-mock"), "serve", "--port", str(port)),
            *("--log-level", "warning", "--clock", args.clock),
        ],
        f"{base}/__mock/health",
    )
    bare_port = free_port()
    bare, _ = start(
        [
            str(BIN / "uvicorn"),
            "--app-dir",
            str(Path(__file__).parent),
            "bare_app:app",
            "--port",
            str(bare_port),
            "--log-level",
            "warning",
        ],
        f"http://127.0.0.1:{bare_port}/",
    )
    headers = {
        "Authorization": f"Bearer {token(base)}",
        "X-Clarus-Subdomain": "demo",
        "Content-Type": "application/json",
    }
    orders = f"{base}/api/goods_outs"
    bare_url = f"http://127.0.0.1:{bare_port}/api/goods_outs"
    # The minimal create answers one of our own echoes (same shape and size), ids changed.
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as echo:
        echo.write(json.dumps(post(orders, json.loads(body), headers)).encode())
    minimal_port = free_port()
    minimal, _ = start(
        [
            *(str(BIN / "uvicorn"), "--app-dir", str(Path(__file__).parent), "minimal_app:app"),
            *("--port", str(minimal_port), "--log-level", "warning"),
        ],
        f"http://127.0.0.1:{minimal_port}/",
        {"MINIMAL_ECHO": echo.name},
    )
    minimal_url = f"http://127.0.0.1:{minimal_port}/api/goods_outs"
    try:
        # Alternate the servers so a noisy neighbour on a shared machine hits all alike.
        validated, rejected, baseline, minimals, p99s, minimal_p99s = [], [], [], [], [], []
        for round_ in range(args.rounds):
            rate, p99 = wrk(orders, headers, body, args.seconds)
            validated.append(rate)
            p99s.append(p99)
            rejected.append(wrk(orders, headers, invalid, args.seconds, rejected=True)[0])
            baseline.append(wrk(bare_url, headers, body, args.seconds)[0])
            minimal_rate, minimal_p99 = wrk(minimal_url, headers, body, args.seconds)
            minimals.append(minimal_rate)
            minimal_p99s.append(minimal_p99)
            print(
                f"round {round_ + 1}/{args.rounds}: validated {validated[-1]:.0f} req/s, "
                f"rejected {rejected[-1]:.0f} req/s, bare {baseline[-1]:.0f} req/s, "
                f"minimal {minimals[-1]:.0f} req/s",
                flush=True,
            )
        rate = statistics.median(validated)
        resets = []
        for cycle in range(args.reset_cycles):
            post(f"{base}/__mock/reset", {})
            headers["Authorization"] = f"Bearer {token(base)}"  # the reset revoked it
            made = _fill(base, headers, body, args.reset_orders, rate)
            t = time.perf_counter()
            post(f"{base}/__mock/reset", {})
            resets.append((time.perf_counter() - t) * 1000)
            print(
                f"reset {cycle + 1}/{args.reset_cycles} after {made:,} orders: {resets[-1]:.1f} ms",
                flush=True,
            )
        headers["Authorization"] = f"Bearer {token(base)}"
        before = rss_mib(mock.pid)
        print(f"creating {args.orders:,} orders for the memory figure ...", flush=True)
        made = _fill(base, headers, body, args.orders, rate)
        after = rss_mib(mock.pid)
    finally:
        mock.terminate()
        bare.terminate()
        minimal.terminate()
        os.unlink(echo.name)

    def ratio(figures: list[float], target: float) -> str:
        each = sorted(f / b for f, b in zip(figures, baseline, strict=True))
        rounds = ", ".join(f"{r:.0%}" for r in each)
        return f"{statistics.median(each):8.0%}   (rounds: {rounds}; target >= {target:.0%})"

    print(f"server clock: {args.clock}")
    print(f"cold start to first answer:        {cold * 1000:8.0f} ms   (target < 500 ms)")
    print(
        f"POST /api/goods_outs, validated:   {rate:8.0f} req/s, p99 {statistics.median(p99s):.1f} ms "
        "(20 lines + address; median; p99 target < 10 ms)"
    )
    print(
        f"POST /api/goods_outs, rejected:    {statistics.median(rejected):8.0f} req/s "
        "(3 mistakes, every one explained in the 422; median)"
    )
    print(f"bare Starlette, parse body only:   {statistics.median(baseline):8.0f} req/s (median)")
    print(
        f"minimal create (bench/minimal_app.py): {statistics.median(minimals):5.0f} req/s, "
        f"p99 {statistics.median(minimal_p99s):.1f} ms (same rows, same echo; nothing checked)"
    )
    print(f"validated / bare:                  {ratio(validated, 0.6)}")
    print(f"minimal / bare:                    {ratio(minimals, 0.6)}")
    print(f"rejected / bare:                   {ratio(rejected, 0.3)}")
    print(
        f"POST /__mock/reset after ~{args.reset_orders:,} orders: "
        f"{statistics.median(resets):.1f} ms median, {max(resets):.1f} ms max "
        f"({len(resets)} resets; target p99 < 10 ms)"
    )
    print(
        f"memory after {made:,} goods outs:  {after:8.0f} MiB RSS "
        f"({before:.0f} MiB before; target < 400 MiB)"
    )


def _fill(base: str, headers: dict[str, str], body: str, count: int, rate: float) -> int:
    """Create about ``count`` orders with wrk; return how many the tenant gained."""
    first = _new_order(base, headers, body)
    wrk(f"{base}/api/goods_outs", headers, body, count / rate)
    while (made := _new_order(base, headers, body) - first) < count:
        # wrk runs for a time, not a count: top up
        wrk(f"{base}/api/goods_outs", headers, body, max(1.0, (count - made) / rate))
    return made


def _new_order(base: str, headers: dict[str, str], body: str) -> int:
    """Create one order; its id (ids count up, so it tells how many orders came before)."""
    return int(post(f"{base}/api/goods_outs", json.loads(body), headers)["data"]["id"])


if __name__ == "__main__":
    main()
