"""Storage units: a unit created without ``warehouse_id`` takes the warehouse of its location."""

from __future__ import annotations

from typing import Any

from mock_server.domain import records
from mock_server.domain.env import Env
from mock_server.store import Record

STORAGE_UNITS = "storage_units"


def create(
    env: Env, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> Record:
    """A new storage unit.

    https://documentation.claruswms.com/api-reference/storage-units/create-a-storage-unit: the Key
    Fields table requires ``warehouse_id``; the vendor's own curl example leaves it out and names a
    ``location_id`` (accepted with the warning ``vendor_contradiction``). A location belongs to one
    warehouse, so the unit is put in that one. Raises as :func:`records.create`.
    """
    attributes = dict(attributes)
    if attributes.get("warehouse_id") is None and attributes.get("location_id") is not None:
        location = env.store.get(env.tenant, "locations", attributes["location_id"])
        if location is not None:
            attributes["warehouse_id"] = location.attributes.get("warehouse_id")
    return records.create(env, STORAGE_UNITS, attributes, relationships)
