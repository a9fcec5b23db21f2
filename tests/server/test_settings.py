"""Server options: a persistent SQLite file, the admin token, a bad fixture pack."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.cli import _banner, main
from mock_server.fixtures import PACKS, FixtureError
from mock_server.settings import Settings
from tests.api import Api, order


def _token(client: TestClient) -> dict[str, str]:
    return Api(client, client.app.state.mock).headers()


def test_data_file_survives_a_restart(tmp_path: Path) -> None:
    settings = Settings(data=str(tmp_path / "state.db"))
    with TestClient(create_app(settings)) as client:
        created = client.post(
            "/api/goods_outs", json=order(reference="KEEP-ME"), headers=_token(client)
        )
        order_id = created.json()["data"]["id"]
    with TestClient(create_app(settings)) as client:
        r = client.get(f"/__mock/records/goods_outs/{order_id}", params={"tenant": "demo"})
        assert r.status_code == 200
        assert r.json()["data"]["attributes"]["reference"] == "KEEP-ME"
        assert client.post("/api/goods_outs/1/cancel", headers=_token(client)).status_code == 200


def test_admin_token_protects_the_control_api() -> None:
    with TestClient(create_app(Settings(admin_token="s3cret"))) as client:
        assert client.get("/__mock/health").status_code == 401
        assert (
            client.get("/__mock/health", headers={"Authorization": "Bearer s3cret"}).status_code
            == 200
        )
        assert (
            client.post("/api/goods_outs", json=order(), headers=_token(client)).status_code == 201
        )


def test_bad_fixture_record_names_file_record_and_pointer(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text("name: broken\ntenants: [t.yaml]\n")
    (tmp_path / "t.yaml").write_text(
        "subdomain: t\nrecords:\n  products:\n    - id: 1\n      attributes: {description: x}\n"
    )
    with pytest.raises(
        FixtureError,
        match=r"t\.yaml: records\.products\[0\] \(id 1\): "
        r"/data/attributes/stock_unit_type_id",
    ):
        create_app(Settings(fixtures=str(tmp_path)))


def test_unknown_pack_lists_the_built_in_ones() -> None:
    with pytest.raises(FixtureError, match="built-in packs: demo"):
        create_app(Settings(fixtures="nope"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is a note, not a database\n" * 40, "is not a clarus-mock data file"),
        (None, "written by another clarus-mock version"),
    ],
    ids=["not-sqlite", "old-schema"],
)
def test_unusable_data_file_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "state.db"
    if content is None:
        with sqlite3.connect(path) as db:  # a store written by schema version 1
            db.execute("CREATE TABLE records (tenant TEXT, resource TEXT, id INTEGER)")
    else:
        path.write_bytes(content)
    assert main(["serve", "--data", str(path), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert str(path) in err
    assert "Traceback" not in err


def test_banner_names_tenants_clients_and_two_ways_to_a_token() -> None:
    settings = Settings(port=9999)
    banner = _banner(create_app(settings), settings)
    assert "subdomain demo       client demo-client / demo-secret" in banner
    assert "subdomain sandbox    client sandbox-client / sandbox-secret" in banner
    assert "curl -s -X POST http://127.0.0.1:9999/oauth/token" in banner
    assert "clarus-mock token --url http://127.0.0.1:9999 --client demo-client" in banner


def test_banner_token_command_names_a_non_default_pack() -> None:
    settings = Settings(fixtures=str(PACKS / "demo"))
    banner = _banner(create_app(settings), settings)
    assert f"clarus-mock token --fixtures {PACKS / 'demo'} --client demo-client" in banner
