"""Goods out processing: pick processing, consolidation, shorting, replenishment.

Pick processing is all or nothing: every order is checked (vendor errors 36, 37, 59, 318) and every
line allocated (39) before the caller's transaction commits, so a refused request changes nothing.
The vendor queues the work and reports it through GraphQL ``pick_processing_requests``; the mock does
it at once, so each request record reads ``completed``. Each stock allocation of a processed order gets
an AVAILABLE PICK task on the order's pick list (``picking.add_pick_tasks``), whoever processed it:
the integrator through REST or the floor.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from mock_server.domain import picking, records, stock
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable, VendorError
from mock_server.domain.facts import status_codes, vendor_errors
from mock_server.domain.goods_in import create_task
from mock_server.domain.goods_outs import (
    ALLOCATED,
    LINES,
    NAMES,
    ORDERS,
    PART_ALLOCATED,
    PENDING,
    PICK,
    status,
)
from mock_server.domain.references import check_references
from mock_server.domain.tasks import REPLEN
from mock_server.domain.transitions import create as create_in_status
from mock_server.domain.transitions import transition
from mock_server.store import Record

PICK_LISTS = "goods_out_pick_lists"
REQUESTS = "pick_processing_requests"
SHORTS = "short_order_line_audits"
_BAY = "/goods_out_pick_list_attributes/goods_out_bay_id"
(REQUEST_COMPLETED,) = status_codes(REQUESTS, "status", "completed")
EMPTY_IDS, INVALID_IDS, NOT_ENOUGH_STOCK, ALREADY_ALLOCATED, NOT_CONSOLIDABLE = vendor_errors(
    "empty_ids_provided",
    "invalid_ids_provided",
    "not_enough_stocks_for_picking",
    "goods_out_already_allocated",
    "goods_outs_with_different_pick_types_cannot_be_consolidated",
)


@dataclass(frozen=True)
class Processing:
    """What pick processing made: the request references (one per pick list) and the pick lists."""

    references: list[str]
    pick_lists: list[Record]


@dataclass(frozen=True)
class Shortfall:
    """A line that free stock could not cover: it needed ``needed`` and got ``got``."""

    line: Record
    needed: float
    got: float


def _orders(env: Env, ids: list[int]) -> list[tuple[int, Record]]:
    """The named orders with the index of their first mention in ``ids`` (36 and 37 checked)."""
    if not ids:
        # The contract's minItems refuses [] first (rule min_items); this guards direct callers.
        raise VendorError(
            EMPTY_IDS.code, EMPTY_IDS.symbol, "ids is empty: name at least one goods out", "/ids"
        )
    found: dict[int, tuple[int, Record]] = {}
    for index, goods_out_id in enumerate(ids):
        order = env.store.get(env.tenant, ORDERS, goods_out_id)
        if order is None:
            raise VendorError(
                INVALID_IDS.code,
                INVALID_IDS.symbol,
                f"goods out {goods_out_id} does not exist in this tenant",
                f"/ids/{index}",
            )
        found.setdefault(goods_out_id, (index, order))
    return list(found.values())


# The processing pages name PENDING and ALLOCATED; the support article on shorting says a
# part-allocated order "can be re-processed when stock becomes available", so PART_ALLOCATED too.
# https://documentation.claruswms.com/knowledgebase/accounts/short-order-lines
PROCESSABLE = (PENDING, ALLOCATED, PART_ALLOCATED)


def _check_processable(orders: list[tuple[int, Record]]) -> None:
    for index, order in orders:
        current = status(order)
        if current not in PROCESSABLE:
            raise VendorError(
                ALREADY_ALLOCATED.code,
                ALREADY_ALLOCATED.symbol,
                f"goods out {order.id} is {NAMES.get(current, current)}; picks can be processed "
                "only for PENDING, ALLOCATED or PART_ALLOCATED orders",
                f"/ids/{index}",
            )


def allocate_order(env: Env, order: Record) -> list[Shortfall]:
    """Allocate what each line still needs from free stock, oldest records first.

    Shorted lines need nothing more. Returns a :class:`Shortfall` for every line left short; the
    caller decides what a shortfall means (pick processing refuses it with vendor error 39).
    """
    short = []
    wanting = []
    for line in env.store.children(env.tenant, LINES, order.id):
        have = float(line.attributes.get("allocated_quantity") or 0)
        need = float(line.attributes["order_quantity"]) - have
        if line.attributes.get("short_status") != "short" and need > 0:
            wanting.append((line, have, need))
    candidates = stock.sources_by_product(
        env,
        {line.attributes["product_id"] for line, _, _ in wanting},
        order.attributes["account_id"],
        order.attributes.get("warehouse_id"),
    )
    for line, have, need in wanting:
        got = stock.allocate(
            env, order, line, need, candidates.get(line.attributes["product_id"], [])
        )
        allocated = stock.tidy(have + got)
        if line.attributes.get("allocated_quantity") != allocated:  # no write for no change
            line.attributes["allocated_quantity"] = allocated
            env.store.save(env.tenant, line)
        if got < need:
            short.append(Shortfall(line, need, got))
    return short


def _allocate_order(env: Env, index: int, order: Record) -> None:
    """Allocate every line in full (39 otherwise: the caller rolls back); the order goes to PICK."""
    for shortfall in allocate_order(env, order):
        raise VendorError(
            NOT_ENOUGH_STOCK.code,
            NOT_ENOUGH_STOCK.symbol,
            f"goods out {order.id}: product {shortfall.line.attributes['product_id']} needs "
            f"{shortfall.needed:g} and account {order.attributes['account_id']} has "
            f"{shortfall.got:g} available in the order's warehouse; nothing was allocated",
            f"/ids/{index}",
        )
    transition(env, order, PICK)


def _pick_list(env: Env, orders: list[Record], settings: dict[str, Any]) -> Record:
    """One pick list for ``orders``; its ``status`` is the goods-out status code GraphQL shows."""
    reference = settings.get("goods_out_pick_list_reference")
    pick_list = env.store.create(
        env.tenant,
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
        env.store.save(env.tenant, pick_list)
    return pick_list


def _record_request(env: Env, orders: list[Record]) -> str:
    reference = secrets.token_hex(6)
    for order in orders:
        create_in_status(
            env,
            REQUESTS,
            {
                "process_reference": reference,
                "status": REQUEST_COMPLETED,
                "message": None,
                "goods_out_id": order.id,
                "created_at": env.clock.iso(),
            },
        )
    return reference


def process_picks_async(env: Env, ids: list[int]) -> Processing:
    """Allocate each named order in full and give it its own pick list and request reference.

    https://documentation.claruswms.com/api-reference/goods-out:-pick-lists/process-picks-asynchronously.
    The orders go to PICK. Raises VendorError 36 (no ids), 37 (unknown id), 59 (not PENDING,
    ALLOCATED or PART_ALLOCATED) or 39 (not enough free stock), at ``/ids/<i>``.
    """
    orders = _orders(env, ids)
    _check_processable(orders)
    references, pick_lists = [], []
    for index, order in orders:
        _allocate_order(env, index, order)
        pick_list = _pick_list(env, [order], {})
        picking.add_pick_tasks(env, order, pick_list)
        pick_lists.append(pick_list)
        references.append(_record_request(env, [order]))
    return Processing(references, pick_lists)


def _check_bay(env: Env, bay_id: int | None) -> None:
    if bay_id is None:
        return
    bay = env.store.get(env.tenant, "locations", bay_id)
    if bay is None:
        raise Unprocessable(
            _BAY, "unknown_reference", f"goods_out_bay_id {bay_id} does not exist in this tenant"
        )
    kind = env.store.get(env.tenant, "location_types", bay.attributes.get("location_type_id") or 0)
    code = kind.attributes.get("code") if kind else None
    if code != picking.GOODS_OUT_BAY:
        raise Unprocessable(
            _BAY,
            "unsuitable_reference",
            f"location {bay_id} is of location type {code}, not {picking.GOODS_OUT_BAY}",
            hint="use a goods-out bay: a location whose location type code is "
            f"{picking.GOODS_OUT_BAY}",
        )


def _check_consolidable(orders: list[tuple[int, Record]]) -> None:
    """Crossdock orders are never consolidated: refused with 318 rather than silently left out."""
    for index, order in orders:
        if order.attributes.get("goods_out_type") == "crossdock":
            raise VendorError(
                NOT_CONSOLIDABLE.code,
                NOT_CONSOLIDABLE.symbol,
                f"goods out {order.id} is a crossdock order; crossdock orders are never "
                "consolidated (process it with process_picks_async)",
                f"/ids/{index}",
            )


def process_and_consolidate_picks(
    env: Env, ids: list[int], settings: dict[str, Any] | None = None
) -> Processing:
    """Allocate the named orders in full onto one pick list, with one request reference.

    https://documentation.claruswms.com/api-reference/goods-out:-pick-lists/process-and-consolidate-picks.
    ``settings``: the optional ``goods_out_pick_list_attributes`` (reference, expected date of
    dispatch, a GOBAY ``goods_out_bay_id``). Raises as :func:`process_picks_async`, VendorError 318
    for a crossdock order, and Unprocessable for an unknown or unsuitable bay.
    """
    orders = _orders(env, ids)
    settings = settings or {}
    _check_bay(env, settings.get("goods_out_bay_id"))
    _check_processable(orders)
    _check_consolidable(orders)
    for index, order in orders:
        _allocate_order(env, index, order)
    plain_orders = [order for _, order in orders]
    pick_list = _pick_list(env, plain_orders, settings)
    for order in plain_orders:
        picking.add_pick_tasks(env, order, pick_list)
    return Processing([_record_request(env, plain_orders)], [pick_list])


def is_short_pickable(account: Record) -> bool:
    """Whether an account lets its orders be shorted (the short order lines page's prerequisite)."""
    return account.attributes.get("is_short_pickable") is True


def _check_shortable(env: Env, index: int, order: Record) -> None:
    # The vendor: orders "should be" PART_ALLOCATED. An ALLOCATED order has nothing unallocated,
    # so shorting it changes nothing and is accepted; orders not yet allocated are refused.
    current = status(order)
    if current not in (PART_ALLOCATED, ALLOCATED):
        raise Unprocessable(
            f"/ids/{index}",
            "invalid_state",
            f"goods out {order.id} is {NAMES.get(current, current)}; only PART_ALLOCATED (or "
            "ALLOCATED, with nothing to short) orders can have lines shorted",
        )
    account = env.store.get(env.tenant, "accounts", order.attributes["account_id"])
    if account is None or not is_short_pickable(account):
        raise Unprocessable(
            f"/ids/{index}",
            "unsuitable_reference",
            f"account {order.attributes['account_id']} of goods out {order.id} is not "
            "short-pickable",
        )


def _short(env: Env, order: Record, description: str, reason_code_id: int | None) -> None:
    """Mark each line's unallocated quantity short; the order is then fully allocated."""
    for line in env.store.children(env.tenant, LINES, order.id):
        short = float(line.attributes["order_quantity"]) - float(
            line.attributes.get("allocated_quantity") or 0
        )
        if short <= 0:
            continue
        line.attributes["short_status"] = "short"
        env.store.save(env.tenant, line)
        env.store.create(
            env.tenant,
            SHORTS,
            {
                "goods_out_id": order.id,
                "goods_out_line_id": line.id,
                "quantity": stock.tidy(short),
                "description": description,
                "reason_code_id": reason_code_id,
                "created_at": env.clock.iso(),
            },
        )
    transition(env, order, ALLOCATED)  # an ALLOCATED order stays so


def short_order_lines(
    env: Env, ids: list[int], description: str, reason_code_id: int | None = None
) -> list[Record]:
    """Short the unallocated quantity of each named order's lines; returns the orders.

    https://documentation.claruswms.com/api-reference/goods-out:-processing/short-order-lines.
    Raises VendorError 36 or 37, and Unprocessable for a ``short_order_lines`` reason code that is
    unknown, of another type or inactive, an order not PART_ALLOCATED or ALLOCATED, or an account
    that is not short-pickable.
    """
    orders = _orders(env, ids)
    stock.check_reason_code(env, reason_code_id, "short_order_lines", "/reason_code_id")
    for index, order in orders:
        _check_shortable(env, index, order)
        _short(env, order, description, reason_code_id)
    return [order for _, order in orders]


def _replenishment_source(
    env: Env, product_id: int, account_id: int, pickface: Record
) -> Record | None:
    """The first record with free stock of the product and account elsewhere than a pick face."""
    warehouse_id = pickface.attributes.get("warehouse_id")
    for source in stock.sources(env, product_id, account_id, warehouse_id):
        location = env.store.get(env.tenant, "locations", source.attributes["location_id"])
        if location is not None and not location.attributes.get("is_pickface"):
            return source
    return None


def trigger_replenishment(
    env: Env, product_id: int, account_id: int, location_id: int
) -> list[Record]:
    """A REPLEN task from bulk stock to the pick face ``location_id``, if any stock is free.

    https://documentation.claruswms.com/api-reference/replenishment/trigger-replenishment. Returns
    the tasks made (none when no stock is free elsewhere). Raises Unprocessable for an unknown
    reference or a location that is not a pick face.
    """
    named = {"account_id": account_id, "location_id": location_id, "product_id": product_id}
    check_references(env.store, env.tenant, named, "")
    pickface = records.load(env, "locations", location_id)
    if pickface.attributes.get("is_pickface") is False:
        raise Unprocessable(
            "/location_id",
            "unsuitable_reference",
            f"location {pickface.id} is not a pick face",
            hint="replenishment fills a pick face (a location with is_pickface true)",
        )
    source = _replenishment_source(env, product_id, account_id, pickface)
    if source is None:
        return []
    task = create_task(
        env,
        REPLEN,
        product_id=product_id,
        account_id=account_id,
        warehouse_id=pickface.attributes.get("warehouse_id"),
        location_from_id=source.attributes["location_id"],
        location_to_id=pickface.id,
        start_quantity=stock.tidy(stock.free(source)),
    )
    return [task]
