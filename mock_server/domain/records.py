"""Generic create, update and delete for resources without rules of their own (master data)."""

from __future__ import annotations

from typing import Any

from mock_server.domain.references import check_references, check_unique
from mock_server.errors import ApiError
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
    check_unique(ctx.store, ctx.tenant, record.resource, attributes, ATTRIBUTES, own_id=record.id)
    record.attributes.update(attributes)
    record.relationships.update(ctx.relationships)
    return ctx.store.save(ctx.tenant, record)


def with_lines(ctx: Ctx, parent: Record, lines_resource: str) -> Record:
    """``parent`` with its child lines as the vendor's ``lines_changes`` echo: ``[{id, attributes}]``."""
    lines = ctx.store.children(ctx.tenant, lines_resource, parent.id)
    attributes = {
        **parent.attributes,
        "lines_changes": [{"id": line.id, "attributes": line.attributes} for line in lines],
    }
    return Record(parent.resource, parent.id, attributes, parent.relationships)
