"""Integrations (synchronize), external entities (bare answers) and automations with their children."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contracts import get_operation
from tests.api import SERVER_TESTS, Api

pytestmark = SERVER_TESTS


def _conforms(r: Any, operation: str) -> None:
    """A success answer has the status and the shape its response contract gives."""
    op = get_operation(operation)
    assert r.status_code == op.response_status, r.text
    Draft202012Validator(op.response_schema).validate(r.json())


def _integration(api: Api, **attributes: Any) -> dict:
    base = {"name": "Acme Shopify", "integration_type": "shopify", "is_active": True}
    body = {"data": {"type": "integrations", "attributes": {**base, **attributes}}}
    r = api.call("POST", "/api/integrations", body)
    assert r.status_code == 201, r.text
    return r.json()["data"]


def _rule(r: Any, rule: str, pointer: str) -> None:
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert (error["meta"]["rule"], error["source"]["pointer"]) == (rule, pointer)


def test_synchronize_answers_the_integration(api: Api) -> None:
    integration = _integration(api)
    r = api.call("POST", f"/api/integrations/{integration['id']}/synchronize")
    _conforms(r, "integrations.synchronize")
    assert r.json()["data"] == integration


def test_synchronize_unknown_is_404_and_inactive_is_422(api: Api) -> None:
    assert api.call("POST", "/api/integrations/999/synchronize").status_code == 404
    inactive = _integration(api, is_active=False)
    r = api.call("POST", f"/api/integrations/{inactive['id']}/synchronize")
    _rule(r, "invalid_state", "")


def _entity(api: Api, **attributes: Any) -> Any:
    base = {"entity_type": "carrier", "code": "DHL", "external_system_reference1": "dhl-01"}
    body = {"data": {"type": "external_entities", "attributes": {**base, **attributes}}}
    return api.call("POST", "/api/external_entities", body)


def test_external_entity_answers_the_bare_record_with_nulls(api: Api) -> None:
    integration = _integration(api)
    r = _entity(api, integration_id=integration["id"])
    _conforms(r, "external_entities.create")
    entity = r.json()
    assert entity == {
        "id": entity["id"],
        "entity_type": "carrier",
        "code": "DHL",
        "description": None,
        "external_system_reference1": "dhl-01",
        "external_system_reference2": None,
        "external_system_reference3": None,
        "integration_id": integration["id"],
    }
    patch = {"data": {"type": "external_entities", "attributes": {"description": "DHL Express"}}}
    r = api.call("PATCH", f"/api/external_entities/{entity['id']}", patch)
    _conforms(r, "external_entities.update")
    assert r.json() == {**entity, "description": "DHL Express"}


def test_external_entity_integration_must_exist(api: Api) -> None:
    _rule(_entity(api, integration_id=99), "unknown_reference", "/data/attributes/integration_id")


def _automation(api: Api, **attributes: Any) -> Any:
    base = {
        "resource_name": "goods_out",
        "event": "created",
        "name": "New orders",
        "enabled": True,
        "conditions_changes": [
            {
                "type": "ADD",
                "attributes": {
                    "condition_code": "account_id",
                    "source_path": "data.account_id",
                    "operator": "eq",
                    "value": "1",
                },
            }
        ],
        "actions_changes": [
            {
                "type": "ADD",
                "attributes": {
                    "destination_type": "email",
                    "destination_code": "default",
                    "parameters_changes": [
                        {
                            "type": "ADD",
                            "attributes": {
                                "parameter_code": "email_recipient",
                                "value": "ops@example.com",
                            },
                        }
                    ],
                },
            },
            {
                "type": "ADD",
                "attributes": {
                    "destination_type": "webhook",
                    "destination_code": "default",
                    "parameters_changes": [
                        {
                            "type": "ADD",
                            "attributes": {
                                "parameter_code": "url",
                                "value": "http://127.0.0.1:9000/hook",
                            },
                        }
                    ],
                },
            },
        ],
    }
    body = {"data": {"type": "automations", "attributes": {**base, **attributes}}}
    return api.call("POST", "/api/automations", body)


def _patch(api: Api, automation_id: int, **attributes: Any) -> Any:
    body = {"data": {"type": "automations", "attributes": attributes}}
    return api.call("PATCH", f"/api/automations/{automation_id}", body)


def test_automation_create_answers_conditions_and_actions_with_ids(api: Api) -> None:
    r = _automation(api)
    _conforms(r, "automations.create")
    data = r.json()["data"]
    assert data["type"] == "automations"
    attributes = data["attributes"]
    assert (attributes["resource_name"], attributes["event"], attributes["enabled"]) == (
        "goods_out",
        "created",
        True,
    )
    [condition] = attributes["conditions"]
    assert condition["attributes"]["source_path"] == "data.account_id"
    email, webhook = attributes["actions"]
    assert email["attributes"]["destination_type"] == "email"
    assert email["attributes"]["parameters"][0]["attributes"] == {
        "parameter_code": "email_recipient",
        "value": "ops@example.com",
    }
    [url] = webhook["attributes"]["parameters"]
    assert url["attributes"]["value"] == "http://127.0.0.1:9000/hook"
    assert all(isinstance(item["id"], int) for item in (condition, email, webhook, url))
    assert "conditions_changes" not in attributes


def test_automation_webhook_needs_a_url_on_create(api: Api) -> None:
    action = {
        "type": "ADD",
        "attributes": {"destination_type": "webhook", "destination_code": "default"},
    }
    r = _automation(api, actions_changes=[action])
    assert r.status_code == 422


def test_automation_update_applies_add_update_destroy(api: Api) -> None:
    created = _automation(api).json()["data"]
    [condition] = created["attributes"]["conditions"]
    email, webhook = created["attributes"]["actions"]
    [url] = webhook["attributes"]["parameters"]
    r = _patch(
        api,
        created["id"],
        name="Orders of account 2",
        conditions_changes=[
            {"type": "UPDATE", "id": condition["id"], "attributes": {"value": "2"}},
            {
                "type": "ADD",
                "attributes": {
                    "condition_code": "warehouse_id",
                    "source_path": "data.warehouse_id",
                    "operator": "eq",
                    "value": "1",
                },
            },
        ],
        actions_changes=[
            {"type": "DESTROY", "id": email["id"]},
            {
                "type": "UPDATE",
                "id": webhook["id"],
                "attributes": {
                    "parameters_changes": [
                        {
                            "type": "UPDATE",
                            "id": url["id"],
                            "attributes": {"value": "http://127.0.0.1:9000/v2"},
                        }
                    ]
                },
            },
        ],
    )
    _conforms(r, "automations.update")
    attributes = r.json()["data"]["attributes"]
    assert attributes["name"] == "Orders of account 2"
    assert [c["attributes"]["value"] for c in attributes["conditions"]] == ["2", "1"]
    [kept] = attributes["actions"]
    assert kept["id"] == webhook["id"]
    assert kept["attributes"]["parameters"][0]["attributes"]["value"] == "http://127.0.0.1:9000/v2"
    store = api.store
    assert store.children(api.tenant, "automation_action_parameters", email["id"]) == []


def test_automation_update_event_of_another_resource_is_a_vendor_contradiction(api: Api) -> None:
    # The update page's own example sends event "<string>": accepted with a warning (422 under
    # --strict, tested in test_ids_and_strict.py).
    created = _automation(api).json()["data"]
    assert _patch(api, created["id"], event="picked").status_code == 200
    entry = api.journal()[0]
    assert [(v["pointer"], v["rule"]) for v in entry["violations"]] == [
        ("/data/attributes/event", "vendor_contradiction")
    ]
    r = _patch(api, created["id"], event="cancelled")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["event"] == "cancelled"


def test_automation_update_of_another_automations_child_is_refused(api: Api) -> None:
    one = _automation(api).json()["data"]
    two = _automation(api).json()["data"]
    foreign = two["attributes"]["conditions"][0]["id"]
    r = _patch(api, one["id"], conditions_changes=[{"type": "DESTROY", "id": foreign}])
    _rule(r, "unknown_reference", "/data/attributes/conditions_changes/0/id")


def test_automation_update_cannot_leave_a_webhook_without_url(api: Api) -> None:
    created = _automation(api).json()["data"]
    webhook = created["attributes"]["actions"][1]
    url = webhook["attributes"]["parameters"][0]
    destroy_url = {"parameters_changes": [{"type": "DESTROY", "id": url["id"]}]}
    r = _patch(
        api,
        created["id"],
        actions_changes=[{"type": "UPDATE", "id": webhook["id"], "attributes": destroy_url}],
    )
    _rule(r, "missing_item", "/data/attributes/actions_changes")
    assert api.store.get(api.tenant, "automation_action_parameters", url["id"])


def test_automation_run(api: Api) -> None:
    created = _automation(api).json()["data"]
    r = api.call("POST", f"/api/automations/{created['id']}/run")
    _conforms(r, "automations.run")
    assert r.json()["data"] == created
    assert api.call("POST", "/api/automations/999/run").status_code == 404
    assert _patch(api, created["id"], enabled=False).status_code == 200
    _rule(api.call("POST", f"/api/automations/{created['id']}/run"), "invalid_state", "")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", "not an http or https URL"),
        ("gopher://example.com/", "not an http or https URL"),
        ("not a url", "space or a control character"),
        ("notaurl", "not an http or https URL"),
        ("http://[::1/hook", "is not a URL"),
        ("http://127.0.0.1:8766/hook\r\nX-Injected: 1", "space or a control character"),
        ("http:///hook", "names no host"),
        ("http://127.0.0.1:99999/hook", "port outside 1-65535"),
        ("http://127.0.0.1:0/hook", "port outside 1-65535"),
        ("http://127.0.0.1:8765/__mock/reset", "own control API"),
        ("http://127.0.0.1:8765/%5F%5Fmock/snapshots/clean/restore", "own control API"),
        ("http://127.0.0.1:8765//__mock/reset", "own control API"),
        ("http://127.0.0.1:8765/hooks/../__mock/reset", "own control API"),
    ],
)
def test_a_webhook_url_the_mock_cannot_or_must_not_call_is_refused(
    api: Api, url: str, problem: str
) -> None:
    hook = {
        "parameters_changes": [
            {"type": "ADD", "attributes": {"parameter_code": "url", "value": url}}
        ]
    }
    body = {"destination_type": "webhook", "destination_code": "default", **hook}
    r = api.call(
        "POST",
        "/api/automations",
        {
            "data": {
                "type": "automations",
                "attributes": {
                    "resource_name": "goods_out",
                    "event": "created",
                    "name": "bad hook",
                    "enabled": True,
                    "conditions_changes": [],
                    "actions_changes": [{"type": "ADD", "attributes": body}],
                },
            }
        },
    )
    at = "/data/attributes/actions_changes/0/attributes/parameters_changes/0/attributes/value"
    _rule(r, "webhook_url", at)
    assert problem in r.json()["errors"][0]["detail"]
    # Nor can an update point a good webhook at it.
    created = _automation(api).json()["data"]
    webhook = created["attributes"]["actions"][1]
    parameter = webhook["attributes"]["parameters"][0]
    change = {
        "parameters_changes": [
            {"type": "UPDATE", "id": parameter["id"], "attributes": {"value": url}}
        ]
    }
    r = _patch(
        api,
        created["id"],
        actions_changes=[{"type": "UPDATE", "id": webhook["id"], "attributes": change}],
    )
    _rule(r, "webhook_url", at)
