"""Storage units: a unit created without ``warehouse_id`` takes the warehouse of its location."""

from __future__ import annotations

from mock_server.domain import records
from mock_server.rest.context import Ctx
from mock_server.store import Record


def create(ctx: Ctx) -> Record:
    """POST /api/storage_units.

    The Key Fields table requires ``warehouse_id``; the vendor's own curl example leaves it out and
    names a ``location_id`` (accepted with the warning ``vendor_contradiction``). A location belongs
    to one warehouse, so the unit is put in that one.
    """
    attributes = ctx.data.get("attributes") or {}
    if attributes.get("warehouse_id") is None and attributes.get("location_id") is not None:
        location = ctx.store.get(ctx.tenant, "locations", attributes["location_id"])
        if location is not None:
            attributes["warehouse_id"] = location.attributes.get("warehouse_id")
    return records.create(ctx)


HANDLERS = {"storage_units.create": create}
