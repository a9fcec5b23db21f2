"""Get a bearer token from a running clarus-mock, for ``clarus-mock token`` and shell scripts."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from mock_server.fixtures import load_pack


class TokenError(Exception):
    """No token: unknown client, server not reachable, or the server refused (message says which)."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused  # the server answered with an OAuth error


def client_secret(pack: str, client_id: str) -> str:
    """The secret of ``client_id`` in a fixture pack."""
    clients = {c.client_id: c for c in load_pack(pack).clients}
    if client_id not in clients:
        known = ", ".join(sorted(clients)) or "none"
        raise TokenError(f"no client {client_id!r} in fixture pack {pack!r} (its clients: {known})")
    return clients[client_id].client_secret


def fetch_token(url: str, client_id: str, secret: str, scope: str = "") -> dict[str, Any]:
    """The server's token response to a client_credentials grant."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope:
        form["scope"] = scope
    request = urllib.request.Request(
        url.rstrip("/") + "/oauth/token", urllib.parse.urlencode(form).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        raise TokenError(_refusal(exc), refused=True) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TokenError(f"cannot reach {url} ({reason}); is `clarus-mock serve` running?") from exc


def _refusal(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
    except ValueError:
        return f"the server answered {exc.code}"
    detail = body.get("error_description") or body.get("error") or exc.code
    return f"the server refused: {body.get('error', exc.code)}: {detail}"
