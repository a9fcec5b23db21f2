"""The REST glue of every operation: the checked body and path into a domain call, the result into
the record the response renders.

The rules live in :mod:`mock_server.domain`; what is here is what REST alone needs: reading
``data.attributes`` and ``lines_changes``, echoing lines as ``lines_changes`` items ``{id,
attributes}``, the bare placeholder records of the flat answers (``{"process_references": [...]}``),
and ``meta`` such as ``{"deleted": true}``. Domain errors are mapped by the route
(:func:`mock_server.errors.from_domain`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts import Operation
from mock_server.domain import (
    goods_in,
    goods_outs,
    integrations,
    processes,
    products,
    records,
    shipments,
    stock,
    storage_units,
    tasks,
)
from mock_server.domain.integrations import Automation
from mock_server.domain.records import WithLines
from mock_server.rest.context import Ctx
from mock_server.store import Record

Handler = Callable[[Ctx], Record | None]


def echo_lines(found: WithLines) -> Record:
    """The header with its lines as the vendor's ``lines_changes`` echo: ``[{id, attributes}]``."""
    parent = found.record
    attributes = {
        **parent.attributes,
        "lines_changes": [{"id": line.id, "attributes": line.attributes} for line in found.lines],
    }
    return Record(parent.resource, parent.id, attributes, parent.relationships)


def _held(ctx: Ctx, found: WithLines) -> Record:
    """:func:`echo_lines`, keeping ``found`` on the context for the outbox."""
    ctx.held = found
    return echo_lines(found)


def _header_and_changes(ctx: Ctx) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    attributes = ctx.attributes
    return attributes, attributes.pop("lines_changes", [])


def _answer(resource: str, **values: Any) -> Record:
    """A placeholder record for a bare answer that is no stored record (``{"ids": [...]}``)."""
    return Record(resource, 0, values, {})


# Generic master data.


def create_record(ctx: Ctx) -> Record:
    return records.create(ctx.env, _resource(ctx.op), ctx.attributes, ctx.relationships)


def update_record(ctx: Ctx) -> Record:
    return records.update(
        ctx.env, _resource(ctx.op), ctx.record_id, ctx.attributes, ctx.relationships
    )


def _resource(op: Operation) -> str:
    return op.data_type or op.resource


# Goods outs.


def create_goods_out(ctx: Ctx) -> Record:
    attributes, changes = _header_and_changes(ctx)
    return _held(ctx, goods_outs.create(ctx.env, attributes, ctx.relationships, changes))


def update_goods_out(ctx: Ctx) -> Record:
    attributes, changes = _header_and_changes(ctx)
    found = goods_outs.update(ctx.env, ctx.record_id, attributes, ctx.relationships, changes)
    return _held(ctx, found)


def cancel_goods_out(ctx: Ctx) -> Record:
    cancelled = goods_outs.cancel(ctx.env, ctx.record_id)
    if cancelled.deleted:
        ctx.meta["deleted"] = True
    return _held(ctx, cancelled.order)


# Goods in.


def create_receipt(ctx: Ctx) -> Record:
    attributes, changes = _header_and_changes(ctx)
    return _held(ctx, goods_in.create(ctx.env, attributes, ctx.relationships, changes))


def update_receipt(ctx: Ctx) -> Record:
    attributes, changes = _header_and_changes(ctx)
    found = goods_in.update(ctx.env, ctx.record_id, attributes, ctx.relationships, changes)
    return _held(ctx, found)


def receive_receipt(ctx: Ctx) -> Record:
    return echo_lines(goods_in.receive(ctx.env, ctx.record_id))


def revert_receipt(ctx: Ctx) -> Record:
    return echo_lines(goods_in.revert(ctx.env, ctx.record_id))


def receive_task(ctx: Ctx) -> None:
    goods_in.receive_into(ctx.env, ctx.record_id, ctx.attributes)


# Tasks.


def update_task(ctx: Ctx) -> Record:
    attributes = ctx.attributes
    # The request word "completed" (the PATCH example's) completes; responses read COMPLETED.
    if attributes.pop("status", None) == "completed":
        return tasks.complete(ctx.env, ctx.record_id, attributes)
    return tasks.update(ctx.env, ctx.record_id, attributes)


def complete_tasks(ctx: Ctx) -> None:
    body = ctx.body
    tasks.complete_collection(
        ctx.env,
        body["warehouse_id"],
        body["task_type_code"],
        body["filters"],
        body.get("attributes"),
    )


def allocate_task(ctx: Ctx) -> None:
    tasks.allocate(ctx.env, ctx.record_id, (ctx.body or {}).get("user_id"))


def allocate_tasks(ctx: Ctx) -> None:
    tasks.allocate_many(ctx.env, ctx.body["ids"], ctx.body.get("user_id"))


def unallocate_task(ctx: Ctx) -> None:
    tasks.unallocate(ctx.env, ctx.record_id)


def unallocate_tasks(ctx: Ctx) -> None:
    tasks.unallocate_many(ctx.env, ctx.body["ids"])


def export_confirmation(ctx: Ctx) -> Record:
    confirmation = tasks.receipt_task_confirmation(ctx.env, ctx.record_id)
    return Record(goods_in.TASKS, ctx.record_id, confirmation, {})


# Stock.


def hold_stock(ctx: Ctx) -> Record:
    # The vendor's answer is one record: the first named.
    return stock.hold(ctx.env, ctx.body["ids"], ctx.body.get("reason_code_id"))[0]


def release_stock(ctx: Ctx) -> Record:
    return stock.release(ctx.env, ctx.body["ids"], ctx.body.get("reason_code_id"))[0]


def move_stock(ctx: Ctx) -> Record:
    attributes = ctx.attributes
    return stock.move(
        ctx.env,
        ctx.record_id,
        attributes["quantity"],
        attributes["to_location_id"],
        attributes.get("reason_code_id"),
    )


# Goods-out processing.


def process_picks(ctx: Ctx) -> Record:
    done = processes.process_picks_async(ctx.env, ctx.body.get("ids") or [])
    return _answer(processes.REQUESTS, process_references=done.references)


def consolidate_picks(ctx: Ctx) -> Record:
    body = ctx.body
    settings = body.get("goods_out_pick_list_attributes") or {}
    done = processes.process_and_consolidate_picks(ctx.env, body.get("ids") or [], settings)
    return _answer(processes.REQUESTS, process_references=done.references)


def short_lines(ctx: Ctx) -> Record:
    body = ctx.body
    orders = processes.short_order_lines(
        ctx.env, body.get("ids") or [], body["description"], body.get("reason_code_id")
    )
    return _answer(goods_outs.LINES, ids=[order.id for order in orders])


def replenish(ctx: Ctx) -> Record:
    body = ctx.body
    made = processes.trigger_replenishment(
        ctx.env, body["product_id"], body["account_id"], body["location_id"]
    )
    return _answer(goods_in.TASKS, task_ids=[task.id for task in made])


# Products.


def create_product(ctx: Ctx) -> Record:
    return products.create(ctx.env, ctx.attributes, ctx.relationships)


def delete_product(ctx: Ctx) -> None:
    products.delete(ctx.env, ctx.record_id)


def delete_products(ctx: Ctx) -> None:
    products.delete_many(ctx.env, ctx.body["ids"])


def create_storage_unit(ctx: Ctx) -> Record:
    return products.create_storage_unit(ctx.env, ctx.attributes)


def set_priority(ctx: Ctx) -> Record:
    return products.set_priority(ctx.env, ctx.record_id, ctx.attributes["priority"])


def create_account_product(ctx: Ctx) -> Record:
    product_id = int(ctx.params["product_id"])
    return products.create_account_product(ctx.env, product_id, ctx.attributes["account_id"])


def create_storage_unit_record(ctx: Ctx) -> Record:
    return storage_units.create(ctx.env, ctx.attributes, ctx.relationships)


# Integrations, external entities, automations.


def synchronize(ctx: Ctx) -> Record:
    return integrations.synchronize(ctx.env, ctx.record_id)


def create_entity(ctx: Ctx) -> Record:
    return integrations.create_external_entity(ctx.env, ctx.attributes, ctx.relationships)


def update_entity(ctx: Ctx) -> Record:
    return integrations.update_external_entity(
        ctx.env, ctx.record_id, ctx.attributes, ctx.relationships
    )


def automation_record(found: Automation) -> Record:
    """The automation as its record schema shows it: conditions and actions (with parameters)."""
    conditions = [{"id": c.id, "attributes": c.attributes} for c in found.conditions]
    actions = [
        {
            "id": action.id,
            "attributes": {
                **action.attributes,
                "parameters": [{"id": p.id, "attributes": p.attributes} for p in parameters],
            },
        }
        for action, parameters in found.actions
    ]
    automation = found.record
    attributes = {**automation.attributes, "conditions": conditions, "actions": actions}
    return Record(automation.resource, automation.id, attributes, automation.relationships)


def create_automation(ctx: Ctx) -> Record:
    return automation_record(
        integrations.create_automation(ctx.env, ctx.attributes, ctx.relationships)
    )


def update_automation(ctx: Ctx) -> Record:
    found = integrations.update_automation(ctx.env, ctx.record_id, ctx.attributes)
    ctx.warnings.extend(found.warnings)
    return automation_record(found)


def run_automation(ctx: Ctx) -> Record:
    return automation_record(integrations.run_automation(ctx.env, ctx.record_id))


# Shipments.


def create_shipment(ctx: Ctx) -> Record:
    return shipments.create(ctx.env, ctx.attributes, ctx.relationships)


def update_shipment(ctx: Ctx) -> Record:
    return shipments.update(ctx.env, ctx.record_id, ctx.attributes, ctx.relationships)


def submit_shipment(ctx: Ctx) -> Record:
    return shipments.submit(ctx.env, ctx.record_id)


def cancel_shipment(ctx: Ctx) -> Record:
    return shipments.cancel(ctx.env, ctx.record_id)


HANDLERS: dict[str, Handler] = {
    "goods_outs.create": create_goods_out,
    "goods_outs.update": update_goods_out,
    "goods_outs.cancel": cancel_goods_out,
    "products.create": create_product,
    "products.delete": delete_product,
    "products.delete_many": delete_products,
    "product_storage_units.create": create_storage_unit,
    "product_storage_units.priority": set_priority,
    "account_products.create": create_account_product,
    "goods_in_receipts.create": create_receipt,
    "goods_in_receipts.update": update_receipt,
    "goods_in_receipts.receive": receive_receipt,
    "goods_in_receipts.revert": revert_receipt,
    "receive_tasks.receive": receive_task,
    "receive_tasks.receive_to_putaway_location": receive_task,
    "tasks.update": update_task,
    "tasks.complete_collection": complete_tasks,
    "tasks.allocate": allocate_task,
    "tasks.allocate_many": allocate_tasks,
    "tasks.unallocate": unallocate_task,
    "tasks.unallocate_many": unallocate_tasks,
    "tasks.export_receipt_task_confirmation": export_confirmation,
    "stocks.hold": hold_stock,
    "stocks.release": release_stock,
    "stocks.move": move_stock,
    "goods_out_processes.process_picks_async": process_picks,
    "goods_out_processes.process_and_consolidate_picks": consolidate_picks,
    "goods_out_processes.short_order_lines": short_lines,
    "goods_out_processes.trigger_replenishment": replenish,
    "integrations.synchronize": synchronize,
    "external_entities.create": create_entity,
    "external_entities.update": update_entity,
    "automations.create": create_automation,
    "automations.update": update_automation,
    "automations.run": run_automation,
    "shipments.create": create_shipment,
    "shipments.update": update_shipment,
    "shipments.submit": submit_shipment,
    "shipments.cancel": cancel_shipment,
    "storage_units.create": create_storage_unit_record,
}


def handler_for(op: Operation) -> Handler | None:
    """The REST handler of an operation; generic create/update for plain resources."""
    if op.name in HANDLERS:
        return HANDLERS[op.name]
    if op.envelope == "jsonapi" and op.action in ("create", "update"):
        return create_record if op.action == "create" else update_record
    return None
