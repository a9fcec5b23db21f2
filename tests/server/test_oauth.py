"""POST /oauth/token and /oauth/authorize: grants, client auth, RFC 6749 errors, expiry; the token command."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from mock_server.cli import main
from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


def test_client_credentials_form_json_and_basic(api: Api) -> None:
    client_id, client_secret = api.credentials()
    form = api.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    body = api.http.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    basic = api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, client_secret),
    )
    for r in (form, body, basic):
        assert r.status_code == 200, r.text
        token = r.json()
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 7200
        assert set(token) >= {"access_token", "scope", "created_at"}


def test_wrong_secret_is_invalid_client(api: Api) -> None:
    client_id = api.credentials()[0]
    r = api.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": "nope",
        },
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    basic = api.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("x", "y")
    )
    assert basic.status_code == 401
    assert basic.headers["www-authenticate"].startswith("Basic")


def test_unsupported_grant_and_invalid_request(api: Api) -> None:
    client_id, client_secret = api.credentials()
    r = api.http.post("/oauth/token", data={"grant_type": "password", "username": "a"})
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")
    r = api.http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    assert r.json()["errors"][0]["source"]["pointer"] == "/code"


def test_authorization_code_then_refresh(api: Api) -> None:
    # The pack's client: it has the redirect URIs (a client made at run time has none), and
    # codes and tokens are not records, so the tenants copied from demo do not see them.
    client_id, client_secret = "demo-client", "demo-secret"
    redirect = "http://127.0.0.1:9000/callback"
    r = api.http.get(
        "/oauth/authorize",
        params={
            "client_id": client_id,
            "redirect_uri": redirect,
            "response_type": "code",
            "state": "xyz",
        },
        follow_redirects=False,
    )
    assert r.status_code == 302
    query = parse_qs(urlparse(r.headers["location"]).query)
    assert query["state"] == ["xyz"]
    exchange = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": redirect,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    first = api.http.post("/oauth/token", data=exchange)
    assert first.status_code == 200, first.text
    again = api.http.post("/oauth/token", data=exchange)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": first.json()["refresh_token"],
        "client_id": client_id,
        "client_secret": client_secret,
    }
    second = api.http.post("/oauth/token", data=refresh)
    assert second.status_code == 200
    old = {"Authorization": f"Bearer {first.json()['access_token']}", "X-Clarus-Subdomain": "demo"}
    # A refused token: the request goes no further, so demo stays as the pack has it.
    assert api.http.post("/api/goods_outs/1/cancel", headers=old).status_code == 401
    assert api.http.post("/oauth/token", data=refresh).json()["error"] == "invalid_grant"


def test_authorize_refuses_unknown_redirect(api: Api) -> None:
    client_id = "demo-client"  # the pack's client, which has redirect URIs to refuse others
    r = api.http.get(
        "/oauth/authorize",
        params={
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": "http://evil.example/cb",
        },
        follow_redirects=False,
    )
    assert r.status_code == 400


def test_token_expires_on_the_tenants_clock(api: Api) -> None:
    headers = api.headers()
    assert api.http.post("/api/goods_outs/999/cancel", headers=headers).status_code == 404
    api.state.clocks.advance(api.tenant, 7201)
    r = api.http.post("/api/goods_outs/999/cancel", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "expired" in r.json()["error"]


_ = httpx


def test_token_command_prints_a_token_the_api_takes(
    live: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(live.http.base_url)
    assert main(["token", "--url", url]) == 0
    token = capsys.readouterr().out.strip()
    r = live.http.post(
        "/api/goods_outs",
        json=order(),
        headers={"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": "demo"},
    )
    assert r.status_code == 201
    assert main(["token", "--url", url, "--client", "sandbox-client", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--secret", "wrong"], 1, "the server refused: invalid_client"),
        (["--client", "nope"], 2, "no client 'nope' in fixture pack 'demo'"),
        (["--fixtures", "nope"], 2, "no fixture pack 'nope'"),
    ],
)
def test_token_command_explains_a_refusal(
    live: Api, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    assert main(["token", "--url", str(live.http.base_url), *argv]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_token_command_without_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: nothing answers
        assert main(["token", "--url", f"http://127.0.0.1:{port}"]) == 2
    assert "is `clarus-mock serve` running?" in capsys.readouterr().err
