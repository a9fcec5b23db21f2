"""Stock records: hold, release, move, and allocation against orders.

A stock record (resource ``stocks``) holds ``quantity`` of one product for one account at one location;
``allocated_quantity`` (0 when absent) of it is promised to orders, and ``status`` is ``available`` or
``held``. Free to allocate = quantity - allocated_quantity of available records. Each allocation is
kept as a ``stock_allocations`` record (stock, order, line, quantity) so a cancel can give back exactly
what the order took.
"""

from __future__ import annotations

from collections.abc import Mapping

from mock_server.domain import records
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.facts import movements, status_codes
from mock_server.domain.transitions import create as create_in_status
from mock_server.domain.transitions import transition
from mock_server.store import Cond, Record

STOCKS = "stocks"
PICKED, DISPATCHED = movements(STOCKS, "picked", "dispatched")
ALLOCATIONS = "stock_allocations"
AVAILABLE, HELD = status_codes(STOCKS, "status", "available", "held")


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


def sources(env: Env, product_id: int, account_id: int, warehouse_id: int | None) -> list[Record]:
    """Records with free stock of a product for an account (in a warehouse when one is given)."""
    return sources_by_product(env, {product_id}, account_id, warehouse_id).get(product_id, [])


def sources_by_product(
    env: Env, product_ids: set[int], account_id: int, warehouse_id: int | None
) -> dict[int, list[Record]]:
    """:func:`sources` for several products in one query: ``{product_id: records}``, oldest first.

    An order's lines share these records: allocating one line changes them in place, so the next
    line sees what is left (a 20-line order asked the store 20 times before).
    """
    where: list[Cond] = [
        Cond("product_id", "in", sorted(product_ids)),
        Cond("account_id", "eq", account_id),
    ]
    if warehouse_id is not None:
        where.append(Cond("warehouse_id", "eq", warehouse_id))
    found: dict[int, list[Record]] = {}
    for stock in env.store.query(env.tenant, STOCKS, where):
        if free(stock) > 0:
            found.setdefault(stock.attributes["product_id"], []).append(stock)
    return found


def allocate(
    env: Env, order: Record, line: Record, quantity: float, candidates: list[Record]
) -> float:
    """Allocate up to ``quantity`` of a line's product to its order; return how much was allocated.

    ``candidates``: the stock of the order's account (and warehouse, when the order names one)
    with the line's product, oldest first (:func:`sources_by_product`).
    """
    taken = 0.0
    for stock in candidates:
        if free(stock) <= 0:
            continue  # an earlier line of the order took the rest
        part = min(free(stock), quantity - taken)
        stock.attributes["allocated_quantity"] = tidy(allocated(stock) + part)
        env.store.save(env.tenant, stock)
        env.store.create(
            env.tenant,
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


def release_order(env: Env, goods_out_id: int) -> None:
    """Give back every stock allocation of an order (on cancel)."""
    for allocation in env.store.find(env.tenant, ALLOCATIONS, goods_out_id=goods_out_id):
        stock = env.store.get(env.tenant, STOCKS, allocation.attributes["stock_id"])
        if stock is not None:
            left = allocated(stock) - float(allocation.attributes["quantity"])
            stock.attributes["allocated_quantity"] = tidy(max(0.0, left))
            env.store.save(env.tenant, stock)
        env.store.delete(env.tenant, ALLOCATIONS, allocation.id)


def dispatch_order(env: Env, order: Record, picked: Mapping[int, float]) -> None:
    """The order's picked stock leaves the warehouse and its allocations end.

    ``picked`` is what was picked of each allocation (by allocation id; none when absent, never
    more than the allocation). That much comes off the stock record's ``quantity`` (a record left
    with nothing stays, at 0) and a DISP transaction records the movement; the whole allocation
    comes off its ``allocated_quantity``, so what was allocated and not picked is free again.
    """
    for allocation in env.store.find(env.tenant, ALLOCATIONS, goods_out_id=order.id):
        quantity = float(allocation.attributes["quantity"])
        leaving = min(quantity, max(0.0, float(picked.get(allocation.id, 0.0))))
        stock = env.store.get(env.tenant, STOCKS, allocation.attributes["stock_id"])
        if stock is not None:
            stock.attributes["quantity"] = tidy(
                max(0.0, float(stock.attributes["quantity"]) - leaving)
            )
            stock.attributes["allocated_quantity"] = tidy(max(0.0, allocated(stock) - quantity))
            env.store.save(env.tenant, stock)
            if leaving > 0:
                env.store.note(STOCKS, stock.id, DISPATCHED)
                ledger(
                    env,
                    "DISP",
                    stock,
                    leaving,
                    goods_out_id=order.id,
                    location_from_id=stock.attributes.get("location_id"),
                )
        env.store.delete(env.tenant, ALLOCATIONS, allocation.id)


TRANSACTIONS = "transactions"


def ledger(env: Env, category: str, stock: Record, quantity: float, **where: int | None) -> Record:
    """A stock movement in the ``transactions`` ledger (GraphQL ``transactions``,
    https://documentation.claruswms.com/api-reference/transactions/list-transactions): ``category``
    and ``subtype`` are the task type that moved it (``RCV``, ``PICK``, ``DISP``); ``where`` names
    the order or receipt and the locations."""
    return env.store.create(
        env.tenant,
        TRANSACTIONS,
        {
            "category": category,
            "subtype": category,
            "quantity": tidy(quantity),
            "product_id": stock.attributes.get("product_id"),
            "account_id": stock.attributes.get("account_id"),
            "warehouse_id": stock.attributes.get("warehouse_id"),
            **where,
        },
    )


def check_reason_code(env: Env, reason_code_id: int | None, reason_type: str, pointer: str) -> None:
    """A given reason code must exist, be of ``reason_type`` and be active (Unprocessable)."""
    if reason_code_id is None:
        return
    code = env.store.get(env.tenant, "reason_codes", reason_code_id)
    if code is None:
        raise Unprocessable(
            pointer,
            "unknown_reference",
            f"reason_code_id {reason_code_id} does not exist in this tenant's reason_codes",
            hint=f"create a reason code with reason_type {reason_type} first",
        )
    actual = code.attributes.get("reason_type")
    if actual != reason_type or code.attributes.get("active") is False:
        state = "inactive" if actual == reason_type else f"of reason_type {actual}"
        raise Unprocessable(
            pointer,
            "unsuitable_reference",
            f"reason code {reason_code_id} is {state}; this needs an active {reason_type} reason code",
        )


def _set_status(
    env: Env, ids: list[int], reason_code_id: int | None, status: str, reason_type: str
) -> list[Record]:
    named = records.load_many(
        env, STOCKS, ids, "stock", "use stock record ids as GraphQL stocks returns them"
    )
    stocks = list({stock.id: stock for stock in named}.values())  # each record once
    check_reason_code(env, reason_code_id, reason_type, "/reason_code_id")
    for stock in stocks:
        if status == HELD and allocated(stock) > 0:
            raise Unprocessable(
                f"/ids/{ids.index(stock.id)}",
                "invalid_state",
                f"stock {stock.id} has {allocated(stock):g} allocated to orders and cannot be held",
                hint="cancel or process the orders that hold it first",
            )
        transition(env, stock, status)
    return stocks


def hold(env: Env, ids: list[int], reason_code_id: int | None = None) -> list[Record]:
    """Exclude the stock records from allocation; returns each record once, in ``ids`` order.

    https://documentation.claruswms.com/api-reference/stocks/place-stocks-on-hold. Raises
    Unprocessable for an unknown id (``/ids/<i>``), an unsuitable reason code (a ``hold`` one) or
    stock allocated to orders.
    """
    return _set_status(env, ids, reason_code_id, HELD, "hold")


def release(env: Env, ids: list[int], reason_code_id: int | None = None) -> list[Record]:
    """Make the stock records allocatable again (a ``release`` reason code); as :func:`hold`.

    https://documentation.claruswms.com/api-reference/stocks/remove-stocks-from-hold
    """
    return _set_status(env, ids, reason_code_id, AVAILABLE, "release")


def _check_destination(env: Env, stock: Record, location_id: int) -> None:
    pointer = "/data/attributes/to_location_id"
    location = env.store.get(env.tenant, "locations", location_id)
    if location is None:
        raise Unprocessable(
            pointer,
            "unknown_reference",
            f"to_location_id {location_id} does not exist in this tenant's locations",
        )
    warehouse = stock.attributes.get("warehouse_id")
    if location.attributes.get("warehouse_id") != warehouse:
        raise Unprocessable(
            pointer,
            "unsuitable_reference",
            f"location {location_id} is in warehouse {location.attributes.get('warehouse_id')}, "
            f"stock {stock.id} in warehouse {warehouse}; a move stays in one warehouse",
        )
    if stock.attributes.get("location_id") == location_id:
        raise Unprocessable(
            pointer,
            "unsuitable_reference",
            f"stock {stock.id} is already at location {location_id}",
        )


def move(
    env: Env,
    stock_id: int,
    quantity: float,
    to_location_id: int,
    reason_code_id: int | None = None,
) -> Record:
    """Move all of a stock record (the record moves) or part (split at the destination).

    https://documentation.claruswms.com/api-reference/stocks/move-stock-to-another-location.
    Held stock may move and stays held (quarantine moves are the usual reason); allocated stock may
    not. Moved stock leaves its storage unit behind (``storage_unit_id`` null). Returns the record
    at the destination. Raises NotFound, or Unprocessable (``not_enough_stock``, the destination, a
    ``transfer`` reason code) with pointers under ``/data/attributes``.
    """
    stock = records.load(env, STOCKS, stock_id)
    quantity = float(quantity)
    if quantity > unallocated(stock):
        raise Unprocessable(
            "/data/attributes/quantity",
            "not_enough_stock",
            f"stock {stock.id} has {unallocated(stock):g} free to move, not {quantity:g}",
        )
    _check_destination(env, stock, to_location_id)
    check_reason_code(env, reason_code_id, "transfer", "/data/attributes/reason_code_id")
    place = {"location_id": to_location_id, "storage_unit_id": None}
    if quantity == float(stock.attributes["quantity"]):
        stock.attributes.update(place)
        return env.store.save(env.tenant, stock)
    stock.attributes["quantity"] = tidy(float(stock.attributes["quantity"]) - quantity)
    env.store.save(env.tenant, stock)
    moved = {**stock.attributes, **place, "quantity": tidy(quantity), "allocated_quantity": 0}
    return create_in_status(env, STOCKS, moved)
