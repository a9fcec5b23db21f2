"""Products, their storage units (priority 0 first) and account assignments."""

from __future__ import annotations

from typing import Any

from mock_server.domain import records
from mock_server.domain.env import Env
from mock_server.domain.errors import NotFound, Unprocessable
from mock_server.domain.references import check_references
from mock_server.store import Record

PRODUCTS = "products"
PSU = "product_storage_units"


def create(
    env: Env, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> Record:
    """A new product, and the priority 0 storage unit the vendor's recipes rely on.

    Inferred (README): the vendor says to use the product's priority 0 storage unit on receipt lines,
    so a product created here gets one at once, of the tenant's first storage unit type.
    Raises Unprocessable for an unknown reference or a code already taken.
    """
    product = records.create(env, PRODUCTS, attributes, relationships)
    default_type = env.store.first_id(env.tenant, "storage_unit_types")
    env.store.create(env.tenant, PSU, default_storage_unit(product.id, default_type))
    return product


def default_storage_unit(product_id: int, storage_unit_type_id: int | None) -> dict[str, Any]:
    """The attributes of the priority 0 storage unit a new product gets: one unit, of each.

    Stock configuration ``unit``, one per layer and one layer (``total`` 1), of the given storage
    unit type (the tenant's first). Everything that makes a product's default unit builds it here.
    """
    return {
        "product_id": product_id,
        "storage_unit_type_id": storage_unit_type_id,
        "stock_configuration": "unit",
        "unit_of_measure": "each",
        "per_layer": 1,
        "number_of_layers": 1,
        "total": 1,
        "priority": 0,
    }


def _stock_of(env: Env, product_id: int) -> float:
    return sum(
        float(s.attributes.get("quantity", 0))
        for s in env.store.find(env.tenant, "stocks", product_id=product_id)
    )


def delete(env: Env, product_id: int, pointer: str = "") -> None:
    """Delete a product and its storage units, refused while it has stock.

    Raises NotFound, or Unprocessable (``invalid_state``) at ``pointer``.
    """
    if env.store.get(env.tenant, PRODUCTS, product_id) is None:
        raise NotFound(PRODUCTS, product_id)
    if _stock_of(env, product_id) > 0:
        raise Unprocessable(
            pointer,
            "invalid_state",
            f"product {product_id} has stock and cannot be deleted",
            hint="consider deactivating it instead (PATCH with stop: true)",
        )
    for unit in env.store.find(env.tenant, PSU, product_id=product_id):
        env.store.delete(env.tenant, PSU, unit.id)
    env.store.delete(env.tenant, PRODUCTS, product_id)


def delete_many(env: Env, ids: list[int]) -> None:
    """Delete every named product (each once), all or nothing: raises as :func:`delete`."""
    for product_id in dict.fromkeys(ids):
        delete(env, product_id)


def create_storage_unit(env: Env, attributes: dict[str, Any]) -> Record:
    """A new product storage unit at the next free priority of its product.

    ``total`` is ``per_layer × number_of_layers`` (a sent ``total`` is ignored upstream). Raises
    Unprocessable for an unknown reference.
    """
    attributes = records.plain(attributes)
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES)
    taken = [
        int(u.attributes.get("priority", 0))
        for u in env.store.find(env.tenant, PSU, product_id=attributes["product_id"])
    ]
    attributes["priority"] = max(taken) + 1 if taken else 0
    attributes["total"] = attributes.get("per_layer", 1) * attributes.get("number_of_layers", 1)
    return env.store.create(env.tenant, PSU, attributes)


def set_priority(env: Env, unit_id: int, priority: int) -> Record:
    """Give a storage unit another priority, unique per product.

    Raises NotFound, or Unprocessable (``not_unique``) naming the unit that has it.
    """
    unit = records.load(env, PSU, unit_id)
    for other in env.store.find(env.tenant, PSU, product_id=unit.attributes["product_id"]):
        if other.id != unit.id and other.attributes.get("priority") == priority:
            raise Unprocessable(
                "/data/attributes/priority",
                "not_unique",
                f"priority {priority} is already used by product storage unit "
                f"{other.id} of this product",
                hint="give that unit another priority first",
            )
    unit.attributes["priority"] = priority
    return env.store.save(env.tenant, unit)


def create_account_product(env: Env, product_id: int, account_id: int) -> Record:
    """Assign a product to an account, once.

    Raises NotFound for the product, Unprocessable for an unknown account or an assignment that
    exists.
    """
    records.load(env, PRODUCTS, product_id)
    attributes = {"account_id": account_id, "product_id": product_id}
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES)
    existing = env.store.find(env.tenant, "account_products", **attributes)
    if existing:
        raise Unprocessable(
            "/data/attributes/account_id",
            "not_unique",
            f"account {attributes['account_id']} is already assigned "
            f"(account product {existing[0].id})",
        )
    return env.store.create(env.tenant, "account_products", attributes)
