"""The clarus-mock pytest plugin: a fresh Clarus tenant per test, and the contract report.

Installed with the package (entry point ``pytest11``: ``clarus``); nothing is imported or started
until a test asks for a fixture. Fixtures:

- ``clarus_server``: one server per session (and per pack and strictness), on a free loopback port,
  or the one ``--clarus-url`` names. ``.url``; ``.state`` for in-process access.
- ``clarus_tenant``: a fresh tenant per test, a copy of a pack tenant (``demo``) with its own OAuth
  client: ``.subdomain``, ``.client_id``, ``.client_secret``, ``.token()``, ``.headers()``.
- ``clarus_client``: an ``httpx.Client`` with the URL, a token and the subdomain set.
- ``clarus_webhooks``: a receiver: ``.url`` for an automation, ``.wait_for(event)``, ``.calls``.
- ``clarus_clock``: the tenant's clock (``manual`` by default): ``.advance("2h")``, ``.set()``,
  ``.step()``, ``.now()``.
- ``clarus_journal``: a callable returning the requests the tenant got, with contract verdicts.

Every request a test's tenant receives is checked against the contract: a test whose code sent a
payload that breaks it fails, with each violation's pointer, rule and hint, even when the code
under test coped with the 422 (and under ``--clarus-strict`` for warnings too). The session ends
with a summary of every violation and the test that caused it; ``--clarus-junit FILE`` writes them
as JUnit XML.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    # For annotations only: the plugin imports these when a test first asks for a fixture.
    import httpx
    from pluggy import Result

    from mock_server.testing import Clock, Server, Tenant, Webhooks

_REPORT = pytest.StashKey["Report"]()
_TENANT = pytest.StashKey["tuple[Tenant, Options]"]()


@dataclass(frozen=True)
class Options:
    """What one test runs against (from the command line and ``@pytest.mark.clarus``)."""

    pack: str
    clock: str
    strict: bool
    url: str | None
    contract: bool = True  # check the test's requests against the contract


@dataclass
class Found:
    """A request of one test that broke the contract."""

    nodeid: str
    method: str
    path: str
    operation: str | None
    violations: list[Any]
    strict: bool = False  # the test ran strict: its warnings broke the contract too

    def severity(self, violation: dict[str, Any]) -> Literal["error", "warning"]:
        """``error`` or ``warning`` as this test saw it (strict makes every violation an error)."""
        return "error" if self.strict or violation["severity"] == "error" else "warning"


class Report:
    """Every violation of the session, by test."""

    def __init__(self) -> None:
        self.found: list[Found] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("clarus", "clarus-mock: a local Clarus WMS API")
    group.addoption("--clarus-pack", default="demo", help="fixture pack the server loads")
    group.addoption(
        "--clarus-clock",
        default="manual",
        choices=["manual", "instant", "realtime"],
        help="how each test tenant's clock starts (default manual: nothing moves until advanced)",
    )
    group.addoption("--clarus-strict", action="store_true", help="warnings break the contract too")
    group.addoption(
        "--clarus-url", default=None, help="use a running server (e.g. the Docker image) instead"
    )
    group.addoption("--clarus-junit", default=None, help="write the contract report as JUnit XML")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"clarus({', '.join(f'{name}={value}' for name, value in _MARKER.items())}): clarus-mock "
        "settings for a test; contract=False for a test that sends bad payloads on purpose",
    )
    config.stash[_REPORT] = Report()


_MARKER: dict[str, Any] = {
    "pack": None,
    "clock": None,
    "strict": None,
    "source": None,
    "contract": True,
}
"""The ``clarus`` marker's arguments and their defaults (None: the command-line option's)."""
_KNOWN = list(_MARKER)


def _bad_marker(unknown: list[str], positional: tuple[Any, ...]) -> str:
    """Why a ``clarus`` marker was refused: misspelt names (with the nearest known) or positions."""
    from contracts.names import nearest

    said = [
        f"{name!r}" + (f" (did you mean {near[0]!r}?)" if (near := nearest(name, _KNOWN)) else "")
        for name in unknown
    ]
    if positional:
        said.append(f"positional {positional!r}")
    return f"@pytest.mark.clarus takes {', '.join(_KNOWN)} by name; got {', '.join(said)}"


def _options(request: pytest.FixtureRequest) -> Options:
    config = request.config
    marker = request.node.get_closest_marker("clarus")
    given = dict(marker.kwargs) if marker else {}
    unknown = sorted(set(given) - set(_MARKER))
    if unknown or (marker is not None and marker.args):
        pytest.fail(_bad_marker(unknown, marker.args if marker else ()), pytrace=False)
    return Options(
        pack=given.get("pack") or config.getoption("--clarus-pack"),
        clock=given.get("clock") or config.getoption("--clarus-clock"),
        strict=bool(given.get("strict", config.getoption("--clarus-strict"))),
        url=config.getoption("--clarus-url"),
        contract=bool(given.get("contract", True)),
    )


class _Servers:
    """One in-process server per (pack, strict), made on first use, stopped at session end."""

    def __init__(self) -> None:
        # (pack, strict) -> the local server's context (None for --clarus-url) and the server.
        self._running: dict[
            tuple[str, bool], tuple[AbstractContextManager[Server] | None, Server]
        ] = {}

    def get(self, options: Options) -> Server:
        from mock_server.settings import Settings
        from mock_server.testing import Server, local_server

        if options.url:
            key = ("url", False)
            if key not in self._running:
                self._running[key] = (None, Server(options.url))
            return self._running[key][1]
        key = (options.pack, options.strict)
        if key not in self._running:
            context = local_server(
                Settings(fixtures=options.pack, strict=options.strict, clock="manual")
            )
            self._running[key] = (context, context.__enter__())
        return self._running[key][1]

    def close(self) -> None:
        for context, server in self._running.values():
            if context is not None:
                context.__exit__(None, None, None)
            else:
                server.close()


@pytest.fixture(scope="session")
def _clarus_servers() -> Iterator[_Servers]:
    servers = _Servers()
    yield servers
    servers.close()


@pytest.fixture
def clarus_server(request: pytest.FixtureRequest, _clarus_servers: _Servers) -> Server:
    """The server for this test's pack and strictness (shared by the session)."""
    return _clarus_servers.get(_options(request))


@pytest.fixture
def clarus_tenant(request: pytest.FixtureRequest, clarus_server: Server) -> Iterator[Tenant]:
    """A fresh tenant for this test: a copy of the pack's ``demo`` tenant (or
    ``@pytest.mark.clarus(source=...)``), its clock as ``--clarus-clock`` says."""
    options = _options(request)
    marker = request.node.get_closest_marker("clarus")
    source = (marker.kwargs.get("source") if marker else None) or "demo"
    tenant = clarus_server.new_tenant(source, options.clock)
    request.node.stash[_TENANT] = (tenant, options)
    yield tenant
    tenant.drop()


@pytest.fixture
def clarus_client(clarus_tenant: Tenant) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` for the test's tenant (URL, token and subdomain set)."""
    with clarus_tenant.client() as client:
        yield client


@pytest.fixture
def clarus_clock(clarus_tenant: Tenant) -> Clock:
    """The test tenant's clock."""
    return clarus_tenant.clock


@pytest.fixture
def clarus_webhooks(clarus_tenant: Tenant) -> Iterator[Webhooks]:
    """A webhook receiver for the test's tenant; put ``.url`` in an automation."""
    from mock_server.testing import Webhooks

    receiver = Webhooks(clarus_tenant)
    yield receiver
    receiver.close()


@pytest.fixture
def clarus_journal(clarus_tenant: Tenant) -> Callable[[], list[dict[str, Any]]]:
    """Call it for the requests the test's tenant has received so far, oldest first."""
    return clarus_tenant.journal


def _broken(entries: list[dict[str, Any]], strict: bool) -> list[dict[str, Any]]:
    return [
        entry
        for entry in entries
        if any(v["severity"] == "error" or strict for v in entry.get("violations", []))
    ]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport], None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.when != "call" or _TENANT not in item.stash:
        return
    tenant, options = item.stash[_TENANT]
    if not options.contract:
        return  # its bad payloads are on purpose: neither a failure nor the report's business
    try:
        entries = tenant.journal()
    except Exception as exc:  # the server went away: say so, do not hide the test's own result
        report.sections.append(("clarus-mock", f"could not read the journal: {exc}"))
        return
    found = [entry for entry in entries if entry.get("violations")]
    session: Report = item.config.stash[_REPORT]
    for entry in found:
        session.found.append(
            Found(
                item.nodeid,
                entry["method"],
                entry["path"],
                entry.get("operation"),
                entry["violations"],
                options.strict,
            )
        )
    broken = _broken(entries, options.strict)
    if broken and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            "clarus-mock: the code under test sent payloads that break the Clarus contract\n"
            + "\n".join(_describe(entry, options.strict) for entry in broken)
        )


def _describe(entry: dict[str, Any], strict: bool) -> str:
    lines = [f"  {entry['method']} {entry['path']} -> {entry['status']} ({entry.get('operation')})"]
    for v in entry["violations"]:
        if v["severity"] == "error" or strict:
            where = v["pointer"] or "/"
            hint = f"\n      hint: {v['hint']}" if v.get("hint") else ""
            lines.append(f"    {where}: {v['message']} [{v['rule']}]{hint}")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report: Report = config.stash[_REPORT]
    if report.found:
        terminalreporter.section("clarus-mock contract report")
        for found in report.found:
            terminalreporter.write_line(f"{found.nodeid}: {found.method} {found.path}")
            for v in found.violations:
                terminalreporter.write_line(
                    f"    {found.severity(v):7} {v['pointer'] or '/'}: {v['message']} [{v['rule']}]"
                )
    path = config.getoption("--clarus-junit")
    if path:
        _write_junit(path, report, bool(config.getoption("--clarus-strict")))


def _write_junit(path: str, report: Report, strict: bool) -> None:
    from contracts.check.report import CheckResult, render
    from contracts.violations import Violation

    results = [
        CheckResult(
            f"{found.nodeid} {found.method} {found.path}",
            found.operation,
            violations=[
                replace(Violation.from_dict(v), severity=found.severity(v))
                for v in found.violations
            ],
        )
        for found in report.found
    ]
    with open(path, "w", encoding="utf-8") as out:
        out.write(render(results, "junit", strict))
