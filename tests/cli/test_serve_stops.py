"""``clarus-mock serve`` stops promptly, and a request a fault holds gets its 504, not a 500."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import httpx

from mock_server.cli import SHUTDOWN_GRACE_S
from mock_server.testing import free_port


def test_a_request_held_by_a_timeout_fault_gets_504_when_the_server_stops() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/__mock/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the server stopped before it answered"
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.05)
        fault = {"path": "/graphql", "timeout": True}
        assert httpx.post(url + "/__mock/faults", json=fault).status_code == 201
        answers: list[httpx.Response] = []
        held = threading.Thread(
            target=lambda: answers.append(httpx.post(url + "/graphql", json={}, timeout=60))
        )
        held.start()
        time.sleep(0.5)  # the request is being held
        stopped = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(SHUTDOWN_GRACE_S + 10)
        held.join(10)
        assert time.monotonic() - stopped < SHUTDOWN_GRACE_S + 5
        [answer] = answers
        assert answer.status_code == 504
        assert "held until the server stopped" in answer.text
        assert proc.stderr is not None
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
