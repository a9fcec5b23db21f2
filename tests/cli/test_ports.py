"""``serve`` and ``listen`` on a port already in use: a clear error and exit 2, before any banner."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


@pytest.mark.parametrize("command", ["serve", "listen"])
def test_a_port_in_use_is_said_before_any_banner(command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mock_server.cli", command, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "pick another --port" in done.stderr
    assert done.stdout == ""  # no banner promising an address nobody answers on
