"""Every id a payload names must exist in the tenant, and unique fields must stay unique."""

from __future__ import annotations

from typing import Any

from contracts.registry import references, unique_keys
from mock_server.domain.errors import Unprocessable
from mock_server.store import Store


def target(field: str) -> str | None:
    """The resource a ``*_id`` field points at (``x-clarus-references`` in the schemas), or None."""
    return references().get(field)


def known_references(
    store: Store, tenant: str, documents: list[dict[str, Any]]
) -> set[tuple[str, int]]:
    """The ``(resource, id)`` pairs named in ``documents`` that exist: one query for them all.

    Pass the result as ``seen`` to :func:`check_references`, so 20 order lines cost one query, not 20,
    while errors still come in document order.
    """
    wanted: dict[str, set[int]] = {}
    fields = references()  # read once: a 20-line order names ~90 fields
    for attributes in documents:
        for field, value in attributes.items():
            resource = fields.get(field)
            if resource is not None and type(value) is int:
                wanted.setdefault(resource, set()).add(value)
    return store.existing(tenant, wanted)


def check_references(
    store: Store,
    tenant: str,
    attributes: dict[str, Any],
    pointer: str,
    seen: set[tuple[str, int]] | None = None,
) -> None:
    """Raise Unprocessable for the first id in ``attributes`` that names no record of this tenant.

    ``seen`` carries ids already known to exist (see :func:`known_references`).
    """
    fields = references()
    for field, value in attributes.items():
        resource = fields.get(field)
        if resource is None or type(value) is not int:  # a bool is no id
            continue
        if seen is not None and (resource, value) in seen:
            continue
        if store.exists(tenant, resource, value):
            if seen is not None:
                seen.add((resource, value))
        else:
            raise Unprocessable(
                f"{pointer}/{field}",
                "unknown_reference",
                f"{field} {value} does not exist in this tenant's {resource}",
                hint=f"create the {resource[:-1]} first and use the id its response returned",
            )


def check_unique(
    store: Store,
    tenant: str,
    resource: str,
    attributes: dict[str, Any],
    pointer: str,
    own_id: int | None = None,
    current: dict[str, Any] | None = None,
) -> None:
    """Raise Unprocessable naming the existing record when a unique key's values are taken.

    The keys are the ones the vendor documents (``x-clarus-resource.unique`` in the schemas). On an
    update, ``current`` holds the stored values the change leaves as they are (a location's code is
    unique within its warehouse).
    """
    merged = {**(current or {}), **attributes}
    for key in unique_keys().get(resource, ()):
        if not any(name in attributes for name in key.fields):
            continue
        values = {name: merged.get(name) for name in key.fields}
        if any(value is None for value in values.values()):
            continue
        for other in store.find(tenant, resource, **values):
            if other.id == own_id:
                continue
            first = next(name for name in key.fields if name in attributes)
            shown = " and ".join(f"{name} {value!r}" for name, value in values.items())
            raise Unprocessable(
                f"{pointer}/{first}",
                "not_unique",
                f"{shown} already used by {resource} {other.id} ({key.says.lower()}: {key.source})",
                hint=f"use another {first}, or PATCH /api/{resource}/{other.id}",
            )
