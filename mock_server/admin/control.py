"""What every /__mock endpoint reads the same way: a JSON body, the tenant, a limit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from contracts.names import nearest
from contracts.reader import json_type
from mock_server.errors import ApiError
from mock_server.http_input import parse_document, read_bytes, whole_number


async def json_body(request: Request) -> dict[str, Any]:
    """The control API's body: a JSON object, or nothing (an empty body is ``{}`` here).

    Any declared media type is read as JSON: the control API speaks nothing else, and ``curl -d``
    labels its body as a form.
    """
    settings = request.app.state.mock.settings
    raw = await read_bytes(request, settings.max_body_bytes)
    if not raw.strip():
        return {}
    body = parse_document(raw).value
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def only(body: dict[str, Any], *names: str) -> None:
    """422 for a member of the body other than ``names``: a misspelt member must not be ignored
    (``{"tennant": "shop-a"}`` would otherwise reset every tenant)."""
    unknown = sorted(set(body) - set(names))
    if unknown:
        near = nearest(unknown[0], list(names))
        guess = f" (did you mean {near[0]!r}?)" if near else ""
        takes = ", ".join(names) if names else "no members"
        raise ApiError(422, f"unknown member {unknown[0]!r}{guess}: this takes {takes}")


def text_of(body: dict[str, Any], name: str) -> str | None:
    """A string member of the body, or None when absent; 422 for any other JSON type, and for
    null or "": they read as "left out", and a tenant variable a test forgot to set must not
    reset or change every tenant."""
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, str) or not value:
        sent = json_type(value) if not isinstance(value, str) else "an empty string"
        raise ApiError(422, f"{name} must be a non-empty string, not {sent} (leave it out instead)")
    return value


def tenant_of(request: Request, body: dict[str, Any]) -> str | None:
    """The tenant: ``tenant`` in the body, ``?tenant=``, else ``X-Clarus-Subdomain``; None is all."""
    return (
        text_of(body, "tenant")
        or request.query_params.get("tenant")
        or request.headers.get("x-clarus-subdomain")
        or None
    )


MAX_LIMIT = 1_000_000
"""The most entries one look at a /__mock log returns (SQLite cannot take a limit past 2**63)."""


def limit_of(request: Request, default: int) -> int:
    """The ``limit`` query parameter (a whole number up to :data:`MAX_LIMIT`), or ``default``;
    400 for anything else."""
    text = request.query_params.get("limit", str(default))
    limit = whole_number(text)
    if limit is None or limit > MAX_LIMIT:
        raise ApiError(
            400, f"limit must be a whole number from 0 to {MAX_LIMIT} (ASCII digits), not {text!r}"
        )
    return limit
