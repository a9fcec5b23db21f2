"""What the webhook tests share: an automation body calling a URL, and polling until a check holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def automation(
    url: str,
    event: str = "created",
    resource_name: str = "goods_out",
    conditions: list[dict[str, str]] | None = None,
    integration_id: int | None = None,
) -> dict[str, Any]:
    """An automation body whose webhook action calls ``url``."""
    attributes: dict[str, Any] = {
        "resource_name": resource_name,
        "event": event,
        "name": f"{resource_name} {event} to {url}",
        "enabled": True,
        "conditions_changes": [{"type": "ADD", "attributes": c} for c in conditions or []],
        "actions_changes": [
            {
                "type": "ADD",
                "attributes": {
                    "destination_type": "webhook",
                    "destination_code": "default",
                    "parameters_changes": [
                        {"type": "ADD", "attributes": {"parameter_code": "url", "value": url}}
                    ],
                },
            }
        ],
    }
    if integration_id is not None:
        attributes["integration_id"] = integration_id
    return {"data": {"type": "automations", "attributes": attributes}}


def email_automation(
    recipient: str, event: str = "created", resource_name: str = "goods_out"
) -> dict[str, Any]:
    """An automation body whose action records an email to ``recipient`` (nothing is sent)."""
    body = automation("unused", event=event, resource_name=resource_name)
    action = body["data"]["attributes"]["actions_changes"][0]["attributes"]
    action["destination_type"] = "email"
    action["parameters_changes"][0]["attributes"] = {
        "parameter_code": "email_recipient",
        "value": recipient,
    }
    return body


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``check`` until it returns something truthy (deliveries are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)
