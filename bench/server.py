"""Server figures: cold start, validated POST /api/goods_outs vs a bare handler, reset, memory.

Run: `python bench/server.py [--seconds 5] [--rounds 3] [--orders 100000]` (needs `wrk`: apt-get install wrk).
Servers are pinned to core 0 and wrk to core 1, so "one core" means one core. Prints figures; not a test.
Targets (issue #4): validated >= 60% of bare; cold start < 0.5 s; reset < 10 ms.
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
from validate import goods_out

BIN = Path(sys.executable).parent
# "After install" means bytecode is cached, as pip leaves it; some sandboxes turn caching off.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(argv: list[str], url: str) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server pinned to core 0; return it and the seconds to its first answer."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["taskset", "-c", "0", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
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


def wrk(url: str, headers: dict[str, str], body: str, seconds: float) -> float:
    """Requests per second of wrk POSTing ``body`` (one thread, 16 connections, core 1)."""
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
    if non_2xx:
        raise SystemExit(f"{non_2xx.group(1)} requests failed:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


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
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/server.py needs wrk: apt-get install wrk")
    body = json.dumps(goods_out())
    warm = "import mock_server.cli, mock_server.app, uvicorn"
    subprocess.run([sys.executable, "-c", warm], env=ENV, check=True)  # write the bytecode once

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    mock, cold = start(
        [str(BIN / "clarus-mock"), "serve", "--port", str(port), "--log-level", "warning"],
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
    try:
        # Alternate the two servers so a noisy neighbour on a shared machine hits both alike.
        validated, baseline = [], []
        for round_ in range(args.rounds):
            validated.append(wrk(f"{base}/api/goods_outs", headers, body, args.seconds))
            bare_url = f"http://127.0.0.1:{bare_port}/api/goods_outs"
            baseline.append(wrk(bare_url, headers, body, args.seconds))
            print(
                f"round {round_ + 1}/{args.rounds}: validated {validated[-1]:.0f} req/s, "
                f"bare {baseline[-1]:.0f} req/s",
                flush=True,
            )
        resets = []
        for _ in range(50):
            t = time.perf_counter()
            post(f"{base}/__mock/reset", {})
            resets.append((time.perf_counter() - t) * 1000)
        headers["Authorization"] = f"Bearer {token(base)}"  # reset revoked it
        before = rss_mib(mock.pid)
        rate = statistics.median(validated)
        print(f"creating ~{args.orders:,} orders for the memory figure ...", flush=True)
        wrk(f"{base}/api/goods_outs", headers, body, args.orders / rate * 1.1)
        after = rss_mib(mock.pid)
    finally:
        mock.terminate()
        bare.terminate()

    ratios = sorted(v / b for v, b in zip(validated, baseline, strict=True))
    print(f"cold start to first answer:        {cold * 1000:8.0f} ms   (target < 500 ms)")
    print(f"POST /api/goods_outs, validated:   {rate:8.0f} req/s (20 lines + address; median)")
    print(f"bare Starlette, parse body only:   {statistics.median(baseline):8.0f} req/s (median)")
    print(
        f"validated / bare:                  {statistics.median(ratios):8.0%}   "
        f"(rounds: {', '.join(f'{r:.0%}' for r in ratios)}; target >= 60%)"
    )
    print(
        f"POST /__mock/reset (demo pack):    {statistics.median(resets):8.1f} ms median, "
        f"{max(resets):.1f} ms max (target < 10 ms)"
    )
    print(
        f"memory after ~{args.orders:,} goods outs:  {after:8.0f} MiB RSS "
        f"({before:.0f} MiB before; in-memory SQLite)"
    )


if __name__ == "__main__":
    main()
