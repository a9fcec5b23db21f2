"""Generic create, update and lookups for resources without rules of their own (master data).

Pointers in the errors raised here are JSON pointers into the operation's input document (REST's
request body): ``/data/attributes/<field>`` for a record's attributes unless a caller says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_server.domain.env import Env
from mock_server.domain.errors import NotFound, Unprocessable
from mock_server.domain.references import check_references, check_unique, known_references
from mock_server.store import Record

ATTRIBUTES = "/data/attributes"


@dataclass(frozen=True)
class WithLines:
    """A header record and its child lines (an order, a receipt), in id order."""

    record: Record
    lines: list[Record]


def load(env: Env, resource: str, record_id: int) -> Record:
    """The record, or :class:`NotFound`."""
    record = env.store.get(env.tenant, resource, record_id)
    if record is None:
        raise NotFound(resource, record_id)
    return record


def load_child(
    env: Env, resource: str, parent_id: int, child_id: int, pointer: str, owner: str, child: str
) -> Record:
    """A child record (order line, condition...) of ``parent_id``; else Unprocessable at ``pointer/id``."""
    found = env.store.get(env.tenant, resource, child_id)
    if found is None or found.parent_id != parent_id:
        raise Unprocessable(
            pointer + "/id",
            "unknown_reference",
            f"{owner} has no {child} {child_id}",
            hint=f"use a {child} id from the create or update response of {owner}",
        )
    return found


def load_many(env: Env, resource: str, ids: list[int], noun: str, hint: str) -> list[Record]:
    """The records of ``ids``, in order; Unprocessable at ``/ids/<i>`` for the first unknown one."""
    found = []
    for index, record_id in enumerate(ids):
        record = env.store.get(env.tenant, resource, record_id)
        if record is None:
            raise Unprocessable(
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


def create(
    env: Env,
    resource: str,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
) -> Record:
    """Store a new record after its references and unique fields are checked (Unprocessable)."""
    attributes = plain(attributes)
    check_references(env.store, env.tenant, attributes, ATTRIBUTES)
    check_unique(env.store, env.tenant, resource, attributes, ATTRIBUTES)
    return env.store.create(env.tenant, resource, attributes, relationships or {})


def update(
    env: Env,
    resource: str,
    record_id: int,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
) -> Record:
    """Change the named fields of an existing record; the others stay as they are.

    Raises NotFound, or Unprocessable for a reference or a unique value.
    """
    record = load(env, resource, record_id)
    attributes = plain(attributes)
    check_references(env.store, env.tenant, attributes, ATTRIBUTES)
    check_unique(
        env.store,
        env.tenant,
        record.resource,
        attributes,
        ATTRIBUTES,
        own_id=record.id,
        current=record.attributes,
    )
    record.attributes.update(attributes)
    record.relationships.update(relationships or {})
    return env.store.save(env.tenant, record)


def known_ids(
    env: Env, attributes: dict[str, Any], changes: list[dict[str, Any]]
) -> set[tuple[str, int]]:
    """Every id a header and its ``lines_changes`` name that exists, looked up at once.

    Pass it as ``seen`` to ``check_references``: the checks still run in document order.
    """
    lines = [c["attributes"] for c in changes if "attributes" in c]
    return known_references(env.store, env.tenant, [attributes, *lines])
