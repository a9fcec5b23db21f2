"""``clarus-mock serve`` stops promptly, and a request a fault holds gets its 504, not a 500."""

from __future__ import annotations

import signal
import threading
import time

import httpx

from mock_server.cli import SHUTDOWN_GRACE_S
from tests.processes import serve_process


def test_a_request_held_by_a_timeout_fault_gets_504_when_the_server_stops() -> None:
    with serve_process() as (proc, url):
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
