"""A wheel built from this checkout, installed outside it, serves the built-in fixture pack."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import httpx
from packaging.requirements import Requirement

from mock_server.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
# Build inputs only: a copy without these is what a fresh clone or an sdist holds.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".hypothesis",
)


def _run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _build_wheel(tmp_path: Path) -> Path:
    # pip builds in the source tree (build/, *.egg-info); a copy keeps the checkout untouched
    # and keeps stale files of an earlier build out of this wheel.
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("clarus_mock-*.whl")
    return wheel


def _venv_with(wheel: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A new venv holding the wheel; its dependencies are borrowed from the venv running the tests.

    The venv is created without pip and the wheel installed into it with ``--no-deps`` by this
    interpreter's pip (``pip --python``): fast and offline. The dependencies (starlette, uvicorn,
    jsonschema, ...) come from a ``.pth`` line naming this venv's site-packages. Lines of a ``.pth``
    only add a folder to ``sys.path``; the ``.pth`` files inside that folder (among them the editable
    install's hook that maps ``mock_server`` to the checkout) are not run, so ``mock_server`` can only
    come from the wheel. The server runs from a folder outside the checkout, with no PYTHONPATH.
    """
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=tmp_path,
    )
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    site = Path(
        _run(
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
            cwd=tmp_path,
            env=env,
        ).strip()
    )
    borrowed = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "borrowed_test_deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return venv, env


def _wait_for_health(
    server: subprocess.Popen[bytes], base: str, log: Path, headers: dict[str, str] | None = None
) -> httpx.Response:
    """The first answer of ``base``/__mock/health, whatever its status, while ``server`` runs.

    Fails with the server's output (``log``) if it exits first or does not answer within 30 s.
    """
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, f"clarus-mock serve exited:\n{log.read_text()}"
        try:
            return httpx.get(f"{base}/__mock/health", headers=headers, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"no answer on {base}:\n{log.read_text()}")


def test_wheel_installed_outside_the_checkout_serves_the_demo_pack(tmp_path: Path) -> None:
    """`pip install .` then `clarus-mock serve`: health names the demo pack, a token is issued.

    The wheel is built by pip from a copy of the checkout and installed into a fresh venv outside it
    (see :func:`_venv_with`); the server runs with its working folder outside the checkout too.
    """
    wheel = _build_wheel(tmp_path)
    venv, env = _venv_with(wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        venv / "bin" / "python",
        "-c",
        "import mock_server; print(mock_server.__file__)",
        cwd=elsewhere,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(venv), where

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(venv / "bin" / "clarus-mock"),
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        health = _wait_for_health(server, base, log)
        assert health.status_code == 200
        assert health.json()["pack"] == "demo"
        token = httpx.post(
            f"{base}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            },
            timeout=5,
        )
        assert token.status_code == 200, token.text
        assert token.json()["access_token"]
    finally:
        server.terminate()
        server.wait(timeout=10)

    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())

    # The metadata pip reads: Hypothesis comes with the `hypothesis` extra only, never with the core.
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    requires = [
        Requirement(line.removeprefix("Requires-Dist:").strip())
        for line in archive.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    hypothesis = [r for r in requires if r.name.startswith("hypothesis")]
    assert {r.name for r in hypothesis} == {"hypothesis", "hypothesis-jsonschema"}, requires
    for requirement in hypothesis:
        assert requirement.marker is not None, requirement
        assert not requirement.marker.evaluate({"extra": ""}), requirement
        assert requirement.marker.evaluate({"extra": "hypothesis"}), requirement

    # The package data: every pack file and schema, at the place the code looks for it.
    for data in [*ROOT.glob("fixtures/*/*.yaml"), *ROOT.glob("contracts/schemas/*.json")]:
        inside = data.relative_to(ROOT).as_posix().replace("fixtures/", "mock_server/packs/", 1)
        assert inside in names
    # The PEP 561 markers, so type checkers read the installed packages' annotations.
    assert {"contracts/py.typed", "mock_server/py.typed"} <= names


def _source_packages() -> set[str]:
    """Every folder that holds files under contracts/ and mock_server/, and the packs as installed."""
    found = set()
    for top, name in (
        ("contracts", "contracts"),
        ("mock_server", "mock_server"),
        ("fixtures", "mock_server.packs"),
    ):
        for folder in [ROOT / top, *(ROOT / top).rglob("*")]:
            if (
                folder.is_dir()
                and "__pycache__" not in folder.parts
                and any(p.is_file() for p in folder.iterdir())
            ):
                found.add(".".join([name, *folder.relative_to(ROOT / top).parts]))
    return found


def test_pyproject_names_every_package() -> None:
    """The package list is written by hand (see pyproject.toml): a new folder must join it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(config["tool"]["setuptools"]["packages"]) == _source_packages()
