"""Generic create, update and delete for resources without rules of their own (master data)."""

from __future__ import annotations

from typing import Any

from mock_server.domain.references import check_references, check_unique, known_references
from mock_server.errors import ApiError, unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record

ATTRIBUTES = "/data/attributes"


def resource_of(ctx: Ctx) -> str:
    return ctx.op.data_type or ctx.op.resource


def load(ctx: Ctx, resource: str | None = None, record_id: int | None = None) -> Record:
    """The record named by the path, or a 404."""
    resource = resource or resource_of(ctx)
    record_id = ctx.record_id if record_id is None else record_id
    record = ctx.store.get(ctx.tenant, resource, record_id)
    if record is None:
        raise ApiError(404, f"{resource} {record_id} does not exist in this tenant")
    return record


def load_child(
    ctx: Ctx, resource: str, parent_id: int, child_id: int, pointer: str, owner: str, child: str
) -> Record:
    """A child record (order line, condition...) of ``parent_id``, or a 422 at ``pointer/id``."""
    found = ctx.store.get(ctx.tenant, resource, child_id)
    if found is None or found.parent_id != parent_id:
        raise unprocessable(
            pointer + "/id",
            "unknown_reference",
            f"{owner} has no {child} {child_id}",
            hint=f"use a {child} id from the create or update response of {owner}",
        )
    return found


def load_many(ctx: Ctx, resource: str, ids: list[int], noun: str, hint: str) -> list[Record]:
    """The records of a flat body's ``ids``, in order: a 422 at ``/ids/<i>`` for the first unknown."""
    found = []
    for index, record_id in enumerate(ids):
        record = ctx.store.get(ctx.tenant, resource, record_id)
        if record is None:
            raise unprocessable(
                f"/ids/{index}",
                "unknown_reference",
                f"{noun} {record_id} does not exist in this tenant",
                hint=hint,
            )
        found.append(record)
    return found


def plain(attributes: dict[str, Any]) -> dict[str, Any]:
    """Attributes without ``*_changes`` lists (children are stored as their own records)."""
    return {k: v for k, v in attributes.items() if not k.endswith("_changes")}


def create(ctx: Ctx) -> Record:
    """Store a new record after its references and unique fields are checked."""
    resource = resource_of(ctx)
    attributes = plain(ctx.attributes)
    check_references(ctx.store, ctx.tenant, attributes, ATTRIBUTES)
    check_unique(ctx.store, ctx.tenant, resource, attributes, ATTRIBUTES)
    return ctx.store.create(ctx.tenant, resource, attributes, ctx.relationships)


def update(ctx: Ctx) -> Record:
    """Change the named fields of an existing record; the others stay as they are."""
    record = load(ctx)
    attributes = plain(ctx.attributes)
    check_references(ctx.store, ctx.tenant, attributes, ATTRIBUTES)
    check_unique(
        ctx.store,
        ctx.tenant,
        record.resource,
        attributes,
        ATTRIBUTES,
        own_id=record.id,
        current=record.attributes,
    )
    record.attributes.update(attributes)
    record.relationships.update(ctx.relationships)
    return ctx.store.save(ctx.tenant, record)


def known_ids(
    ctx: Ctx, attributes: dict[str, Any], changes: list[dict[str, Any]]
) -> set[tuple[str, int]]:
    """Every id a header and its ``lines_changes`` name that exists, looked up at once.

    Pass it as ``seen`` to ``check_references``: the checks still run in document order.
    """
    lines = [c["attributes"] for c in changes if "attributes" in c]
    return known_references(ctx.store, ctx.tenant, [attributes, *lines])


def with_lines(
    ctx: Ctx, parent: Record, lines_resource: str, lines: list[Record] | None = None
) -> Record:
    """``parent`` with its child lines as the vendor's ``lines_changes`` echo: ``[{id, attributes}]``.

    ``lines`` are read from the store unless the caller holds all of them already.
    """
    if lines is None:
        lines = ctx.store.children(ctx.tenant, lines_resource, parent.id)
    attributes = {
        **parent.attributes,
        "lines_changes": [{"id": line.id, "attributes": line.attributes} for line in lines],
    }
    return Record(parent.resource, parent.id, attributes, parent.relationships)
