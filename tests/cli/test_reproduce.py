"""`clarus-mock check`'s reproduce lines, run by bash against a real server, send the checked body."""

from __future__ import annotations

import io
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.settings import Settings
from mock_server.testing import serving
from tests.api import Api, order

# Breaks only rules whose verdict is settled: an unknown field and a wrong enum.
ORDER = order(sku="TEE-1", goods_out_type="sale")
PRODUCT_UPDATE = {"data": {"type": "products", "attributes": {"sku": "TEE-1"}}}


class Recorder:
    """ASGI middleware keeping the raw body of every request outside /__mock."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__mock"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        self.bodies.append(b"")
        index = len(self.bodies) - 1

        async def recording() -> Any:
            message = await receive()
            chunks.append(message.get("body", b""))
            self.bodies[index] = b"".join(chunks)
            return message

        await self.app(scope, recording, send)


@dataclass
class Server:
    url: str
    token: str
    http: httpx.Client
    recorder: Recorder


@pytest.fixture
def server() -> Iterator[Server]:
    app = create_app(Settings())
    recorder = Recorder(app)
    with serving(recorder) as url, httpx.Client(base_url=url, timeout=10) as http:
        yield Server(url, Api(http, app.state.mock).token(), http, recorder)


def _reproduce_lines(
    capsys: pytest.CaptureFixture[str], server: Server, path: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """The reproduce lines of `check --url` and the violations `check --format json` finds."""
    assert main(["check", "--url", server.url, path]) == 1
    text = capsys.readouterr().out
    main(["check", "--format", "json", path])
    report = json.loads(capsys.readouterr().out)
    failing = [r for r in report["results"] if not r["ok"]]
    lines = [x.removeprefix("  reproduce: ") for x in text.splitlines() if "reproduce:" in x]
    assert len(lines) == len(failing) == 1, text
    return lines, failing[0]["violations"]


def _replay(server: Server, line: str, cwd: Path) -> tuple[bytes, dict[str, Any]]:
    """Run ``line`` with TOKEN set; the body the server received and its journal entry."""
    done = subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        env={**os.environ, "TOKEN": server.token},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (entry,) = server.http.get("/__mock/journal", params={"limit": 1}).json()["data"]
    return server.recorder.bodies[-1], entry


def _pointers_and_rules(violations: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((v["pointer"], v["rule"]) for v in violations)


def test_a_file_is_sent_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], server: Server
) -> None:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(ORDER, indent=2) + "\n", encoding="utf-8")
    (line,), violations = _reproduce_lines(capsys, server, str(path))
    assert '-H "Authorization: Bearer $TOKEN"' in line
    received, entry = _replay(server, line, tmp_path)
    assert received == path.read_bytes()
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/api/goods_outs", 422)
    assert _pointers_and_rules(entry["violations"]) == _pointers_and_rules(violations)


def test_a_json_lines_line_is_sent_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], server: Server
) -> None:
    good, bad = json.dumps(order()), json.dumps(ORDER)
    path = tmp_path / "orders.jsonl"
    path.write_text(f"{good}\n{bad}\n{good}\n", encoding="utf-8")
    (line,), violations = _reproduce_lines(capsys, server, str(path))
    received, entry = _replay(server, line, tmp_path)
    assert received.rstrip(b"\n") == bad.encode()
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/api/goods_outs", 422)
    assert _pointers_and_rules(entry["violations"]) == _pointers_and_rules(violations)


@pytest.mark.parametrize(
    ("name", "filler"),
    [("journal.jsonl", 0), ("record.json", 0), ("long.jsonl", 100_000)],
    ids=["jsonl-record", "json-record", "record-too-long-to-inline"],
)
def test_a_request_record_sends_its_body_to_its_own_path(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    server: Server,
    name: str,
    filler: int,
) -> None:
    body = json.loads(json.dumps(PRODUCT_UPDATE))
    if filler:  # a body over the 128 KiB a command-line argument may hold, about
        body["data"]["attributes"]["description"] = "x" * filler
    record = {"method": "PATCH", "path": "/api/v1/products/1", "body": body}
    path = tmp_path / name
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (line,), violations = _reproduce_lines(capsys, server, str(path))
    assert "'" + server.url + "/api/v1/products/1'" in line
    assert "<id>" not in line
    received, entry = _replay(server, line, tmp_path)
    assert json.loads(received) == body
    assert (entry["method"], entry["path"]) == ("PATCH", "/api/v1/products/1")
    assert entry["status"] == 422
    assert _pointers_and_rules(entry["violations"]) == _pointers_and_rules(violations)


@pytest.mark.parametrize(
    "document",
    [ORDER, {"method": "PATCH", "path": "/api/products/1", "body": PRODUCT_UPDATE}],
    ids=["payload", "record"],
)
def test_stdin_is_replayed_without_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    server: Server,
    document: dict[str, Any],
) -> None:
    data = json.dumps(document).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["check", "--url", server.url, "-"]) == 1
    (line,) = [x for x in capsys.readouterr().out.splitlines() if "reproduce:" in x]
    received, entry = _replay(server, line.removeprefix("  reproduce: "), tmp_path)
    assert json.loads(received) == document.get("body", document)
    assert entry["status"] == 422
    assert entry["violations"]
