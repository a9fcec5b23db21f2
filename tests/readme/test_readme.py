"""The README's examples run as written, so they never rot.

Blocks marked ``<!-- readme-test: NAME -->`` are taken from README.md: shell blocks run in bash, in
order, against a server started for the test (``BASE`` points at it, and the listener's port is
swapped for a free one); each pytest example runs as a test file of its own in a fresh folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.app import create_app
from mock_server.testing import free_port, serving

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- readme-test: (\w+) -->\n```(\w+)\n(.*?)```", re.S)
BIN = Path(sys.executable).parent


def blocks() -> dict[str, tuple[str, str]]:
    """Marked README blocks by name: (language, code)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {name: (language, code) for name, language, code in BLOCK.findall(text)}


def run_shell(names: list[str], base: str) -> subprocess.CompletedProcess[str]:
    """The named shell blocks as one bash script; background jobs are stopped at the end."""
    script = "\n".join(blocks()[name][1] for name in names)
    listen = str(free_port())
    script = script.replace("8766", listen)
    wrapped = (
        f"set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}\nsleep 1\n"
    )
    env = {**os.environ, "BASE": base, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", wrapped], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT
    )


def test_every_marked_block_is_found() -> None:
    assert set(blocks()) == {"curl", "graphql", "control", "floor", "plugin", "faults"}


def test_the_curl_walkthrough_graphql_and_control_blocks_run() -> None:
    with serving(create_app()) as base:
        done = run_shell(["curl", "graphql", "control"], base)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '"code": "TEE-RED-M"' in out  # the product read back through GraphQL
    assert '"priority": 0' in out
    assert "data/relationships/address" in out  # the classic mistake's hint
    assert '"reset": "all"' in out


def test_the_floor_walkthrough_runs_and_the_listener_hears_the_dispatch() -> None:
    with serving(create_app()) as base:
        done = run_shell(["floor"], base)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(
        r"#1 POST /clarus  automation \d+  id \d+, reference SO-2001, goods_out_status_id 6", out
    )
    assert "X-ClarusWMS-Automation-ID" in out
    assert "PENDING -> ALLOCATED" in out
    deliveries = json.loads(out[out.rindex('{\n  "data"') :])["data"]
    assert deliveries[0]["state"] == "delivered"


@pytest.mark.parametrize("name", ["plugin", "faults"])
def test_the_pytest_examples_pass(tmp_path: Path, name: str) -> None:
    language, code = blocks()[name]
    assert language == "python"
    (tmp_path / "test_example.py").write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


@pytest.mark.parametrize("name", ["curl", "graphql", "control", "floor"])
def test_shell_blocks_name_base_not_a_fixed_server(name: str) -> None:
    """Each shell block works against any server: it uses $BASE, set only from the environment."""
    code = blocks()[name][1]
    assert "http://127.0.0.1:8765/" not in code
