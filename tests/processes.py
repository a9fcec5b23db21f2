"""``clarus-mock serve`` in a process of its own, for tests that stop, kill or restart it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from mock_server.testing import free_port


@contextmanager
def serve_process(
    *options: str, port: int | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``clarus-mock serve --port PORT *options``, once it answers /__mock/health: the process
    (stderr kept as text for the test to read) and its base URL; terminated on exit if it still
    runs. Fails the test when the server stops, or does not answer within 20 s."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/__mock/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.05)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
