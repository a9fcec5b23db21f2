"""Integrations (synchronize), external entities (bare answers) and automations with their children.

An automation's conditions, actions and action parameters are child records
(``automation_conditions``, ``automation_actions``, ``automation_action_parameters``) changed through
``*_changes`` items like goods out lines: ADD, UPDATE and DESTROY by id; children not named stay.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

from contracts import Violation
from contracts.registry import schema_documents
from mock_server.domain import records
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.references import check_references
from mock_server.store import Record

INTEGRATIONS = "integrations"
ENTITIES = "external_entities"
AUTOMATIONS = "automations"
CONDITIONS = "automation_conditions"
ACTIONS = "automation_actions"
PARAMETERS = "automation_action_parameters"
_ENTITY_NULLS = (
    "description",
    "external_system_reference2",
    "external_system_reference3",
    "integration_id",
)


@dataclass(frozen=True)
class Automation:
    """An automation with its conditions and its actions, each action with its parameters."""

    record: Record
    conditions: list[Record]
    actions: list[tuple[Record, list[Record]]]
    warnings: list[Violation] = field(default_factory=list)  # accepted, but worth reporting


def synchronize(env: Env, integration_id: int) -> Record:
    """Ask an integration to synchronize: the sync is not simulated; returns the integration.

    An inactive integration is refused (Unprocessable ``invalid_state``): the vendor syncs only
    enabled connections. Raises NotFound for an unknown integration.
    """
    integration = records.load(env, INTEGRATIONS, integration_id)
    if integration.attributes.get("is_active") is False:
        raise Unprocessable(
            "",
            "invalid_state",
            f"integration {integration.id} is not active and cannot synchronize",
            hint=f"PATCH /api/integrations/{integration.id} with is_active: true first",
        )
    return integration


def _entity_nulls(env: Env, entity: Record) -> Record:
    """The bare answer names every field; the ones never sent read null."""
    entity.attributes = {
        **dict.fromkeys(_ENTITY_NULLS),
        **entity.attributes,
    }
    return env.store.save(env.tenant, entity)


def create_external_entity(
    env: Env, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> Record:
    """A new external entity; ``integration_id`` must name an integration (Unprocessable)."""
    return _entity_nulls(env, records.create(env, ENTITIES, attributes, relationships))


def update_external_entity(
    env: Env,
    entity_id: int,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
) -> Record:
    """Change an external entity; raises as :func:`records.update`."""
    return _entity_nulls(env, records.update(env, ENTITIES, entity_id, attributes, relationships))


@cache
def events_by_resource() -> dict[str, tuple[str, ...]]:
    """The vendor's resource -> events table (create-an-automation page), read from the automations contract."""
    node = schema_documents()["automations.json"]["$defs"]["event_per_resource"]
    table: dict[str, tuple[str, ...]] = {}
    while node:
        resource = node["if"]["properties"]["resource_name"]["const"]
        table[resource] = tuple(node["then"]["properties"]["event"]["enum"])
        node = node.get("else")
    return table


def load_automation(
    env: Env, automation: Record, warnings: list[Violation] | None = None
) -> Automation:
    """The automation with its conditions and actions (with parameters), as stored."""

    def items(resource: str, parent_id: int) -> list[Record]:
        return env.store.children(env.tenant, resource, parent_id)

    actions = [(action, items(PARAMETERS, action.id)) for action in items(ACTIONS, automation.id)]
    return Automation(automation, items(CONDITIONS, automation.id), actions, warnings or [])


def _destroy(env: Env, resource: str, child: Record) -> None:
    if resource == ACTIONS:
        for parameter in env.store.children(env.tenant, PARAMETERS, child.id):
            env.store.delete(env.tenant, PARAMETERS, parameter.id)
    env.store.delete(env.tenant, resource, child.id)


def _apply(
    env: Env,
    resource: str,
    parent_id: int,
    changes: list[dict[str, Any]],
    pointer: str,
    webhook: bool = False,
) -> None:
    """Apply ADD/UPDATE/DESTROY items to the children of one parent (actions carry parameters;
    ``webhook``: the parameters are a webhook action's, whose url is checked where it is sent)."""
    for index, change in enumerate(changes):
        at = f"{pointer}/{index}"
        attributes = dict(change.get("attributes") or {})
        nested = attributes.pop("parameters_changes", [])
        if change["type"] == "ADD":
            child = env.store.create(env.tenant, resource, attributes, parent_id=parent_id)
        else:
            child = records.load_child(
                env, resource, parent_id, change["id"], at, "this automation", resource[:-1]
            )
            if change["type"] == "DESTROY":
                _destroy(env, resource, child)
                continue
            child.attributes.update(attributes)
            env.store.save(env.tenant, child)
        if webhook and child.attributes.get("parameter_code") == "url":
            _check_url(child.attributes.get("value"), f"{at}/attributes/value", "the url")
        if resource == ACTIONS:
            is_webhook = child.attributes.get("destination_type") == "webhook"
            at_parameters = f"{at}/attributes/parameters_changes"
            _apply(env, PARAMETERS, child.id, nested, at_parameters, webhook=is_webhook)


def _check_webhook_urls(env: Env, automation: Record) -> None:
    """Every webhook action has a url parameter (after an update too, as create requires) that
    the delivery worker can call: an absolute http or https URL with a host, and not this mock's
    own control API (a webhook to ``/__mock/reset`` would wipe the server each time it fired)."""
    for action in env.store.children(env.tenant, ACTIONS, automation.id):
        if action.attributes.get("destination_type") != "webhook":
            continue
        urls = [
            p.attributes.get("value")
            for p in env.store.children(env.tenant, PARAMETERS, action.id)
            if p.attributes.get("parameter_code") == "url"
        ]
        if not urls:
            raise Unprocessable(
                "/data/attributes/actions_changes",
                "missing_item",
                f"webhook action {action.id} would have no url parameter",
                hint="keep (or ADD) a parameter with parameter_code url on every webhook action",
            )
        for url in urls:  # stored ones too: an action may have become a webhook since
            _check_url(url, "/data/attributes/actions_changes", f"webhook action {action.id}'s url")


def _check_url(url: Any, pointer: str, what: str) -> None:
    """Unprocessable at ``pointer`` when the delivery worker could not (or must not) call ``url``."""
    problem = _unusable_url(url)
    if problem:
        raise Unprocessable(
            pointer,
            "webhook_url",
            f"{what} {url!r} {problem}",
            hint="give the address of your receiver, e.g. http://127.0.0.1:9000/hook "
            "(clarus-mock listen prints one)",
        )


def _unusable_url(url: Any) -> str | None:
    """Why the delivery worker could not (or must not) call ``url``; None when it can."""
    if not isinstance(url, str):
        return "is not text"
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return "holds a space or a control character (percent-encode it)"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed IPv6 bracket, say
        return f"is not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "is not an http or https URL"
    try:
        port = parts.port  # raises for a port past 65535
    except ValueError:
        port = 0
    if port == 0:
        return "has a port outside 1-65535"
    if not parts.hostname:
        return "names no host"
    # As a server reads the path: percent-escapes decoded, dot segments and doubled slashes gone.
    path = posixpath.normpath("/" + unquote(parts.path).lstrip("/"))
    if path == "/__mock" or path.startswith("/__mock/"):
        return "is this mock's own control API, which a webhook must not call"
    return None


def _apply_all(env: Env, automation: Record, attributes: dict[str, Any]) -> None:
    for name, resource in (("conditions_changes", CONDITIONS), ("actions_changes", ACTIONS)):
        pointer = f"{records.ATTRIBUTES}/{name}"
        _apply(env, resource, automation.id, attributes.get(name, []), pointer)


def create_automation(
    env: Env, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> Automation:
    """A new automation: the header, then its conditions, actions and parameters.

    ``attributes`` carries ``conditions_changes`` and ``actions_changes`` (ADD items; an action's
    ``parameters_changes``). Raises Unprocessable for an unknown reference.
    """
    automation = records.create(env, AUTOMATIONS, attributes, relationships)
    _apply_all(env, automation, attributes)
    _check_webhook_urls(env, automation)
    return load_automation(env, automation)


def update_automation(env: Env, automation_id: int, attributes: dict[str, Any]) -> Automation:
    """Change an automation and its children by ``*_changes`` items.

    A new ``event`` that is not one of the stored ``resource_name``'s is accepted with a
    ``vendor_contradiction`` warning (in ``warnings``): the update page's own example sends
    ``"<string>"``. Raises NotFound, or Unprocessable (references, unknown children, a webhook
    action left without its url).
    """
    automation = records.load(env, AUTOMATIONS, automation_id)
    resource_name = automation.attributes["resource_name"]
    allowed = events_by_resource().get(resource_name, ())
    warnings = []
    if "event" in attributes and attributes["event"] not in allowed:
        # The update page's own example sends the placeholder "<string>" as event, while the
        # automation schema says events depend on resource_name: accepted, with a warning.
        warnings.append(
            Violation(
                "/data/attributes/event",
                "vendor_contradiction",
                f"event {attributes['event']!r} is not an event of {resource_name}: the vendor's "
                "pages contradict each other here",
                hint=f"{resource_name} events: {', '.join(allowed)}. Pages: events per "
                "resource_name (https://documentation.claruswms.com/api-reference/core-resources/"
                'automation); the update example sends "<string>" (https://documentation.'
                "claruswms.com/api-reference/automations/update-an-automation)",
                severity="warning",
                instance=attributes["event"],
            )
        )
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES)
    automation.attributes.update(records.plain(attributes))
    env.store.save(env.tenant, automation)
    _apply_all(env, automation, attributes)
    _check_webhook_urls(env, automation)
    return load_automation(env, automation, warnings)


def run_automation(env: Env, automation_id: int) -> Automation:
    """Run an automation: Unprocessable while disabled; returns the automation. Raises NotFound.

    A run only checks that the automation may run: the vendor says a run is meant for schedule
    automations and still checks the conditions
    (https://documentation.claruswms.com/api-reference/automations/run-an-automation-now), but not
    what record a run of a record event would carry, and schedules are not emulated, so no action
    fires (the README lists this).
    """
    automation = records.load(env, AUTOMATIONS, automation_id)
    if not automation.attributes.get("enabled"):
        raise Unprocessable(
            "",
            "invalid_state",
            f"automation {automation.id} is disabled and cannot run",
            hint=f"PATCH /api/automations/{automation.id} with enabled: true first",
        )
    return load_automation(env, automation)
