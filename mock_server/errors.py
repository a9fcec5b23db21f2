"""Error responses: the vendor's ``{"error": ...}`` plus JSON:API error objects built from Violations.

Faces raise :class:`ApiError`; the app turns it into a response. The domain raises its own errors
(:mod:`mock_server.domain.errors`), which :func:`from_domain` maps. A Violation reaches the body
unchanged (pointer, rule, hint, severity), so the HTTP client, the CLI and the pytest report agree.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from contracts import Violation
from mock_server import __version__
from mock_server.domain.errors import DomainError, NotFound, VendorError
from mock_server.json_text import encode

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
    507: "Insufficient storage",
}


class ApiError(Exception):
    """A 4xx answer with a one-line summary, the violations behind it, and optional vendor code."""

    def __init__(
        self,
        status: int,
        summary: str,
        violations: list[Violation] | None = None,
        code: int | None = None,
        symbol: str | None = None,
        headers: dict[str, str] | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(summary)
        self.status = status
        self.summary = summary
        self.violations = violations or []
        self.code = code
        self.symbol = symbol
        self.headers = headers or {}
        self.description = description  # OAuth's error_description (RFC 6749)


class TenantError(ValueError):
    """A tenant that cannot be made or dropped; the message says why."""


def from_domain(error: DomainError) -> ApiError:
    """The HTTP answer to a domain refusal.

    NotFound is 404 with the summary alone; Unprocessable is 422 with its violations; VendorError is
    422 with the vendor's numeric ``code`` and ``symbol`` at the top level and in its error object.
    """
    if isinstance(error, NotFound):
        return ApiError(404, error.summary)
    if isinstance(error, VendorError):
        return ApiError(422, error.summary, error.violations, code=error.code, symbol=error.symbol)
    return ApiError(422, error.summary, error.violations)


def title(status: int) -> str:
    """The short title of a status, as error objects carry it (``"Error"`` for one not listed)."""
    return _TITLES.get(status, "Error")


def contract_error(failing: list[Violation], violations: list[Violation]) -> ApiError:
    """The 422 for a payload that breaks the contract: every violation, the first failing one first.

    The vendor's numeric code and symbol travel to the top level when a failing violation carries
    one (``{"ids": []}`` is the vendor's 36 ``empty_ids_provided``).
    """
    first = failing[0]
    coded = next((v for v in failing if v.code is not None), None)
    ordered = [*failing, *(v for v in violations if v not in failing)]
    return ApiError(
        422,
        f"{first.pointer or '/'}: {first.message}",
        ordered,
        code=coded.code if coded else None,
        symbol=coded.symbol if coded else None,
    )


def error_body(error: ApiError) -> dict[str, Any]:
    """The JSON body of an error response."""
    body: dict[str, Any] = {"error": error.summary}
    if error.code is not None:
        body["code"] = error.code
        body["symbol"] = error.symbol
    body["errors"] = [_error_object(error, v) for v in error.violations] or [
        {
            "status": str(error.status),
            "code": error.symbol or str(error.status),
            "title": title(error.status),
            "detail": error.summary,
        }
    ]
    return body


def _error_object(error: ApiError, v: Violation) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "rule": v.rule,
        "hint": v.hint,
        "severity": v.severity,
        "docs_url": v.docs_url,
    }
    if v.code is not None:
        meta.update({"code": v.code, "symbol": v.symbol})
    return {
        "status": str(error.status),
        "code": v.symbol or v.rule,
        "title": title(error.status),
        "detail": v.message,
        "source": {"pointer": v.pointer},
        "meta": meta,
    }


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, pretty: bool = True
) -> Response:
    """JSON with the mock's version header; indented for people (curl), compact for programs."""
    all_headers = {"X-Clarus-Mock-Version": __version__, **(headers or {})}
    return Response(
        encode(body, pretty), status, headers=all_headers, media_type="application/json"
    )


def error_response(error: ApiError) -> Response:
    """The response for an :class:`ApiError`."""
    return json_response(error_body(error), error.status, error.headers)
