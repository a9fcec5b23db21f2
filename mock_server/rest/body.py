"""Read a request body as JSON, or say precisely why it cannot be (400, 413, 415)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from contracts import Operation, strict_json
from mock_server.errors import ApiError


async def read_body(request: Request, op: Operation, limit: int) -> Any:
    """The parsed JSON body, or None for an operation (or request) without one."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"body is {int(declared)} bytes, over the {limit} byte limit")
    raw = await request.body()
    if len(raw) > limit:
        raise ApiError(413, f"body is over the {limit} byte limit")
    if not raw.strip():
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(
            415, f"send JSON with Content-Type: application/json (got {kind or 'none'!r})"
        )
    try:
        return strict_json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"body is not UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ApiError(400, f"malformed JSON: {exc.msg} at {where}") from exc
    except strict_json.NonStandardJsonError as exc:
        raise ApiError(400, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:
        raise ApiError(400, "malformed JSON: nested too deeply") from exc
