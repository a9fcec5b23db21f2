"""`make serve` passes HOST, PORT, DATA, FIXTURES and ARGS on to `clarus-mock serve` (a dry run)."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from mock_server.cli import _parser

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _serve(*overrides: str) -> argparse.Namespace:
    """The arguments `make -n serve ...` would give clarus-mock, as its own parser reads them."""
    # Under `make test` the parent make's flags would reach this one; HOST and PORT in the
    # environment must not count (the Makefile takes them from its command line only).
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env |= {"HOST": "from-the-environment", "PORT": "1"}
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "serve", *overrides],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [x for x in done.stdout.splitlines() if "clarus-mock serve" in x]
    program, *argv = shlex.split(line)
    assert program.endswith("/bin/clarus-mock")
    return _parser().parse_args(argv)


def test_host_and_port_reach_the_server() -> None:
    args = _serve("PORT=9000", "HOST=0.0.0.0")
    assert (args.command, args.host, args.port) == ("serve", "0.0.0.0", 9000)


def test_defaults_stay_loopback_8765_and_the_demo_pack() -> None:
    args = _serve()
    assert (args.host, args.port, args.data, args.fixtures) == ("127.0.0.1", 8765, None, "demo")


def test_data_fixtures_and_extra_arguments_reach_the_server() -> None:
    args = _serve(
        "DATA=my state.db", "FIXTURES=packs/mine", "ARGS=--admin-token s3cret --log-level debug"
    )
    assert (args.data, args.fixtures, args.admin_token, args.log_level) == (
        "my state.db",
        "packs/mine",
        "s3cret",
        "debug",
    )
