"""``clarus-mock listen``: a local webhook receiver that prints what Clarus would send.

Point an automation's ``url`` parameter at it (``http://127.0.0.1:8766/``) to see each call, headers
and body, before writing a receiver of your own, as ``stripe listen`` does for Stripe. It answers
every POST with the status you choose (200 by default; ``--fail-first 2`` answers 500 to the first
two calls of each delivery, to watch the retries).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any, TextIO

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_server.webhooks.payload import headers

HEADER_PREFIX = "x-claruswms-"
# The names as the vendor writes them (HTTP header names are case-insensitive; servers lower them).
_NAMES = {
    name.lower(): name
    for name in headers("", "", 0, None)
    if name.lower().startswith(HEADER_PREFIX)
}


# Statuses whose answer carries no body (RFC 9110 15.3.5, 15.3.6, 15.4.5).
_NO_BODY = (204, 205, 304)


def receiver(status: int = 200, fail_first: int = 0, out: TextIO | None = None) -> Starlette:
    """The receiver app: prints each call to ``out`` (stdout) and answers ``status``.

    With ``fail_first`` N, the first N calls carrying the same body answer 500 (a retry of a
    delivery sends the same body, so this fails each delivery N times before it succeeds).
    """
    seen: Counter[bytes] = Counter()
    count = {"calls": 0}

    async def receive(request: Request) -> Response:
        raw = await request.body()
        count["calls"] += 1
        seen[raw] += 1
        answer = 500 if seen[raw] <= fail_first else status
        _print(request, raw, count["calls"], answer, out or sys.stdout)
        if answer in _NO_BODY:
            return Response(status_code=answer)
        return JSONResponse({"received": True}, status_code=answer)

    return Starlette(routes=[Route("/{path:path}", receive, methods=["POST", "PUT"])])


def _print(request: Request, raw: bytes, number: int, answer: int, out: TextIO) -> None:
    sent = {k: v for k, v in request.headers.items() if k.startswith(HEADER_PREFIX)}
    try:
        body: Any = json.loads(raw)
        data = body.get("data", {}) if isinstance(body, dict) else {}
        summary = ", ".join(
            f"{k} {data[k]}"
            for k in ("id", "reference", "goods_out_status_id", "status")
            if k in data
        )
    except ValueError:
        body, summary = raw.decode("utf-8", "replace"), ""
    automation = sent.get("x-claruswms-automation-id", "?")
    print(
        f"#{number} {request.method} {request.url.path}  automation {automation}  "
        f"{summary}  -> {answer}",
        file=out,
        flush=True,
    )
    for name, value in sorted(sent.items()):
        print(f"  {_NAMES.get(name, name)}: {value}", file=out, flush=True)
    print("  " + json.dumps(body, indent=2).replace("\n", "\n  "), file=out, flush=True)
