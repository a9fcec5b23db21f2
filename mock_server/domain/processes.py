"""Goods out processing: pick processing, consolidation, shorting, replenishment.

Pick processing is all or nothing: every order is checked (vendor errors 36, 37, 59, 318) and every
line allocated (39) before the request's transaction commits, so a refused request changes nothing.
The vendor queues the work and reports it through GraphQL ``pick_processing_requests``; the mock does
it at once, so each request record reads ``completed``. Pick tasks are not created here (tasks are the
floor's part of the model).
"""

from __future__ import annotations

import secrets
from typing import Any

from mock_server.domain import records, stock
from mock_server.domain.goods_outs import ALLOCATED, LINES, NAMES, PART_ALLOCATED, PENDING, PICK
from mock_server.domain.references import check_references
from mock_server.errors import domain_error, unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record, Store

PICK_LISTS = "goods_out_pick_lists"
REQUESTS = "pick_processing_requests"
SHORTS = "short_order_line_audits"
_BAY = "/goods_out_pick_list_attributes/goods_out_bay_id"


def _orders(ctx: Ctx) -> list[tuple[int, Record]]:
    """The named orders with the index of their first mention in ``ids`` (36 and 37 checked)."""
    ids = ctx.body.get("ids") or []
    if not ids:
        # The contract's minItems refuses [] first (rule min_items); this guards direct callers.
        raise domain_error(
            36, "empty_ids_provided", "ids is empty: name at least one goods out", "/ids"
        )
    found: dict[int, tuple[int, Record]] = {}
    for index, goods_out_id in enumerate(ids):
        order = ctx.store.get(ctx.tenant, "goods_outs", goods_out_id)
        if order is None:
            raise domain_error(
                37,
                "invalid_ids_provided",
                f"goods out {goods_out_id} does not exist in this tenant",
                f"/ids/{index}",
            )
        found.setdefault(goods_out_id, (index, order))
    return list(found.values())


def _status(order: Record) -> int:
    return int(order.attributes.get("goods_out_status_id", PENDING))


# The processing pages name PENDING and ALLOCATED; the support article on shorting says a
# part-allocated order "can be re-processed when stock becomes available", so PART_ALLOCATED too.
# https://documentation.claruswms.com/knowledgebase/accounts/short-order-lines
PROCESSABLE = (PENDING, ALLOCATED, PART_ALLOCATED)


def _check_processable(orders: list[tuple[int, Record]]) -> None:
    for index, order in orders:
        status = _status(order)
        if status not in PROCESSABLE:
            raise domain_error(
                59,
                "goods_out_already_allocated",
                f"goods out {order.id} is {NAMES.get(status, status)}; picks can be processed "
                "only for PENDING, ALLOCATED or PART_ALLOCATED orders",
                f"/ids/{index}",
            )


def allocate_order(store: Store, tenant: str, order: Record) -> list[tuple[Record, float, float]]:
    """Allocate what each line still needs from free stock, oldest records first.

    Shorted lines need nothing more. Returns ``(line, needed, got)`` for every line left short; the
    caller decides what a shortfall means (pick processing refuses it with vendor error 39).
    """
    short = []
    for line in store.children(tenant, LINES, order.id):
        have = float(line.attributes.get("allocated_quantity") or 0)
        need = float(line.attributes["order_quantity"]) - have
        if line.attributes.get("short_status") == "short" or need <= 0:
            continue
        got = stock.allocate(store, tenant, order, line, need)
        line.attributes["allocated_quantity"] = stock.tidy(have + got)
        store.save(tenant, line)
        if got < need:
            short.append((line, need, got))
    return short


def _allocate_order(ctx: Ctx, index: int, order: Record) -> None:
    """Allocate every line in full (39 otherwise: the request rolls back); the order goes to PICK."""
    for line, need, got in allocate_order(ctx.store, ctx.tenant, order):
        raise domain_error(
            39,
            "not_enough_stocks_for_picking",
            f"goods out {order.id}: product {line.attributes['product_id']} needs {need:g} "
            f"and account {order.attributes['account_id']} has {got:g} available "
            "in the order's warehouse; nothing was allocated",
            f"/ids/{index}",
        )
    order.attributes["goods_out_status_id"] = PICK
    ctx.store.save(ctx.tenant, order)


def _pick_list(ctx: Ctx, orders: list[Record], settings: dict[str, Any]) -> Record:
    """One pick list for ``orders``; its ``status`` is the goods-out status code GraphQL shows."""
    reference = settings.get("goods_out_pick_list_reference")
    pick_list = ctx.store.create(
        ctx.tenant,
        PICK_LISTS,
        {
            "goods_out_id": orders[0].id,
            "goods_out_ids": [o.id for o in orders],
            "reference": reference,
            "pick_type": "standard",
            "status": NAMES[PICK],
            "expected_date_of_dispatch": settings.get("expected_date_of_dispatch"),
            "goods_out_bay_id": settings.get("goods_out_bay_id"),
        },
    )
    if reference is None:
        pick_list.attributes["reference"] = f"PL-{pick_list.id:06d}"
        ctx.store.save(ctx.tenant, pick_list)
    return pick_list


def _record_request(ctx: Ctx, orders: list[Record]) -> str:
    reference = secrets.token_hex(6)
    for order in orders:
        ctx.store.create(
            ctx.tenant,
            REQUESTS,
            {
                "process_reference": reference,
                "status": "completed",
                "message": None,
                "goods_out_id": order.id,
                "created_at": ctx.clock.iso(),
            },
        )
    return reference


def process_picks_async(ctx: Ctx) -> Record:
    """POST /api/goods_out_processes/process_picks_async: a pick list and a reference per order."""
    orders = _orders(ctx)
    _check_processable(orders)
    references = []
    for index, order in orders:
        _allocate_order(ctx, index, order)
        _pick_list(ctx, [order], {})
        references.append(_record_request(ctx, [order]))
    return Record(REQUESTS, 0, {"process_references": references}, {})


def _check_bay(ctx: Ctx, bay_id: int | None) -> None:
    if bay_id is None:
        return
    bay = ctx.store.get(ctx.tenant, "locations", bay_id)
    if bay is None:
        raise unprocessable(
            _BAY, "unknown_reference", f"goods_out_bay_id {bay_id} does not exist in this tenant"
        )
    kind = ctx.store.get(ctx.tenant, "location_types", bay.attributes.get("location_type_id") or 0)
    code = kind.attributes.get("code") if kind else None
    if code != "GOBAY":
        raise unprocessable(
            _BAY,
            "unsuitable_reference",
            f"location {bay_id} is of location type {code}, not GOBAY",
            hint="use a goods-out bay: a location whose location type code is GOBAY",
        )


def _check_consolidable(orders: list[tuple[int, Record]]) -> None:
    """Crossdock orders are never consolidated: refused with 318 rather than silently left out."""
    for index, order in orders:
        if order.attributes.get("goods_out_type") == "crossdock":
            raise domain_error(
                318,
                "goods_outs_with_different_pick_types_cannot_be_consolidated",
                f"goods out {order.id} is a crossdock order; crossdock orders are never "
                "consolidated (process it with process_picks_async)",
                f"/ids/{index}",
            )


def process_and_consolidate_picks(ctx: Ctx) -> Record:
    """POST /api/goods_out_processes/process_and_consolidate_picks: one pick list for all orders."""
    orders = _orders(ctx)
    settings = ctx.body.get("goods_out_pick_list_attributes") or {}
    _check_bay(ctx, settings.get("goods_out_bay_id"))
    _check_processable(orders)
    _check_consolidable(orders)
    for index, order in orders:
        _allocate_order(ctx, index, order)
    plain_orders = [order for _, order in orders]
    _pick_list(ctx, plain_orders, settings)
    return Record(REQUESTS, 0, {"process_references": [_record_request(ctx, plain_orders)]}, {})


def is_short_pickable(account: Record) -> bool:
    """Whether an account lets its orders be shorted (the short order lines page's prerequisite)."""
    return account.attributes.get("is_short_pickable") is True


def _check_shortable(ctx: Ctx, index: int, order: Record) -> None:
    # The vendor: orders "should be" PART_ALLOCATED. An ALLOCATED order has nothing unallocated,
    # so shorting it changes nothing and is accepted; orders not yet allocated are refused.
    status = _status(order)
    if status not in (PART_ALLOCATED, ALLOCATED):
        raise unprocessable(
            f"/ids/{index}",
            "invalid_state",
            f"goods out {order.id} is {NAMES.get(status, status)}; only PART_ALLOCATED (or "
            "ALLOCATED, with nothing to short) orders can have lines shorted",
        )
    account = ctx.store.get(ctx.tenant, "accounts", order.attributes["account_id"])
    if account is None or not is_short_pickable(account):
        raise unprocessable(
            f"/ids/{index}",
            "unsuitable_reference",
            f"account {order.attributes['account_id']} of goods out {order.id} is not "
            "short-pickable",
        )


def _short(ctx: Ctx, order: Record) -> None:
    """Mark each line's unallocated quantity short; the order is then fully allocated."""
    for line in ctx.store.children(ctx.tenant, LINES, order.id):
        short = float(line.attributes["order_quantity"]) - float(
            line.attributes.get("allocated_quantity") or 0
        )
        if short <= 0:
            continue
        line.attributes["short_status"] = "short"
        ctx.store.save(ctx.tenant, line)
        ctx.store.create(
            ctx.tenant,
            SHORTS,
            {
                "goods_out_id": order.id,
                "goods_out_line_id": line.id,
                "quantity": stock.tidy(short),
                "description": ctx.body["description"],
                "reason_code_id": ctx.body.get("reason_code_id"),
                "created_at": ctx.clock.iso(),
            },
        )
    order.attributes["goods_out_status_id"] = ALLOCATED
    ctx.store.save(ctx.tenant, order)


def short_order_lines(ctx: Ctx) -> Record:
    """POST /api/goods_out_processes/short_order_lines: answers the ids of the shorted orders."""
    orders = _orders(ctx)
    stock.check_reason_code(
        ctx.store,
        ctx.tenant,
        ctx.body.get("reason_code_id"),
        "short_order_lines",
        "/reason_code_id",
    )
    for index, order in orders:
        _check_shortable(ctx, index, order)
        _short(ctx, order)
    return Record(LINES, 0, {"ids": [order.id for _, order in orders]}, {})


def _replenishment_source(ctx: Ctx, pickface: Record) -> Record | None:
    """The first record with free stock of the product and account elsewhere than a pick face."""
    body = ctx.body
    warehouse_id = pickface.attributes.get("warehouse_id")
    for source in stock.sources(
        ctx.store, ctx.tenant, body["product_id"], body["account_id"], warehouse_id
    ):
        location = ctx.store.get(ctx.tenant, "locations", source.attributes["location_id"])
        if location is not None and not location.attributes.get("is_pickface"):
            return source
    return None


def trigger_replenishment(ctx: Ctx) -> Record:
    """POST /api/goods_out_processes/trigger_replenishment: a REPLEN task from bulk, if any stock."""
    body = ctx.body
    check_references(ctx.store, ctx.tenant, body, "")
    pickface = records.load(ctx, "locations", body["location_id"])
    if pickface.attributes.get("is_pickface") is False:
        raise unprocessable(
            "/location_id",
            "unsuitable_reference",
            f"location {pickface.id} is not a pick face",
            hint="replenishment fills a pick face (a location with is_pickface true)",
        )
    source = _replenishment_source(ctx, pickface)
    if source is None:
        return Record("tasks", 0, {"task_ids": []}, {})
    task = ctx.store.create(
        ctx.tenant,
        "tasks",
        {
            "status": "AVAILABLE",
            "task_type_code": "REPLEN",
            "subtype": "standard",
            "product_id": body["product_id"],
            "account_id": body["account_id"],
            "warehouse_id": pickface.attributes.get("warehouse_id"),
            "location_from_id": source.attributes["location_id"],
            "location_to_id": pickface.id,
            "start_quantity": stock.tidy(stock.free(source)),
            "created_at": ctx.clock.iso(),
        },
    )
    return Record("tasks", 0, {"task_ids": [task.id]}, {})


HANDLERS = {
    "goods_out_processes.process_picks_async": process_picks_async,
    "goods_out_processes.process_and_consolidate_picks": process_and_consolidate_picks,
    "goods_out_processes.short_order_lines": short_order_lines,
    "goods_out_processes.trigger_replenishment": trigger_replenishment,
}
