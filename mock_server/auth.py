"""OAuth 2.0 (client credentials, authorization code, refresh token) and the per-request tenant check.

The vendor documents only the URLs and the grant names; bodies and errors follow RFC 6749 and the
response has Doorkeeper's shape. Tokens belong to the tenant of the client that asked for them.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contracts import Violation, validate
from mock_server.errors import ApiError, json_response
from mock_server.http_input import read_fields
from mock_server.store import Store, Token

TOKEN_LIFETIME = 7200
_GRANTS = ("client_credentials", "authorization_code", "refresh_token")


@dataclass(frozen=True)
class Client:
    """An OAuth client from the fixture pack."""

    client_id: str
    client_secret: str
    tenant: str
    redirect_uris: tuple[str, ...] = ()


@dataclass
class OAuth:
    """Clients, issued authorization codes and the token lifetime of one server."""

    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    lifetime: int = TOKEN_LIFETIME


def _oauth_error(
    status: int,
    error: str,
    description: str,
    basic: bool = False,
    violations: list[Violation] | None = None,
) -> ApiError:
    headers = {"WWW-Authenticate": 'Basic realm="clarus-mock"'} if basic else {}
    return ApiError(
        status, error, violations, symbol=error, headers=headers, description=description
    )


def oauth_error_response(error: ApiError) -> Response:
    body: dict[str, Any] = {"error": error.summary, "error_description": error.description or ""}
    if error.violations:
        body["errors"] = [
            {
                "status": "400",
                "code": v.rule,
                "title": "Bad request",
                "detail": v.message,
                "source": {"pointer": v.pointer},
                "meta": {"hint": v.hint, "rule": v.rule},
            }
            for v in error.violations
        ]
    return json_response(body, error.status, error.headers)


def _basic(request: Request) -> tuple[str, str] | None:
    """HTTP Basic client credentials; a header that does not decode is simply wrong credentials."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 once decoded
        return ("", "")
    return user, password


def _same(secret: str, given: Any) -> bool:
    """Compare secrets as bytes in constant time (``compare_digest`` refuses non-ASCII text)."""
    if not isinstance(given, str):
        return False
    return secrets.compare_digest(
        secret.encode("utf-8"), given.encode("utf-8", errors="surrogatepass")
    )


def _client(request: Request, form: dict[str, Any], oauth: OAuth) -> Client:
    basic = _basic(request)
    client_id, secret = basic or (form.pop("client_id", None), form.pop("client_secret", None))
    form.pop("client_id", None)
    form.pop("client_secret", None)
    client = oauth.clients.get(client_id) if isinstance(client_id, str) else None
    if client is None or not _same(client.client_secret, secret or ""):
        raise _oauth_error(
            401, "invalid_client", "unknown client or wrong secret", basic is not None
        )
    return client


def client_id_named(request: Request, form: dict[str, Any]) -> str | None:
    """The client id a request names: HTTP Basic, else ``client_id`` in ``form`` (the body read
    by the caller), else in the query string; None when none is given as a string. Not checked
    against the secret: fault rules use it to tell the client's tenant."""
    basic = _basic(request)
    named = basic[0] if basic else form.get("client_id") or request.query_params.get("client_id")
    return named if isinstance(named, str) and named else None


async def token(request: Request) -> Response:
    """POST /oauth/token."""
    app = request.app.state.mock
    try:
        try:
            form = await read_fields(request, app.settings.max_body_bytes)
        except ApiError as err:
            if err.status != 400:
                raise
            raise _oauth_error(400, "invalid_request", err.summary) from err
        grant = form.get("grant_type")
        if grant is not None and (not isinstance(grant, str) or grant not in _GRANTS):
            raise _oauth_error(
                400, "unsupported_grant_type", f"grant_type {grant!r} is not supported"
            )
        violations = [v for v in validate("oauth.token", form) if v.severity == "error"]
        if violations:
            raise _oauth_error(400, "invalid_request", violations[0].message, violations=violations)
        client = _client(request, dict(form), app.oauth)
        with app.store.transaction() as store:
            body = _grant(form, client, app, store)
    except ApiError as err:
        return oauth_error_response(err)
    return json_response(body, headers={"Cache-Control": "no-store"})


def _grant(form: dict[str, Any], client: Client, app: Any, store: Store) -> dict[str, Any]:
    grant = form["grant_type"]
    scope = str(form.get("scope") or "")
    if grant == "client_credentials":
        return _issue(store, app, client, scope, refresh=False)
    if grant == "authorization_code":
        issued = app.oauth.codes.pop(form["code"], None)
        if issued != (client.client_id, form["redirect_uri"]):
            raise _oauth_error(
                400, "invalid_grant", "unknown or used code, or another redirect_uri"
            )
        return _issue(store, app, client, scope, refresh=True)
    old = store.refreshable(form["refresh_token"], client.client_id)
    if old is None:
        raise _oauth_error(400, "invalid_grant", "unknown, used or revoked refresh_token")
    store.revoke(old.access_token)  # refresh tokens rotate: each one works once
    return _issue(store, app, client, scope or old.scope, refresh=True)


def client_credentials_token(app: Any, client: Client) -> dict[str, Any]:
    """The token answer a client_credentials grant gives ``client`` (no scope, no refresh token)."""
    return _issue(app.store, app, client, "", refresh=False)


def _issue(store: Store, app: Any, client: Client, scope: str, refresh: bool) -> dict[str, Any]:
    now = int(app.clocks.now(client.tenant))
    access = secrets.token_urlsafe(32)
    refresh_token = secrets.token_urlsafe(32) if refresh else None
    lifetime = app.oauth.lifetime
    store.add_token(
        Token(access, refresh_token, client.tenant, client.client_id, scope, now, now + lifetime)
    )
    body = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": app.oauth.lifetime,
        "scope": scope,
        "created_at": now,
    }
    if refresh_token:
        body["refresh_token"] = refresh_token
    return body


async def authorize(request: Request) -> Response:
    """GET /oauth/authorize: approves at once and redirects back with a code (no login page)."""
    app = request.app.state.mock
    params = request.query_params
    client = app.oauth.clients.get(params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if client is None or redirect_uri not in client.redirect_uris:
        err = _oauth_error(400, "invalid_request", "unknown client_id or unregistered redirect_uri")
        return oauth_error_response(err)
    if params.get("response_type") != "code":
        err = _oauth_error(400, "unsupported_response_type", "response_type must be code")
        return oauth_error_response(err)
    code = secrets.token_urlsafe(16)
    app.oauth.codes[code] = (client.client_id, redirect_uri)
    query = {"code": code, **({"state": params["state"]} if "state" in params else {})}
    return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=302)


def tenant_of(request: Request) -> str:
    """Check the bearer token and X-Clarus-Subdomain; return the tenant (raises ApiError)."""
    app = request.app.state.mock
    given = bearer(request.headers.get("authorization"))
    if not given:
        raise _invalid_token("missing bearer token (Authorization: Bearer <token>)")
    token = app.store.token(given)
    if token is None or token.revoked:
        raise _invalid_token("unknown or revoked token")
    if token.expires_at <= app.clocks.now(token.tenant):
        raise _invalid_token("token expired; get a new one from POST /oauth/token")
    subdomain = request.headers.get("x-clarus-subdomain", "").strip()
    if not subdomain:
        raise ApiError(400, "X-Clarus-Subdomain header is required (the tenant's subdomain)")
    if subdomain != token.tenant:
        raise ApiError(403, f"this token is not valid for subdomain {subdomain!r}")
    return subdomain


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case), or None."""
    scheme, _, token = (header or "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _invalid_token(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


ROUTES = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/authorize", authorize, methods=["GET"]),
]
