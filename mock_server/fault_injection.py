"""ASGI middleware that carries out the rules of ``/__mock/faults`` (decided in :mod:`mock_server.faults`).

Requests under /api, /graphql and /oauth meet the first unspent rule that applies to them; /__mock
never does. What the client sees:

- ``respond``: the status with the vendor's error body, ``meta.fault`` and ``X-Clarus-Mock-Fault``
  (and ``Retry-After`` for 429 and 503, or as the rule says); the request is not handled.
- ``drop``: a 200 status line with ``Content-Length`` and half the promised body, then the server
  closes the connection (uvicorn does so when an app returns with body still promised, and logs
  "ASGI callable returned without completing response."). httpx raises ``RemoteProtocolError``.
- ``timeout``: nothing until the client gives up (disconnects) or the rule's cap passes; then a 504.
- ``latency_ms``: a wait first; alone, the request is then handled as usual, with the header added.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server import __version__
from mock_server.auth import client_id_named
from mock_server.errors import ApiError, error_body, json_response, title
from mock_server.faults import Rule, canonical_path, faultable
from mock_server.http_input import read_fields
from mock_server.json_text import encode

HEADER = b"x-clarus-mock-fault"


class InjectFaults:
    """ASGI middleware: apply the first matching fault rule; the journal reads ``state["fault"]``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not faultable(scope["path"]):
            await self.app(scope, receive, send)
            return
        mock = scope["app"].state.mock
        candidates = mock.faults.candidates(scope["method"], scope["path"])
        if not candidates:  # the usual case: no rule names this request, nothing is read
            await self.app(scope, receive, send)
            return
        wanted = any(rule.tenant is not None for rule in candidates)
        tenant, receive = await _tenant(scope, receive, mock, wanted)
        rule = mock.faults.fire(candidates, tenant)
        if rule is None:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["fault"] = rule.id
        state["tenant"] = tenant
        if rule.latency_ms:
            await anyio.sleep(rule.latency_ms / 1000)
        if rule.drop:
            await _drain(receive, mock.settings.max_body_bytes)
            await _drop(rule, send)
        elif rule.timeout_s is not None:
            why = f"held {rule.timeout_s:g} s"
            try:
                await _hold(receive, rule.timeout_s)
            except asyncio.CancelledError:
                # The server is stopping and gave up waiting for this request: the client gets
                # the 504 the hold's end would give, not a 500 and a traceback in the log.
                why = "held until the server stopped"
            # Sent whether or not the client is still there: the server discards it for a client
            # that left, and the journal shows the status a patient client would have got.
            await _answer(rule, 504, why)(scope, receive, send)
        elif rule.status is not None:
            await _answer(rule, rule.status)(scope, receive, send)
        else:
            await self.app(scope, receive, _marked(send, rule))


def _answer(rule: Rule, status: int, why: str = "") -> Response:
    """The fault's error response: the vendor's error shape, ``meta.fault`` and the headers."""
    summary = (
        f"{title(status)} (fault {rule.id} injected by clarus-mock{'; ' + why if why else ''})"
    )
    headers = {"X-Clarus-Mock-Fault": str(rule.id)}
    if status == rule.status and rule.retry_after is not None:
        headers["Retry-After"] = str(rule.retry_after)
    body = error_body(ApiError(status, summary))
    body["meta"] = {"fault": rule.id}
    return json_response(body, status, headers)


async def _drop(rule: Rule, send: Send) -> None:
    """Promise a body, send half of it, and return: the server then closes the connection."""
    body = encode(
        {
            "error": f"connection dropped (fault {rule.id} injected by clarus-mock)",
            "meta": {"fault": rule.id},
        },
        False,
    )
    # 200 rather than an error status: a client that reads the status line first must still meet
    # the broken body, as when a real answer is lost on its way.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (HEADER, str(rule.id).encode()),
                (b"x-clarus-mock-version", __version__.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})


async def _drain(receive: Receive, limit: int) -> None:
    """Read the request body (up to ``limit`` bytes) and drop it.

    A socket closed with unread bytes in its buffer is reset, not closed: the client would get
    ``ECONNRESET`` (httpx ``ReadError``), often before the half body, instead of a body cut short.
    """
    size = 0
    while size <= limit:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        size += len(message.get("body", b""))


async def _hold(receive: Receive, seconds: float) -> None:
    """Wait until the client disconnects, at most ``seconds`` (the request body is read and
    dropped on the way: a server only learns of a disconnect after the body)."""
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass


def _marked(send: Send, rule: Rule) -> Send:
    """``send`` with ``X-Clarus-Mock-Fault`` added to the response headers."""

    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {
                **message,
                "headers": [*message.get("headers", []), (HEADER, b"%d" % rule.id)],
            }
        await send(message)

    return marked


async def _tenant(
    scope: Scope, receive: Receive, mock: Any, wanted: bool
) -> tuple[str | None, Receive]:
    """The request's tenant for rule matching, and the ``receive`` to hand on.

    ``X-Clarus-Subdomain`` everywhere but under /oauth, where the tenant is the client's: named by
    HTTP Basic, the query string or (only when a rule wants a tenant) the body, which is then read
    here and replayed to the app.
    """
    headers = Headers(scope=scope)
    if not canonical_path(scope["path"]).startswith("/oauth"):
        return headers.get("x-clarus-subdomain", "").strip() or None, receive
    request = Request(scope)
    client_id = client_id_named(request, {})
    if client_id is None and wanted:
        limit = mock.settings.max_body_bytes
        original = receive
        messages, whole = await _read_body(original, limit)
        receive = _replay(messages, original)
        if whole:
            try:
                form = await read_fields(Request(scope, _replay(messages, original)), limit)
            except ApiError:  # the handler will refuse it with the right answer
                form = {}
            client_id = client_id_named(request, form)
    client = mock.oauth.clients.get(client_id) if client_id else None
    return (client.tenant if client else None), receive


async def _read_body(receive: Receive, limit: int) -> tuple[list[Message], bool]:
    """The request's messages up to its last body chunk (True) or past ``limit`` bytes (False)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, True
        if size > limit:  # the handler refuses it as too large; no need to read it all here
            return messages, False


def _replay(messages: list[Message], then: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` again, then whatever ``then`` gives."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await then()

    return replay
