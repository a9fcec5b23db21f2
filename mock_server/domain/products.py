"""Products, their storage units (priority 0 first) and account assignments."""

from __future__ import annotations

from mock_server.domain import records
from mock_server.domain.references import check_references
from mock_server.errors import ApiError, unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record

PSU = "product_storage_units"


def create(ctx: Ctx) -> Record:
    """POST /api/products; also the priority 0 storage unit the vendor's recipes rely on.

    Inferred (README): the vendor says to use the product's priority 0 storage unit on receipt lines,
    so a product created here gets one at once, of the tenant's first storage unit type.
    """
    product = records.create(ctx)
    default_type = ctx.store.first_id(ctx.tenant, "storage_unit_types")
    ctx.store.create(
        ctx.tenant,
        PSU,
        {
            "product_id": product.id,
            "storage_unit_type_id": default_type,
            "stock_configuration": "unit",
            "unit_of_measure": "each",
            "per_layer": 1,
            "number_of_layers": 1,
            "total": 1,
            "priority": 0,
        },
    )
    return product


def _stock_of(ctx: Ctx, product_id: int) -> float:
    return sum(
        float(s.attributes.get("quantity", 0))
        for s in ctx.store.find(ctx.tenant, "stocks", product_id=product_id)
    )


def _delete_product(ctx: Ctx, product_id: int, pointer: str) -> None:
    if ctx.store.get(ctx.tenant, "products", product_id) is None:
        raise ApiError(404, f"products {product_id} does not exist in this tenant")
    if _stock_of(ctx, product_id) > 0:
        raise unprocessable(
            pointer,
            "invalid_state",
            f"product {product_id} has stock and cannot be deleted",
            hint="consider deactivating it instead (PATCH with stop: true)",
        )
    for unit in ctx.store.find(ctx.tenant, PSU, product_id=product_id):
        ctx.store.delete(ctx.tenant, PSU, unit.id)
    ctx.store.delete(ctx.tenant, "products", product_id)


def delete(ctx: Ctx) -> None:
    """DELETE /api/products/{id} (204), refused while the product has stock."""
    _delete_product(ctx, ctx.record_id, "")


def delete_many(ctx: Ctx) -> None:
    """DELETE /api/products?ids=1,2,3: all or nothing (the face parsed ``ids`` into the body)."""
    for product_id in dict.fromkeys(ctx.body["ids"]):
        _delete_product(ctx, product_id, "")


def create_storage_unit(ctx: Ctx) -> Record:
    """POST /api/product_storage_units: the next free priority of its product."""
    attributes = records.plain(ctx.attributes)
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES)
    taken = [
        int(u.attributes.get("priority", 0))
        for u in ctx.store.find(ctx.tenant, PSU, product_id=attributes["product_id"])
    ]
    attributes["priority"] = max(taken) + 1 if taken else 0
    attributes["total"] = attributes.get("per_layer", 1) * attributes.get("number_of_layers", 1)
    return ctx.store.create(ctx.tenant, PSU, attributes)


def set_priority(ctx: Ctx) -> Record:
    """PATCH /api/product_storage_units/{id}/priority: unique per product."""
    unit = records.load(ctx, PSU)
    priority = ctx.attributes["priority"]
    for other in ctx.store.find(ctx.tenant, PSU, product_id=unit.attributes["product_id"]):
        if other.id != unit.id and other.attributes.get("priority") == priority:
            raise unprocessable(
                "/data/attributes/priority",
                "not_unique",
                f"priority {priority} is already used by product storage unit "
                f"{other.id} of this product",
                hint="give that unit another priority first",
            )
    unit.attributes["priority"] = priority
    return ctx.store.save(ctx.tenant, unit)


def create_account_product(ctx: Ctx) -> Record:
    """POST /api/products/{product_id}/account_products (bare response)."""
    product_id = int(ctx.params["product_id"])
    records.load(ctx, "products", product_id)
    attributes = {"account_id": ctx.attributes["account_id"], "product_id": product_id}
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES)
    existing = ctx.store.find(ctx.tenant, "account_products", **attributes)
    if existing:
        raise unprocessable(
            "/data/attributes/account_id",
            "not_unique",
            f"account {attributes['account_id']} is already assigned "
            f"(account product {existing[0].id})",
        )
    return ctx.store.create(ctx.tenant, "account_products", attributes)


HANDLERS = {
    "products.create": create,
    "products.delete": delete,
    "products.delete_many": delete_many,
    "product_storage_units.create": create_storage_unit,
    "product_storage_units.priority": set_priority,
    "account_products.create": create_account_product,
}
