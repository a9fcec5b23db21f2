"""``clarus-mock clock``, ``advance`` and ``listen`` against real servers."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.testing import free_port, serving


@pytest.fixture
def url() -> Iterator[str]:
    with serving(create_app()) as base:
        yield base


def test_clock_shows_every_tenant_then_sets_one(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clock", "--url", url]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in shown] == ["demo", "sandbox"]
    assert all("realtime" in line for line in shown)

    args = ["clock", "--url", url, "--tenant", "demo", "--mode", "manual"]
    assert main([*args, "--now", "2026-12-01T09:00:00Z"]) == 0
    assert capsys.readouterr().out.split() == ["demo", "2026-12-01T09:00:00Z", "manual"]


def test_advance_moves_a_manual_clock(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "clock",
            "--url",
            url,
            "--tenant",
            "demo",
            "--mode",
            "manual",
            "--now",
            "2026-12-01T09:00:00Z",
        ]
    )
    capsys.readouterr()
    assert main(["advance", "2h", "--url", url, "--tenant", "demo"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["demo", "2026-12-01T11:00:00Z"]
    now = httpx.get(url + "/__mock/clock", params={"tenant": "demo"}).json()["now"]
    assert now == "2026-12-01T11:00:00Z"


def test_bad_durations_and_modes_are_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["advance", "soon", "--url", url, "--tenant", "demo"])
    assert exit_info.value.code == 1
    assert "not a duration" in capsys.readouterr().err
    r = httpx.post(url + "/__mock/clock", json={"tenant": "demo", "speed": 0})
    assert r.status_code == 422
    assert "speed" in r.json()["error"]
    assert httpx.post(url + "/__mock/clock", json={"tenant": "nope"}).status_code == 404


def test_no_server_is_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["clock", "--url", f"http://127.0.0.1:{free_port()}"])
    assert "no server at" in str(exit_info.value.code)


def test_listen_prints_each_call_and_answers_200() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_server.cli", "listen", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in banner
        deadline = time.monotonic() + 10
        while True:
            try:
                r = httpx.post(
                    f"http://127.0.0.1:{port}/hook",
                    json={"data": {"id": 7, "reference": "SO-7"}},
                    headers={"X-ClarusWMS-Automation-ID": "43", "X-ClarusWMS-Subdomain": "demo"},
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert r.status_code == 200
        first = proc.stdout.readline()
        assert first.startswith("#1 POST /hook  automation 43")
        assert "reference SO-7" in first
        headers = [proc.stdout.readline().strip() for _ in range(2)]
        assert headers == ["X-ClarusWMS-Automation-ID: 43", "X-ClarusWMS-Subdomain: demo"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_listen_answers_204_without_a_body() -> None:
    from starlette.testclient import TestClient

    from mock_server.webhooks.listen import receiver

    printed = io.StringIO()
    with TestClient(receiver(status=204, out=printed)) as client:
        r = client.post("/hook", json={"data": {"id": 7}})
    assert (r.status_code, r.content) == (204, b"")
    assert "-> 204" in printed.getvalue()


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--status", "99"), ("--status", "600"), ("--status", "２００"), ("--fail-first", "-1")],
)
def test_listen_refuses_a_status_or_count_it_cannot_use(flag: str, value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "listen", flag, value],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert f"argument {flag}" in done.stderr
