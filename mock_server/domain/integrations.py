"""Integrations (synchronize), external entities (bare answers) and automations with their children.

An automation's conditions, actions and action parameters are child records
(``automation_conditions``, ``automation_actions``, ``automation_action_parameters``) changed through
``*_changes`` items like goods out lines: ADD, UPDATE and DESTROY by id; children not named stay.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from contracts import Violation
from contracts.registry import schema_documents
from mock_server.domain import records
from mock_server.domain.references import check_references
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record

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


def synchronize(ctx: Ctx) -> Record:
    """POST /api/integrations/{id}/synchronize: the sync is not simulated; answers the integration.

    An inactive integration is refused (422): the vendor syncs only enabled connections.
    """
    integration = records.load(ctx, "integrations")
    if integration.attributes.get("is_active") is False:
        raise unprocessable(
            "",
            "invalid_state",
            f"integration {integration.id} is not active and cannot synchronize",
            hint=f"PATCH /api/integrations/{integration.id} with is_active: true first",
        )
    return integration


def _entity_nulls(ctx: Ctx, entity: Record) -> Record:
    """The bare answer names every field; the ones never sent read null."""
    entity.attributes = {
        **dict.fromkeys(_ENTITY_NULLS),
        **entity.attributes,
    }
    return ctx.store.save(ctx.tenant, entity)


def create_external_entity(ctx: Ctx) -> Record:
    """POST /api/external_entities (bare answer); integration_id must name an integration."""
    return _entity_nulls(ctx, records.create(ctx))


def update_external_entity(ctx: Ctx) -> Record:
    """PATCH /api/external_entities/{id} (bare answer)."""
    return _entity_nulls(ctx, records.update(ctx))


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


def with_children(ctx: Ctx, automation: Record) -> Record:
    """The automation as its record schema shows it: conditions and actions (with parameters)."""

    def items(resource: str, parent_id: int) -> list[Record]:
        return ctx.store.children(ctx.tenant, resource, parent_id)

    conditions = [
        {"id": c.id, "attributes": c.attributes} for c in items(CONDITIONS, automation.id)
    ]
    actions = [
        {
            "id": action.id,
            "attributes": {
                **action.attributes,
                "parameters": [
                    {"id": p.id, "attributes": p.attributes} for p in items(PARAMETERS, action.id)
                ],
            },
        }
        for action in items(ACTIONS, automation.id)
    ]
    attributes = {**automation.attributes, "conditions": conditions, "actions": actions}
    return Record(automation.resource, automation.id, attributes, automation.relationships)


def _destroy(ctx: Ctx, resource: str, child: Record) -> None:
    if resource == ACTIONS:
        for parameter in ctx.store.children(ctx.tenant, PARAMETERS, child.id):
            ctx.store.delete(ctx.tenant, PARAMETERS, parameter.id)
    ctx.store.delete(ctx.tenant, resource, child.id)


def _apply(
    ctx: Ctx, resource: str, parent_id: int, changes: list[dict[str, Any]], pointer: str
) -> None:
    """Apply ADD/UPDATE/DESTROY items to the children of one parent (actions carry parameters)."""
    for index, change in enumerate(changes):
        at = f"{pointer}/{index}"
        attributes = dict(change.get("attributes") or {})
        nested = attributes.pop("parameters_changes", [])
        if change["type"] == "ADD":
            child = ctx.store.create(ctx.tenant, resource, attributes, parent_id=parent_id)
        else:
            child = records.load_child(
                ctx, resource, parent_id, change["id"], at, "this automation", resource[:-1]
            )
            if change["type"] == "DESTROY":
                _destroy(ctx, resource, child)
                continue
            child.attributes.update(attributes)
            ctx.store.save(ctx.tenant, child)
        if resource == ACTIONS:
            _apply(ctx, PARAMETERS, child.id, nested, f"{at}/attributes/parameters_changes")


def _check_webhook_urls(ctx: Ctx, automation: Record) -> None:
    """After an update every webhook action still needs its url parameter (as create requires)."""
    for action in ctx.store.children(ctx.tenant, ACTIONS, automation.id):
        if action.attributes.get("destination_type") != "webhook":
            continue
        codes = {
            p.attributes.get("parameter_code")
            for p in ctx.store.children(ctx.tenant, PARAMETERS, action.id)
        }
        if "url" not in codes:
            raise unprocessable(
                "/data/attributes/actions_changes",
                "missing_item",
                f"webhook action {action.id} would have no url parameter",
                hint="keep (or ADD) a parameter with parameter_code url on every webhook action",
            )


def _apply_all(ctx: Ctx, automation: Record, attributes: dict[str, Any]) -> None:
    for field, resource in (("conditions_changes", CONDITIONS), ("actions_changes", ACTIONS)):
        pointer = f"{records.ATTRIBUTES}/{field}"
        _apply(ctx, resource, automation.id, attributes.get(field, []), pointer)


def create_automation(ctx: Ctx) -> Record:
    """POST /api/automations: the header, then its conditions, actions and parameters."""
    automation = records.create(ctx)
    _apply_all(ctx, automation, ctx.attributes)
    return with_children(ctx, automation)


def update_automation(ctx: Ctx) -> Record:
    """PATCH /api/automations/{id}: a new event must belong to the stored resource_name."""
    automation = records.load(ctx, AUTOMATIONS)
    attributes = ctx.attributes
    resource_name = automation.attributes["resource_name"]
    allowed = events_by_resource().get(resource_name, ())
    if "event" in attributes and attributes["event"] not in allowed:
        # The update page's own example sends the placeholder "<string>" as event, while the
        # automation schema says events depend on resource_name: accepted, with a warning.
        ctx.warnings.append(
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
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES)
    automation.attributes.update(records.plain(attributes))
    ctx.store.save(ctx.tenant, automation)
    _apply_all(ctx, automation, attributes)
    _check_webhook_urls(ctx, automation)
    return with_children(ctx, automation)


def run_automation(ctx: Ctx) -> Record:
    """POST /api/automations/{id}/run: 422 while disabled; answers the automation.

    Evaluating the conditions and firing the actions (webhook deliveries) arrives with the webhooks
    part of the server; until then a run only checks that the automation may run.
    """
    automation = records.load(ctx, AUTOMATIONS)
    if not automation.attributes.get("enabled"):
        raise unprocessable(
            "",
            "invalid_state",
            f"automation {automation.id} is disabled and cannot run",
            hint=f"PATCH /api/automations/{automation.id} with enabled: true first",
        )
    return with_children(ctx, automation)


HANDLERS = {
    "integrations.synchronize": synchronize,
    "external_entities.create": create_external_entity,
    "external_entities.update": update_external_entity,
    "automations.create": create_automation,
    "automations.update": update_automation,
    "automations.run": run_automation,
}
