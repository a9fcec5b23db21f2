"""The ``clarus-mock`` command: check, openapi, graphql-schema, docs, serve, token, clock, advance,
listen."""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mock_server import __version__
from mock_server.settings import Settings

SHUTDOWN_GRACE_S = 5  # seconds a stopping server waits for requests in progress

_DEFAULTS = Settings()
DEFAULT_URL = f"http://{_DEFAULTS.host}:{_DEFAULTS.port}"


def _positive(text: str) -> int:
    """An argparse type: a whole number above 0 (a byte count, a limit)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not above 0")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clarus-mock", description="A local twin of the Clarus WMS API and its contract kit."
    )
    parser.add_argument("--version", action="version", version=f"clarus-mock {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate payload files against the Clarus contract")
    check.add_argument("paths", nargs="*", metavar="FILE|DIR|-", help="payloads; - reads stdin")
    check.add_argument("-o", "--operation", help="operation name, e.g. goods_outs.create")
    check.add_argument("--format", choices=["text", "json", "junit"], default="text")
    check.add_argument("--output", help="write the report to this file instead of stdout")
    check.add_argument("--strict", action="store_true", help="treat warnings as violations")
    check.add_argument("--list", action="store_true", help="list the operations and exit")
    check.add_argument(
        "--max-bytes", type=_positive, default=None, help="largest input accepted (bytes, > 0)"
    )
    check.add_argument(
        "--url", default=DEFAULT_URL, help="the server the reproduce lines send failing payloads to"
    )

    openapi = sub.add_parser("openapi", help="print the OpenAPI 3.1 document")
    openapi.add_argument("--output", help="write to this file instead of stdout")

    graphql_schema = sub.add_parser(
        "graphql-schema", help="print the GraphQL schema (SDL) that /graphql serves"
    )
    graphql_schema.add_argument("--output", help="write to this file instead of stdout")

    docs = sub.add_parser("docs", help="print or write the generated reference docs")
    docs.add_argument("--write", action="store_true", help="write docs/ in the current folder")

    serve = sub.add_parser("serve", help="start the mock server")
    serve.add_argument("--host", default=_DEFAULTS.host)
    serve.add_argument("--port", type=_whole_number(0, 65535), default=_DEFAULTS.port)
    serve.add_argument("--data", help="SQLite file that keeps the state across restarts")
    serve.add_argument("--fixtures", default=_DEFAULTS.fixtures, help="fixture pack name or path")
    serve.add_argument("--admin-token", help="require this bearer token on /__mock")
    serve.add_argument(
        "--strict",
        action="store_true",
        help="refuse warnings too (an id sent as a string, an empty string, a vendor contradiction)",
    )
    serve.add_argument(
        "--clock",
        default=_DEFAULTS.clock,
        choices=["realtime", "instant", "manual"],
        help="how each tenant's clock starts: realtime (the floor works in real time), instant "
        "(every floor step at once) or manual (nothing moves until advanced)",
    )
    serve.add_argument(
        "--chaos-seed", type=int, help="seed the webhook chaos switches, to repeat a run"
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )

    token = sub.add_parser(
        "token", help="print a bearer token for a fixture client of a running server"
    )
    token.add_argument("--url", default=DEFAULT_URL, help="the running server")
    token.add_argument("--client", default="demo-client", help="OAuth client id")
    token.add_argument("--secret", help="client secret (default: the fixture pack's)")
    token.add_argument(
        "--fixtures", default=_DEFAULTS.fixtures, help="pack that holds the client's secret"
    )
    token.add_argument("--scope", default="", help="scope to ask for")
    token.add_argument("--json", action="store_true", help="print the whole token response")

    clock = sub.add_parser("clock", help="show or set a running server's tenant clocks")
    _control_options(clock)
    clock.add_argument("--mode", choices=["realtime", "instant", "manual"], help="switch mode")
    clock.add_argument(
        "--now",
        help="set the time (ISO 8601, e.g. 2026-12-01T09:00:00Z; from 1970-01-01T00:00:00Z to "
        "9999-12-31T00:00:00Z)",
    )
    clock.add_argument(
        "--speed", type=float, help="virtual seconds per real second (realtime; at most 1000000)"
    )

    advance = sub.add_parser(
        "advance", help="move a running server's tenant clock forward; the floor catches up"
    )
    advance.add_argument("by", help="how far: 90 (seconds), 90s, 2m, 2h, 1d")
    _control_options(advance)

    listen = sub.add_parser(
        "listen", help="a local webhook receiver that prints every call Clarus would send"
    )
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=_whole_number(0, 65535), default=8766)
    listen.add_argument(
        "--status",
        type=_whole_number(200, 599),  # 1xx are not final answers
        default=200,
        help="the status every call gets (200-599)",
    )
    listen.add_argument(
        "--fail-first",
        type=_whole_number(0),
        default=0,
        help="answer 500 to the first N calls of each delivery",
    )
    return parser


def _port_free(command: str, host: str, port: int) -> bool:
    """Whether ``host:port`` can be listened on; says why not on stderr (before any banner that
    would promise an address nobody answers on)."""
    import errno
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except OSError as exc:
        # A name that does not resolve, or an address not on this machine, is the host's fault.
        unknown_host = isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL
        fix = (
            "pick a --host this machine has"
            if unknown_host
            else "stop what uses it or pick another --port"
        )
        print(
            f"clarus-mock {command}: cannot listen on {host}:{port} ({exc.strerror or exc}); {fix}",
            file=sys.stderr,
        )
        return False
    return True


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (no upper bound when None)."""
    span = f"from {low} to {high}" if high is not None else f"of {low} or more"

    def parse(text: str) -> int:
        from mock_server.http_input import whole_number  # ASCII digits: int() takes "２００" too

        number = whole_number(text)
        if number is None:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        if number < low or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"{number} is not a number {span}")
        return number

    return parse


def _control_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--url", default=DEFAULT_URL, help="the running server")
    command.add_argument("--tenant", help="one tenant (default: every tenant)")
    command.add_argument("--admin-token", help="the server's --admin-token, if it has one")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    handler = {
        "check": _check,
        "openapi": _openapi,
        "graphql-schema": _graphql_schema,
        "docs": _docs,
        "serve": _serve,
        "token": _token,
        "clock": _clock,
        "advance": _advance,
        "listen": _listen,
    }
    try:
        return handler[args.command](args)
    except BrokenPipeError:
        return 0


def _check(args: argparse.Namespace) -> int:
    from contracts.check import check_payloads, exit_code, read_payloads, render
    from contracts.check.inputs import MAX_BYTES
    from contracts.registry import operations
    from contracts.violations import ContractError

    if args.list:
        for op in operations().values():
            print(f"{op.name:55} {op.method:6} {op.prefix}{op.path}")
        return 0
    if not args.paths:
        print("clarus-mock check: give one or more FILE, DIR or - (stdin)", file=sys.stderr)
        return 2
    try:
        items = read_payloads(args.paths, args.max_bytes or MAX_BYTES)
        results = check_payloads(items, args.operation)
    except ContractError as exc:
        print(f"clarus-mock check: {exc}", file=sys.stderr)
        return 2
    report = render(results, args.format, args.strict, args.url)
    _emit(report, args.output)
    return exit_code(results, args.strict)


def _openapi(args: argparse.Namespace) -> int:
    from contracts.openapi import openapi_document

    _emit(json.dumps(openapi_document(), indent=2) + "\n", args.output)
    return 0


def _graphql_schema(args: argparse.Namespace) -> int:
    from mock_server.graphql.schema import build

    _emit(build().as_str() + "\n", args.output)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from contracts.reference import generated_docs

    docs = generated_docs()
    if not args.write:
        print(docs["docs/reference.md"])
        return 0
    for name, text in docs.items():
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(docs)} files under docs/")
    return 0


def _warm_up() -> None:
    """Build the GraphQL schema while the server starts answering REST, then freeze the heap.

    What start-up made lives as long as the server: frozen, the garbage collector's full passes
    skip it instead of scanning it all and putting 50-70 ms into a request now and then.
    """
    from mock_server.graphql.schema import build

    build()
    gc.freeze()


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from mock_server.app import create_app
    from mock_server.fixtures import FixtureError
    from mock_server.store import StoreFileError
    from mock_server.traffic import protocol_for

    settings = Settings(
        host=args.host,
        port=args.port,
        data=args.data,
        fixtures=args.fixtures,
        admin_token=args.admin_token,
        log_level=args.log_level,
        strict=args.strict,
        clock=args.clock,
        chaos_seed=args.chaos_seed,
    )
    if not _port_free("serve", settings.host, settings.port):
        return 2
    logging.basicConfig(level=args.log_level.upper(), format="%(message)s")
    try:
        app = create_app(settings)
    except FixtureError as exc:
        print(f"clarus-mock serve: bad fixture pack: {exc}", file=sys.stderr)
        return 2
    except StoreFileError as exc:
        print(f"clarus-mock serve: --data: {exc}", file=sys.stderr)
        return 2
    print(_banner(app, settings), flush=True)
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol_for(app.state.mock.traffic),
        log_level=settings.log_level,
        # A request a fault holds (timeout: true) must not keep a stopping server up for minutes.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
    return 0


def _control(args: argparse.Namespace, path: str, body: dict[str, Any] | None) -> Any:
    """GET (no body) or POST a /__mock endpoint of a running server; exits 2 when unreachable."""
    import httpx

    headers = {"Authorization": f"Bearer {args.admin_token}"} if args.admin_token else {}
    params = {"tenant": args.tenant} if args.tenant else {}
    url = args.url.rstrip("/") + "/__mock" + path
    try:
        if body is None:
            response = httpx.get(url, params=params, headers=headers, timeout=30)
        else:
            response = httpx.post(url, params=params, json=body, headers=headers, timeout=300)
    except httpx.HTTPError as exc:
        raise SystemExit(
            f"clarus-mock: no server at {args.url} ({exc}); start one: clarus-mock serve"
        ) from None
    if response.status_code >= 400:
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        print(f"clarus-mock: {message}", file=sys.stderr)
        raise SystemExit(1)
    return response.json()


def _clocks_shown(answer: Any) -> str:
    clocks = answer.get("data", [answer])
    return "\n".join(
        f"{c['tenant']:10} {c['now']}  {c['mode']}"
        + (f" x{c['speed']:g}" if c["speed"] != 1 else "")
        for c in clocks
    )


def _clock(args: argparse.Namespace) -> int:
    changes = {
        name: value
        for name, value in (("mode", args.mode), ("now", args.now), ("speed", args.speed))
        if value is not None
    }
    answer = _control(args, "/clock", changes or None)
    print(_clocks_shown(answer))
    for transition in answer.get("transitions", []):
        print(_transition_shown(transition))
    return 0


def _transition_shown(t: dict[str, Any]) -> str:
    return f"  {t['at']}  {t['resource']} {t['id']}: {t.get('from')} -> {t['to']}"


def _advance(args: argparse.Namespace) -> int:
    answer = _control(args, "/clock/advance", {"by": args.by})
    print(_clocks_shown(answer))
    for transition in answer.get("transitions", []):
        print(_transition_shown(transition))
    return 0


def _listen(args: argparse.Namespace) -> int:
    import uvicorn

    from mock_server.webhooks.listen import receiver

    if not _port_free("listen", args.host, args.port):
        return 2
    print(
        f"clarus-mock listen on http://{args.host}:{args.port}/ : give this URL as the url "
        "parameter of an automation's webhook action; every call is printed here",
        flush=True,
    )
    uvicorn.run(
        receiver(args.status, args.fail_first), host=args.host, port=args.port, log_level="warning"
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    from mock_server.fixtures import FixtureError
    from mock_server.token_client import TokenError, client_secret, fetch_token

    try:
        secret = args.secret or client_secret(args.fixtures, args.client)
        answer = fetch_token(args.url, args.client, secret, args.scope)
    except (TokenError, FixtureError) as exc:
        print(f"clarus-mock token: {exc}", file=sys.stderr)
        return 1 if getattr(exc, "refused", False) else 2
    print(json.dumps(answer, indent=2) if args.json else answer["access_token"])
    return 0


def _banner(app: Any, settings: Settings) -> str:
    state = app.state.mock
    base = f"http://{settings.host}:{settings.port}"
    lines = [f"clarus-mock {__version__} on {base} (fixture pack {state.pack.name!r})"]
    for client in state.oauth.clients.values():
        lines.append(
            f"  subdomain {client.tenant:10} client {client.client_id} / {client.client_secret}"
        )
    first = next(iter(state.oauth.clients.values()), None)
    if first is not None:
        lines.append("get a token:")
        lines.append(
            f"  curl -s -X POST {base}/oauth/token -d grant_type=client_credentials "
            f"-d client_id={first.client_id} -d client_secret={first.client_secret}"
        )
        url = "" if base == DEFAULT_URL else f" --url {base}"
        pack = "" if settings.fixtures == _DEFAULTS.fixtures else f" --fixtures {settings.fixtures}"
        lines.append(f"  or: clarus-mock token{url}{pack} --client {first.client_id}")
        lines.append(
            f"then send: Authorization: Bearer <token>   X-Clarus-Subdomain: {first.tenant}"
        )
    lines.append(f"control API: {base}/__mock/health, /__mock/reset, /__mock/journal")
    lines.append(f"records kept in {state.store.kept_in}")
    return "\n".join(lines)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    raise SystemExit(main())
