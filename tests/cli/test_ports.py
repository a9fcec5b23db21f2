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


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server.cli", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("command", ["serve", "listen"])
@pytest.mark.parametrize("port", ["70000", "-1", "８０８０"])
def test_a_port_outside_0_to_65535_is_refused_without_a_traceback(command: str, port: str) -> None:
    done = _run(command, "--port", port)
    assert done.returncode == 2
    assert "argument --port" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_host_this_machine_does_not_have_is_named_as_the_problem() -> None:
    done = _run("listen", "--host", "nonexistent.invalid", "--port", "0")
    assert done.returncode == 2
    assert "pick a --host this machine has" in done.stderr
    assert "Traceback" not in done.stderr
