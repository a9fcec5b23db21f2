"""Stock records: hold, release, move, and allocation against orders.

A stock record (resource ``stocks``) holds ``quantity`` of one product for one account at one location;
``allocated_quantity`` (0 when absent) of it is promised to orders, and ``status`` is ``available`` or
``held``. Free to allocate = quantity - allocated_quantity of available records. Each allocation is
kept as a ``stock_allocations`` record (stock, order, line, quantity) so a cancel can give back exactly
what the order took.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import records
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record, Store

STOCKS = "stocks"
ALLOCATIONS = "stock_allocations"
AVAILABLE, HELD = "available", "held"


def tidy(number: float) -> int | float:
    """A whole number as an int, so quantities read 12, not 12.0, in responses."""
    return int(number) if float(number).is_integer() else number


def allocated(stock: Record) -> float:
    """The quantity of the record promised to orders."""
    return float(stock.attributes.get("allocated_quantity") or 0)


def unallocated(stock: Record) -> float:
    """The quantity not promised to any order (held or not)."""
    return float(stock.attributes.get("quantity") or 0) - allocated(stock)


def free(stock: Record) -> float:
    """The quantity an order may still take: unallocated, and none while held."""
    return unallocated(stock) if stock.attributes.get("status") == AVAILABLE else 0.0


def sources(
    store: Store, tenant: str, product_id: int, account_id: int, warehouse_id: int | None
) -> list[Record]:
    """Records with free stock of a product for an account (in a warehouse when one is given)."""
    where: dict[str, Any] = {"product_id": product_id, "account_id": account_id}
    if warehouse_id is not None:
        where["warehouse_id"] = warehouse_id
    return [s for s in store.find(tenant, STOCKS, **where) if free(s) > 0]


def allocate(store: Store, tenant: str, order: Record, line: Record, quantity: float) -> float:
    """Allocate up to ``quantity`` of a line's product to its order; return how much was allocated.

    Stock of the order's account (and warehouse, when the order names one), oldest records first.
    """
    product_id = line.attributes["product_id"]
    account_id = order.attributes["account_id"]
    taken = 0.0
    for stock in sources(
        store, tenant, product_id, account_id, order.attributes.get("warehouse_id")
    ):
        part = min(free(stock), quantity - taken)
        stock.attributes["allocated_quantity"] = tidy(allocated(stock) + part)
        store.save(tenant, stock)
        store.create(
            tenant,
            ALLOCATIONS,
            {
                "stock_id": stock.id,
                "goods_out_id": order.id,
                "goods_out_line_id": line.id,
                "quantity": tidy(part),
            },
        )
        taken += part
        if taken >= quantity:
            break
    return taken


def release_order(store: Store, tenant: str, goods_out_id: int) -> None:
    """Give back every stock allocation of an order (on cancel)."""
    for allocation in store.find(tenant, ALLOCATIONS, goods_out_id=goods_out_id):
        stock = store.get(tenant, STOCKS, allocation.attributes["stock_id"])
        if stock is not None:
            left = allocated(stock) - float(allocation.attributes["quantity"])
            stock.attributes["allocated_quantity"] = tidy(max(0.0, left))
            store.save(tenant, stock)
        store.delete(tenant, ALLOCATIONS, allocation.id)


def check_reason_code(
    store: Store, tenant: str, reason_code_id: int | None, reason_type: str, pointer: str
) -> None:
    """A given reason code must exist, be of ``reason_type`` and be active."""
    if reason_code_id is None:
        return
    code = store.get(tenant, "reason_codes", reason_code_id)
    if code is None:
        raise unprocessable(
            pointer,
            "unknown_reference",
            f"reason_code_id {reason_code_id} does not exist in this tenant's reason_codes",
            hint=f"create a reason code with reason_type {reason_type} first",
        )
    actual = code.attributes.get("reason_type")
    if actual != reason_type or code.attributes.get("active") is False:
        state = "inactive" if actual == reason_type else f"of reason_type {actual}"
        raise unprocessable(
            pointer,
            "unsuitable_reference",
            f"reason code {reason_code_id} is {state}; this needs an active {reason_type} reason code",
        )


def _set_status(ctx: Ctx, status: str, reason_type: str) -> Record:
    body = ctx.body
    named = records.load_many(
        ctx, STOCKS, body["ids"], "stock", "use stock record ids as GraphQL stocks returns them"
    )
    stocks = list({stock.id: stock for stock in named}.values())  # each record once
    check_reason_code(
        ctx.store, ctx.tenant, body.get("reason_code_id"), reason_type, "/reason_code_id"
    )
    for stock in stocks:
        if status == HELD and allocated(stock) > 0:
            raise unprocessable(
                f"/ids/{body['ids'].index(stock.id)}",
                "invalid_state",
                f"stock {stock.id} has {allocated(stock):g} allocated to orders and cannot be held",
                hint="cancel or process the orders that hold it first",
            )
        stock.attributes["status"] = status
        ctx.store.save(ctx.tenant, stock)
    return stocks[0]


def hold(ctx: Ctx) -> Record:
    """POST /api/stocks/hold: exclude the records from allocation; answers the first record."""
    return _set_status(ctx, HELD, "hold")


def release(ctx: Ctx) -> Record:
    """POST /api/stocks/release: make the records allocatable again; answers the first record."""
    return _set_status(ctx, AVAILABLE, "release")


def _check_destination(ctx: Ctx, stock: Record, location_id: int) -> None:
    pointer = "/data/attributes/to_location_id"
    location = ctx.store.get(ctx.tenant, "locations", location_id)
    if location is None:
        raise unprocessable(
            pointer,
            "unknown_reference",
            f"to_location_id {location_id} does not exist in this tenant's locations",
        )
    warehouse = stock.attributes.get("warehouse_id")
    if location.attributes.get("warehouse_id") != warehouse:
        raise unprocessable(
            pointer,
            "unsuitable_reference",
            f"location {location_id} is in warehouse {location.attributes.get('warehouse_id')}, "
            f"stock {stock.id} in warehouse {warehouse}; a move stays in one warehouse",
        )
    if stock.attributes.get("location_id") == location_id:
        raise unprocessable(
            pointer,
            "unsuitable_reference",
            f"stock {stock.id} is already at location {location_id}",
        )


def move(ctx: Ctx) -> Record:
    """POST /api/stocks/{id}/move: all of it (the record moves) or part (split at the destination).

    Held stock may move and stays held (quarantine moves are the usual reason); allocated stock may
    not. Moved stock leaves its storage unit behind (``storage_unit_id`` null).
    """
    stock = records.load(ctx, STOCKS)
    attributes = ctx.attributes
    quantity = float(attributes["quantity"])
    if quantity > unallocated(stock):
        raise unprocessable(
            "/data/attributes/quantity",
            "not_enough_stock",
            f"stock {stock.id} has {unallocated(stock):g} free to move, not {quantity:g}",
        )
    _check_destination(ctx, stock, attributes["to_location_id"])
    check_reason_code(
        ctx.store,
        ctx.tenant,
        attributes.get("reason_code_id"),
        "transfer",
        "/data/attributes/reason_code_id",
    )
    place = {"location_id": attributes["to_location_id"], "storage_unit_id": None}
    if quantity == float(stock.attributes["quantity"]):
        stock.attributes.update(place)
        return ctx.store.save(ctx.tenant, stock)
    stock.attributes["quantity"] = tidy(float(stock.attributes["quantity"]) - quantity)
    ctx.store.save(ctx.tenant, stock)
    moved = {**stock.attributes, **place, "quantity": tidy(quantity), "allocated_quantity": 0}
    return ctx.store.create(ctx.tenant, STOCKS, moved)


HANDLERS = {"stocks.hold": hold, "stocks.release": release, "stocks.move": move}
