"""Master data with rules beyond the generic create: account-warehouse pairs are unique."""

from __future__ import annotations

from mock_server.domain import records
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record


def _check_pair(ctx: Ctx, account_id: int, warehouse_id: int, own_id: int | None = None) -> None:
    for other in ctx.store.find(
        ctx.tenant, "account_warehouses", account_id=account_id, warehouse_id=warehouse_id
    ):
        if other.id != own_id:
            raise unprocessable(
                "/data/attributes",
                "not_unique",
                f"account {account_id} and warehouse {warehouse_id} are already associated "
                f"(account warehouse {other.id})",
            )


def create_account_warehouse(ctx: Ctx) -> Record:
    """POST /api/account_warehouses: 422 for a pair that exists (rest.md §3.7)."""
    attributes = ctx.attributes
    _check_pair(ctx, attributes["account_id"], attributes["warehouse_id"])
    return records.create(ctx)


def update_account_warehouse(ctx: Ctx) -> Record:
    """PATCH /api/account_warehouses/{id}: the new pair must not exist either."""
    current = records.load(ctx)
    merged = {**current.attributes, **ctx.attributes}
    _check_pair(ctx, merged["account_id"], merged["warehouse_id"], own_id=current.id)
    return records.update(ctx)


HANDLERS = {
    "account_warehouses.create": create_account_warehouse,
    "account_warehouses.update": update_account_warehouse,
}
