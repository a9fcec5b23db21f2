"""Ids come back the way they went out: an id the vendor answers as "9" is accepted as "9" with a
warning; ``serve --strict`` (Settings.strict) makes every warning a 422."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.cli import _parser
from tests.api import SERVER_TESTS, Api, order

pytestmark = SERVER_TESTS


def journal_rules(api: Api) -> list[tuple[str, str, str]]:
    entry = api.journal()[0]
    return [(v["pointer"], v["rule"], v["severity"]) for v in entry["violations"]]


def test_a_storage_unit_id_answered_as_a_string_goes_back_as_one(api: Api) -> None:
    created = api.call(
        "POST",
        "/api/products",
        {
            "data": {
                "type": "products",
                "attributes": {"description": "Tee", "stock_unit_type_id": 1},
            }
        },
    ).json()["data"]
    unit = api.call(
        "POST",
        "/api/product_storage_units",
        {
            "data": {
                "type": "product_storage_units",
                "attributes": {
                    "product_id": created["id"],
                    "storage_unit_type_id": 1,
                    "stock_configuration": "case",
                    "unit_of_measure": "centimetre",
                    "per_layer": 6,
                    "number_of_layers": 1,
                },
            }
        },
    ).json()["data"]
    assert isinstance(unit["id"], str)  # the vendor answers product storage unit ids as strings
    receipt = {
        "data": {
            "type": "goods_in_receipts",
            "attributes": {
                "account_id": 1,
                "warehouse_id": 1,
                "lines_changes": [
                    {
                        "type": "ADD",
                        "attributes": {
                            "product_id": created["id"],
                            "expected_quantity": 6,
                            "product_storage_unit_id": unit["id"],
                        },
                    }
                ],
            },
        }
    }
    r = api.call("POST", "/api/goods_in_receipts", receipt)
    assert r.status_code == 201, r.text
    [line] = r.json()["data"]["attributes"]["lines_changes"]
    assert line["attributes"]["product_storage_unit_id"] == int(unit["id"])
    assert journal_rules(api) == [
        (
            "/data/attributes/lines_changes/0/attributes/product_storage_unit_id",
            "id_as_string",
            "warning",
        )
    ]


@pytest.mark.parametrize(
    ("path", "body", "pointer"),
    [
        ("/api/stocks/hold", {"ids": ["123"], "description": "QC"}, "/ids/0"),
        ("/api/tasks/allocate", {"ids": ["1", 2]}, "/ids/0"),
        (
            "/api/goods_outs",
            order(account_id="1", reference="SO-STR", customer_id="42"),
            "/data/attributes/account_id",
        ),
    ],
)
def test_string_ids_in_every_kind_of_body(
    api: Api, path: str, body: dict[str, Any], pointer: str
) -> None:
    r = api.call("POST", path, body)
    assert r.status_code in (200, 201, 204), r.text
    assert (pointer, "id_as_string", "warning") in journal_rules(api)


def test_a_supplier_id_as_string_is_stored_as_the_integer(api: Api) -> None:
    r = api.call(
        "PATCH",
        "/api/goods_in_receipts/123",
        {"data": {"type": "goods_in_receipts", "attributes": {"supplier_id": "14"}}},
    )
    assert r.status_code == 200, r.text
    assert api.record("goods_in_receipts", 123)["attributes"]["supplier_id"] == 14


# The session's strict server (Settings.strict), as ``serve --strict`` runs.
STRICT = pytest.mark.clarus(strict=True, clock="realtime", contract=False)


@STRICT
@pytest.mark.parametrize(
    ("path", "body", "rule"),
    [
        ("/api/goods_outs", order(account_id="1"), "id_as_string"),
        ("/api/goods_outs", order(delivery_notes=""), "empty_string"),
        (
            "/api/integrations",
            {"data": {"type": "integrations", "attributes": {"name": "Shop"}}},
            "vendor_contradiction",
        ),
    ],
)
def test_strict_makes_each_warning_a_422_and_changes_nothing(
    api: Api, path: str, body: dict[str, Any], rule: str
) -> None:
    r = api.call("POST", path, body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["meta"]["rule"] == rule
    assert r.json()["errors"][0]["meta"]["severity"] == "warning"


@STRICT
def test_strict_refuses_a_warning_of_the_servers_own_rules(api: Api) -> None:
    body = {"data": {"type": "automations", "attributes": {"event": "<string>"}}}
    r = api.call("PATCH", "/api/automations/123", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["meta"]["rule"] == "vendor_contradiction"
    assert api.record("automations", 123)["attributes"]["event"] == "created"  # rolled back


def test_serve_has_a_strict_switch() -> None:
    assert _parser().parse_args(["serve", "--strict"]).strict is True
    assert _parser().parse_args(["serve"]).strict is False
