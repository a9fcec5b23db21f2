"""``stock_balances``: per product, account and warehouse, computed on every read.

Computed from the very rows the REST side and the floor write (stock records, order lines, receipt
lines), so a balance can never drift from them:

- ``available``: on hand, not allocated, not held (``quantity - allocated_quantity`` of available
  stock records);
- ``allocated``: promised to orders (``allocated_quantity`` of every stock record);
- ``ordered``: on open orders (every order not COMPLETED or CANCELLED: ``order_quantity`` less what
  was dispatched);
- ``received``: received on receipts still being received (``received_quantity`` of their lines);
- ``picked``: picked and not yet dispatched (``pick_quantity - dispatch_quantity`` of order lines).
"""

from __future__ import annotations

from typing import Any

from contracts.graphql_spec import Root
from mock_server.graphql.filters import QueryError, not_a_cursor, quoted
from mock_server.http_input import whole_number
from mock_server.store import Record, Store

_CLOSED_ORDERS = (6, 8)  # COMPLETED, CANCELLED
_MEASURES = ("available", "allocated", "ordered", "received", "picked")
Key = tuple[int, int, int]


def _number(value: Any) -> float:
    return float(value or 0)


def balances(store: Store, tenant: str) -> dict[Key, dict[str, float]]:
    """Every balance of the tenant, by (product_id, account_id, warehouse_id)."""
    found: dict[Key, dict[str, float]] = {}

    def row(product: Any, account: Any, warehouse: Any) -> dict[str, float]:
        key = (int(product or 0), int(account or 0), int(warehouse or 0))
        return found.setdefault(key, dict.fromkeys(_MEASURES, 0.0))

    for stock in store.query(tenant, "stocks"):
        a = stock.attributes
        balance = row(a.get("product_id"), a.get("account_id"), a.get("warehouse_id"))
        allocated = _number(a.get("allocated_quantity"))
        balance["allocated"] += allocated
        if a.get("status") == "available":
            balance["available"] += _number(a.get("quantity")) - allocated
    orders = {o.id: o for o in store.query(tenant, "goods_outs")}
    for line in store.query(tenant, "goods_out_lines"):
        order = orders.get(line.parent_id or 0)
        if order is None:
            continue
        a, o = line.attributes, order.attributes
        balance = row(a.get("product_id"), o.get("account_id"), o.get("warehouse_id"))
        dispatched = _number(a.get("dispatch_quantity"))
        if o.get("goods_out_status_id") not in _CLOSED_ORDERS:
            balance["ordered"] += max(0.0, _number(a.get("order_quantity")) - dispatched)
        balance["picked"] += max(0.0, _number(a.get("pick_quantity")) - dispatched)
    receipts = {r.id: r for r in store.query(tenant, "goods_in_receipts")}
    for line in store.query(tenant, "goods_in_receipt_lines"):
        receipt = receipts.get(line.parent_id or 0)
        if receipt is None or receipt.attributes.get("status") != "received":
            continue
        r = receipt.attributes
        balance = row(line.attributes.get("product_id"), r.get("account_id"), r.get("warehouse_id"))
        balance["received"] += _number(line.attributes.get("received_quantity"))
    return found


def page(
    store: Store,
    tenant: str,
    root: Root,
    given: dict[str, Any] | None,
    after: str | None,
    size: int,
) -> tuple[list[Record], bool]:
    """One page of balances matching the filter, ordered by (product, account, warehouse)."""
    codes = {p.id: p.attributes.get("code") for p in store.query(tenant, "products")}
    after_key = _parse(after) if after is not None else None
    every = balances(store, tenant)
    rows = []
    for key in sorted(every):
        if after_key is not None and key <= after_key:
            continue
        if _matches(root, given or {}, key, every[key], codes):
            rows.append(_record(key, every[key]))
        if len(rows) > size:
            break
    return rows[:size], len(rows) > size


def _parse(text: str) -> Key:
    numbers = [whole_number(part) for part in text.split("-")]
    if len(numbers) != 3 or None in numbers:
        raise not_a_cursor(text)  # only ids this API gave out: ASCII digits, SQLite-sized
    product, account, warehouse = (int(n or 0) for n in numbers)
    return product, account, warehouse


def _record(key: Key, values: dict[str, float]) -> Record:
    product, account, warehouse = key
    text = f"{product}-{account}-{warehouse}"
    attributes: dict[str, Any] = {
        "key": text,
        "product_id": product,
        "account_id": account,
        "warehouse_id": warehouse,
        **{name: _tidy(values[name]) for name in _MEASURES},
    }
    # Record.id is a stored record's integer id. A balance is computed on each read and never
    # stored, so it has none: it carries its text key instead (connection._key, the cursor).
    return Record("stock_balances", text, attributes, {})  # type: ignore[arg-type]


def _tidy(value: float) -> float:
    return float(int(value)) if value.is_integer() else value


def _matches(
    root: Root, given: dict[str, Any], key: Key, values: dict[str, float], codes: dict[int, Any]
) -> bool:
    product, account, warehouse = key
    fields: dict[str, Any] = {
        "product_id": product,
        "account_id": account,
        "warehouse_id": warehouse,
        "product_code": codes.get(product),
        **values,
    }
    for name, operators in given.items():
        for operator, value in (operators or {}).items():
            if value is not None and not _test(fields.get(name), operator, value, name):
                return False
    return True


def _test(actual: Any, operator: str, value: Any, name: str) -> bool:
    where = f"filter.{name}.{operator}"
    if name.endswith("_id"):
        try:
            value = [int(v) for v in value] if isinstance(value, list) else int(value)
        except (TypeError, ValueError):
            raise QueryError(
                f"{where}: {quoted(value)} is not an id (ids are whole numbers)"
            ) from None
    if actual is None:
        return operator == "filled" and not value
    if operator == "eq":
        return bool(actual == value)
    if operator == "in":
        return actual in value
    if operator == "filled":
        return bool(value)
    if operator == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise QueryError(f"{where} takes [min, max]: two values, both included")
        return bool(value[0] <= actual <= value[1])
    if operator == "like":
        return str(value) in str(actual)
    if operator == "ilike":
        return str(value).casefold() in str(actual).casefold()
    compare = {
        "gt": actual > value,
        "gteq": actual >= value,
        "lt": actual < value,
        "lteq": actual <= value,
    }
    return bool(compare[operator])
