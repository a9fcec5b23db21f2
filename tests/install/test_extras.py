"""`pip install clarus-mock` serves and checks without Hypothesis; the `hypothesis` extra adds the
strategies and never caps an integrator's Hypothesis."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
HYPOTHESIS_PACKAGES = {"hypothesis", "hypothesis-jsonschema"}
INSTALL_HINT = "pip install 'clarus-mock[hypothesis]'"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(lines: list[str]) -> list[Requirement]:
    return [Requirement(line) for line in lines]


def test_core_dependencies_leave_hypothesis_out() -> None:
    core = {canonicalize_name(r.name) for r in _requirements(_project()["dependencies"])}
    assert not core & HYPOTHESIS_PACKAGES, core & HYPOTHESIS_PACKAGES


def test_the_hypothesis_extra_brings_both_and_the_test_extra_includes_it() -> None:
    extras = _project()["optional-dependencies"]
    names = {canonicalize_name(r.name) for r in _requirements(extras["hypothesis"])}
    assert names == HYPOTHESIS_PACKAGES
    assert "clarus-mock[hypothesis]" in extras["test"]


def test_no_upper_bound_on_hypothesis_anywhere() -> None:
    """An upper bound would make pip downgrade (or refuse) an integrator's newer Hypothesis."""
    project = _project()
    extras = project["optional-dependencies"].values()
    lines = [*project["dependencies"], *(line for extra in extras for line in extra)]
    for requirement in _requirements(lines):
        if canonicalize_name(requirement.name) in HYPOTHESIS_PACKAGES:
            capped = [s for s in requirement.specifier if s.operator in {"<", "<=", "==", "~="}]
            assert not capped, f"{requirement}: no upper bound, see pyproject.toml"


# Run in a child process: the test process's Hypothesis must stay importable for the other tests.
# The first finder on sys.meta_path refuses Hypothesis and hypothesis-jsonschema with the very error
# Python raises on a machine where only `pip install clarus-mock` ran.
_WITHOUT_HYPOTHESIS = textwrap.dedent(
    """
    import sys


    class NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {"hypothesis", "hypothesis_jsonschema"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None


    sys.meta_path.insert(0, NotInstalled())

    import contracts
    from mock_server.app import create_app
    from mock_server.cli import main

    # The core: validate, `clarus-mock check`, the server.
    assert contracts.validate("goods_outs.create", {"data": {}}), "expected violations"
    assert main(["check", "--list"]) == 0
    create_app()
    loaded = sorted(m for m in sys.modules if m.startswith("hypothesis"))
    assert not loaded, loaded

    # The strategies: a clear ImportError however they are reached.
    def error_of(reach):
        try:
            reach()
        except ImportError as error:
            return str(error)
        raise AssertionError(f"{reach} did not raise ImportError")

    def import_valid():
        from contracts import valid  # noqa: F401

    def import_module():
        import contracts.strategies  # noqa: F401

    for message in (
        error_of(lambda: contracts.valid("goods_outs.create")),
        error_of(lambda: contracts.invalid),
        error_of(lambda: contracts.InvalidPayload),
        error_of(import_valid),
        error_of(import_module),
    ):
        print(message)
    """
)


def test_without_hypothesis_the_core_works_and_strategies_say_how_to_install_them(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_HYPOTHESIS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    messages = [line for line in done.stdout.splitlines() if "clarus-mock[" in line]
    assert len(messages) == 5, done.stdout
    for message in messages:
        assert message.endswith(INSTALL_HINT), message
        assert "No module named 'hypothesis'" in message, message
