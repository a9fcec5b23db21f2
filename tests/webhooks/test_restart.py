"""Nothing is lost: a server killed with deliveries pending sends them after a restart with --data."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
from pytest_httpserver import HTTPServer

from mock_server.testing import free_port
from tests.api import order
from tests.processes import serve_process
from tests.webhooks.automations import automation, eventually


def token(url: str) -> dict[str, str]:
    r = httpx.post(
        url + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        },
    )
    return {"Authorization": f"Bearer {r.json()['access_token']}", "X-Clarus-Subdomain": "demo"}


def test_pending_deliveries_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "state.db"
    receiver_port = free_port()  # nothing listens there yet: the receiver is "down"
    hook = f"http://127.0.0.1:{receiver_port}/hook"
    port = free_port()
    with serve_process("--data", str(data), port=port) as (proc, url):
        headers = token(url)
        created = httpx.post(url + "/api/automations", json=automation(hook), headers=headers)
        assert created.status_code == 201, created.text
        placed = httpx.post(
            url + "/api/goods_outs", json=order(reference="SO-KILL"), headers=headers
        )
        assert placed.status_code == 201

        def first_attempt_failed() -> bool:
            log = httpx.get(url + "/__mock/webhooks/deliveries").json()["data"]
            return bool(log and log[0]["attempts"])

        assert eventually(first_attempt_failed)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    with HTTPServer(host="127.0.0.1", port=receiver_port) as receiver:
        receiver.expect_request("/hook").respond_with_data("ok")
        with serve_process("--data", str(data), port=port) as (_, url):
            delivered = eventually(
                lambda: [
                    d
                    for d in httpx.get(url + "/__mock/webhooks/deliveries").json()["data"]
                    if d["state"] == "delivered"
                ],
                timeout=20,
            )
            assert delivered, "the pending delivery was not sent after the restart"
            [call, *_] = [request for request, _ in receiver.log]
            assert json.loads(call.data)["data"]["reference"] == "SO-KILL"
            assert delivered[0]["attempts"][0]["error"] is not None  # the try before the kill
